import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { authPlugin, demoPassword, type UserStore } from '../src/auth/index.ts';
import { login, testHub } from './support.ts';

// Security probes: access is checked on the matched route, with security headers, for the origins a session may be used from, and against requests a browser makes for another site.

type TestHub = Awaited<ReturnType<typeof testHub>>;

/** Every spelling of a path an attacker would try to walk around a check on the raw URL. */
function spellings(path: string): string[] {
  const rest = path.slice('/api'.length);
  return [`/api${rest}`, `/%61pi${rest}`, `/a%70i${rest}`, `/%2561pi${rest}`, `//api${rest}`, `/./api${rest}`, `/API${rest}`, `/api/.${rest}`, `/api${rest}/`.replace(/\/\/$/, '/'), `/api${rest}%00`, `/api;x${rest}`];
}

describe('access on the matched route', () => {
  let hub: TestHub;
  let ids: Record<string, string>;
  beforeAll(async () => {
    hub = await testHub();
    const [device] = (await hub.store.listDevices({ limit: 1, offset: 0 })).items;
    ids = { id: device!.id, grid: device!.place.grid, warden: (await hub.store.listWardens(device!.place.grid))[0]!.id, fromMs: '0' };
  });
  afterAll(async () => hub?.dispose());

  const fill = (url: string) => url.replace(/:(\w+)/g, (_, p: string) => ids[p] ?? 'x');

  it('answers no route, under any spelling, with data without a session', async () => {
    const guarded = hub.app.routeTable.filter((r) => !('public' in r.access!));
    expect(guarded.length).toBeGreaterThan(30);
    const admin = await login(hub, 'admin', 'test-admin-password');
    let servedToAdmin = 0;
    for (const r of guarded) {
      const path = fill(r.url);
      // The control: with a session, the canonical spelling of a GET reaches the handler.
      if (r.method === 'GET') {
        const ok = await hub.app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${admin}` } });
        if (ok.statusCode === 200) servedToAdmin++;
      }
      for (const url of spellings(path)) {
        for (const headers of [{}, { authorization: 'Bearer not-a-session' }, { cookie: 'gridhub_session=forged' }]) {
          const res = await hub.app.inject({ method: r.method as 'GET', url, headers, payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
          expect([401, 403, 404], `${r.method} ${url} ${JSON.stringify(headers)}: ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
          expect(Object.keys(res.json()).sort(), `${r.method} ${url}`).toEqual(['code', 'message']);
        }
      }
    }
    expect(servedToAdmin).toBeGreaterThanOrEqual(12);
  });

  it('404s what matches no route (no app shell, no data)', async () => {
    for (const url of ['/%2561pi/devices', '/API/devices', '//api/devices', '/nope', '/api/nope', '/m/../api/devices', '/.env', '/docs/../api/devices']) {
      const res = await hub.app.inject({ method: 'GET', url });
      expect([401, 404], url).toContain(res.statusCode);
    }
  });

  it('stops the start when a route declares no access', async () => {
    const app = Fastify();
    await app.register(authPlugin, { users: {} as UserStore, gridsIn: async () => [], resources: [], gridFilteredLists: [], allowedOrigins: new Set<string>() });
    app.get('/api/forgotten', async () => ({ secret: 1 }));
    await expect(app.ready()).rejects.toThrow(/GET \/api\/forgotten declares no access/);
    await app.close().catch(() => {});
  });

  it('refuses a role its route does not declare before any handler runs (403)', async () => {
    const warden = await login(hub, ids.warden!, demoPassword(ids.warden!));
    for (const [method, url] of [['GET', '/api/refusals'], ['GET', '/api/users'], ['PUT', '/api/rules'], ['POST', '/api/silences'], ['PUT', '/api/users/admin/disabled']] as const) {
      const res = await hub.app.inject({ method, url, headers: { authorization: `Bearer ${warden}` }, payload: method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().code).toBe('HUB_ERR_FORBIDDEN');
    }
  });
});

