import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import { connect, type MqttClient } from 'mqtt';
import { freePort, waitFor } from '@gridhub/testkit';
import { decodePayload, parseUplinkTopic } from '@gridhub/core';
import {
  DEFAULT_BACKOFF, DEMO_PARAMS, Fleet, SCENARIOS, SimDevice, backoffDelayMs, createSimClock, generateSite, runLoad, runTimeline, siteDevices, startSimulation, type DeviceCredentials,
} from '../src/index.ts';

/** A bare aedes broker with a password check, recording every publish it accepts. */
interface TestBroker {
  port: number;
  url: string;
  received: { topic: string; payload: Buffer; retain: boolean; clientId: string | null }[];
  logins: { clientId: string; username: string | undefined; password: string | undefined }[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function startBroker(secrets: Map<string, string>, port?: number): Promise<TestBroker> {
  const p = port ?? (await freePort());
  const received: TestBroker['received'] = [];
  const logins: TestBroker['logins'] = [];
  let aedes: Aedes | null = null;
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const start = async () => {
    const b = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        const pw = password?.toString();
        logins.push({ clientId: client.id, username, password: pw });
        done(null, username === client.id && secrets.get(client.id) === pw);
      },
    });
    b.on('publish', (packet, client) => {
      if (client) received.push({ topic: packet.topic, payload: Buffer.from(packet.payload), retain: packet.retain, clientId: client.id });
    });
    aedes = b;
    server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      b.handle(s);
    });
    await new Promise<void>((r) => server!.listen(p, '127.0.0.1', () => r()));
  };
  await start();
  return {
    port: p,
    url: `mqtt://127.0.0.1:${p}`,
    received,
    logins,
    start,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server!.close(() => r()));
      await new Promise<void>((r) => aedes!.close(() => r()));
    },
  };
}

const { site, secrets } = generateSite({ estates: 2, devices: 40, seed: 3 });
const devices = siteDevices(site, secrets);
const secretMap = new Map(Object.entries(secrets));
const creds = (i: number): DeviceCredentials => ({ id: devices[i]!.id, kind: devices[i]!.kind, secret: devices[i]!.secret! });
const statusPayloads = (received: TestBroker['received'], id: string) => received.filter((r) => r.topic.endsWith(`/${id}/status`)).map((r) => JSON.parse(r.payload.toString()) as Record<string, unknown>);

let broker: TestBroker;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  broker = await startBroker(secretMap);
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  await broker.stop();
});

function watcher(url: string, topic: string): Promise<{ client: MqttClient; messages: { topic: string; payload: string; retain: boolean }[] }> {
  return new Promise((resolve, reject) => {
    // The watcher logs in as a known device (the test broker checks passwords for everyone).
    const c = creds(39);
    const client = connect(url, { clientId: c.id, username: c.id, password: c.secret, reconnectPeriod: 0 });
    const messages: { topic: string; payload: string; retain: boolean }[] = [];
    client.on('message', (t, p, packet) => messages.push({ topic: t, payload: p.toString(), retain: packet.retain }));
    client.on('error', reject);
    client.on('connect', () => client.subscribe(topic, { qos: 1 }, (err) => (err ? reject(err) : resolve({ client, messages }))));
    cleanups.push(() => new Promise((r) => client.end(true, {}, () => r())));
  });
}

describe('backoff', () => {
  it('doubles up to the cap, with jitter in the upper half', () => {
    const o = { initialMs: 100, maxMs: 5000 };
    expect(backoffDelayMs(0, o, 0)).toBe(50);
    expect(backoffDelayMs(0, o, 0.999)).toBeLessThanOrEqual(100);
    expect(backoffDelayMs(3, o, 0)).toBe(400);
    expect(backoffDelayMs(20, o, 0)).toBe(2500);
    expect(backoffDelayMs(20, o, 0.9999)).toBeLessThanOrEqual(5000);
    expect(DEFAULT_BACKOFF.maxMs).toBeGreaterThan(DEFAULT_BACKOFF.initialMs);
  });
});

