import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { io as ioClient, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { REALTIME_PATH, uplinkTopic } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { waitFor } from '@gridhub/testkit';
import { authPlugin, demoPassword, loginDelayMs, LoginGuard, addressKey, type UserStore } from '../src/auth/index.ts';
import { jpegWithLocation, uploadPhotos } from './photos.ts';
import { connect, login, testHub } from './support.ts';

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

describe('login limits stop guessing, not people', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await testHub();
  });
  afterAll(async () => hub?.dispose());
  const attempt = (username: string, password: string, ip: string, headers: Record<string, string> = {}) =>
    hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress: ip, headers });

  it('ten wrong passwords from 127.0.0.9: the right one from 127.0.0.1 logs in at once; guessing still slows', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) codes.push((await attempt('operator', `guess-${i}`, '127.0.0.9')).json().code);
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('HUB_ERR_LOGIN'));
    expect(codes.slice(5)).toEqual(Array(5).fill('HUB_ERR_LOGIN_RATE')); // delayed: not even checked
    const t0 = Date.now();
    const ok = await attempt('operator', demoPassword('operator'), '127.0.0.1');
    expect(ok.statusCode).toBe(200);
    expect(Date.now() - t0).toBeLessThan(2000);
    // The guessing address waits, even with the right password; the wait says how long.
    const held = await attempt('operator', demoPassword('operator'), '127.0.0.9');
    expect(held.statusCode).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const metrics = (await hub.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/hub_login_lockouts_total\{scope="user_address"\} 1/);
    expect(metrics).toMatch(/hub_login_failures_total 5/);
    expect(metrics).toMatch(/hub_login_locked [1-9]/);
    const audit = await hub.users.auditRows(20);
    expect(audit.filter((a) => a.address === '127.0.0.9').map((a) => a.outcome)).toEqual(expect.arrayContaining(['wrong', 'delayed']));
    expect(audit.find((a) => a.address === '127.0.0.1')?.outcome).toBe('ok');
    expect(JSON.stringify(audit)).not.toContain('guess-');
  });

  it('caps login requests per address per minute whatever their outcome (the scrypt work a flood can cause)', async () => {
    const codes = new Map<string, number>();
    let limited: Awaited<ReturnType<typeof attempt>> | undefined;
    for (let i = 0; i < 70; i++) {
      const res = await attempt(`flood${i % 3}`, 'x', '10.66.0.1');
      codes.set(res.json().code, (codes.get(res.json().code) ?? 0) + 1);
      if (res.headers['x-ratelimit-remaining'] === '0' && res.statusCode === 429) limited = res;
    }
    expect(limited?.json().code).toBe('HUB_ERR_LOGIN_RATE');
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    expect([...codes.keys()].sort()).toEqual(['HUB_ERR_LOGIN', 'HUB_ERR_LOGIN_RATE']);
    // Another address is not capped.
    expect((await attempt('operator', demoPassword('operator'), '10.66.0.2')).statusCode).toBe(200);
  });

  it('ages login audit rows out', async () => {
    const rows = await hub.users.auditRows(1000);
    expect(rows.length).toBeGreaterThan(0);
    const oldest = Math.min(...rows.map((r) => r.atMs));
    expect(await hub.users.pruneAudit(oldest)).toBe(0); // nothing older than the oldest
    expect(await hub.users.pruneAudit(oldest + 1)).toBeGreaterThan(0);
    expect((await hub.users.auditRows(1000)).every((r) => r.atMs > oldest)).toBe(true);
  });

  it('delays grow with every failure past the free ones, up to the window, and lift after it', () => {
    const lifted: string[] = [];
    const g = new LoginGuard({ freePerUserAddress: 3, freePerAddress: 100, windowMs: 60_000, maxDelayMs: 60_000 }, { onLift: (e) => lifted.push(e.address) });
    let now = 1_000_000;
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      now += g.waitMs('op', '10.0.0.1', now);
      g.failed('op', '10.0.0.1', now);
      waits.push(g.waitMs('op', '10.0.0.1', now));
    }
    expect(waits).toEqual([0, 0, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    expect(g.waitMs('op', '10.0.0.2', now)).toBe(0); // another address: nothing
    expect(g.waitMs('op', '10.0.0.1', now + 120_000)).toBe(0); // forgotten a window after the wait
    expect(g.stats(now + 120_000).locked).toBe(0);
    expect(lifted).toEqual(['10.0.0.1']);
    expect(loginDelayMs(2, 3, 60_000)).toBe(0);
  });

  it('counts an IPv6 client by its /64, so rotating addresses in one network does not help', () => {
    expect(addressKey('2001:db8:1:2::5')).toBe(addressKey('2001:db8:1:2:ffff::9'));
    expect(addressKey('2001:db8:1:3::5')).not.toBe(addressKey('2001:db8:1:2::5'));
    expect(addressKey('::ffff:10.0.0.1')).toBe('10.0.0.1');
  });

  it('believes X-Forwarded-For only from a trusted proxy, and only the part the proxy wrote', async () => {
    // Without HUB_TRUST_PROXY, a client writing the header itself changes nothing.
    for (let i = 0; i < 5; i++) await attempt('w-lx-01-01', 'wrong', '10.9.0.1', { 'x-forwarded-for': `198.51.100.${i}` });
    expect((await attempt('w-lx-01-01', demoPassword('w-lx-01-01'), '10.9.0.1', { 'x-forwarded-for': '198.51.100.77' })).statusCode).toBe(429);

    const proxied = await testHub({ trustProxy: '127.0.0.1' });
    try {
      const viaProxy = (xff: string, password = 'wrong') =>
        proxied.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'operator', password }, remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': xff } });
      // The client forges a first entry; the proxy appends the real address: the real one is counted.
      for (let i = 0; i < 5; i++) await viaProxy(`10.${i}.0.1, 203.0.113.5`);
      expect((await viaProxy('203.0.113.5', demoPassword('operator'))).statusCode).toBe(429);
      expect((await viaProxy('203.0.113.6', demoPassword('operator'))).statusCode).toBe(200);
      expect((await proxied.users.auditRows(10)).map((a) => a.address)).toContain('203.0.113.5');
    } finally {
      await proxied.dispose();
    }
  });
});