describe('requests a browser makes for another site', () => {
  let hub: TestHub;
  let cookie: string;
  beforeAll(async () => {
    hub = await testHub();
    const res = await hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'test-admin-password' }, headers: { origin: hub.httpUrl, 'x-gridhub-csrf': '1', host: new URL(hub.httpUrl).host } });
    expect(res.statusCode).toBe(200);
    expect(res.json().token, 'a browser never sees the token').toBeUndefined();
    const c = res.cookies.find((x) => x.name === 'gridhub_session')!;
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    cookie = `gridhub_session=${c.value}`;
  });
  afterAll(async () => hub?.dispose());
  const host = () => new URL(hub.httpUrl).host;

  it('CSRF: a cookie-borne state change without the header, or from another origin, is refused', async () => {
    const body = { from: Date.now(), to: Date.now() + 60_000, estate: 'x', reason: 'csrf' };
    const form = await hub.app.inject({ method: 'POST', url: '/api/silences', headers: { cookie, host: host(), 'content-type': 'application/json' }, payload: body });
    expect(form.json().code).toBe('HUB_ERR_CSRF');
    const evil = await hub.app.inject({ method: 'POST', url: '/api/silences', headers: { cookie, host: host(), origin: 'https://evil.example', 'x-gridhub-csrf': '1' }, payload: body });
    expect(evil.json().code).toBe('HUB_ERR_ORIGIN');
    const sandboxed = await hub.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, host: host(), origin: 'null', 'x-gridhub-csrf': '1' } });
    expect(sandboxed.json().code).toBe('HUB_ERR_ORIGIN');
    // A login forced on the victim from another site (login CSRF) is refused too.
    const forced = await hub.app.inject({ method: 'POST', url: '/api/auth/login', headers: { host: host(), origin: 'https://evil.example' }, payload: { username: 'admin', password: 'test-admin-password' } });
    expect(forced.statusCode).toBe(403);
    // The page itself, with the header, gets through (and the session is still alive after all that).
    const me = await hub.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
  });

  it('session fixation: a session planted before login is not the one after it, and is ended', async () => {
    const planted = await login(hub, 'operator', demoPassword('operator'));
    const res = await hub.app.inject({ method: 'POST', url: '/api/auth/login', headers: { cookie: `gridhub_session=${planted}`, 'x-gridhub-csrf': '1' }, payload: { username: 'admin', password: 'test-admin-password' } });
    const fresh = res.cookies.find((x) => x.name === 'gridhub_session')!.value;
    expect(fresh).not.toBe(planted);
    expect((await hub.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${planted}` } })).statusCode).toBe(401);
  });

  it('errors do not tell which user names exist', async () => {
    const unknown = await hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody-here', password: 'x' }, remoteAddress: '10.7.0.1' });
    const wrong = await hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'x' }, remoteAddress: '10.7.0.2' });
    expect(unknown.body).toBe(wrong.body);
    expect(unknown.statusCode).toBe(wrong.statusCode);
  });

  it('header injection and oversized bodies get coded errors, nothing else', async () => {
    const crlf = await hub.app.inject({ method: 'GET', url: '/api/devices/a%0d%0aSet-Cookie:%20x=1', headers: { cookie } });
    expect(crlf.headers['set-cookie']).toBeUndefined();
    expect(crlf.statusCode).toBe(400);
    const big = await hub.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'admin', password: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toMatch(/^HUB_ERR_/);
    const deep = await hub.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: `{"username":${'['.repeat(5000)}${']'.repeat(5000)},"password":"x"}` });
    expect(deep.statusCode).toBe(400);
    expect(deep.json().code).toBe('HUB_ERR_VALIDATION');
    const proto = await hub.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":"admin","password":"x","__proto__":{"role":"admin"}}' });
    expect(proto.statusCode).toBe(400);
  });
});

describe('security headers', () => {
  it('sends CSP, frame, nosniff and referrer headers on every answer; HSTS only behind HTTPS', async () => {
    const plain = await testHub();
    const secure = await testHub({ cookieSecure: true });
    try {
      for (const url of ['/', '/api/health', '/api/nope', '/api/devices']) {
        const res = await plain.app.inject({ method: 'GET', url });
        const csp = String(res.headers['content-security-policy']);
        expect(csp, url).toContain("frame-ancestors 'none'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).not.toMatch(/script-src[^;]*unsafe/);
        expect(csp).toContain("object-src 'none'");
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['strict-transport-security']).toBeUndefined();
      }
      const hsts = await secure.app.inject({ method: 'GET', url: '/api/health' });
      expect(hsts.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    } finally {
      await plain.dispose();
      await secure.dispose();
    }
  });
});

describe('which origins may use a session', () => {
  it('the hub’s own (by Host), those listed in HUB_ALLOWED_ORIGINS, and requests without Origin; never null or a look-alike', async () => {
    const { originAllowed, parseOrigins } = await import('../src/auth/index.ts');
    const allowed = parseOrigins(['https://desk.example.org', 'http://10.0.0.5:8080/']);
    const ok = (origin: string | undefined, host = 'hub.example.org:8080') => originAllowed({ origin, host }, allowed);
    expect(ok(undefined)).toBe(true);
    expect(ok('http://hub.example.org:8080')).toBe(true);
    expect(ok('https://desk.example.org')).toBe(true);
    expect(ok('http://10.0.0.5:8080')).toBe(true);
    expect(ok('null')).toBe(false);
    expect(ok('http://hub.example.org:8081')).toBe(false);
    expect(ok('http://hub.example.org.evil.example:8080')).toBe(false);
    expect(ok('https://desk.example.org.evil.example')).toBe(false);
    expect(ok('http://desk.example.org')).toBe(false); // scheme matters for a listed origin
    expect(ok('file://')).toBe(false);
    expect(ok('http://hub.example.org:8080', 'evil.example')).toBe(false);
  });
});
