import type { Transport } from '@influxdata/influxdb-client';

/**
 * Lets the InfluxDB 2.x client talk to InfluxDB 1.x, which has no /api/v2: wraps the client's own
 * Node transport and rewrites `/api/v2/write?org=..&bucket=B&precision=P` to
 * `/write?db=B&precision=P`. Authentication, when given, goes as `u`/`p` query parameters (1.x
 * has no Token scheme before 1.8); other paths (/query, /ping) pass through with the same.
 */
export function v1Transport(base: Transport, auth: { username: string; password: string } | null): Transport {
  const rewrite = (path: string): string => {
    const q = path.indexOf('?');
    const route = q < 0 ? path : path.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
    let out: URLSearchParams;
    let target = route;
    if (route === '/api/v2/write') {
      target = '/write';
      out = new URLSearchParams({ db: params.get('bucket') ?? '', precision: params.get('precision') ?? 'ns' });
      const consistency = params.get('consistency');
      if (consistency) out.set('consistency', consistency);
    } else {
      out = params;
    }
    if (auth) {
      out.set('u', auth.username);
      out.set('p', auth.password);
    }
    const query = out.toString();
    return query ? `${target}?${query}` : target;
  };
  return {
    chunkCombiner: base.chunkCombiner,
    send: (path, body, options, callbacks) => base.send(rewrite(path), body, options, callbacks),
    request: (path, body, options, responseStarted) => base.request(rewrite(path), body, options, responseStarted),
    iterate: (path, body, options) => base.iterate(rewrite(path), body, options),
  };
}

/** A 1.x token `user:password` becomes u/p; anything else means no authentication. */
export function v1Auth(token: string | undefined): { username: string; password: string } | null {
  if (!token) return null;
  const i = token.indexOf(':');
  return i > 0 ? { username: token.slice(0, i), password: token.slice(i + 1) } : null;
}
