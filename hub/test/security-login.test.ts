import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword, loginDelayMs, LoginGuard, addressKey } from '../src/auth/index.ts';
import { login, testHub } from './support.ts';

// Security probes: login limits stop guessing, not people.

type TestHub = Awaited<ReturnType<typeof testHub>>;

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
