import type { Hub } from '@gridhub/hub';
import type { Ticket } from '@gridhub/core';

/** The hub's HTTP API as a logged-in person (fastify inject: the same routes, no port). */
export interface ApiSession {
  readonly username: string;
  call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Tickets in this person's scope matching a query string (`device=sd-1&priority=P1`). */
  tickets(query?: string): Promise<Ticket[]>;
  ticket(id: string): Promise<{ ticket: Ticket; occurrences: { atMs: number }[]; incident: { kind: string; priority: string; buildingId: string | null; gridId: string; ticketIds: string[] } | null; history: { action: string; to: string; by: string }[] }>;
}

export async function loginAs(hub: Hub, username: string, password = `demo-${username}`): Promise<ApiSession> {
  const res = await hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  const token = (JSON.parse(res.body) as { token: string }).token;
  const call: ApiSession['call'] = async (method, path, body) => {
    const r = await hub.app.inject({ method, url: path, payload: body as never, headers: { authorization: `Bearer ${token}` } });
    return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : null };
  };
  const ok = async (path: string) => {
    const r = await call('GET', path);
    if (r.status !== 200) throw new Error(`GET ${path} as ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return {
    username,
    call,
    tickets: async (query = '') => (await ok(`/api/tickets?limit=1000${query ? `&${query}` : ''}`)).items as Ticket[],
    ticket: (id) => ok(`/api/tickets/${id}`),
  };
}
