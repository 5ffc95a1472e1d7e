import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodecRegistry, type CodecRegistry } from '@gridhub/codecs';
import { chirpstackUplink, ttsUplink } from '@gridhub/simulators';
import { serverAvailable, startMosquitto, tempDir, waitFor, type Mosquitto } from '@gridhub/testkit';
import { APP, DEFAULT_NETWORKS, networkDevices, TTS_DEVICE, writeNetworkFiles } from './network-site.ts';
import { getJson, testHub } from './support.ts';
import pino from 'pino';
import { HubError } from '@gridhub/core';
import { startBridge } from '../src/bridges.ts';

/**
 * The hub as a bridge client of a network server's broker: a real Mosquitto plays ChirpStack's
 * (and The Things Stack's) broker, this test plays the network server publishing to it.
 */
describe.skipIf(!serverAvailable('mosquitto'))('network-server bridges (hub subscribes to ChirpStack / TTS brokers)', () => {
  let broker: Mosquitto;
  let codecs: CodecRegistry;
  const dir = tempDir('hub-bridge');

  beforeAll(async () => {
    broker = await startMosquitto();
    codecs = await createCodecRegistry();
  });
  afterAll(async () => {
    await codecs?.close();
    await broker?.stop();
  });

  const config = async () => ({
    dataDir: dir,
    ...(await writeNetworkFiles(dir)),
    networks: {
      ...DEFAULT_NETWORKS,
      chirpstackMqttUrl: `mqtt://127.0.0.1:${broker.port}`,
      chirpstackApplications: [APP],
      ttsMqttUrl: `mqtt://127.0.0.1:${broker.port}`,
      ttsApplications: [`${TTS_DEVICE.app}@${TTS_DEVICE.tenant}`],
      bridgeClientId: 'gridhub-bridge-test',
    },
  });

  it("takes ChirpStack's events over QoS 1 with a persistent session: what ChirpStack published while the hub was down arrives after it is back", { timeout: 60_000 }, async () => {
    const d = networkDevices().find((x) => x.sample.model === 'dingtek-df703')!;
    const frame = codecs.encode(d.sample.model, d.sample.normal);
    const base = Date.now() - 600_000;
    const chirpstack = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'chirpstack-ns' });
    const publish = async (fCnt: number) => {
      const m = chirpstackUplink(APP, { devEui: d.devEui, fCnt, fPort: frame.fPort, bytes: frame.bytes, timeMs: base + fCnt * 1000 });
      await chirpstack.publishAsync(m.topic, m.payload, { qos: 1 });
    };
    let hub = await testHub(await config());
    await waitFor(() => hub.bridges.every((b) => b.stats().connected), 10_000, 'bridges connected');
    await new Promise((r) => setTimeout(r, 300)); // the SUBSCRIBE after CONNACK
    for (let i = 1; i <= 20; i++) await publish(i);
    await waitFor(async () => (await hub.store.countReadings({ deviceId: d.id })) === 20, 15_000, '20 bridged readings');
    await hub.close();

    // the hub is down: ChirpStack keeps publishing; the broker queues them for the bridge's session
    for (let i = 21; i <= 50; i++) await publish(i);
    hub = await testHub(await config());
    try {
      await waitFor(async () => (await hub.store.countReadings({ deviceId: d.id })) === 50, 20_000, 'the 30 queued while down, after the restart');
      expect(hub.bridges.find((b) => b.name === 'chirpstack')!.stats().failed).toBe(0);
      // and a redelivery of what was already taken is recognised
      await publish(10);
      await waitFor(() => hub.ingest.stats().network.duplicates >= 1, 5_000, 'duplicate recognised');
      expect(await hub.store.countReadings({ deviceId: d.id })).toBe(50);

      // The Things Stack: QoS 0 on its side
      const ttsFrame = codecs.encode('milesight-em310-udl', { battery: 80, distance: 900, position: 'normal' });
      const tts = ttsUplink(TTS_DEVICE.app, TTS_DEVICE.tenant, TTS_DEVICE.ttsId, { devEui: TTS_DEVICE.devEui, fCnt: 7, fPort: ttsFrame.fPort, bytes: ttsFrame.bytes, timeMs: base });
      await chirpstack.publishAsync(tts.topic, tts.payload, { qos: 0 });
      await waitFor(async () => (await hub.store.countReadings({ deviceId: TTS_DEVICE.id })) === 1, 10_000, 'the TTS uplink');
      const dev = (await getJson(hub, `/api/devices/${TTS_DEVICE.id}`)).body;
      await waitFor(async () => (await getJson(hub, `/api/devices/${TTS_DEVICE.id}`)).body.state?.radio?.network === 'tts', 5_000, 'radio from TTS');
      expect(dev.devEui).toBe(TTS_DEVICE.devEui);
    } finally {
      await chirpstack.endAsync();
      await hub.dispose();
    }
  });

  it('acknowledges to the remote broker only once ingest took the message: a refused spool (full disk) means no PUBACK, and the broker redelivers', { timeout: 30_000 }, async () => {
    let calls = 0;
    const taken: string[] = [];
    const ingest = {
      async handleIntegration(m: { topic: string }) {
        calls++;
        if (calls === 1) throw new HubError('HUB_ERR_SPOOL_FULL');
        taken.push(m.topic);
      },
    };
    const bridge = startBridge({ name: 'chirpstack', url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'bridge-ack-test', filters: [`application/${APP}/device/+/event/+`], qos: 1 }, ingest, pino({ level: 'silent' }));
    try {
      await waitFor(() => bridge.stats().connected, 10_000, 'bridge connected');
      await new Promise((r) => setTimeout(r, 300));
      const ns = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'chirpstack-ns-2' });
      const m = chirpstackUplink(APP, { devEui: 'a840410000000001', fCnt: 1, fPort: 3, bytes: new Uint8Array([1]), timeMs: Date.now() });
      await ns.publishAsync(m.topic, m.payload, { qos: 1 });
      await ns.endAsync();
      await waitFor(() => taken.length === 1, 15_000, 'the message redelivered after the refused first try');
      expect(calls).toBe(2);
      expect(bridge.stats()).toMatchObject({ received: 1, failed: 1 });
    } finally {
      await bridge.close();
    }
  });
});
