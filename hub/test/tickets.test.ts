import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { uplinkTopic, type HubEvent } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { tempDir, waitFor } from '@gridhub/testkit';
import { demoPassword, resolveScope, seesGrid, seesTicket, type GridsIn } from '../src/auth/index.ts';
import { api, connect, login, TEST_ADMIN_PASSWORD, testHub } from './support.ts';
import { jpegWithLocation, uploadPhotos } from './photos.ts';

/**
 * The ticket loop at hub level, over real MQTT: alarms published by demo devices become tickets
 * through ingest and the rules engine; people act on them through the API with their own sessions.
 * Demo site: grid A = g-lx-01, grid B = g-lx-02; demo users' passwords are demo-<username>.
 */
const GRID_A = 'g-lx-01';
const GRID_B = 'g-lx-02';
const ON_DUTY = 'w-lx-01-03';

interface Dev {
  id: string;
  kind: string;
  place: { grid: string; building: string | null };
}

describe('tickets through MQTT and the API (demo site)', () => {
  let hub: Awaited<ReturnType<typeof testHub>>;
  let smokeA: Dev[];
  let smokeB: Dev[];
  const events: HubEvent[] = [];
  const clients: MqttClient[] = [];
  let seq = 1000;

  async function publishAlarms(d: Dev, n: number, spreadMs = 0): Promise<void> {
    const client = await connect(hub.mqttUrl, { clientId: d.id, username: d.id, password: demoDeviceSecret(d.id) });
    clients.push(client);
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        client.publishAsync(uplinkTopic('smoke', d.id, 'event'), JSON.stringify({ ts: t0 + Math.floor((i * spreadMs) / n), seq: ++seq, event: 'alarm', obscuration_pct: 14 }), { qos: 1 }),
      ),
    );
    await client.endAsync();
  }

  const ticketsOf = async (deviceId: string) => (await api(hub, 'GET', `/api/tickets?device=${deviceId}`)).body.items as any[];

  beforeAll(async () => {
    hub = await testHub();
    hub.events.on('event', (e) => events.push(e));
    const smoke = (await api(hub, 'GET', '/api/devices?kind=smoke&limit=1000')).body.items as Dev[];
    smokeA = smoke.filter((d) => d.place.grid === GRID_A);
    smokeB = smoke.filter((d) => d.place.grid === GRID_B);
    // The grid leader puts a full-time warden on duty (值班) now.
    const leader = await login(hub, 'w-lx-01-01', demoPassword('w-lx-01-01'));
    const now = Date.now();
    const r = await api(hub, 'POST', '/api/rosters', { token: leader, body: { shifts: [{ gridId: GRID_A, wardenId: ON_DUTY, fromMs: now - 3600_000, toMs: now + 8 * 3600_000 }] } });
    expect(r.status).toBe(200);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await hub?.dispose();
  });

  it('three smoke alarms in one building within a minute -> one P1 fire incident, three tickets dispatched to the on-duty warden', async () => {
    const byBuilding = new Map<string, Dev[]>();
    for (const d of smokeA) if (d.place.building) byBuilding.set(d.place.building, [...(byBuilding.get(d.place.building) ?? []), d]);
    const three = [...byBuilding.values()].find((list) => list.length >= 3)!.slice(0, 3);
    for (const d of three) await publishAlarms(d, 1);
    const listed = () => Promise.all(three.map((d) => ticketsOf(d.id)));
    await waitFor(async () => (await listed()).every((l) => l.length === 1 && l[0].incidentId), 15_000, 'three tickets in one incident');
    const tickets = (await listed()).map((l) => l[0]);
    expect(tickets.map((t) => [t.priority, t.status, t.assigneeId])).toEqual(three.map(() => ['P1', 'dispatched', ON_DUTY]));
    expect(new Set(tickets.map((t) => t.incidentId)).size).toBe(1);
    const detail = (await api(hub, 'GET', `/api/tickets/${tickets[0].id}`)).body;
    expect(detail.incident).toMatchObject({ kind: 'confirmed_fire', priority: 'P1', buildingId: three[0]!.place.building, gridId: GRID_A });
    expect(detail.incident.ticketIds.sort()).toEqual(tickets.map((t) => t.id).sort());
    // Joining the incident is a step of each ticket's history (and of the screens' live state).
    expect(detail.history.map((h: any) => [h.action, h.to, h.by])).toEqual([['dispatch', 'dispatched', 'system'], ['join_incident', 'dispatched', 'system']]);
    expect(detail.deadlines.accept).toBe(tickets[0].dispatchedMs + 2 * 60_000);
    // The same went out on the one event stream.
    await hub.rules.eventsCaughtUp();
    expect(events.filter((e) => e.type === 'incident' && e.incident.id === tickets[0].incidentId)).not.toHaveLength(0);
    expect(events.filter((e) => e.type === 'ticket' && e.transition.action === 'dispatch' && three.some((d) => d.id === e.ticket.deviceId))).toHaveLength(3);
  });

  it('100 identical alarms from one device within a second -> one ticket with 100 occurrences', async () => {
    const d = smokeA.at(-1)!;
    await publishAlarms(d, 100, 900);
    await waitFor(async () => (await ticketsOf(d.id))[0]?.occurrences === 100, 20_000, '100 occurrences');
    const list = await ticketsOf(d.id);
    expect(list).toHaveLength(1);
    const detail = (await api(hub, 'GET', `/api/tickets/${list[0].id}`)).body;
    expect(detail.occurrences).toHaveLength(100);
    await hub.rules.eventsCaughtUp();
    expect(events.filter((e) => e.type === 'occurrence' && e.ticket.deviceId === d.id && e.created)).toHaveLength(1);
  });

  it('the full loop through the API: dispatch, accept, arrive, resolve, close; history recorded; KPIs change', async () => {
    const d = smokeA.at(-2)!;
    await publishAlarms(d, 1);
    await waitFor(async () => (await ticketsOf(d.id)).length === 1, 15_000, 'ticket');
    const id = (await ticketsOf(d.id))[0].id as string;
    const operator = await login(hub, 'operator', demoPassword('operator'));
    const warden = await login(hub, 'w-lx-01-02', demoPassword('w-lx-01-02'));
    const kpiBefore = (await api(hub, 'GET', `/api/kpis?period=24h&by=grid`, { token: operator })).body.groups[GRID_A];

    const act = (action: string, token: string, body: object = {}) => api(hub, 'POST', `/api/tickets/${id}/${action}`, { token, body });
    // Dispatched to the on-duty warden; the operator returns... no: the warden on duty passes it back (退单) and the operator re-dispatches.
    const onDuty = await login(hub, ON_DUTY, demoPassword(ON_DUTY));
    expect((await act('accept', warden)).status).toBe(403); // not theirs
    expect((await act('return', onDuty, { reason: '不在本楼 not in this building' })).status).toBe(200);
    expect((await act('dispatch', warden, { assigneeId: 'w-lx-01-02' })).status).toBe(403); // a warden does not dispatch
    expect((await act('dispatch', operator, { assigneeId: 'w-lx-02-02' })).body.code).toBe('HUB_ERR_VALIDATION'); // not a warden of this grid
    expect((await act('dispatch', operator, { assigneeId: 'w-lx-01-02', note: '请尽快 asap' })).body.ticket.status).toBe('dispatched');
    expect((await act('arrive', warden)).body.code).toBe('HUB_ERR_TICKET_TRANSITION'); // accept first
    expect((await act('accept', warden)).body.ticket.status).toBe('accepted');
    expect((await act('arrive', warden, { note: '已到场' })).body.ticket.status).toBe('on_site');
    // Photos are files the hub keeps: uploaded (on site, so the location stays), then named by their hub URL.
    const upload = await uploadPhotos(hub, id, warden, [{ name: 'site.jpg', type: 'image/jpeg', bytes: jpegWithLocation() }]);
    expect(upload.status).toBe(201);
    const photo = upload.body.photos[0];
    expect(photo).toMatchObject({ type: 'image/jpeg', locationKept: true });
    expect((await act('resolve', warden, { note: 'x', photos: ['https://example.org/photos/1.jpg'] })).body.code).toBe('HUB_ERR_VALIDATION'); // never a URL the hub does not serve
    expect((await act('resolve', warden, { note: '误报，已复位 false alarm, reset', photos: [photo.url] })).body.ticket.status).toBe('resolved');
    const served = await hub.app.inject({ method: 'GET', url: photo.url, headers: { authorization: `Bearer ${operator}` } });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect(served.rawPayload.includes(Buffer.from('GPSLatitude'))).toBe(true);
    expect((await act('close', warden)).status).toBe(403); // wardens do not verify
    // Verification with evidence (核查办结): a close says what was verified, a reopen why it failed.
    for (const body of [{}, { note: '   ' }]) {
      const r = await act('close', operator, body);
      expect([r.status, r.body.code]).toEqual([400, 'HUB_ERR_TICKET_NOTE_REQUIRED']);
    }
    for (const body of [{}, { reason: '\n' }]) {
      const r = await act('reopen', operator, body);
      expect([r.status, r.body.code]).toEqual([400, 'HUB_ERR_TICKET_NOTE_REQUIRED']);
    }
    expect((await api(hub, 'GET', `/api/tickets/${id}`, { token: operator })).body.ticket.status).toBe('resolved'); // nothing changed
    expect((await act('reopen', operator, { reason: '烟感仍在报警 detector still sounding' })).body.ticket).toMatchObject({ status: 'dispatched', reopenCount: 1 });
    expect((await act('accept', warden)).body.ticket.status).toBe('accepted');
    expect((await act('arrive', warden)).body.ticket.status).toBe('on_site');
    expect((await act('resolve', warden, { note: '   ' })).body.code).toBe('HUB_ERR_TICKET_NOTE_REQUIRED');
    expect((await act('resolve', warden, { note: '更换电池后复位 battery changed, reset' })).body.ticket.status).toBe('resolved');
    const closed = await act('close', operator, { note: '核查无误' });
    expect(closed.body.ticket.status).toBe('closed');
    const illegal = await act('accept', warden);
    expect(illegal.status).toBe(409);
    expect(illegal.body.code).toBe('HUB_ERR_TICKET_TRANSITION');

    // (This alarm's building had another one a moment ago: it may have joined that incident too.)
    const history = (await api(hub, 'GET', `/api/tickets/${id}`, { token: operator })).body.history.filter((h: any) => h.action !== 'join_incident');
    expect(history.map((h: any) => [h.action, h.from, h.to, h.by])).toEqual([
      ['dispatch', 'new', 'dispatched', 'system'],
      ['return', 'dispatched', 'returned', ON_DUTY],
      ['dispatch', 'returned', 'dispatched', 'operator'],
      ['accept', 'dispatched', 'accepted', 'w-lx-01-02'],
      ['arrive', 'accepted', 'on_site', 'w-lx-01-02'],
      ['resolve', 'on_site', 'resolved', 'w-lx-01-02'],
      ['reopen', 'resolved', 'dispatched', 'operator'],
      ['accept', 'dispatched', 'accepted', 'w-lx-01-02'],
      ['arrive', 'accepted', 'on_site', 'w-lx-01-02'],
      ['resolve', 'on_site', 'resolved', 'w-lx-01-02'],
      ['close', 'resolved', 'closed', 'operator'],
    ]);
    expect(history[6].note).toBe('烟感仍在报警 detector still sounding');
    expect(history[10].note).toBe('核查无误');
    expect(history[1].note).toContain('not in this building');
    expect(history[5].data).toEqual({ photos: [photo.url] });
    expect(history.every((h: any) => typeof h.atMs === 'number')).toBe(true);

    const kpiAfter = (await api(hub, 'GET', `/api/kpis?period=24h&by=grid`, { token: operator })).body.groups[GRID_A];
    expect(kpiAfter.closed).toBe((kpiBefore?.closed ?? 0) + 1);
    expect(kpiAfter.closureRate).toBeGreaterThan(kpiBefore?.closureRate ?? 0);
    expect(kpiAfter.close.n).toBe((kpiBefore?.close.n ?? 0) + 1);
    expect(kpiAfter.accept.n).toBe((kpiBefore?.accept.n ?? 0) + 1);
  });

  it('a warden of grid A is refused grid B, in every route; a department sees only what was escalated to it', async () => {
    // Grid B has a ticket, a device and a silence; grid A a ticket the warden may see.
    const b = smokeB[0]!;
    await publishAlarms(b, 1);
    await waitFor(async () => (await ticketsOf(b.id)).length === 1, 15_000, 'grid B ticket');
    const ticketB = (await ticketsOf(b.id))[0];
    const estateB = (await api(hub, 'GET', `/api/devices/${b.id}`)).body.estateId as string;
    const silence = await api(hub, 'POST', '/api/silences', { body: { estate: estateB, from: Date.now(), to: Date.now() + 3600_000, reason: '检修 maintenance' } });
    expect(silence.status).toBe(201);
    const secretsOfB = [GRID_B, ticketB.id, b.id, estateB, silence.body.id];

    const warden = await login(hub, 'w-lx-01-02', demoPassword('w-lx-01-02'));
    const params: Record<string, string> = { grid: GRID_B, warden: 'w-lx-02-02', fromMs: '0' };
    const idFor = (url: string) => (url.startsWith('/api/tickets') ? ticketB.id : url.startsWith('/api/devices') ? b.id : url.startsWith('/api/silences') ? silence.body.id : 'x');
    // Shared by every user: the site hierarchy (names of grids and estates; no ticket, no device state).
    const shared = new Set(['GET /api/site']);
    const routes = hub.app.routeTable.filter((r) => r.url.startsWith('/api/') && r.url !== '/api/health/' && r.url !== '/api/health' && !r.url.startsWith('/api/auth/'));
    expect(routes.length).toBeGreaterThan(25);
    const leaks: string[] = [];
    for (const r of routes) {
      if (shared.has(`${r.method} ${r.url.replace(/\/$/, '')}`)) continue;
      const url = r.url.replace(/:(\w+)/g, (_, p: string) => (p === 'id' ? idFor(r.url) : params[p] ?? 'x')) + (r.method === 'GET' ? `?grid=${GRID_B}` : '');
      const res = await api(hub, r.method as 'GET', url, { token: warden, body: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
      const text = JSON.stringify(res.body);
      const refused = res.status === 403 || res.status === 404 || res.status === 400;
      if (!refused && secretsOfB.some((s) => text.includes(s))) leaks.push(`${r.method} ${url} -> ${res.status} ${text.slice(0, 120)}`);
      if (!refused && res.status >= 300) leaks.push(`${r.method} ${url} -> unexpected ${res.status}`);
      // Another grid's ticket or device answers exactly as an id that does not exist (404 with the
      // same code; or 403 for a role the route refuses whatever the id): which ids exist stays hidden.
      if (r.url.includes(':id') && (r.url.startsWith('/api/tickets') || r.url.startsWith('/api/devices'))) {
        const unknown = await api(hub, r.method as 'GET', url.replace(idFor(r.url), 'no-such-id'), { token: warden, body: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
        const same = res.status === unknown.status && res.body?.code === unknown.body?.code && [403, 404].includes(res.status);
        if (!same) leaks.push(`${r.method} ${url} -> ${res.status} ${res.body?.code}; an unknown id -> ${unknown.status} ${unknown.body?.code}`);
        if (res.status === 403 && res.body?.code !== 'HUB_ERR_FORBIDDEN') leaks.push(`${r.method} ${url} -> 403 ${res.body?.code}`);
      }
    }
    expect(leaks).toEqual([]);
    // Without the grid filter the lists show grid A only, and not nothing.
    const mine = (await api(hub, 'GET', '/api/tickets', { token: warden })).body.items as any[];
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((t) => t.gridId === GRID_A)).toBe(true);
    const devices = (await api(hub, 'GET', '/api/devices?limit=1000', { token: warden })).body.items as Dev[];
    expect(devices.length).toBe((await api(hub, 'GET', `/api/devices?limit=1000&grid=${GRID_A}`)).body.items.length);
    expect(devices.filter((d) => d.kind === 'smoke')).toHaveLength(smokeA.length);
    expect(devices.every((d) => d.place.grid === GRID_A)).toBe(true);
    expect((await api(hub, 'GET', `/api/tickets/${mine[0].id}`, { token: warden })).status).toBe(200);
    expect((await api(hub, 'GET', '/api/tickets', { token: null })).body.code).toBe('HUB_ERR_UNAUTHENTICATED');

    // 吹哨: grid B's ticket escalated to the fire brigade; the fire brigade sees that one only.
    const fire = await login(hub, 'fire_brigade', demoPassword('fire_brigade'));
    expect((await api(hub, 'GET', '/api/tickets', { token: fire })).body.total).toBe(0);
    expect((await api(hub, 'POST', `/api/tickets/${ticketB.id}/escalate`, { body: { department: 'fire_brigade', note: '疑似火情' } })).body.ticket.status).toBe('with_department');
    const seen = (await api(hub, 'GET', '/api/tickets', { token: fire })).body.items as any[];
    expect(seen.map((t) => t.id)).toEqual([ticketB.id]);
    expect((await api(hub, 'GET', `/api/tickets/${mine[0].id}`, { token: fire })).body.code).toBe('HUB_ERR_TICKET_NOT_FOUND');
    expect((await api(hub, 'GET', `/api/devices/${b.id}`, { token: fire })).body.code).toBe('HUB_ERR_NOT_FOUND');
    expect((await api(hub, 'POST', `/api/tickets/${ticketB.id}/resolve`, { token: fire, body: { note: '已扑灭 put out' } })).body.ticket.status).toBe('resolved');
  });

  it('a community officer sees and acts on every grid of the community, a street officer on the street; other communities stay out', async () => {
    const a = smokeA.at(-1)!; // a detector no other test here sets off
    await publishAlarms(a, 1);
    await publishAlarms(smokeB.at(-1)!, 1); // (silenced when the test before left its silence on grid B's estate)
    const inGrid = async (g: string) => (await api(hub, 'GET', `/api/tickets?grid=${g}&limit=500`)).body.items as any[];
    await waitFor(async () => (await ticketsOf(a.id)).length === 1 && (await inGrid(GRID_B)).length > 0, 15_000, 'tickets in both grids');
    const [ta, tb] = [(await ticketsOf(a.id))[0], (await inGrid(GRID_B))[0]];
    for (const username of ['co-lanxi-01', 'so-lanxi-01']) {
      const token = await login(hub, username, demoPassword(username));
      const me = (await api(hub, 'GET', '/api/auth/me', { token })).body;
      expect(me.gridIds).toEqual([GRID_A, GRID_B]);
      const seen = ((await api(hub, 'GET', '/api/tickets?limit=500', { token })).body.items as any[]).map((t) => t.id);
      expect(seen).toEqual(expect.arrayContaining([ta.id, tb.id]));
      expect((await api(hub, 'GET', `/api/tickets/${tb.id}`, { token })).status).toBe(200);
      const devices = (await api(hub, 'GET', '/api/devices?limit=1000&kind=smoke', { token })).body.items as Dev[];
      expect(new Set(devices.map((d) => d.place.grid))).toEqual(new Set([GRID_A, GRID_B]));
      // phones of the wardens they oversee, like a grid leader
      const wardens = (await api(hub, 'GET', `/api/site/wardens?grid=${GRID_B}`, { token })).body as any[];
      expect(wardens.every((w) => typeof w.phone === 'string')).toBe(true);
    }
    // The officer acts: hands a ticket on to another warden.
    const officer = await login(hub, 'co-lanxi-01', demoPassword('co-lanxi-01'));
    expect((await api(hub, 'POST', `/api/tickets/${ta.id}/transfer`, { token: officer, body: { gridId: GRID_A, assigneeId: 'w-lx-01-04' } })).body.ticket.assigneeId).toBe('w-lx-01-04');
    // An officer of another community sees none of it: the scope rule over two communities (the demo site has one).
    const gridsIn: GridsIn = async (p) => (p.communityId === 'c1' ? ['g1', 'g2'] : p.communityId === 'c2' ? ['g3'] : p.streetId === 'st' ? ['g1', 'g2', 'g3'] : []);
    const officerOf = (role: 'community_officer' | 'street_officer', place: { communityId?: string; streetId?: string }) =>
      ({ id: 'o', username: 'o', name: 'o', role, gridId: null, department: null, communityId: place.communityId ?? null, streetId: place.streetId ?? null, createdMs: 0 }) as const;
    const c2 = await resolveScope(officerOf('community_officer', { communityId: 'c2' }), gridsIn);
    expect([seesTicket(c2, { gridId: 'g3', department: null }), seesTicket(c2, { gridId: 'g1', department: null }), seesGrid(c2, 'g2')]).toEqual([true, false, false]);
    const st = await resolveScope(officerOf('street_officer', { streetId: 'st' }), gridsIn);
    expect(['g1', 'g2', 'g3'].every((g) => seesGrid(st, g))).toBe(true);
    expect(await resolveScope(officerOf('community_officer', {}), gridsIn)).toEqual({ kind: 'grids', gridIds: [] });
    const created = await api(hub, 'POST', '/api/users', { body: { id: 'co-other', username: 'co-other', name: '外社区干部', role: 'community_officer', communityId: 'c-lanxi', password: 'other-pass-1' } });
    expect(created.body).toMatchObject({ communityId: 'c-lanxi', streetId: null, gridId: null });
    expect((await api(hub, 'POST', '/api/users', { body: { username: 'co-none', name: 'x', role: 'community_officer', password: 'other-pass-1' } })).body.code).toBe('HUB_ERR_VALIDATION');
    expect((await api(hub, 'POST', '/api/users', { body: { username: 'co-bad', name: 'x', role: 'community_officer', communityId: 'c-nowhere', password: 'other-pass-1' } })).body.code).toBe('HUB_ERR_VALIDATION');
    const street = await api(hub, 'POST', '/api/users', { body: { username: 'so-other', name: '街道', role: 'street_officer', streetId: 'st-lanxi', password: 'other-pass-1' } });
    expect(street.body).toMatchObject({ role: 'street_officer', streetId: 'st-lanxi', communityId: null });
  });
});

describe('login', () => {
  let hub: Awaited<ReturnType<typeof testHub>>;
  beforeAll(async () => {
    hub = await testHub({ loginMaxPerUser: 3, loginMaxPerIp: 6 });
  });
  afterAll(async () => hub?.dispose());

  const attempt = (username: string, password: string, ip: string) => hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress: ip });

  it('sets an HttpOnly session cookie that works like the Bearer token; logout ends it', async () => {
    const res = await attempt('operator', demoPassword('operator'), '10.0.0.1');
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'gridhub_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.value).toBe(res.json().token);
    const me = await hub.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { gridhub_session: cookie.value } });
    expect(me.json()).toMatchObject({ user: { username: 'operator', role: 'operator' }, gridIds: null });
    expect(JSON.stringify(me.json())).not.toMatch(/password|scrypt/);
    await hub.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${cookie.value}` } });
    expect((await hub.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { gridhub_session: cookie.value } })).statusCode).toBe(401);
  });

  it('slows guessing per (user name, address) and per address, never the right password from an address that has not been guessing', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt('w-lx-02-03', 'wrong', '10.1.0.1')).json().code).toBe('HUB_ERR_LOGIN');
    const limited = await attempt('w-lx-02-03', demoPassword('w-lx-02-03'), '10.1.0.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('HUB_ERR_LOGIN_RATE');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The same user from another address is not affected; nor another user from a fresh address.
    expect((await attempt('w-lx-02-03', demoPassword('w-lx-02-03'), '10.1.0.9')).statusCode).toBe(200);
    expect((await attempt('w-lx-02-02', demoPassword('w-lx-02-02'), '10.1.0.10')).statusCode).toBe(200);
    // One address trying many names.
    for (let i = 0; i < 6; i++) expect((await attempt(`nobody${i}`, 'wrong', '10.2.0.1')).statusCode).toBe(401);
    expect((await attempt('operator', demoPassword('operator'), '10.2.0.1')).json().code).toBe('HUB_ERR_LOGIN_RATE');
    expect((await attempt('operator', demoPassword('operator'), '10.2.0.2')).statusCode).toBe(200);
  });

  it('keeps every /api route but health and login behind a session; docs and metrics stay public', async () => {
    expect((await hub.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    expect((await hub.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    expect((await hub.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
    const routes = hub.app.routeTable.filter((r) => r.access && !('public' in r.access));
    expect(routes.length).toBeGreaterThan(30);
    for (const r of routes) {
      const res = await hub.app.inject({ method: r.method as 'GET', url: r.url.replace(/:(\w+)/g, 'x'), headers: { authorization: 'Bearer not-a-session' } });
      // platform pushes (docs/devices.md) authenticate by their own token or signature, not a session
      if (r.url.startsWith('/api/ingest/')) expect([400, 401, 404], `${r.method} ${r.url}`).toContain(res.statusCode);
      else expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });
});

describe('rules and silences through the API; a restart keeps tickets, timers, rules, silences and users', () => {
  let dataDir: string;
  let hub: Awaited<ReturnType<typeof testHub>>;
  beforeAll(async () => {
    dataDir = tempDir('hub-restart');
    hub = await testHub({ dataDir });
  });
  afterAll(async () => {
    await hub?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses an invalid rule set with every problem and its path, accepts a valid one, and keeps it all over a restart', async () => {
    const bad = await hub.app.inject({
      method: 'PUT', url: '/api/rules', headers: { authorization: `Bearer ${await login(hub, 'admin', TEST_ADMIN_PASSWORD)}`, 'content-type': 'text/yaml' },
      payload: 'version: 1\noverrides:\n  - estate: e-fl\n    rules:\n      bin.full: { above: 200 }\n      nope.rule: { above: 1 }\n',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('HUB_ERR_RULESET_INVALID');
    expect(bad.json().details.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['overrides[0].rules.nope.rule']));
    const operator = await login(hub, 'operator', demoPassword('operator'));
    const good = 'version: 1\noverrides:\n  - estate: e-fl\n    rules:\n      bin.full: { above: 90, clear: 80 }\n';
    expect((await api(hub, 'PUT', '/api/rules', { token: operator, body: { version: 1, overrides: [{ estate: 'e-fl', rules: { 'bin.full': { above: 90, clear: 80 } } }] } })).status).toBe(200);
    const warden = await login(hub, 'w-lx-01-02', demoPassword('w-lx-01-02'));
    expect((await hub.app.inject({ method: 'PUT', url: '/api/rules', headers: { authorization: `Bearer ${warden}`, 'content-type': 'text/yaml' }, payload: good })).statusCode).toBe(403);
    const silence = await api(hub, 'POST', '/api/silences', { token: operator, body: { device: 'smk-fl-b01-u1-f01', from: Date.now() - 1000, to: Date.now() + 3600_000, reason: '更换电池 battery change' } });
    expect(silence.status).toBe(201);

    // A silenced device's alarm is recorded but pages nobody; another device's opens a ticket.
    for (const id of ['smk-fl-b01-u1-f01', 'smk-fl-b02-u1-f01']) {
      const c = await connect(hub.mqttUrl, { clientId: id, username: id, password: demoDeviceSecret(id) });
      await c.publishAsync(uplinkTopic('smoke', id, 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm' }), { qos: 1 });
      await c.endAsync();
    }
    await waitFor(async () => (await api(hub, 'GET', '/api/tickets?device=smk-fl-b02-u1-f01')).body.total === 1, 15_000, 'ticket');
    expect((await api(hub, 'GET', '/api/tickets?device=smk-fl-b01-u1-f01')).body.total).toBe(0);
    const before = (await api(hub, 'GET', '/api/tickets?device=smk-fl-b02-u1-f01')).body.items[0];
    const deadlines = (await api(hub, 'GET', `/api/tickets/${before.id}`)).body.deadlines;

    await hub.close();
    hub = await testHub({ dataDir });
    const after = (await api(hub, 'GET', `/api/tickets/${before.id}`)).body;
    expect(after.ticket).toMatchObject({ id: before.id, status: 'dispatched', assigneeId: before.assigneeId });
    expect(after.deadlines).toEqual(deadlines);
    expect((await api(hub, 'GET', '/api/rules')).body.overrides[0].rules[0]).toMatchObject({ id: 'bin.full', dir: 'above', set: 90, clear: 80 });
    expect((await api(hub, 'GET', '/api/silences')).body.map((s: { id: string }) => s.id)).toEqual([silence.body.id]);
    expect(await login(hub, 'operator', demoPassword('operator'))).toBeTruthy();
    // The alert is still firing after the restart: a repeat is an occurrence, not a new ticket.
    const c = await connect(hub.mqttUrl, { clientId: 'smk-fl-b02-u1-f01', username: 'smk-fl-b02-u1-f01', password: demoDeviceSecret('smk-fl-b02-u1-f01') });
    await c.publishAsync(uplinkTopic('smoke', 'smk-fl-b02-u1-f01', 'event'), JSON.stringify({ ts: Date.now(), seq: 2, event: 'alarm' }), { qos: 1 });
    await c.endAsync();
    await waitFor(async () => (await api(hub, 'GET', `/api/tickets/${before.id}`)).body.ticket.occurrences === 2, 15_000, 'second occurrence');
    expect((await api(hub, 'GET', '/api/tickets?device=smk-fl-b02-u1-f01')).body.total).toBe(1);
  });
});
