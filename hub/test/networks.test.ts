import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { chirpstackEventTopic } from '@gridhub/core';
import { createCodecRegistry, type CodecRegistry } from '@gridhub/codecs';
import { chirpstackStatus, chirpstackUplink, ctwingDataReport, ctwingOnlineOffline, onenetDataPoint, onenetSign } from '@gridhub/simulators';
import { serverAvailable, startInfluxd, stopInfluxdAndClean, tempDir, waitFor, type Influxd } from '@gridhub/testkit';
import { api, connect, getJson, testHub } from './support.ts';
import { APP, CAMERA_SECRET, CTWING_DEVICE, CTWING_TOKEN, DEFAULT_NETWORKS, FOREIGN, networkDevices, ONENET_DEVICE, ONENET_TOKEN, OTHER_APP, SERVICE, writeNetworkFiles } from './network-site.ts';

/**
 * Real devices through network servers and platforms into the one spool (issue 13), against a real
 * influxd: ChirpStack v4 publishing its MQTT integration JSON to the hub's broker with a service
 * account, CTWing's and OneNET's HTTP pushes (the platforms are played by this test, sending what
 * they document), and a camera box. Each built-in model's alarm frame becomes a reading tagged with
 * the device's place and opens its ticket.
 */
describe.skipIf(!serverAvailable('influxd'))('network servers and platforms -> the spool -> InfluxDB and tickets', () => {
  let influx: Influxd;
  let hub: Awaited<ReturnType<typeof testHub>>;
  let codecs: CodecRegistry;
  let cs: MqttClient;
  const t0 = Date.now() - 60_000;

  beforeAll(async () => {
    influx = await startInfluxd('gridhub');
    const dir = tempDir('hub-net');
    const files = await writeNetworkFiles(dir);
    hub = await testHub({
      dataDir: dir,
      ...files,
      influx: { url: influx.url, api: 'v1', bucket: influx.db, org: null, token: null },
      networks: { ...DEFAULT_NETWORKS, ctwingPushToken: CTWING_TOKEN, onenetToken: ONENET_TOKEN },
    });
    codecs = await createCodecRegistry();
    cs = await connect(hub.mqttUrl, { clientId: 'chirpstack-integration', username: SERVICE.username, password: SERVICE.password });
  }, 60_000);
  afterAll(async () => {
    await cs?.endAsync(true);
    await codecs?.close();
    await hub?.dispose();
    if (influx) await stopInfluxdAndClean(influx);
  });

  const stored = (measurement: string, device: string) => influx.count(`SELECT count("seq") FROM "${measurement}" WHERE "device" = '${device}'`);
  const openTickets = async (device: string) => ((await getJson(hub, `/api/tickets?device=${device}&open=true`)).body.items as { ruleId: string }[]).map((t) => t.ruleId);

  it('a ChirpStack uplink of every built-in model, as ChirpStack publishes it, is a reading tagged with its place, and its alarm opens its ticket', { timeout: 60_000 }, async () => {
    const devices = networkDevices();
    for (const [i, d] of devices.entries()) {
      const frame = codecs.encode(d.sample.model, d.sample.alarm);
      const up = chirpstackUplink(APP, { devEui: d.devEui, fCnt: 10 + i, fPort: frame.fPort, bytes: frame.bytes, timeMs: t0 + i * 1000, deviceName: d.id });
      await cs.publishAsync(up.topic, up.payload, { qos: 1 }); // resolves on PUBACK: spooled
    }
    for (const d of devices) {
      await waitFor(async () => (await stored('telemetry', d.id)) === 1, 20_000, `${d.id}: its reading in InfluxDB`);
      const series = (await influx.query(`SELECT * FROM "telemetry" WHERE "device" = '${d.id}'`)).results[0].series[0];
      const row = Object.fromEntries((series.columns as string[]).map((c, k) => [c, series.values[0][k]]));
      expect(row, d.id).toMatchObject({ grid: 'g-net', estate: 'e-net', community: 'c-net', street: 'st-net', kind: d.sample.kind });
      expect(row.seq, `${d.id}: seq is ChirpStack's fCnt`).toBe(10 + devices.indexOf(d));
    }
    for (const d of devices) await waitFor(async () => (await openTickets(d.id)).includes(d.sample.rule), 15_000, `${d.id}: a ${d.sample.rule} ticket`);
    // radio health kept per device, on its page
    const dev = (await getJson(hub, `/api/devices/${devices[0]!.id}`)).body;
    expect(dev.model).toBe(devices[0]!.sample.model);
    await waitFor(async () => (await getJson(hub, `/api/devices/${devices[0]!.id}`)).body.state?.radio !== null, 5_000, 'radio health in the device state');
    expect((await getJson(hub, `/api/devices/${devices[0]!.id}`)).body.state.radio).toMatchObject({ rssiDbm: -97, snrDb: 7.5, gatewayId: '0016c001ff10a235', gateways: 1, fCnt: 10, dataRate: 'SF9', network: 'chirpstack' });
  });

  it("uses ChirpStack's decoded object when the device profile has a codec, and takes the battery from a status event", { timeout: 30_000 }, async () => {
    const d = networkDevices().find((x) => x.sample.model === 'milesight-gs524n')!;
    // garbage bytes: only the object can make this a reading
    const up = chirpstackUplink(APP, { devEui: d.devEui, fCnt: 200, fPort: 1, bytes: new Uint8Array([0xff]), timeMs: t0 + 200_000, object: { battery: 77, concentration: 0, temperature: 23, event: 'normal' } });
    await cs.publishAsync(up.topic, up.payload, { qos: 1 });
    await waitFor(async () => (await stored('telemetry', d.id)) === 2, 15_000, 'the object-decoded reading');
    const st = chirpstackStatus(APP, d.devEui, 64, t0 + 201_000);
    await cs.publishAsync(st.topic, st.payload, { qos: 1 });
    await waitFor(async () => (await getJson(hub, `/api/devices/${d.id}`)).body.state?.batteryPct === 64, 5_000, 'battery from the status event');
  });

  it('a redelivered ChirpStack uplink (same deduplicationId) is acknowledged and stored once', { timeout: 30_000 }, async () => {
    const d = networkDevices().find((x) => x.sample.model === 'dingtek-df703')!;
    const frame = codecs.encode(d.sample.model, d.sample.normal);
    const up = chirpstackUplink(APP, { devEui: d.devEui, fCnt: 300, fPort: frame.fPort, bytes: frame.bytes, timeMs: t0 + 300_000 });
    const before = hub.ingest.stats().network.duplicates;
    await Promise.all([cs.publishAsync(up.topic, up.payload, { qos: 1 }), cs.publishAsync(up.topic, up.payload, { qos: 1 })]);
    await cs.publishAsync(up.topic, up.payload, { qos: 1 });
    await waitFor(async () => (await influx.count(`SELECT count("seq") FROM "telemetry" WHERE "device" = '${d.id}' AND "seq" = 300`)) === 1, 15_000, 'stored');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await influx.count(`SELECT count("seq") FROM "telemetry" WHERE "device" = '${d.id}' AND "seq" = 300`)).toBe(1);
    expect(hub.ingest.stats().network.duplicates - before).toBe(2);
  });

  it('an unknown DevEUI is refused with a coded reason, recorded, and listed unclaimed for an admin', { timeout: 30_000 }, async () => {
    const up = chirpstackUplink(APP, { devEui: 'a84041000000abcd', fCnt: 1, fPort: 3, bytes: new Uint8Array([0x80, 0x00]), timeMs: t0, deviceName: 'bin-new-7' });
    await cs.publishAsync(up.topic, up.payload, { qos: 1 });
    await waitFor(async () => (await getJson(hub, '/api/devices/unclaimed')).body.items.some((u: { identity: string }) => u.identity === 'a84041000000abcd'), 5_000, 'listed unclaimed');
    const item = (await getJson(hub, '/api/devices/unclaimed')).body.items.find((u: { identity: string }) => u.identity === 'a84041000000abcd');
    expect(item).toMatchObject({ network: 'chirpstack', identityType: 'devEui', count: 1, detail: { deviceName: 'bin-new-7' } });
    // The refusal record is written in its own batch, apart from the unclaimed list: wait for it too.
    await waitFor(async () => (await getJson(hub, '/api/refusals?code=HUB_ERR_UNCLAIMED_DEVICE')).body.items.some((r: { topic: string }) => r.topic === up.topic), 5_000, 'the refusal recorded');
    // a warden may not see the list
    const warden = await api(hub, 'GET', '/api/devices/unclaimed', { token: null });
    expect(warden.status).toBe(401);
  });

  it('an unclaimed device is claimed through the admin API: added with its DevEUI, it leaves the unclaimed list and its next uplink is its reading', { timeout: 30_000 }, async () => {
    const devEui = 'a84041000000abcd'; // listed unclaimed by the test above
    const sample = networkDevices().find((d) => d.sample.kind === 'bin')!.sample;
    expect((await getJson(hub, '/api/devices/unclaimed')).body.items.some((u: { identity: string }) => u.identity === devEui)).toBe(true);
    const node = { id: 'bin-claimed-7', kind: 'bin', position: { x: 80, y: 20 }, bin_depth_mm: 1500, model: sample.model, dev_eui: devEui.toUpperCase(), network_app: APP, ...(sample.params ? { params: sample.params } : {}) };
    const claim = await api(hub, 'POST', '/api/admin/site/ops?apply=true', { body: { ops: [{ op: 'add', level: 'device', parent: 'e-net', node }] } });
    expect(claim.status, JSON.stringify(claim.body)).toBe(200);
    expect(claim.body.changes).toEqual([{ level: 'device', id: 'bin-claimed-7', change: 'added' }]);
    expect((await getJson(hub, '/api/devices/unclaimed')).body.items.some((u: { identity: string }) => u.identity === devEui)).toBe(false);
    const frame = codecs.encode(sample.model, sample.alarm);
    const up = chirpstackUplink(APP, { devEui, fCnt: 2, fPort: frame.fPort, bytes: frame.bytes, timeMs: Date.now(), deviceName: 'bin-new-7' });
    await cs.publishAsync(up.topic, up.payload, { qos: 1 });
    await waitFor(async () => (await stored('telemetry', 'bin-claimed-7')) === 1, 20_000, 'the claimed device reading in InfluxDB');
  });

  it('a service account never feeds another application: not on its topic, not for its devices; nor publishes anywhere it would not be ingested', { timeout: 30_000 }, async () => {
    // topic of an application it is not bound to: refused (disconnected, no PUBACK)
    const other = await connect(hub.mqttUrl, { clientId: 'cs-other', username: SERVICE.username, password: SERVICE.password });
    const closed = new Promise<void>((r) => other.once('close', () => r()));
    const up = chirpstackUplink(OTHER_APP, { devEui: FOREIGN.devEui, fCnt: 5, fPort: 3, bytes: new Uint8Array(8), timeMs: t0 });
    other.publish(up.topic, up.payload, { qos: 1 });
    await closed;
    other.end(true);
    // its own application's topic carrying another application's device: refused, recorded
    const frame = codecs.encode('dingtek-df703', { level: 500, temperature: 20 });
    const forged = chirpstackUplink(APP, { devEui: FOREIGN.devEui, fCnt: 6, fPort: frame.fPort, bytes: frame.bytes, timeMs: t0 });
    const body = JSON.parse(forged.payload);
    body.deviceInfo.applicationId = APP;
    await cs.publishAsync(chirpstackEventTopic(APP, FOREIGN.devEui, 'up'), JSON.stringify(body), { qos: 1 });
    await waitFor(async () => (await getJson(hub, `/api/devices/${FOREIGN.id}/refusals`)).body.items.some((r: { code: string }) => r.code === 'HUB_ERR_NETWORK_MISMATCH'), 5_000, 'refusal recorded');
    expect(await stored('telemetry', FOREIGN.id)).toBe(0);
    // the silent loss that was: a service account's publish on a non-device topic is now refused, not PUBACKed into nothing
    const svc = await connect(hub.mqttUrl, { clientId: 'cs-lobby', username: SERVICE.username, password: SERVICE.password });
    const gone = new Promise<void>((r) => svc.once('close', () => r()));
    let acked = false;
    svc.publish('lobby/board', '{"fire":true}', { qos: 1 }, (err) => {
      if (!err) acked = true;
    });
    await gone;
    svc.end(true);
    expect(acked).toBe(false);
    expect(hub.broker.stats().denied.publish).toBeGreaterThanOrEqual(2);
  });

  it('rejects malformed and oversized ChirpStack JSON with a coded reason, keeps the connection, loses nothing else', { timeout: 30_000 }, async () => {
    const d = networkDevices()[0]!;
    const topic = chirpstackEventTopic(APP, d.devEui, 'up');
    await cs.publishAsync(topic, '{"deviceInfo": {"devEui": ', { qos: 1 });
    await cs.publishAsync(topic, JSON.stringify({ deviceInfo: { devEui: d.devEui }, data: 'not base64!!', fCnt: 1 }), { qos: 1 });
    await cs.publishAsync(topic, JSON.stringify({ deviceInfo: { devEui: 'a840410000000099' }, fCnt: 1 }), { qos: 1 });
    await cs.publishAsync(topic, JSON.stringify({ deviceInfo: { devEui: d.devEui }, pad: 'x'.repeat(100_000) }), { qos: 1 });
    await waitFor(async () => (await getJson(hub, '/api/refusals?code=HUB_ERR_NETWORK_MESSAGE')).body.total >= 4, 5_000, 'four refusals');
    const reasons = (await getJson(hub, '/api/refusals?code=HUB_ERR_NETWORK_MESSAGE')).body.items.map((r: { reason: string }) => r.reason).join('\n');
    expect(reasons).toMatch(/not JSON/);
    expect(reasons).toMatch(/data is not base64/);
    expect(reasons).toMatch(/topic DevEUI .* is not the body's/);
    expect(reasons).toMatch(/exceed the limit/);
    expect(cs.connected).toBe(true);
  });

  it('CTWing: a dataReport becomes a reading, a retried push is stored once, online/offline is a status; an unknown IMEI is unclaimed; a wrong URL token is 404', { timeout: 30_000 }, async () => {
    const frame = codecs.encode('dingtek-dc410', { level: 300, full: true, temperature: 21, angle: 0 });
    const report = ctwingDataReport(CTWING_DEVICE, frame.bytes, 17, t0 + 5000);
    const post = (body: string, token = CTWING_TOKEN) => hub.app.inject({ method: 'POST', url: `/api/ingest/ctwing/${token}`, payload: body, headers: { 'content-type': 'application/json' } });
    const first = await post(report);
    expect(first.statusCode).toBe(200);
    expect(first.json(), first.body).toMatchObject({ status: "spooled", readings: 2 });
    expect((await post(report)).json()).toMatchObject({ status: 'duplicate' });
    await waitFor(async () => (await stored('telemetry', CTWING_DEVICE.id)) === 1 && (await stored('event', CTWING_DEVICE.id)) === 1, 15_000, 'CTWing reading and event');
    await waitFor(async () => (await openTickets(CTWING_DEVICE.id)).includes('manhole.water'), 10_000, 'manhole.water ticket');
    expect((await post(ctwingOnlineOffline(CTWING_DEVICE, false, t0 + 6000))).json()).toMatchObject({ status: 'spooled', readings: 1 });
    await waitFor(async () => (await getJson(hub, `/api/devices/${CTWING_DEVICE.id}`)).body.state?.connected === false, 5_000, 'offline from the platform');
    const unknown = await post(ctwingDataReport({ ...CTWING_DEVICE, imei: '869999999999999', deviceId: 'ctw-unknown' }, frame.bytes, 1, t0));
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toMatchObject({ status: 'refused', code: 'HUB_ERR_UNCLAIMED_DEVICE' });
    await waitFor(async () => (await getJson(hub, '/api/devices/unclaimed')).body.items.some((u: { identity: string }) => u.identity === '869999999999999'), 5_000, 'unclaimed IMEI');
    expect((await post(report, 'wrong-token-0123456789')).statusCode).toBe(404);
    const bad = await post('{"messageType": "dataReport", "deviceId": "x", "IMEI": "861234567890123", "payload": {"APPdata": "%%%"}}');
    expect(bad.json()).toMatchObject({ status: 'refused', code: 'HUB_ERR_NETWORK_MESSAGE' });
    // oversized: past the network message limit refused and recorded; past the body limit, 413 before it is read
    const big = await post(JSON.stringify({ ...JSON.parse(report), pad: 'x'.repeat(80_000) }));
    expect(big.json()).toMatchObject({ status: 'refused', code: 'HUB_ERR_NETWORK_MESSAGE' });
    expect((await post(`{"pad": "${'x'.repeat(1_100_000)}"}`)).statusCode).toBe(413);
    expect((await post('not json at all')).json()).toMatchObject({ status: 'refused', code: 'HUB_ERR_NETWORK_MESSAGE' });
  });

  it('OneNET: URL verification echoes msg only for the right signature; a signed data point is a reading; a forged one is 401 and records nothing', { timeout: 30_000 }, async () => {
    const verify = (sig: string) => hub.app.inject({ method: 'GET', url: `/api/ingest/onenet?msg=hello123&nonce=n0nce&signature=${encodeURIComponent(sig)}` });
    const ok = await verify(onenetSign(ONENET_TOKEN, 'n0nce', 'hello123'));
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('hello123');
    expect((await verify(onenetSign('wrong-token', 'n0nce', 'hello123'))).statusCode).toBe(401);
    const frame = codecs.encode('milesight-gs524n', { battery: 90, concentration: 20, temperature: 35, event: 'alarm' });
    const push = onenetDataPoint(ONENET_TOKEN, { devId: ONENET_DEVICE.devId, imei: ONENET_DEVICE.imei, dsId: 'frame', atMs: t0 + 7000, value: Buffer.from(frame.bytes).toString('hex') });
    const post = (body: string) => hub.app.inject({ method: 'POST', url: '/api/ingest/onenet', payload: body, headers: { 'content-type': 'application/json' } });
    const res = await post(push);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ results: [{ status: 'spooled', readings: 2, refused: [] }] });
    await waitFor(async () => (await openTickets(ONENET_DEVICE.id)).includes('smoke.alarm'), 15_000, 'smoke.alarm from OneNET');
    const before = hub.ingest.stats().handled;
    const forged = push.replace('"at":', '"forged":1,"at":');
    expect((await post(forged)).statusCode).toBe(401);
    expect((await post(onenetDataPoint('not-the-token', { devId: ONENET_DEVICE.devId, dsId: 'frame', atMs: t0, value: '00' }))).statusCode).toBe(401);
    expect(hub.ingest.stats().handled).toBe(before);
  });

  it("a camera box posts e-bike detections with its own device secret; another device's secret is refused", { timeout: 30_000 }, async () => {
    const detection = { ts: t0 + 9000, seq: 41, event: 'ebike_detected', confidence: 0.95, floor: 1, door_held: true };
    const post = (id: string, secret: string, body: unknown) =>
      hub.app.inject({ method: 'POST', url: `/api/ingest/camera/${id}/event`, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` } });
    expect((await post('cam-b1-e2', CAMERA_SECRET, detection)).statusCode).toBe(401); // cam-b1-e1's secret for cam-b1-e2
    expect((await post('cam-b1-e1', 'wrong', detection)).statusCode).toBe(401);
    expect((await post('cam-nope', CAMERA_SECRET, detection)).statusCode).toBe(401);
    const ok = await post('cam-b1-e1', CAMERA_SECRET, detection);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'spooled', readings: 1 });
    expect((await post('cam-b1-e1', CAMERA_SECRET, detection)).json()).toMatchObject({ status: 'duplicate' });
    const bad = await post('cam-b1-e1', CAMERA_SECRET, { ...detection, seq: 42, confidence: 7 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ status: 'refused', code: 'HUB_ERR_PAYLOAD_SCHEMA' });
    await waitFor(async () => (await openTickets('cam-b1-e1')).includes('ebike.detected'), 15_000, 'ebike.detected ticket');
    expect(await stored('event', 'cam-b1-e2')).toBe(0);
  });
});
