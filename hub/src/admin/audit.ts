import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';

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

  async record(e: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    const entry = { id: randomUUID(), ...e };
    await this.#db
      .insertInto('audit_log')
      .values({ id: entry.id, at_ms: entry.atMs, user_id: entry.userId, username: entry.username, role: entry.role, address: entry.address, method: entry.method, route: entry.route, target: entry.target, action: entry.action, status: entry.status, detail: entry.detail })
      .execute();
    return entry;
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

/**
 * Records every state-changing request under /api (answered or refused; not /api/ingest, which is
 * device data) before its answer is sent:
 * the session's user (or the user name a login tried), the client's address (X-Forwarded-For only
 * from a trusted proxy: Fastify's `req.ip`), the route and its target, the status.
 */
export function auditHook(app: FastifyInstance, audit: AuditLog, now: () => number, onError: (err: unknown) => void): void {
  app.addHook('onSend', async (req: FastifyRequest, reply, payload) => {
    // device data pushed by carrier platforms and camera boxes is telemetry, not a change: not audited
    if (!UNSAFE.has(req.method) || !req.url.startsWith('/api/') || req.url.startsWith('/api/ingest/')) return payload;
    const route = req.routeOptions.url ?? req.url.split('?')[0]!;
    const user = req.user as { id: string; username: string; role: string } | null;
    const body = req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? redact(req.body) : typeof req.body === 'string' ? `${req.body.length} characters` : undefined;
    const triedAs = !user && req.body && typeof req.body === 'object' && typeof (req.body as { username?: unknown }).username === 'string' ? String((req.body as { username: string }).username).slice(0, 64) : null;
    let detail = JSON.stringify({ params: req.params ?? {}, ...(body !== undefined ? { body } : {}) });
    if (detail.length > MAX_DETAIL) detail = `${detail.slice(0, MAX_DETAIL)}…`;
    try {
      await audit.record({
        atMs: now(), userId: user?.id ?? null, username: user?.username ?? triedAs, role: user?.role ?? null, address: req.ip, method: req.method, route,
        target: req.url.split('?')[0]!, action: `${req.method} ${route}`, status: reply.statusCode, detail,
      });
    } catch (err) {
      onError(err);
    }
    return payload;
  });
}

/**
 * Ticket actions the hub takes by itself (dispatch to the warden on duty, escalation, condition
 * cleared) go into the audit log too, as user `system`; people's actions arrive through the API.
 */
export function auditSystemTicketActions(
  events: { on(name: 'ticket', fn: (e: { transition: { ticketId: string; action: string; from: string; to: string; by: string; atMs: number; note: string | null } }) => void): unknown },
  audit: AuditLog,
  onError: (err: unknown) => void,
): void {
  events.on('ticket', ({ transition: t }) => {
    if (t.by !== 'system') return;
    audit
      .record({ atMs: t.atMs, userId: 'system', username: 'system', role: 'system', address: 'hub', method: 'TICKET', route: `ticket ${t.action}`, target: `/api/tickets/${t.ticketId}`, action: `${t.action} ${t.from} -> ${t.to}`, status: 200, detail: JSON.stringify({ note: t.note }) })
      .catch(onError);
  });
}
