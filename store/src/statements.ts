import type Database from 'better-sqlite3';

/**
 * `prepare` with the statements kept (the most recently used `max`): Kysely's SQLite driver
 * prepares every query it runs, which cost the hub's event loop about 1 s in 20 at 5,000 msg/s
 * (`npm run bench:rules`), for the same few statements. A statement runs to completion before
 * the next query (Kysely's driver calls `all` or `run`; nothing here streams), so sharing one is
 * safe; SQLite prepares it again by itself after a schema change.
 *
 * Only short texts are kept (`maxChars`): multi-row writes and IN lists come in a new length with
 * each batch, rarely repeat, and a prepared statement with hundreds of parameters holds tens of
 * KiB of native memory (500 such statements: about 23 MiB of the hub's RSS).
 */
export function cachedStatements(sqlite: Database.Database, max = 200, maxChars = 2048): (sql: string) => Database.Statement {
  const cache = new Map<string, Database.Statement>();
  return (q) => {
    if (q.length > maxChars) return sqlite.prepare(q);
    let stmt = cache.get(q);
    if (stmt) cache.delete(q); // moved to the newest end
    else stmt = sqlite.prepare(q);
    cache.set(q, stmt);
    if (cache.size > max) cache.delete(cache.keys().next().value!);
    return stmt;
  };
}
