import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uplinkTopic } from '@gridhub/core';
import { waitFor } from '@gridhub/testkit';
import { deferred, rawClient, sleep, startBareAedes, startBroker, type Harness } from './support/harness.ts';

/**
 * Zero loss hinges on this: a QoS 1 PUBLISH is PUBACKed only after onDeviceMessage resolved.
 */
describe('QoS 1 PUBACK is gated by onDeviceMessage', () => {
  let h: Harness;
  const pending: { topic: string; release: ReturnType<typeof deferred<void>> }[] = [];
  beforeAll(async () => {
    h = await startBroker({
      onDeviceMessage: (msg) => {
        const release = deferred<void>();
        pending.push({ topic: msg.topic, release });
        return release.promise;
      },
    });
  });
  afterAll(() => h.close());

  const login = async () => {
    const d = h.devices.smoke;
    const raw = rawClient(h.port);
    raw.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30, clientId: d.id, username: d.id, password: Buffer.from(d.secret) });
    expect(await raw.next('connack')).toMatchObject({ returnCode: 0 });
    return { raw, topic: uplinkTopic(d.kind, d.id, 'telemetry') };
  };

  it('no PUBACK while onDeviceMessage is pending; PUBACK once it resolves', async () => {
    const { raw, topic } = await login();
    raw.send({ cmd: 'publish', topic, payload: Buffer.from('{"seq":1}'), qos: 1, messageId: 7 });
    await waitFor(() => pending.length === 1, 5_000, 'onDeviceMessage called');
    await sleep(300); // time for a premature PUBACK to arrive, were one sent
    expect(raw.packets.filter((p) => p.cmd === 'puback')).toEqual([]);
    pending[0]!.release.resolve();
    expect(await raw.next('puback')).toMatchObject({ cmd: 'puback', messageId: 7 });
    raw.destroy();
    pending.length = 0;
  });

  it('when onDeviceMessage rejects: no PUBACK, the connection is closed (the device redelivers)', async () => {
    const { raw, topic } = await login();
    raw.send({ cmd: 'publish', topic, payload: Buffer.from('{"seq":2}'), qos: 1, messageId: 8 });
    await waitFor(() => pending.length === 1, 5_000, 'onDeviceMessage called');
    pending[0]!.release.reject(new Error('spool full'));
    expect(await raw.next('puback')).toBeNull();
    expect(raw.isClosed).toBe(true);
    expect(h.broker.stats().shed.ingest_failed).toBe(1);
    pending.length = 0;
  });

  it('premise: in bare aedes 1.2 a slow `published` hook does NOT delay the PUBACK', async () => {
    const hold = deferred();
    let publishedCalled = false;
    const bare = await startBareAedes({
      published: (_packet, client, done) => {
        if (!client) return done();
        publishedCalled = true;
        hold.promise.then(() => done());
      },
    });
    const raw = rawClient(bare.port);
    raw.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30, clientId: 'premise' });
    await raw.next('connack');
    raw.send({ cmd: 'publish', topic: 'a/b', payload: Buffer.from('x'), qos: 1, messageId: 3 });
    expect(await raw.next('puback')).toMatchObject({ messageId: 3 });
    expect(publishedCalled).toBe(true);
    hold.resolve();
    raw.destroy();
    await bare.close();
  });
});
