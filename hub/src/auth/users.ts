import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashSecret, HubError, PASSWORD_COST, verifySecret, type Department, type User, type UserRole } from '@gridhub/core';

interface UserRow {
  id: string;
  username: string;
  name: string;
  role: string;
  grid_id: string | null;
  department: string | null;
  community_id: string | null;
  street_id: string | null;
  password_hash: string;
  created_ms: number;
  disabled: number;
}

function userFromRow(r: UserRow): User {
  return {
    id: r.id, username: r.username, name: r.name, role: r.role as UserRole, gridId: r.grid_id, department: r.department as Department | null,
    communityId: r.community_id ?? null, streetId: r.street_id ?? null, createdMs: Number(r.created_ms),
  };
}

/** A new user: for a warden or grid leader, `id` is their warden id in the site. */
export type NewUser = Omit<User, 'createdMs' | 'id' | 'communityId' | 'streetId'> & { id?: string; communityId?: string | null; streetId?: string | null; password: string };

export interface Session {
  token: string;
  user: User;
  expiresMs: number;
}

/** A live session as the hub tracks it: `id` is the stored token hash (never the token). */
export interface LiveSession {
  id: string;
  user: User;
  expiresMs: number;
}

/** Sessions that just ended: these ids, or every session of a user. */
export type SessionsEnded = { reason: 'logout'; sessionIds: string[] } | { reason: 'password' | 'disabled' | 'grid'; userId: string };

export type LoginOutcome = 'ok' | 'wrong' | 'delayed';

/** Session tokens are 256 random bits, so one SHA-256 is enough to store them (no scrypt). */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url');

/**
 * Users and sessions over the store's Kysely (migration 0102): passwords as scrypt hashes
 * (core's PASSWORD_COST), session tokens random and stored hashed, with an expiry.
 */
export class UserStore {
  readonly #db: Kysely<any>;
  readonly #sessionTtlMs: number;
  readonly #clock: () => number;
  #dummyHash: Promise<string> | null = null;
  readonly #ended = new Set<(e: SessionsEnded) => void>();

  constructor(db: Kysely<any>, opts: { sessionTtlMs: number; clock?: () => number }) {
    this.#db = db;
    this.#sessionTtlMs = opts.sessionTtlMs;
    this.#clock = opts.clock ?? Date.now;
  }

  async count(): Promise<number> {
    const r = await this.#db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async create(u: NewUser): Promise<User> {
    if ((u.role === 'warden' || u.role === 'grid_leader') && !u.gridId) throw new HubError('HUB_ERR_VALIDATION', [`a ${u.role} needs a grid`]);
    if (u.role === 'department' && !u.department) throw new HubError('HUB_ERR_VALIDATION', ['a department user needs a department']);
    if (u.role === 'community_officer' && !u.communityId) throw new HubError('HUB_ERR_VALIDATION', ['a community officer needs a community']);
    if (u.role === 'street_officer' && !u.streetId) throw new HubError('HUB_ERR_VALIDATION', ['a street officer needs a street office']);
    const user: User = {
      id: u.id ?? u.username, username: u.username, name: u.name, role: u.role,
      gridId: u.role === 'warden' || u.role === 'grid_leader' ? u.gridId : null,
      department: u.role === 'department' ? u.department : null,
      communityId: u.role === 'community_officer' ? (u.communityId ?? null) : null,
      streetId: u.role === 'street_officer' ? (u.streetId ?? null) : null,
      createdMs: this.#clock(),
    };
    const exists = await this.#db.selectFrom('users').select('id').where((eb) => eb.or([eb('id', '=', user.id), eb('username', '=', user.username)])).executeTakeFirst();
    if (exists) throw new HubError('HUB_ERR_VALIDATION', [`user ${user.username} exists`]);
    await this.#db
      .insertInto('users')
      .values({ id: user.id, username: user.username, name: user.name, role: user.role, grid_id: user.gridId, department: user.department, community_id: user.communityId, street_id: user.streetId, password_hash: await hashSecret(u.password, PASSWORD_COST), created_ms: user.createdMs, disabled: 0 })
      .execute();
    return user;
  }

  async get(id: string): Promise<User | undefined> {
    const r = await this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? userFromRow(r as UserRow) : undefined;
  }

  async list(): Promise<User[]> {
    const rows = await this.#db.selectFrom('users').selectAll().where('disabled', '=', 0).orderBy('role').orderBy('username').execute();
    return rows.map((r) => userFromRow(r as UserRow));
  }

  /** Sets a password and ends every session of the user (their sockets too). */
  async setPassword(id: string, password: string): Promise<void> {
    await this.#db.updateTable('users').set({ password_hash: await hashSecret(password, PASSWORD_COST) }).where('id', '=', id).execute();
    await this.#db.deleteFrom('sessions').where('user_id', '=', id).execute();
    this.#emit({ reason: 'password', userId: id });
  }

