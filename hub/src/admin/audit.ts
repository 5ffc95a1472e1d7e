import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { HubEvent } from '@gridhub/core';

/** One line of the audit log (审计日志): who, when, what, from where, and how it ended. */
export interface AuditEntry {
  id: string;
  atMs: number;
  userId: string | null;
  username: string | null;
  role: string | null;
  address: string;
  method: string;
  route: string;
  /** The resource acted on: the route's path with its parameters filled in. */
  target: string;
  /** A short name of the change, e.g. `POST /api/admin/devices/:id/secret`. */
  action: string;
  status: number;
  /** Parameters and the request body with secrets and passwords taken out (JSON text). */
  detail: string;
}

export interface AuditQuery {
  q?: string;
  user?: string;
  fromMs?: number;
  toMs?: number;
  limit: number;
  offset: number;
}

/** Keys whose values never reach the log (passwords, secrets, tokens, photo bytes). */
const SECRET_KEY = /pass|secret|token|current|next|photo|data/i;
const MAX_DETAIL = 4000;

/** Pure: a request body with every secret-looking value replaced, cut to a size. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '…';
  if (typeof value === 'string') return value.length > 500 ? `${value.slice(0, 500)}…` : value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1)]));
  }
  return value;
}

/**
 * The append-only audit log (table `audit_log`, migration 0160: the database refuses UPDATE and
 * DELETE on it). Written before the answer of every state-changing API request is sent.
 */
export class AuditLog {
  readonly #db: Kysely<any>;
  constructor(db: Kysely<any>) {
    this.#db = db;
  }

  /** Writes one entry; `db` may be a transaction the entry joins (commits with the change or not at all). */
  async record(e: Omit<AuditEntry, 'id'> & { id?: string }, db: Kysely<any> = this.#db): Promise<AuditEntry> {
    const entry = { ...e, id: e.id ?? randomUUID() };
    await db
      .insertInto('audit_log')
      .values({ id: entry.id, at_ms: entry.atMs, user_id: entry.userId, username: entry.username, role: entry.role, address: entry.address, method: entry.method, route: entry.route, target: entry.target, action: entry.action, status: entry.status, detail: entry.detail })
      .execute();
    return entry;
  }

