import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { REALTIME_PATH, uplinkTopic } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { waitFor } from '@gridhub/testkit';
import { demoPassword } from '../src/auth/index.ts';
import { connect, login, testHub } from './support.ts';

// Security probes: a session that ends closes its sockets everywhere, at once or at the next revalidation.

type TestHub = Awaited<ReturnType<typeof testHub>>;

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