  /**
   * Moves a warden or grid leader to another grid. Their HTTP session reads the new grid on its next
   * request; their live sockets (scoped at connect) are ended so the screen reconnects in the new scope.
   * Null: no such user; false: not a user who serves a grid.
   */
  async setGrid(id: string, gridId: string): Promise<boolean | null> {
    const row = await this.#db.selectFrom('users').select(['role']).where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    if (row.role !== 'warden' && row.role !== 'grid_leader') return false;
    await this.#db.updateTable('users').set({ grid_id: gridId }).where('id', '=', id).execute();
    this.#emit({ reason: 'grid', userId: id });
    return true;
  }

  /** Disables (or enables again) a user; disabling ends every session of theirs. */
  async setDisabled(id: string, disabled: boolean): Promise<boolean> {
    const r = await this.#db.updateTable('users').set({ disabled: disabled ? 1 : 0 }).where('id', '=', id).executeTakeFirst();
    if (!Number(r.numUpdatedRows)) return false;
    if (disabled) {
      await this.#db.deleteFrom('sessions').where('user_id', '=', id).execute();
      this.#emit({ reason: 'disabled', userId: id });
    }
    return true;
  }

  /** Called whenever sessions end here (logout, password change, disabling): the realtime layer closes their sockets. */
  onSessionsEnded(listener: (e: SessionsEnded) => void): () => void {
    this.#ended.add(listener);
    return () => this.#ended.delete(listener);
  }

  #emit(e: SessionsEnded): void {
    for (const l of this.#ended) l(e);
  }

  /** Checks a password; an unknown user costs the same scrypt as a known one. */
  async verify(username: string, password: string): Promise<User | null> {
    const r = (await this.#db.selectFrom('users').selectAll().where('username', '=', username).where('disabled', '=', 0).executeTakeFirst()) as UserRow | undefined;
    if (!r) {
      await verifySecret(password, await (this.#dummyHash ??= hashSecret(randomBytes(16).toString('hex'), PASSWORD_COST)));
      return null;
    }
    return (await verifySecret(password, r.password_hash)) ? userFromRow(r) : null;
  }

  async openSession(user: User): Promise<Session> {
    const token = randomBytes(32).toString('base64url');
    const now = this.#clock();
    const expiresMs = now + this.#sessionTtlMs;
    await this.#db.deleteFrom('sessions').where('expires_ms', '<=', now).execute();
    await this.#db.insertInto('sessions').values({ token_hash: tokenHash(token), user_id: user.id, created_ms: now, expires_ms: expiresMs }).execute();
    return { token, user, expiresMs };
  }

  /** The user behind a session token, if the session is live. */
  async sessionUser(token: string): Promise<User | undefined> {
    return (await this.session(token))?.user;
  }

  /** The live session behind a token (its id is the token's hash). */
  async session(token: string): Promise<LiveSession | undefined> {
    const id = tokenHash(token);
    const r = await this.#db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select('sessions.expires_ms as session_expires_ms')
      .where('sessions.token_hash', '=', id)
      .where('sessions.expires_ms', '>', this.#clock())
      .where('users.disabled', '=', 0)
      .executeTakeFirst();
    return r ? { id, user: userFromRow(r as unknown as UserRow), expiresMs: Number((r as { session_expires_ms: number }).session_expires_ms) } : undefined;
  }

  /** Of these session ids, those still live (periodic revalidation of open sockets). */
  async liveSessionIds(ids: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.#db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select('sessions.token_hash')
        .where('sessions.token_hash', 'in', ids.slice(i, i + 500))
        .where('sessions.expires_ms', '>', this.#clock())
        .where('users.disabled', '=', 0)
        .execute();
      for (const r of rows) out.add(r.token_hash as string);
    }
    return out;
  }

  async closeSession(token: string): Promise<void> {
    const id = tokenHash(token);
    await this.#db.deleteFrom('sessions').where('token_hash', '=', id).execute();
    this.#emit({ reason: 'logout', sessionIds: [id] });
  }

  /** One login attempt in the audit (aged out by `pruneAudit`); the password never is. */
  async audit(username: string, address: string, outcome: LoginOutcome): Promise<void> {
    await this.#db.insertInto('login_audit').values({ at_ms: this.#clock(), username: username.slice(0, 64), address, outcome }).execute();
  }

  async auditRows(limit = 100): Promise<{ atMs: number; username: string; address: string; outcome: LoginOutcome }[]> {
    const rows = await this.#db.selectFrom('login_audit').selectAll().orderBy('at_ms', 'desc').limit(limit).execute();
    return rows.map((r) => ({ atMs: Number(r.at_ms), username: r.username, address: r.address, outcome: r.outcome }));
  }

  /** Drops audit rows and expired sessions older than `beforeMs`; returns the audit rows dropped. */
  async pruneAudit(beforeMs: number): Promise<number> {
    await this.#db.deleteFrom('sessions').where('expires_ms', '<=', this.#clock()).execute();
    const r = await this.#db.deleteFrom('login_audit').where('at_ms', '<', beforeMs).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