  async has(id: string): Promise<boolean> {
    return (await this.#db.selectFrom('audit_log').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  async search(q: AuditQuery): Promise<{ total: number; items: AuditEntry[] }> {
    const where = (sel: any) => {
      let s = sel;
      if (q.fromMs !== undefined) s = s.where('at_ms', '>=', q.fromMs);
      if (q.toMs !== undefined) s = s.where('at_ms', '<', q.toMs);
      if (q.user) s = s.where((eb: any) => eb.or([eb('username', '=', q.user), eb('user_id', '=', q.user)]));
      if (q.q) {
        const like = `%${q.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
        s = s.where((eb: any) => eb.or(['target', 'action', 'detail', 'username', 'address'].map((c) => eb(c, 'like', like))));
      }
      return s;
    };
    const total = await where(this.#db.selectFrom('audit_log').select((eb: any) => eb.fn.countAll().as('n'))).executeTakeFirstOrThrow();
    const rows = (await where(this.#db.selectFrom('audit_log').selectAll()).orderBy('at_ms', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute()) as Record<string, unknown>[];
    return {
      total: Number(total.n),
      items: rows.map((r) => ({
        id: String(r.id), atMs: Number(r.at_ms), userId: (r.user_id as string | null) ?? null, username: (r.username as string | null) ?? null, role: (r.role as string | null) ?? null,
        address: String(r.address), method: String(r.method), route: String(r.route), target: String(r.target), action: String(r.action), status: Number(r.status), detail: String(r.detail),
      })),
    };
  }
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  // a leading = + - @ would be a formula in a spreadsheet: quote it as text
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** Pure: audit entries as CSV (UTF-8, header row), the time as ISO 8601. */
export function auditCsv(items: readonly AuditEntry[]): string {
  const head = ['time', 'user', 'role', 'address', 'method', 'target', 'action', 'status', 'detail'];
  const lines = items.map((e) => [new Date(e.atMs).toISOString(), e.username ?? '', e.role ?? '', e.address, e.method, e.target, e.action, e.status, e.detail].map(csvCell).join(','));
  return `\uFEFF${[head.join(','), ...lines].join('\r\n')}\r\n`;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const audited = (method: string, url: string) => UNSAFE.has(method) && url.startsWith('/api/') && !url.startsWith('/api/ingest/');

/** The request a store transaction runs for: its audit row joins that transaction (`joinAudit`). */
interface AuditScope {
  req: FastifyRequest;
  id: string;
  wrote: boolean;
}
const scope = new AsyncLocalStorage<AuditScope>();
/** State-changing handlers running now (the scope is disabled when none is). */
let inScope = 0;
/** The same scope by request: the answer (onSend) may run outside the handler's async context. */
const scopes = new WeakMap<FastifyRequest, AuditScope>();

/** Pure: the audit entry of a request (the session's user, or the user name a login tried). */
function entryOf(req: FastifyRequest, status: number, atMs: number, id?: string): Omit<AuditEntry, 'id'> & { id?: string } {
  const route = req.routeOptions.url ?? req.url.split('?')[0]!;
  const user = req.user as { id: string; username: string; role: string } | null;
  const body = req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? redact(req.body) : typeof req.body === 'string' ? `${req.body.length} characters` : undefined;
  const triedAs = !user && req.body && typeof req.body === 'object' && typeof (req.body as { username?: unknown }).username === 'string' ? String((req.body as { username: string }).username).slice(0, 64) : null;
  let detail = JSON.stringify({ params: req.params ?? {}, ...(body !== undefined ? { body } : {}) });
  if (detail.length > MAX_DETAIL) detail = `${detail.slice(0, MAX_DETAIL)}…`;
  return {
    ...(id ? { id } : {}), atMs, userId: user?.id ?? null, username: user?.username ?? triedAs, role: user?.role ?? null, address: req.ip, method: req.method, route,
    target: req.url.split('?')[0]!, action: `${req.method} ${route}`, status, detail,
  };
}

/** Pure: the audit entry of a ticket action the hub took by itself (dispatch, escalation, condition cleared), as user `system`. */
function systemEntry(t: { ticketId: string; action: string; from: string; to: string; atMs: number; note: string | null }): Omit<AuditEntry, 'id'> {
  return { atMs: t.atMs, userId: 'system', username: 'system', role: 'system', address: 'hub', method: 'TICKET', route: `ticket ${t.action}`, target: `/api/tickets/${t.ticketId}`, action: `${t.action} ${t.from} -> ${t.to}`, status: 200, detail: JSON.stringify({ note: t.note }) };
}

/**
 * The store's transaction joiner (EventLog.setJoiner), so a change and its record commit together
 * or neither does: inside a transaction run for a state-changing request, writes that request's
 * audit row, once (status 200: it exists only if the change committed); and a row for every
 * ticket action the hub took by itself among the transaction's events (people's actions arrive
 * through the API and are the request's row).
 */
export function joinAudit(audit: AuditLog, now: () => number): (tx: Kysely<any>, events: readonly HubEvent[]) => Promise<void> {
  return async (tx, events) => {
    for (const e of events) if (e.type === 'ticket' && e.transition.by === 'system') await audit.record(systemEntry(e.transition), tx);
    const s = scope.getStore();
    if (!s || s.wrote) return;
    await audit.record(entryOf(s.req, 200, now(), s.id), tx);
    s.wrote = true;
  };
}

/**
 * Records every state-changing request under /api (answered or refused; not /api/ingest, which is
 * device data). A change made in a store transaction (ticket actions through the engine's
 * `commit`, the site import) has its row written inside that transaction (`joinAudit`); every
 * other request's row is written here before its answer is sent: the session's user, the
 * client's address (X-Forwarded-For only from a trusted proxy: Fastify's `req.ip`), the route and
 * its target, the status. A transaction that rolled back left no row: the answer's row is written
 * here with its (error) status.
 */
export function auditHook(app: FastifyInstance, audit: AuditLog, now: () => number, onError: (err: unknown) => void): void {
  // each state-changing handler runs in its request's scope, which the store's transactions read
  app.addHook('onRoute', (opts) => {
    const methods = Array.isArray(opts.method) ? opts.method : [opts.method];
    if (!methods.some((m) => UNSAFE.has(String(m))) || !opts.url.startsWith('/api/')) return;
    const handler = opts.handler;
    opts.handler = async function (this: FastifyInstance, req, reply) {
      const s: AuditScope = { req, id: randomUUID(), wrote: false };
      scopes.set(req, s);
      inScope++;
      try {
        return await scope.run(s, () => handler.call(this, req, reply));
      } finally {
        // Node 20's AsyncLocalStorage tracks every promise of the process while it is enabled (a
        // few % of the hub's CPU at 5,000 msg/s, and more garbage): enabled only while a
        // state-changing request is being handled.
        if (--inScope === 0) scope.disable();
      }
    };
  });
  app.addHook('onSend', async (req: FastifyRequest, reply, payload) => {
    // device data pushed by carrier platforms and camera boxes is telemetry, not a change: not audited
    if (!audited(req.method, req.url)) return payload;
    try {
      const s = scopes.get(req);
      const inTransaction = s?.wrote === true;
      // closed: a timer the handler started never writes this request's row later
      if (s) s.wrote = true;
      if (inTransaction && (await audit.has(s!.id))) return payload;
      await audit.record(entryOf(req, reply.statusCode, now()));
    } catch (err) {
      onError(err);
    }
    return payload;
  });
}
