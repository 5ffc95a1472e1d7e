import { chirpstackEventTopic, ttsUplinkTopic } from '@gridhub/core';

/**
 * Network servers' and platforms' messages, shaped as each documents them, for simulators, tests
 * and benchmarks: ChirpStack v4's MQTT integration JSON, The Things Stack v3's uplink, CTWing's
 * HTTP push and OneNET's signed push. Pure builders.
 */
export interface RadioSample {
  gatewayId: string;
  rssi: number;
  snr: number;
}

export interface NetworkFrame {
  devEui: string;
  fCnt: number;
  fPort: number;
  bytes: Uint8Array;
  timeMs: number;
  /** A decoded object, when the network server runs the codec itself (ChirpStack `object`, TTS `decoded_payload`). */
  object?: Record<string, unknown>;
  deviceName?: string;
  radio?: RadioSample[];
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A UUID-shaped id from a seed (ChirpStack's deduplicationId is a UUID per uplink). */
export function uuidFrom(seed: string): string {
  let h = 0x811c9dc5;
  const out: string[] = [];
  for (let i = 0; i < 32; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i % seed.length) ^ i, 0x01000193) >>> 0;
    out.push((h & 0xf).toString(16));
  }
  const s = out.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20, 32)}`;
}

/** ChirpStack v4 `event/up` (json=true): zero/false fields left out, as ChirpStack does. */
export function chirpstackUplink(applicationId: string, f: NetworkFrame): { topic: string; payload: string } {
  const radio = f.radio ?? [{ gatewayId: '0016c001ff10a235', rssi: -97, snr: 7.5 }];
  const body: Record<string, unknown> = {
    deduplicationId: uuidFrom(`${f.devEui}:${f.fCnt}:${f.timeMs}`),
    time: new Date(f.timeMs).toISOString(),
    deviceInfo: {
      tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242',
      tenantName: 'GridHub',
      applicationId,
      applicationName: 'estate-sensors',
      deviceProfileId: 'a3b1b32c-7e0f-4b2c-9d3a-0e1f2a3b4c5d',
      deviceProfileName: 'class-a',
      deviceName: f.deviceName ?? f.devEui,
      devEui: f.devEui.toLowerCase(),
      tags: {},
    },
    devAddr: '00f3f7d2',
    adr: true,
    dr: 3,
    ...(f.fCnt ? { fCnt: f.fCnt } : {}),
    ...(f.fPort ? { fPort: f.fPort } : {}),
    ...(f.bytes.byteLength ? { data: b64(f.bytes) } : {}),
    ...(f.object ? { object: f.object } : {}),
    rxInfo: radio.map((r, i) => ({ gatewayId: r.gatewayId, uplinkId: 1000 + i, rssi: r.rssi, snr: r.snr, channel: 2, location: {}, context: 'AAAAAA==', metadata: {} })),
    txInfo: { frequency: 868_300_000, modulation: { lora: { bandwidth: 125_000, spreadingFactor: 9, codeRate: 'CR_4_5' } } },
  };
  return { topic: chirpstackEventTopic(applicationId, f.devEui, 'up'), payload: JSON.stringify(body) };
}

/** ChirpStack v4 `event/status`: the device's battery as the network server learned it (DevStatusReq). */
export function chirpstackStatus(applicationId: string, devEui: string, batteryLevel: number, timeMs: number): { topic: string; payload: string } {
  const body = {
    deduplicationId: uuidFrom(`status:${devEui}:${timeMs}`),
    time: new Date(timeMs).toISOString(),
    deviceInfo: { applicationId, devEui: devEui.toLowerCase(), deviceName: devEui, tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242' },
    margin: 9,
    batteryLevel,
  };
  return { topic: chirpstackEventTopic(applicationId, devEui, 'status'), payload: JSON.stringify(body) };
}

/** The Things Stack v3 uplink on `v3/{app}@{tenant}/devices/{id}/up`. */
export function ttsUplink(app: string, tenant: string, deviceId: string, f: NetworkFrame): { topic: string; payload: string } {
  const radio = f.radio ?? [{ gatewayId: 'eui-a84041ffff24a438', rssi: -42, snr: 5.8 }];
  const at = new Date(f.timeMs).toISOString();
  const body = {
    end_device_ids: { device_id: deviceId, application_ids: { application_id: app }, dev_eui: f.devEui.toUpperCase(), dev_addr: '260BE6BF' },
    correlation_ids: [`as:up:${uuidFrom(`${f.devEui}:${f.fCnt}`)}`],
    received_at: at,
    uplink_message: {
      ...(f.fPort ? { f_port: f.fPort } : {}),
      ...(f.fCnt ? { f_cnt: f.fCnt } : {}),
      ...(f.bytes.byteLength ? { frm_payload: b64(f.bytes) } : {}),
      ...(f.object ? { decoded_payload: f.object } : {}),
      rx_metadata: radio.map((r) => ({ gateway_ids: { gateway_id: r.gatewayId }, time: at, rssi: r.rssi, channel_rssi: r.rssi, snr: r.snr })),
      settings: { data_rate: { lora: { bandwidth: 125_000, spreading_factor: 7, coding_rate: '4/5' } }, frequency: '867500000' },
      received_at: at,
    },
  };
  return { topic: ttsUplinkTopic(app, tenant, deviceId, 'up'), payload: JSON.stringify(body) };
}

export interface CtwingDevice {
  deviceId: string;
  imei: string;
  productId: string;
  tenantId?: string;
}

/** CTWing (AEP) HTTP push `dataReport` of a pass-through device: its frame in `payload.APPdata`. */
export function ctwingDataReport(d: CtwingDevice, bytes: Uint8Array, upPacketSN: number, timeMs: number): string {
  return JSON.stringify({
    upPacketSN, upDataSN: -1, topic: 'v1/up/ad', timestamp: timeMs, tenantId: d.tenantId ?? '2000035051', serviceId: '', protocol: 'lwm2m',
    productId: d.productId, messageType: 'dataReport', deviceId: d.deviceId, IMEI: d.imei, IMSI: 'undefined', payload: { APPdata: b64(bytes) },
  });
}

/** CTWing `deviceOnlineOfflineReport` (eventType 1 online, 0 offline). */
export function ctwingOnlineOffline(d: CtwingDevice, online: boolean, timeMs: number): string {
  return JSON.stringify({ timestamp: timeMs, tenantId: d.tenantId ?? '2000035051', protocol: 'lwm2m', productId: d.productId, messageType: 'deviceOnlineOfflineReport', deviceId: d.deviceId, eventType: online ? 1 : 0, IMEI: d.imei });
}
