import { eventDeviceId, eventGridId, type EventLogReader, type HubEvent, type LoggedEvent } from '@gridhub/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import { chunkRows, type SqlDialectName } from './db.ts';
import type { StoreDatabase } from './schema.ts';

type Db = Kysely<StoreDatabase>;
type Tx = Transaction<StoreDatabase>;

/** Any key: PostgreSQL advisory locks are per database; this one serialises appends to `events`. */
const APPEND_LOCK = 7_220_120;

/**
 * The event log (outbox) over the `events` table (migration 0120). A writer appends inside its
 * own transaction (`append`, or `transaction` which collects and appends at its end), so the
 * events commit with the change they record or not at all; listeners hear of it after the
 * commit and read by cursor (`readAfter`). Ids commit in order: SQLite has one writer at a time,
 * and on PostgreSQL each appending transaction takes one advisory lock until it ends, so a
 * reader at id N never later finds a smaller id committed behind it.
 */
export class EventLog implements EventLogReader {
  readonly #db: Db;
  readonly #dialect: SqlDialectName;
  readonly #listeners = new Set<() => void>();
  #joiner: ((tx: Tx, events: readonly HubEvent[]) => Promise<void>) | null = null;
  #appended = 0;

  constructor(db: Db, dialect: SqlDialectName) {
    this.#db = db;
    this.#dialect = dialect;
  }

  /** Events appended by this process (a counter for metrics). */
  get appended(): number {
    return this.#appended;
  }

  /**
   * A writer that joins every change's transaction (the hub's audit row of the request that caused
   * it, the hub's own ticket actions among `events`): run by `joined(tx, events)`, which `append`
   * and the site import call inside their transaction.
   */
  setJoiner(fn: ((tx: Tx, events: readonly HubEvent[]) => Promise<void>) | null): void {
    this.#joiner = fn;
  }

  /** Runs the joiner inside `tx` (nothing when none is set). */
  async joined(tx: Tx, events: readonly HubEvent[] = []): Promise<void> {
    if (this.#joiner) await this.#joiner(tx, events);
  }

  /** Appends `events` in order inside `tx`. Call `committed()` after the transaction commits. */
  async append(tx: Tx, events: readonly HubEvent[], atMs: number): Promise<void> {
    await this.joined(tx, events);
    if (!events.length) return;
    if (this.#dialect === 'postgres') await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(tx);
    const rows = events.map((e) => ({ at_ms: atMs, type: e.type, grid_id: eventGridId(e), device_id: eventDeviceId(e), body: JSON.stringify(e) }));
    for (const chunk of chunkRows(rows, 5)) await tx.insertInto('events').values(chunk).execute();
    this.#appended += events.length;
  }

  /**
   * Runs `fn` in one transaction; the events it records are appended at its end, in the same
   * transaction, and listeners are told once it has committed.
   */
  async transaction<T>(fn: (tx: Tx, record: (e: HubEvent) => void) => Promise<T>, clock: () => number = Date.now): Promise<T> {
    let wrote = false;
    const result = await this.#db.transaction().execute(async (tx) => {
      const events: HubEvent[] = [];
      const r = await fn(tx, (e) => void events.push(e));
      await this.append(tx, events, clock());
      wrote = events.length > 0;
      return r;
    });
    if (wrote) this.committed();
    return result;
  }

  /** Tells the listeners that a transaction which appended events has committed. */
  committed(): void {
    for (const l of this.#listeners) {
      try {
        l();
      } catch {
        // A listener's failure is its own; the writer has committed.
      }
    }
  }

  onAppend(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  async readAfter(afterId: number, limit: number): Promise<LoggedEvent[]> {
    const rows = await this.#db.selectFrom('events').select(['id', 'at_ms', 'body']).where('id', '>', afterId).orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: Number(r.id), atMs: Number(r.at_ms), event: JSON.parse(r.body) as HubEvent }));
  }

  async lastId(): Promise<number> {
    const r = await this.#db.selectFrom('events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    return Number(r?.id ?? 0);
  }

  async firstId(): Promise<number> {
    const r = await this.#db.selectFrom('events').select((eb) => eb.fn.min('id').as('id')).executeTakeFirst();
    return Number(r?.id ?? 0);
  }

  /**
   * Retention: deletes events committed before `olderThanMs`, always keeping the newest one (so
   * `lastId` never goes back). Returns how many were deleted.
   */
  async prune(olderThanMs: number): Promise<number> {
    const last = await this.lastId();
    const r = await this.#db.deleteFrom('events').where('at_ms', '<', olderThanMs).where('id', '<', last).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

/** A consumer's durable position (`cursors` table), read and written with its own effects. */
export async function readCursor<T>(db: Db | Tx, name: string): Promise<T | null> {
  const r = await db.selectFrom('cursors').select('position').where('name', '=', name).executeTakeFirst();
  return r ? (JSON.parse(r.position) as T) : null;
}

export async function writeCursor(db: Db | Tx, name: string, position: unknown, atMs: number): Promise<void> {
  await db
    .insertInto('cursors')
    .values({ name, position: JSON.stringify(position), updated_ms: atMs })
    .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ position: eb.ref('excluded.position'), updated_ms: eb.ref('excluded.updated_ms') })))
    .execute();
}
