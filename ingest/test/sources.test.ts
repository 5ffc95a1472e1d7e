import { describe, expect, it } from 'vitest';
import { parseIntegrationTopic, type IntegrationTopic } from '@gridhub/core';
import { onenetSignature, parseChirpstack, parseCtwing, parseOnenet, parseTts } from '../src/index.ts';

const enc = (o: unknown) => new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o));
const RX = 1_764_600_000_000;

/** A ChirpStack v4 `up` event as its MQTT integration publishes it (integration.proto UplinkEvent, JSON). */
const csUp = {
  deduplicationId: '3f7f2b6e-9c1a-4b8e-a4e2-7d0d1c2b3a49',
  time: '2025-12-01T10:00:00.123Z',
  deviceInfo: { tenantId: 't', tenantName: 'GridHub', applicationId: 'app-1', applicationName: 'bins', deviceProfileName: 'df703', deviceName: 'bin-7', devEui: 'a84041000181c061', tags: {} },
  devAddr: '00f3f7d2', adr: true, dr: 3, fCnt: 41, fPort: 3, confirmed: false,
  data: 'gAABAREH0AAZAAAAAAABAIE=',
  rxInfo: [{ gatewayId: 'gw-a', uplinkId: 1, rssi: -110, snr: -3.5 }, { gatewayId: 'gw-b', uplinkId: 2, rssi: -97, snr: 7.5 }],
  txInfo: { frequency: 868300000, modulation: { lora: { bandwidth: 125000, spreadingFactor: 9, codeRate: 'CR_4_5' } } },
};
const csTopic = parseIntegrationTopic('application/app-1/device/A84041000181C061/event/up') as IntegrationTopic & { network: 'chirpstack' };

describe('integration topics', () => {
  it.each([
    ['application/app-1/device/a84041000181c061/event/up', { network: 'chirpstack', application: 'app-1', devEui: 'a84041000181c061', event: 'up' }],
    ['application/app-1/device/a84041000181c061/event/txack', { network: 'chirpstack', application: 'app-1', devEui: 'a84041000181c061', event: 'txack' }],
    ['application/app-1/device/not-an-eui/event/up', null],
    ['application/app-1/device/a84041000181c061/event/nope', null],
    ['application/+/device/a84041000181c061/event/up', null],
    ['v3/estate@ttn/devices/bin-3/up', { network: 'tts', application: 'estate@ttn', deviceId: 'bin-3', event: 'up' }],
    ['v3/estate@ttn/devices/bin-3/down/queued', { network: 'tts', application: 'estate@ttn', deviceId: 'bin-3', event: 'down/queued' }],
    ['v3/estate/devices/bin-3/up', null],
    ['v1/smoke/x/telemetry', null],
  ])('%s', (topic, want) => expect(parseIntegrationTopic(topic)).toEqual(want));
});