describe('sessions end everywhere at once', () => {
  let hub: TestHub;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    hub = await testHub({ sessionTtlMs: 4000, rulesTickMs: 200 });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await hub?.dispose();
  });

  /** A socket with this session's cookie, counting everything it receives. */
  async function liveSocket(token: string, origin?: string): Promise<{ socket: Socket; got: string[]; closedAt: Promise<number> }> {
    const got: string[] = [];
    const socket = ioClient(hub.httpUrl, { path: REALTIME_PATH, transports: ['websocket'], reconnection: false, extraHeaders: { cookie: `gridhub_session=${token}`, ...(origin ? { origin } : {}) } });
    sockets.push(socket);
    socket.onAny((event: string) => got.push(event));
    const closedAt = new Promise<number>((resolve) => socket.on('disconnect', () => resolve(Date.now())));
    await new Promise<void>((resolve, reject) => {
      socket.once('snapshot', () => resolve());
      socket.once('connect_error', reject);
    });
    return { socket, got, closedAt };
  }

  /** Something every operator socket would hear about: a smoke alarm over MQTT. */
  async function alarm(deviceIndex: number): Promise<void> {
    const d = (await hub.store.listDevices({ kind: 'smoke', limit: 50, offset: 0 })).items[deviceIndex]!;
    const c = await connect(hub.mqttUrl, { clientId: d.id, username: d.id, password: demoDeviceSecret(d.id) });
    await c.publishAsync(uplinkTopic('smoke', d.id, 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm' }), { qos: 1 });
    await c.endAsync();
  }

  async function endsWithin1s(end: () => Promise<unknown>, live: Awaited<ReturnType<typeof liveSocket>>, control: Awaited<ReturnType<typeof liveSocket>>, deviceIndex: number) {
    await end();
    const t0 = Date.now(); // the session ended when the request was answered
    const closed = await Promise.race([live.closedAt, new Promise<number>((r) => setTimeout(() => r(-1), 1500))]);
    expect(closed, 'disconnected').toBeGreaterThan(0);
    expect(closed - t0).toBeLessThan(1000);
    const before = live.got.length;
    live.socket.emit('resync', () => live.got.push('resync-answer'));
    await alarm(deviceIndex);
    await waitFor(() => control.got.includes('delta'), 10_000, 'the control socket hears the alarm');
    expect(live.got.length, `received after the end: ${live.got.slice(before)}`).toBe(before);
  }

  it('logout closes that session’s socket within a second; it receives nothing more', async () => {
    const token = await login(hub, 'operator', demoPassword('operator'));
    const control = await liveSocket(await login(hub, 'admin', 'test-admin-password'));
    const live = await liveSocket(token);
    await endsWithin1s(() => hub.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${token}` } }), live, control, 0);
    control.socket.close();
  });

  it('a password change closes every socket of the user within a second', async () => {
    const token = await login(hub, 'w-lx-01-01', demoPassword('w-lx-01-01'));
    const other = await login(hub, 'w-lx-01-01', demoPassword('w-lx-01-01'));
    const control = await liveSocket(await login(hub, 'admin', 'test-admin-password'));
    const live = await liveSocket(other);
    let res: Awaited<ReturnType<typeof hub.app.inject>> | undefined;
    const change = async () => {
      res = await hub.app.inject({ method: 'PUT', url: '/api/users/me/password', headers: { authorization: `Bearer ${token}` }, payload: { current: demoPassword('w-lx-01-01'), next: 'a-new-password-1' } });
    };
    await endsWithin1s(change, live, control, 1);
    expect(res!.statusCode).toBe(200);
    // Every old session is over, the one that changed it too; the answer carries a new one.
    expect((await hub.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    expect((await hub.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${res!.json().token}` } })).statusCode).toBe(200);
    control.socket.close();
  });

  it('disabling a user closes their sockets within a second', async () => {
    const token = await login(hub, 'w-lx-01-02', demoPassword('w-lx-01-02'));
    const admin = await login(hub, 'admin', 'test-admin-password');
    const control = await liveSocket(admin);
    const live = await liveSocket(token);
    await endsWithin1s(() => hub.app.inject({ method: 'PUT', url: '/api/users/w-lx-01-02/disabled', headers: { authorization: `Bearer ${admin}` }, payload: { disabled: true } }), live, control, 2);
    expect((await hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'w-lx-01-02', password: demoPassword('w-lx-01-02') } })).statusCode).toBe(401);
    control.socket.close();
  });

  it('expiry closes the socket within a second of the session’s end', async () => {
    const res = await hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'operator', password: demoPassword('operator') } });
    const { token, expiresMs } = res.json() as { token: string; expiresMs: number };
    const live = await liveSocket(token);
    const closed = await live.closedAt;
    expect(closed - expiresMs).toBeGreaterThanOrEqual(-50);
    expect(closed - expiresMs).toBeLessThan(1000);
    const control = await liveSocket(await login(hub, 'admin', 'test-admin-password'));
    const before = live.got.length;
    await alarm(3);
    await waitFor(() => control.got.includes('delta'), 10_000, 'the control socket hears the alarm');
    expect(live.got.length).toBe(before);
    // And it cannot come back with that session.
    await expect(liveSocket(token)).rejects.toThrow(/HUB_ERR_UNAUTHENTICATED/);
    control.socket.close();
  });

  it('refuses a foreign Origin on Socket.IO and on /mqtt; the hub’s own origin connects', async () => {
    const token = await login(hub, 'admin', 'test-admin-password');
    await expect(liveSocket(token, 'http://evil.example')).rejects.toThrow();
    await expect(liveSocket(token, 'null')).rejects.toThrow();
    const own = await liveSocket(token, hub.httpUrl);
    own.socket.close();

    const upgrade = (origin?: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(hub.wsUrl, 'mqtt', origin ? { origin } : {});
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
      });
    expect(await upgrade('http://evil.example')).toBe(403);
    expect(await upgrade('https://127.0.0.1.evil.example')).toBe(403);
    expect(await upgrade(hub.httpUrl)).toBe(101);
    expect(await upgrade()).toBe(101); // devices and services send no Origin
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

describe('personal data in scope', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await testHub();
  });
  afterAll(async () => hub?.dispose());

  it('a warden of one grid finds no phone number of another grid’s staff in any response', async () => {
    const wardens = await hub.store.listWardens();
    const grids = [...new Set(wardens.map((w) => w.gridId))];
    expect(grids.length).toBeGreaterThan(1);
    for (const [who, gridOf] of [['warden', (g: string) => wardens.find((w) => w.gridId === g && w.role !== 'grid_leader')!], ['department', () => null]] as const) {
      const me = gridOf(grids[0]!);
      const token = me ? await login(hub, me.id, demoPassword(me.id)) : await login(hub, 'fire_brigade', demoPassword('fire_brigade'));
      const foreign = wardens.filter((w) => !me || w.gridId !== me.gridId).map((w) => w.phone);
      const [device] = (await hub.store.listDevices({ gridId: me?.gridId ?? grids[0], limit: 1, offset: 0 })).items;
      const fill: Record<string, string> = { id: device!.id, grid: me?.gridId ?? grids[0]!, warden: me?.id ?? 'x', fromMs: '0' };
      const bodies: string[] = [];
      for (const r of hub.app.routeTable.filter((x) => x.method === 'GET')) {
        for (const query of ['', '?limit=1000', `?grid=${grids[1]}`]) {
          const res = await hub.app.inject({ method: 'GET', url: r.url.replace(/:(\w+)/g, (_, p: string) => fill[p] ?? 'x') + query, headers: { authorization: `Bearer ${token}` } });
          bodies.push(res.body);
        }
      }
      const all = bodies.join('\n');
      expect(all.length).toBeGreaterThan(10_000); // it did see the site and its own data
      expect(foreign.filter((p) => all.includes(p)), who).toEqual([]);
      if (me) expect(all, 'own grid phones stay visible').toContain(me.phone);
      // Other grids' staff still appear, by name and grid.
      expect(all).toContain(wardens.find((w) => w.gridId !== (me?.gridId ?? ''))!.name);
    }
    // Operators and grid leaders (who transfer across grids) do see phones.
    const leader = wardens.find((w) => w.role === 'grid_leader')!;
    const res = await hub.app.inject({ method: 'GET', url: '/api/site/wardens', headers: { authorization: `Bearer ${await login(hub, leader.id, demoPassword(leader.id))}` } });
    expect(res.json().every((w: { phone?: string }) => typeof w.phone === 'string')).toBe(true);
  });
});

