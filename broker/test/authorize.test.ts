import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { cmdTopic, uplinkTopic } from '@gridhub/core';
import { waitFor } from '@gridhub/testkit';
import { closed, connectAs, connectDevice, rawClient, sleep, startBroker, type Harness } from './support/harness.ts';

const SUBACK_FAILURE = 128;

/** The QoS the SUBACK granted (128 = failure; mqtt.js turns that into an error carrying the SUBACK). */
async function grantedQos(c: MqttClient, filter: string): Promise<number> {
  try {
    const granted = await c.subscribeAsync(filter, { qos: 1 });
    return granted[0]!.qos;
  } catch (err) {
    const granted = (err as { packet?: { granted?: number[] } }).packet?.granted;
    if (granted) return granted[0]!;
    throw err;
  }
}

/** Collects messages a client receives. */
function inbox(c: MqttClient): { topic: string; payload: string }[] {
  const got: { topic: string; payload: string }[] = [];
  c.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  return got;
}

describe('authorize publish and subscribe', () => {
  let h: Harness;
  let service: MqttClient;
  let serviceInbox: { topic: string; payload: string }[];
  beforeAll(async () => {
    h = await startBroker({ allowAnonymous: true });
    service = await connectAs(h.url, { clientId: 'svc-watch', username: h.users.service.username, password: h.users.service.password });
    expect(await grantedQos(service, 'v1/#')).toBe(1);
    serviceInbox = inbox(service);
  });
  afterAll(async () => {
    await service.endAsync(true);
    await h.close();
  });

  it('a device publishes on its own topics: ingest and v1/# subscribers get it', async () => {
    const d = h.devices.smoke;
    const c = await connectDevice(h, d);
    const topic = uplinkTopic(d.kind, d.id, 'telemetry');
    await c.publishAsync(topic, '{"seq":1}', { qos: 1 });
    expect(h.received.at(-1)).toMatchObject({ topic, clientId: d.id, qos: 1 });
    expect(h.received.at(-1)!.payload.toString()).toBe('{"seq":1}');
    await waitFor(() => serviceInbox.some((m) => m.topic === topic), 5_000, 'fan-out to service');
    expect(h.broker.stats().messagesIn.telemetry).toBeGreaterThanOrEqual(1);
    await c.endAsync();
  });

  it('a device cannot publish as another: disconnected, not ingested, not delivered', async () => {
    const d = h.devices.smoke;
    const c = await connectDevice(h, d);
    const victim = uplinkTopic('bin', h.devices.bin.id, 'event');
    const before = { received: h.received.length, denied: h.broker.stats().denied.publish };
    const gone = closed(c);
    c.publish(victim, '{"forged":true}', { qos: 1 });
    await gone;
    // a later message on a legal topic from another device proves the forged one was not just slow
    const other = await connectDevice(h, h.devices.manhole);
    const legal = uplinkTopic('manhole', h.devices.manhole.id, 'event');
    await other.publishAsync(legal, '{"ok":1}', { qos: 1 });
    await waitFor(() => serviceInbox.some((m) => m.topic === legal), 5_000, 'legal message');
    expect(h.received.slice(before.received).map((m) => m.topic)).toEqual([legal]);
    expect(serviceInbox.some((m) => m.topic === victim)).toBe(false);
    expect(h.broker.stats().denied.publish).toBe(before.denied + 1);
    c.end(true);
    await other.endAsync();
  });

  it('a device cannot publish on a kind that is not its own, nor on its cmd topic', async () => {
    const d = h.devices.smoke;
    for (const topic of [uplinkTopic('bin', d.id, 'telemetry'), cmdTopic(d.kind, d.id)]) {
      const c = await connectDevice(h, d);
      const gone = closed(c);
      c.publish(topic, '{}', { qos: 0 });
      await gone;
      c.end(true);
    }
  });

  it('a device subscribes only to its own cmd: #, v1/#, another cmd get 0x80', async () => {
    const d = h.devices.bin;
    const c = await connectDevice(h, d);
    expect(await grantedQos(c, '#')).toBe(SUBACK_FAILURE);
    expect(await grantedQos(c, 'v1/#')).toBe(SUBACK_FAILURE);
    expect(await grantedQos(c, cmdTopic('smoke', h.devices.smoke.id))).toBe(SUBACK_FAILURE);
    expect(await grantedQos(c, '+/bin/+/cmd')).toBe(SUBACK_FAILURE);
    expect(await grantedQos(c, cmdTopic(d.kind, d.id))).toBe(1);
    expect(c.connected).toBe(true);
    await c.endAsync();
  });

  it('a service publishes a cmd the device receives; publishCommand does too', async () => {
    const d = h.devices.manhole;
    const dev = await connectDevice(h, d);
    await dev.subscribeAsync(cmdTopic(d.kind, d.id), { qos: 1 });
    const got = inbox(dev);
    await service.publishAsync(cmdTopic(d.kind, d.id), '{"cmd":"ping"}', { qos: 1 });
    await h.broker.publishCommand(d.kind, d.id, { cmd: 'reboot' });
    await waitFor(() => got.length === 2, 5_000, 'two commands');
    expect(got.map((m) => m.payload)).toEqual(['{"cmd":"ping"}', '{"cmd":"reboot"}']);
    expect(h.received.some((m) => m.topic === cmdTopic(d.kind, d.id))).toBe(false);
    await dev.endAsync();
  });

  it('an operator may subscribe to v1/# but not publish on device topics', async () => {
    const op = await connectAs(h.url, { clientId: 'op-desk-1', username: h.users.operator.username, password: h.users.operator.password });
    expect(await grantedQos(op, 'v1/#')).toBe(1);
    await op.publishAsync('desk/notes', 'non-device topics are free', { qos: 1 });
    const gone = closed(op);
    op.publish(cmdTopic('smoke', h.devices.smoke.id), '{"cmd":"silence"}', { qos: 1 });
    await gone;
    op.end(true);
  });

  it('anonymous clients are kept off v1: # is filtered, v1/# refused, v1 publish disconnects', async () => {
    const anon = await connectAs(h.url, { clientId: 'anon-watch' });
    const got = inbox(anon);
    expect(await grantedQos(anon, '#')).toBe(1);
    expect(await grantedQos(anon, 'v1/#')).toBe(SUBACK_FAILURE);
    expect(await grantedQos(anon, 'v1/smoke/+/telemetry')).toBe(SUBACK_FAILURE);
    expect(await grantedQos(anon, '$SYS/#')).toBe(SUBACK_FAILURE);
    const dev = await connectDevice(h, h.devices.smoke);
    await dev.publishAsync(uplinkTopic('smoke', h.devices.smoke.id, 'telemetry'), '{"seq":2}', { qos: 1 });
    const other = await connectAs(h.url, { clientId: 'anon-pub' });
    await other.publishAsync('lobby/board', 'hello', { qos: 1 });
    await waitFor(() => got.some((m) => m.topic === 'lobby/board'), 5_000, 'non-device message');
    await sleep(100);
    expect(got.filter((m) => m.topic.startsWith('v1/'))).toEqual([]);
    const gone = closed(other);
    other.publish(uplinkTopic('smoke', h.devices.smoke.id, 'telemetry'), '{"forged":1}', { qos: 0 });
    await gone;
    await Promise.all([anon.endAsync(), dev.endAsync()]);
    other.end(true);
  });

  it('[MQTT-4.7.1-2] [MQTT-4.7.1-3] a malformed filter closes the connection (bare aedes accepts a+ and a#)', async () => {
    // mqtt.js will not send these, so raw packets
    for (const topic of ['a+', '+a', 'a#', 'a/#/b', 'a/\u0000']) {
      const raw = rawClient(h.port);
      raw.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30, clientId: 'anon-bad-filter' });
      expect(await raw.next('connack')).toMatchObject({ returnCode: 0 });
      raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 0 }] });
      expect(await raw.next('suback')).toBeNull();
      expect(raw.isClosed).toBe(true);
    }
  });

  it('the will is published on an unclean disconnect, reaching ingest and subscribers', async () => {
    const d = h.devices.bin;
    const status = uplinkTopic(d.kind, d.id, 'status');
    const c = await connectDevice(h, d, { will: { topic: status, payload: Buffer.from('{"online":false}'), qos: 1, retain: false } });
    expect(h.broker.connectedDeviceIds()).toContain(d.id);
    (c.stream as unknown as { destroy(): void }).destroy(); // no DISCONNECT packet
    await waitFor(() => h.received.some((m) => m.topic === status && m.payload.toString() === '{"online":false}'), 5_000, 'will at ingest');
    await waitFor(() => serviceInbox.some((m) => m.topic === status), 5_000, 'will at subscriber');
    await waitFor(() => !h.broker.connectedDeviceIds().includes(d.id), 5_000, 'device disconnected');
    c.end(true);
  });

  it('no will on a clean DISCONNECT [MQTT-3.14.4-3]', async () => {
    const d = h.devices.manhole;
    const status = uplinkTopic(d.kind, d.id, 'status');
    const c = await connectDevice(h, d, { will: { topic: status, payload: Buffer.from('{"will":1}'), qos: 1, retain: false } });
    await c.endAsync();
    await sleep(200);
    expect(h.received.some((m) => m.payload.toString() === '{"will":1}')).toBe(false);
  });

  it('a packet larger than maxPacketBytes closes the connection', async () => {
    const small = await startBroker({ maxPacketBytes: 1024 });
    const d = small.devices.smoke;
    const c = await connectDevice(small, d);
    await c.publishAsync(uplinkTopic(d.kind, d.id, 'telemetry'), 'x'.repeat(900), { qos: 1 });
    const gone = closed(c);
    c.publish(uplinkTopic(d.kind, d.id, 'telemetry'), 'x'.repeat(2000), { qos: 1 });
    await gone;
    expect(small.received.map((m) => m.payload.length)).toEqual([900]);
    c.end(true);
    await small.close();
  });
});
