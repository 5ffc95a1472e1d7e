/**
 * Whether an error means the store itself is away (PostgreSQL stopped or unreachable, its
 * connection cut; SQLite's file locked or unreadable) rather than a bad query: the HTTP API answers
 * 503 HUB_ERR_STORE_UNAVAILABLE for these, and writers retry.
 */
export function isStoreUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = String((e as { code?: unknown }).code ?? '');
    const message = e instanceof Error ? e.message : String(e);
    // Node socket errors (pg connecting or connected), PostgreSQL connection exceptions (class 08),
    // shutdown (57P01..57P03), too many connections (53300); SQLite busy / locked / I/O / cannot open.
    if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(code)) return true;
    if (/^(08\d\d\d|08P01|57P0[123]|53300)$/.test(code)) return true;
    if (/^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL)/.test(code)) return true;
    if (/Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)) return true;
  }
  return false;
}
