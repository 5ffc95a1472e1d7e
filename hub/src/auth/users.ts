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
  password_hash: string;
  created_ms: number;
  disabled: number;
}

function userFromRow(r: UserRow): User {
  return { id: r.id, username: r.username, name: r.name, role: r.role as UserRole, gridId: r.grid_id, department: r.department as Department | null, createdMs: Number(r.created_ms) };
}

/** A new user: for a warden or grid leader, `id` is their warden id in the site. */
export type NewUser = Omit<User, 'createdMs' | 'id'> & { id?: string; password: string };

export interface Session {
  token: string;
  user: User;
  expiresMs: number;
}

/** Session tokens are 256 random bits, so one SHA-256 is enough to store them (no scrypt). */
const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url');

/**
 * Users and sessions over the store's Kysely (migration 0102): passwords as scrypt hashes
 * (core's PASSWORD_COST), session tokens random and stored hashed, with an expiry.
 */
export class UserStore {
  readonly #db: Kysely<any>;
  readonly #sessionTtlMs: number;
  readonly #clock: () => number;
  #dummyHash: Promise<string> | null = null;

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
    const user: User = {
      id: u.id ?? u.username, username: u.username, name: u.name, role: u.role,
      gridId: u.role === 'warden' || u.role === 'grid_leader' ? u.gridId : null,
      department: u.role === 'department' ? u.department : null, createdMs: this.#clock(),
    };
    const exists = await this.#db.selectFrom('users').select('id').where((eb) => eb.or([eb('id', '=', user.id), eb('username', '=', user.username)])).executeTakeFirst();
    if (exists) throw new HubError('HUB_ERR_VALIDATION', [`user ${user.username} exists`]);
    await this.#db
      .insertInto('users')
      .values({ id: user.id, username: user.username, name: user.name, role: user.role, grid_id: user.gridId, department: user.department, password_hash: await hashSecret(u.password, PASSWORD_COST), created_ms: user.createdMs, disabled: 0 })
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

  async setPassword(id: string, password: string): Promise<void> {
    await this.#db.updateTable('users').set({ password_hash: await hashSecret(password, PASSWORD_COST) }).where('id', '=', id).execute();
    await this.#db.deleteFrom('sessions').where('user_id', '=', id).execute();
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
    const r = await this.#db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .where('sessions.token_hash', '=', tokenHash(token))
      .where('sessions.expires_ms', '>', this.#clock())
      .where('users.disabled', '=', 0)
      .executeTakeFirst();
    return r ? userFromRow(r as UserRow) : undefined;
  }

  async closeSession(token: string): Promise<void> {
    await this.#db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
  }
}
