import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uplinkTopic } from '@gridhub/core';
import { closed, connackCode, connectDevice, rawClient, startBareAedes, startBroker, type Harness } from './support/harness.ts';

// CONNACK return codes, MQTT 3.1.1 table 3.1
const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

describe('authenticate', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startBroker();
  });
  afterAll(() => h.close());

  it('accepts a device with its secret and reports it connected', async () => {
    const c = await connectDevice(h, h.devices.smoke);
    expect(h.broker.connectedDeviceIds()).toContain(h.devices.smoke.id);
    await c.endAsync();
  });

  it('refuses a wrong secret with 0x04 and counts it', async () => {
    const before = h.broker.stats().authFailures;
    const d = h.devices.smoke;
    expect(await connackCode(h.url, { clientId: d.id, username: d.id, password: 'not-the-secret' })).toBe(BAD_USERNAME_OR_PASSWORD);
    expect(h.broker.stats().authFailures).toBe(before + 1);
    expect(h.broker.connectedDeviceIds()).not.toContain(d.id);
  });

  it('refuses an unknown device with 0x04', async () => {
    expect(await connackCode(h.url, { clientId: 'ghost-9', username: 'ghost-9', password: 'x' })).toBe(BAD_USERNAME_OR_PASSWORD);
  });

  it('[MQTT-3.1.3-9] refuses a device whose client id is not its device id with 0x02', async () => {
    const d = h.devices.bin;
    expect(await connackCode(h.url, { clientId: 'someone-else', username: d.id, password: d.secret })).toBe(IDENTIFIER_REJECTED);
  });

  it('refuses anonymous clients when not allowed, with 0x05', async () => {
    expect(await connackCode(h.url, { clientId: 'anon-1' })).toBe(NOT_AUTHORIZED);
  });

  it('refuses a device whose will is not its own status topic, with 0x05', async () => {
    const d = h.devices.smoke;
    const will = { topic: uplinkTopic('bin', h.devices.bin.id, 'status'), payload: Buffer.from('{}'), qos: 1 as const, retain: false };
    expect(await connackCode(h.url, { clientId: d.id, username: d.id, password: d.secret, will })).toBe(NOT_AUTHORIZED);
  });

  it('service and operator accounts log in with their passwords, not with a wrong one', async () => {
    const { service, operator } = h.users;
    expect(await connackCode(h.url, { clientId: 'svc-1', username: service.username, password: service.password })).toBe(0);
    expect(await connackCode(h.url, { clientId: 'op-1', username: operator.username, password: operator.password })).toBe(0);
    expect(await connackCode(h.url, { clientId: 'op-2', username: operator.username, password: service.password })).toBe(BAD_USERNAME_OR_PASSWORD);
  });

  it('a reconnect storm verifies each secret from the cache, not with scrypt', async () => {
    const d = h.devices.manhole;
    const c = await connectDevice(h, d);
    await c.endAsync();
    const hits = h.broker.stats().authCacheHits;
    for (let i = 0; i < 5; i++) expect(await connackCode(h.url, { clientId: d.id, username: d.id, password: d.secret })).toBe(0);
    expect(h.broker.stats().authCacheHits).toBe(hits + 5);
    // a wrong secret is never answered from the cache
    expect(await connackCode(h.url, { clientId: d.id, username: d.id, password: d.secret + 'x' })).toBe(BAD_USERNAME_OR_PASSWORD);
    expect(h.broker.stats().authCacheHits).toBe(hits + 5);
    // invalidated: the next login runs scrypt again
    h.broker.invalidateDevice(d.id);
    expect(await connackCode(h.url, { clientId: d.id, username: d.id, password: d.secret })).toBe(0);
    expect(h.broker.stats().authCacheHits).toBe(hits + 5);
  });

  it('a second connection with the same device id takes over the first [MQTT-3.1.4-2]', async () => {
    const d = h.devices.bin;
    const first = await connectDevice(h, d);
    const gone = closed(first);
    const second = await connectDevice(h, d);
    await gone;
    expect(h.broker.connectedDeviceIds().filter((id) => id === d.id)).toHaveLength(1);
    await second.endAsync();
    first.end(true);
  });
});

describe('client id conformance', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startBroker({ allowAnonymous: true });
  });
  afterAll(() => h.close());

  const connect = (clientId: string, clean: boolean) => ({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean, keepalive: 30, clientId });
  // CONNECT, MQTT 3.1.1, flags 0x00 (clean session 0), keepalive 30, zero-length client id:
  // hand-built because mqtt-packet refuses to generate it
  const emptyIdUnclean = Buffer.from([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x00, 0, 30, 0, 0]);

  it('[MQTT-3.1.3-8] a zero-length client id with clean session 0 gets CONNACK 0x02 and is closed', async () => {
    const raw = rawClient(h.port);
    raw.sendRaw(emptyIdUnclean);
    const connack = await raw.next('connack');
    expect(connack).toMatchObject({ cmd: 'connack', returnCode: IDENTIFIER_REJECTED });
    await raw.closed;
    expect(raw.isClosed).toBe(true);
  });

  it('[MQTT-3.1.3-8] premise: bare aedes 1.2 accepts that CONNECT (so the check above is ours)', async () => {
    const bare = await startBareAedes();
    const raw = rawClient(bare.port);
    raw.sendRaw(emptyIdUnclean);
    expect(await raw.next('connack')).toMatchObject({ returnCode: 0 });
    raw.destroy();
    await bare.close();
  });

  it('[MQTT-3.1.3-6] a zero-length client id with clean session 1 is accepted', async () => {
    const raw = rawClient(h.port);
    raw.send(connect('', true));
    expect(await raw.next('connack')).toMatchObject({ returnCode: 0 });
    raw.destroy();
  });
});