describe('a simulated device over MQTT (real aedes broker)', () => {
  it('logs in as itself, publishes a retained birth and counts seq across messages', async () => {
    const d = new SimDevice(creds(0), { url: broker.url, clock: createSimClock({ startMs: Date.UTC(2026, 0, 1) }), fw: 'sim-1.0' });
    cleanups.push(() => d.stop());
    await d.start();
    expect(broker.logins.find((l) => l.clientId === d.id)).toEqual({ clientId: d.id, username: d.id, password: creds(0).secret });
    await waitFor(() => statusPayloads(broker.received, d.id).length > 0, 5000, 'birth');
    const birth = broker.received.find((r) => r.topic.endsWith(`/${d.id}/status`))!;
    expect(birth.retain).toBe(true);
    expect(parseUplinkTopic(birth.topic)).toEqual({ kind: d.kind, deviceId: d.id, message: 'status' });
    expect(JSON.parse(birth.payload.toString())).toMatchObject({ state: 'online', fw: 'sim-1.0', seq: 0 });
    const s1 = await d.publish('telemetry', { camera_ok: true });
    const s2 = await d.publish('event', { event: 'x' });
    expect([s1, s2]).toEqual([1, 2]);
    const sentOf = () => broker.received.filter((r) => r.clientId === d.id && !r.topic.endsWith('/status')).map((r) => JSON.parse(r.payload.toString()));
    await waitFor(() => sentOf().length >= 2, 5000, 'both at the broker'); // 'publish' is emitted just after the PUBACK
    const sent = sentOf();
    expect(sent.map((p) => p.seq)).toEqual([1, 2]);
    expect(sent[0].ts).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 1));
  });

  it('is refused with a wrong secret and keeps retrying with backoff', async () => {
    const d = new SimDevice({ ...creds(1), secret: 'wrong-secret' }, { url: broker.url, clock: createSimClock(), backoff: { initialMs: 50, maxMs: 200 } });
    cleanups.push(() => d.stop());
    void d.start();
    await waitFor(() => broker.logins.filter((l) => l.clientId === d.id).length >= 3, 10_000, 'three login attempts');
    expect(d.connected).toBe(false);
  });

  it('leaves its will {"state":"offline"} when its connection dies abruptly', async () => {
    const d = new SimDevice(creds(2), { url: broker.url, clock: createSimClock() });
    cleanups.push(() => d.stop());
    const w = await watcher(broker.url, `v1/${d.kind}/${d.id}/status`);
    await d.start();
    await waitFor(() => w.messages.some((m) => JSON.parse(m.payload).state === 'online'), 5000, 'online');
    d.drop();
    await waitFor(() => w.messages.some((m) => JSON.parse(m.payload).state === 'offline'), 5000, 'will');
    expect(JSON.parse(w.messages.at(-1)!.payload)).toEqual({ state: 'offline' });
  });

  it('reconnects after the broker restarts and delivers what it published meanwhile', async () => {
    const own = await startBroker(secretMap);
    cleanups.push(() => own.stop().catch(() => undefined));
    const fleet = new Fleet([creds(3), creds(4)], { url: own.url, clock: createSimClock(), backoff: { initialMs: 100, maxMs: 1000 } });
    cleanups.push(() => fleet.close({ announce: false }));
    await fleet.connectAll({ timeoutMs: 10_000 });
    expect(fleet.stats.connected).toBe(2);
    await own.stop();
    await waitFor(() => fleet.stats.connected === 0, 5000, 'disconnect seen');
    const d = fleet.device(creds(3).id);
    const pending = d.publish('telemetry', { obscuration_pct: 0.1, temperature_c: 20, battery_pct: 90 });
    const beforeRestart = own.received.length;
    await own.start();
    await waitFor(() => fleet.stats.connected === 2, 15_000, 'reconnected');
    expect(await pending).toBeGreaterThan(0);
    expect(fleet.stats.reconnects).toBeGreaterThanOrEqual(2);
    await waitFor(() => own.received.some((r) => r.clientId === d.id && r.topic.endsWith('/telemetry')), 5000, 'the queued reading at the broker');
    // A fresh birth after the reconnect (it may reach the broker after the queued reading).
    await waitFor(() => statusPayloads(own.received.slice(beforeRestart), d.id).some((p) => p.state === 'online'), 5000, 'a birth after the restart');
  });
});