describe('ChirpStack v4 events', () => {
  it('an up event: DevEUI, fCnt as seq, time as ts, the frame, the best gateway, deduplicationId as key', () => {
    const r = parseChirpstack(csTopic, enc(csUp), RX, 'cs', 65536);
    expect(r).toMatchObject({
      uplink: {
        network: 'chirpstack', identity: { type: 'devEui', value: 'a84041000181c061' }, application: 'app-1', key: `cs:up:${csUp.deduplicationId}`,
        tsMs: Date.parse(csUp.time), seq: 41, rxMs: RX, content: { type: 'frame', frame: { fPort: 3 }, decoded: null },
        radio: { rssiDbm: -97, snrDb: 7.5, gatewayId: 'gw-b', gateways: 2, fCnt: 41, dataRate: 'SF9' }, detail: { deviceName: 'bin-7', applicationName: 'bins' },
      },
    });
    if ('uplink' in r && r.uplink.content.type === 'frame') expect(Buffer.from(r.uplink.content.frame.bytes).toString('hex')).toBe('800001011107d000190000000000010081');
  });
  it('uses object when ChirpStack decoded it; zero fCnt/fPort are absent (ChirpStack leaves them out)', () => {
    const { fCnt: _f, fPort: _p, ...rest } = csUp;
    const r = parseChirpstack(csTopic, enc({ ...rest, object: { level: 2000 } }), RX, 'cs', 65536);
    expect(r).toMatchObject({ uplink: { seq: 0, content: { type: 'frame', frame: { fPort: 0 }, decoded: { level: 2000 } } } });
  });
  it('status carries the battery, join is a status online, txack is ignored', () => {
    const st = parseIntegrationTopic('application/app-1/device/a84041000181c061/event/status') as IntegrationTopic & { network: 'chirpstack' };
    expect(parseChirpstack(st, enc({ deduplicationId: 'x', deviceInfo: csUp.deviceInfo, margin: 7, batteryLevel: 55.5 }), RX, 'cs', 65536)).toMatchObject({ uplink: { content: { type: 'seen', batteryPct: 55.5 } } });
    expect(parseChirpstack(st, enc({ deviceInfo: csUp.deviceInfo, externalPowerSource: true }), RX, 'cs', 65536)).toMatchObject({ uplink: { content: { type: 'seen' } } });
    const join = parseIntegrationTopic('application/app-1/device/a84041000181c061/event/join') as IntegrationTopic & { network: 'chirpstack' };
    expect(parseChirpstack(join, enc({ deduplicationId: 'j', deviceInfo: csUp.deviceInfo, devAddr: '01' }), RX, 'cs', 65536)).toMatchObject({ uplink: { content: { type: 'messages', messages: [{ channel: 'status', payload: { state: 'online' } }] } } });
    const txack = parseIntegrationTopic('application/app-1/device/a84041000181c061/event/txack') as IntegrationTopic & { network: 'chirpstack' };
    expect(parseChirpstack(txack, enc({}), RX, 'cs', 65536)).toEqual({ ignore: 'chirpstack/txack' });
  });
  it.each([
    ['not JSON', '{"deviceInfo":', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['no devEui', { ...csUp, deviceInfo: {} }, /devEui is missing/],
    ['another DevEUI than the topic', { ...csUp, deviceInfo: { ...csUp.deviceInfo, devEui: 'a84041000181c062' } }, /topic DevEUI/],
    ['another application than the topic', { ...csUp, deviceInfo: { ...csUp.deviceInfo, applicationId: 'app-2' } }, /topic application/],
    ['bad base64', { ...csUp, data: 'gAAB*' }, /data is not base64/],
    ['too large', { ...csUp, pad: 'x'.repeat(70_000) }, /exceed the limit/],
  ])('refuses %s with HUB_ERR_NETWORK_MESSAGE', (_what, body, reason) => {
    const r = parseChirpstack(csTopic, enc(body), RX, 'cs', 65536);
    expect(r).toMatchObject({ refuse: { code: 'HUB_ERR_NETWORK_MESSAGE' } });
    if ('refuse' in r) expect(r.refuse.message).toMatch(reason);
  });
});

describe('The Things Stack v3 uplink', () => {
  const topic = parseIntegrationTopic('v3/estate@ttn/devices/em310-3/up') as IntegrationTopic & { network: 'tts' };
  const body = {
    end_device_ids: { device_id: 'em310-3', application_ids: { application_id: 'estate' }, dev_eui: 'A8404194A1875FF3', dev_addr: '260BE6BF' },
    received_at: '2023-06-20T14:34:32.869542824Z',
    uplink_message: {
      f_port: 85, f_cnt: 12, frm_payload: 'AXVcA4JECAQAAQ==', decoded_payload: { battery: 92 },
      rx_metadata: [{ gateway_ids: { gateway_id: 'eui-a84041ffff24a438' }, rssi: -42, channel_rssi: -42, snr: 5.8 }],
      settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: 7 } } }, received_at: '2023-06-20T14:34:32.656299995Z',
    },
  };
  it('DevEUI (lowercased), f_cnt, the decoded payload, received_at as ts', () => {
    expect(parseTts(topic, enc(body), RX, 'tts', 65536)).toMatchObject({
      uplink: { network: 'tts', identity: { type: 'devEui', value: 'a8404194a1875ff3' }, application: 'estate@ttn', seq: 12, tsMs: Date.parse('2023-06-20T14:34:32.656Z'), content: { type: 'frame', frame: { fPort: 85 }, decoded: { battery: 92 } }, radio: { rssiDbm: -42, snrDb: 5.8, gatewayId: 'eui-a84041ffff24a438', dataRate: 'SF7' } },
    });
  });
  it('refuses a body whose device is not the topic\'s', () => {
    expect(parseTts(topic, enc({ ...body, end_device_ids: { ...body.end_device_ids, device_id: 'other' } }), RX, 'tts', 65536)).toMatchObject({ refuse: { code: 'HUB_ERR_NETWORK_MESSAGE' } });
  });
});

