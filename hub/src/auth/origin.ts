import type { IncomingHttpHeaders } from 'node:http';

/**
 * Which browser origins may talk to the hub with a user's credentials: the hub's own (the origin
 * whose host is the request's Host) and those listed in HUB_ALLOWED_ORIGINS. A request without
 * an Origin header is not from a page of another site (browsers send Origin on every WebSocket,
 * every cross-origin request and every POST), so it passes; `Origin: null` (a sandboxed frame, a
 * file, a privacy redirect) never does. Used by the HTTP API (unsafe methods), Socket.IO and
 * MQTT over WebSocket.
 */
export function originAllowed(headers: IncomingHttpHeaders, allowed: ReadonlySet<string>): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (allowed.has(url.origin)) return true;
  const host = headers.host?.toLowerCase();
  return host !== undefined && url.host === host;
}

/** HUB_ALLOWED_ORIGINS parsed: each entry normalised to `scheme://host[:port]`. */
export function parseOrigins(list: readonly string[]): Set<string> {
  return new Set(list.map((o) => new URL(o).origin));
}