describe('timelines and load over MQTT', () => {
  it('malformed-firmware: the broker receives each payload byte for byte', async () => {
    const tl = SCENARIOS['malformed-firmware']!.build({ devices, seed: 1, startMs: Date.UTC(2026, 0, 1) });
    const fleet = new Fleet(devices.map((d, i) => creds(i)), { url: broker.url, clock: createSimClock() });
    cleanups.push(() => fleet.close({ announce: false }));
    const before = broker.received.length;
    const run = await runTimeline(tl, fleet, { speed: 1_000_000 });
    expect(run.failed).toBe(0);
    const id = tl.deviceIds[0]!;
    // Not the retained birth; QoS 1 is at least once, so a resend after a reconnect may repeat one.
    const received = () => [...new Set(broker.received.slice(before).filter((r) => r.clientId === id && !r.retain).map((r) => r.payload.toString('hex')))];
    const raw = tl.steps.flatMap((s) => (s.action === 'raw' ? [Buffer.from(s.payload).toString('hex')] : []));
    // aedes emits 'publish' a moment after it sends the PUBACK: wait for the last one.
    await waitFor(() => received().length >= raw.length, 5000, 'every payload at the broker');
    const got = received();
    expect(got.map((h) => h.slice(0, 40))).toEqual(raw.map((h) => h.slice(0, 40)));
    expect(got).toEqual(raw);
  });

  it('reconnect-storm: every device drops (wills fire) and comes back to report', async () => {
    const few = devices.slice(10, 30);
    const tl = SCENARIOS['reconnect-storm']!.build({ devices: few, seed: 1, startMs: Date.UTC(2026, 0, 1) });
    const fleet = new Fleet(few.map((d) => ({ id: d.id, kind: d.kind, secret: d.secret! })), { url: broker.url, clock: createSimClock() });
    cleanups.push(() => fleet.close({ announce: false }));
    const run = await runTimeline(tl, fleet, { speed: 1000 });
    expect(run.failed).toBe(0);
    expect(fleet.stats.connected).toBe(few.length);
    const onlineCount = (id: string) => statusPayloads(broker.received, id).filter((p) => p.state === 'online').length;
    await waitFor(() => few.every((d) => onlineCount(d.id) >= 2), 10_000, 'a second birth from every device');
    for (const d of few) expect(onlineCount(d.id), d.id).toBeGreaterThanOrEqual(2);
  });

  it('runLoad: N devices at R msg/s for T s at QoS 1, and reports every acknowledged seq', async () => {
    const before = broker.received.length;
    const report = await runLoad({ url: broker.url, devices: devices.slice(0, 30), ratePerSec: 300, durationMs: 2000, qos: 1 });
    expect(report.devices).toBe(30);
    expect(report.errors).toBe(0);
    expect(report.acked).toBe(report.sent);
    expect(report.sent).toBeGreaterThanOrEqual(500);
    const acked = [...report.ackedSeqs.values()].reduce((a, s) => a + s.length, 0);
    expect(acked).toBe(report.sent);
    const telemetryOf = () => broker.received.slice(before).filter((r) => r.topic.endsWith('/telemetry'));
    await waitFor(() => telemetryOf().length >= report.acked, 5000, 'every acknowledged reading at the broker');
    const telemetry = telemetryOf();
    const seen = new Set(telemetry.map((r) => `${r.clientId}#${JSON.parse(r.payload.toString()).seq}`));
    for (const [id, seqs] of report.ackedSeqs) for (const s of seqs) expect(seen.has(`${id}#${s}`)).toBe(true);
  });

  it('never dates a reading in the future, whatever the speed (x3600 from now)', async () => {
    const some = devices.slice(12, 16);
    const fleet = new Fleet(some.map((d) => ({ id: d.id, kind: d.kind, secret: d.secret! })), { url: broker.url, clock: createSimClock({ speed: 3600 }) });
    cleanups.push(() => fleet.close({ announce: false }));
    await fleet.connectAll({ timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300)); // the simulated clock is now ~18 min ahead of the real one
    const before = broker.received.length;
    for (const d of some) await fleet.device(d.id).publish('event', { event: 'x' });
    const got = broker.received.slice(before).filter((r) => !r.retain);
    expect(got.length).toBe(some.length);
    for (const r of got) expect(JSON.parse(r.payload.toString()).ts as number).toBeLessThanOrEqual(Date.now());
  });

  it('startSimulation: the models talk through the fleet at x36000, valid and in simulated time', async () => {
    const some = devices.slice(0, 12);
    const startMs = Date.UTC(2026, 0, 1);
    const fleet = new Fleet(some.map((d) => ({ id: d.id, kind: d.kind, secret: d.secret! })), { url: broker.url, clock: createSimClock({ startMs, speed: 36_000 }) });
    cleanups.push(() => fleet.close({ announce: false }));
    await fleet.connectAll({ timeoutMs: 10_000 });
    const before = broker.received.length;
    const sim = startSimulation({ fleet, devices: some, seed: 1, params: DEMO_PARAMS, tickMs: 50 });
    await waitFor(() => sim.emitted >= 40, 20_000, 'forty messages');
    sim.stop();
    await waitFor(() => fleet.stats.acked >= fleet.stats.sent, 10_000, 'acks');
    const gotNow = () => broker.received.slice(before).filter((r) => !r.retain);
    await waitFor(() => gotNow().length >= 40, 5000, 'forty at the broker');
    const got = gotNow();
    for (const r of got) {
      const t = parseUplinkTopic(r.topic)!;
      const p = decodePayload(t.kind, t.message, r.payload);
      expect(p.ts as number).toBeGreaterThanOrEqual(startMs);
    }
    const kinds = new Set(got.map((r) => parseUplinkTopic(r.topic)!.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(2);
  });
});