describe('CTWing push', () => {
  const report = { upPacketSN: 17, upDataSN: -1, topic: 'v1/up/ad', timestamp: 1_764_600_000_000, tenantId: '2000035051', serviceId: '', protocol: 'lwm2m', productId: '15127845', messageType: 'dataReport', deviceId: '15127845861234567890123', IMEI: '861234567890123', payload: { APPdata: 'gAABAhEGpAAWAQAAAAABAIE=' } };
  it('dataReport: IMEI then deviceId, upPacketSN as seq, APPdata as a frame with no port', () => {
    expect(parseCtwing(enc(report), RX, 65536, 'POST x')).toMatchObject({
      uplink: { network: 'ctwing', identity: { type: 'imei', value: '861234567890123' }, alternatives: [{ type: 'platformDeviceId', value: '15127845861234567890123' }], seq: 17, tsMs: report.timestamp, application: '15127845', content: { type: 'frame', frame: { fPort: null } } },
    });
  });
  it('a profile-decoded payload is mapped; online/offline is a status; -1 upPacketSN is seq 0; unknown types are ignored', () => {
    expect(parseCtwing(enc({ ...report, upPacketSN: -1, payload: { level: 300 } }), RX, 65536, 'x')).toMatchObject({ uplink: { seq: 0, content: { type: 'decoded', decoded: { level: 300 } } } });
    expect(parseCtwing(enc({ ...report, messageType: 'deviceOnlineOfflineReport', eventType: 0, payload: undefined }), RX, 65536, 'x')).toMatchObject({ uplink: { content: { type: 'messages', messages: [{ channel: 'status', payload: { state: 'offline' } }] } } });
    expect(parseCtwing(enc({ ...report, messageType: 'commandResponse' }), RX, 65536, 'x')).toEqual({ ignore: 'ctwing/commandResponse' });
    expect(parseCtwing(enc({ ...report, payload: { APPdata: '***' } }), RX, 65536, 'x')).toMatchObject({ refuse: { code: 'HUB_ERR_NETWORK_MESSAGE' } });
  });
});

describe('OneNET push', () => {
  const token = 'tok';
  const msg = '{"type":1,"dev_id":5213401,"ds_id":"frame","at":1764600000000,"value":"221e64001c40","imei":"861234567890555"}';
  const body = (m: string, sig: string) => enc(`{"msg":${m},"msg_signature":"${sig}","nonce":"n1"}`);
  it('checks Base64(MD5(token + nonce + msg)) over msg as sent, then parses the data point', () => {
    const { results } = parseOnenet(body(msg, onenetSignature(token, 'n1', msg)), RX, 65536, token, 'x');
    expect(results).toMatchObject([{ uplink: { network: 'onenet', identity: { type: 'imei', value: '861234567890555' }, tsMs: 1764600000000, content: { type: 'frame', frame: { fPort: null } } } }]);
  });
  it('a forged body or signature is HUB_ERR_SIGNATURE', () => {
    expect(() => parseOnenet(body(msg.replace('5213401', '5213402'), onenetSignature(token, 'n1', msg)), RX, 65536, token, 'x')).toThrow(expect.objectContaining({ code: 'HUB_ERR_SIGNATURE' }));
    expect(() => parseOnenet(body(msg, onenetSignature('other', 'n1', msg)), RX, 65536, token, 'x')).toThrow(expect.objectContaining({ code: 'HUB_ERR_SIGNATURE' }));
    expect(() => parseOnenet(enc({ msg: {} }), RX, 65536, token, 'x')).toThrow(expect.objectContaining({ code: 'HUB_ERR_NETWORK_MESSAGE' }));
  });
});