describe('photos are files the hub keeps', () => {
  let hub: TestHub;
  let ticketId: string;
  let assignee: string;
  beforeAll(async () => {
    hub = await testHub({ rulesTickMs: 200 });
    const d = (await hub.store.listDevices({ kind: 'smoke', limit: 1, offset: 0 })).items[0]!;
    const c = await connect(hub.mqttUrl, { clientId: d.id, username: d.id, password: demoDeviceSecret(d.id) });
    await c.publishAsync(uplinkTopic('smoke', d.id, 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm' }), { qos: 1 });
    await c.endAsync();
    await waitFor(async () => (await hub.rules.tickets.list({ deviceId: d.id, limit: 1 })).length === 1, 15_000, 'ticket');
    const t = (await hub.rules.tickets.list({ deviceId: d.id, limit: 1 }))[0]!;
    ticketId = t.id;
    assignee = t.assigneeId!;
  });
  afterAll(async () => hub?.dispose());

  it('refuses an SVG, an HTML file renamed .png and an oversized file with codes, storing nothing', async () => {
    const token = await login(hub, assignee, demoPassword(assignee));
    const svg = await uploadPhotos(hub, ticketId, token, [{ name: 'x.svg', type: 'image/svg+xml', bytes: Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') }]);
    expect([svg.status, svg.body.code]).toEqual([415, 'HUB_ERR_PHOTO_TYPE']);
    const html = await uploadPhotos(hub, ticketId, token, [{ name: 'photo.png', type: 'image/png', bytes: Buffer.from('<!doctype html><html><script>fetch("/api/users")</script></html>') }]);
    expect([html.status, html.body.code]).toEqual([415, 'HUB_ERR_PHOTO_TYPE']);
    const mixed = await uploadPhotos(hub, ticketId, token, [{ name: 'ok.jpg', type: 'image/jpeg', bytes: jpegWithLocation() }, { name: 'bad.png', type: 'image/png', bytes: Buffer.from('<html>') }]);
    expect(mixed.body.code).toBe('HUB_ERR_PHOTO_TYPE');
    const big = await uploadPhotos(hub, ticketId, token, [{ name: 'big.jpg', type: 'image/jpeg', bytes: Buffer.concat([jpegWithLocation(), Buffer.alloc(11 * 1024 * 1024)]) }]);
    expect([big.status, big.body.code]).toEqual([413, 'HUB_ERR_PHOTO_TOO_LARGE']);
    const many = await uploadPhotos(hub, ticketId, token, Array.from({ length: 7 }, (_, i) => ({ name: `${i}.jpg`, type: 'image/jpeg', bytes: jpegWithLocation() })));
    expect(many.body.code).toBe('HUB_ERR_PHOTO_TOO_LARGE');
    const { readdirSync, existsSync } = await import('node:fs');
    const dir = `${hub.dataDir}/photos`;
    expect(existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((f) => !String(f).endsWith('.tmp') && String(f).length > 2) : []).toEqual([]);
  });

  it('strips the location unless the assignee took it on site; serves it only to who sees the ticket, with no sniffing', async () => {
    const token = await login(hub, assignee, demoPassword(assignee));
    const up = await uploadPhotos(hub, ticketId, token, [{ name: 'x.jpg', type: 'image/jpeg', bytes: jpegWithLocation() }]);
    expect(up.status).toBe(201);
    expect(up.body.photos[0].locationKept).toBe(false); // not on site yet
    const op = await login(hub, 'operator', demoPassword('operator'));
    const res = await hub.app.inject({ method: 'GET', url: up.body.photos[0].url, headers: { authorization: `Bearer ${op}` } });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.includes(Buffer.from('GPSLatitude'))).toBe(false);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain('sandbox');
    const wardens = await hub.store.listWardens();
    const ticket = (await hub.rules.tickets.get(ticketId))!;
    const outsider = wardens.find((w) => w.gridId !== ticket.gridId)!;
    const other = await hub.app.inject({ method: 'GET', url: up.body.photos[0].url, headers: { authorization: `Bearer ${await login(hub, outsider.id, demoPassword(outsider.id))}` } });
    expect(other.statusCode).toBe(404); // another grid's ticket answers as one that does not exist
    expect(other.json().code).toBe('HUB_ERR_TICKET_NOT_FOUND');
    expect((await hub.app.inject({ method: 'GET', url: up.body.photos[0].url })).statusCode).toBe(401);
    // Another ticket's photo is not this ticket's (no id guessing across tickets).
    expect((await hub.app.inject({ method: 'GET', url: up.body.photos[0].url.replace(ticketId, 'other-ticket'), headers: { authorization: `Bearer ${op}` } })).statusCode).toBe(404);
  });
});

describe('a socket revalidates its session periodically', () => {
  it('closes a socket whose session ended where this process did not see it (another hub, the database)', async () => {
    const { createServer } = await import('node:http');
    const { createRealtime } = await import('../src/realtime/index.ts');
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const live = new Set(['s1', 's2']);
    const user = { id: 'op', name: 'Operator', role: 'operator' as const, gridIds: null, department: null };
    const rt = createRealtime({
      server,
      authenticate: async ({ token }) => (token && live.has(token) ? { user, sessionId: token, expiresMs: Date.now() + 3600_000 } : null),
      liveSessions: async (ids) => new Set(ids.filter((id) => live.has(id))),
      revalidateMs: 200,
      loadDevices: async () => [],
      loadTickets: async () => [],
    });
    await rt.start();
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const open = (token: string) => {
      const s = ioClient(url, { path: REALTIME_PATH, transports: ['websocket'], reconnection: false, auth: { token } });
      return { s, closed: new Promise<number>((r) => s.on('disconnect', () => r(Date.now()))), ready: new Promise<void>((r) => s.once('snapshot', () => r())) };
    };
    const a = open('s1');
    const b = open('s2');
    await Promise.all([a.ready, b.ready]);
    const t0 = Date.now();
    live.delete('s1');
    expect((await a.closed) - t0).toBeLessThan(1000);
    expect(b.s.connected).toBe(true);
    b.s.close();
    await rt.close();
    await new Promise<void>((r) => server.close(() => r()));
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
