import type { IntegrationTopic } from '@gridhub/core';
import type { SourceResult, UplinkContent } from '../network/uplink.ts';
import { base64Bytes, bestGateway, counter, isObject, malformed, num, parseNetworkJson, str, timeMs, type Json } from './common.ts';

/**
 * ChirpStack v4 MQTT integration (JSON, `json=true`), one event per message on
 * `application/{applicationId}/device/{devEui}/event/{event}`:
 * - `up`: `deduplicationId`, `time`, `deviceInfo{applicationId, devEui, deviceName, ...}`, `fCnt`,
 *   `fPort`, `data` (base64), `object` (only when the device profile has a codec), `rxInfo[{gatewayId,
 *   rssi, snr}]`, `txInfo{modulation{lora{spreadingFactor}}}`; zero and false fields are left out;
 * - `status`: `batteryLevel` (%), `batteryLevelUnavailable`, `externalPowerSource`, `margin`;
 * - `join`: `devAddr` — the device (re)joined: a status `online`;
 * - `ack`, `txack`, `log`, `location`, `integration`: no reading (ignored, counted).
 * The topic's DevEUI and application must be the body's. Pure.
 */
export function parseChirpstack(topic: IntegrationTopic & { network: 'chirpstack' }, raw: Uint8Array, rxMs: number, clientId: string, maxBytes: number): SourceResult {
  if (topic.event !== 'up' && topic.event !== 'status' && topic.event !== 'join') return { ignore: `chirpstack/${topic.event}` };
  let body: Json;
  try {
    body = parseNetworkJson('ChirpStack', raw, maxBytes);
  } catch (err) {
    return { refuse: err as never };
  }
  const info = isObject(body.deviceInfo) ? body.deviceInfo : null;
  const devEui = str(info?.devEui)?.toLowerCase();
  if (!info || !devEui) return { refuse: malformed('ChirpStack', 'deviceInfo.devEui is missing') };
  if (devEui !== topic.devEui) return { refuse: malformed('ChirpStack', `topic DevEUI ${topic.devEui} is not the body's ${devEui}`) };
  const appId = str(info.applicationId);
  if (appId !== undefined && appId !== topic.application) {
    return { refuse: malformed('ChirpStack', `topic application ${topic.application} is not the body's ${appId}`) };
  }
  const dedup = str(body.deduplicationId);
  const fCnt = counter(body.fCnt);
  const rxInfo = Array.isArray(body.rxInfo) ? body.rxInfo.filter(isObject) : [];
  const gw = bestGateway(rxInfo.map((r) => ({ gatewayId: str(r.gatewayId) ?? null, rssi: num(r.rssi), snr: num(r.snr) })));
  // the network's time, so a redelivery carries the same ts; a gateway's or the server's as fallbacks
  const tsMs = timeMs(body.time) ?? timeMs(rxInfo[0]?.nsTime) ?? timeMs(rxInfo[0]?.gwTime) ?? rxMs;
  const lora = isObject(body.txInfo) && isObject(body.txInfo.modulation) && isObject(body.txInfo.modulation.lora) ? body.txInfo.modulation.lora : null;
  const sf = num(lora?.spreadingFactor);

  let content: UplinkContent;
  try {
    content = contentOf(topic.event, body);
  } catch (err) {
    return { refuse: err as never };
  }
  const detail: Record<string, string> = {};
  for (const k of ['deviceName', 'applicationName', 'deviceProfileName', 'tenantName'] as const) {
    const v = str(info[k]);
    if (v) detail[k] = v.slice(0, 100);
  }
  return {
    uplink: {
      network: 'chirpstack',
      identity: { type: 'devEui', value: devEui },
      application: topic.application,
      origin: `application/${topic.application}/device/${devEui}/event/${topic.event}`,
      clientId,
      key: dedup ? `cs:${topic.event}:${dedup}` : topic.event === 'up' ? `cs:up:${fCnt}:${tsMs}` : null,
      tsMs,
      seq: fCnt,
      rxMs,
      content,
      radio: rxInfo.length > 0 ? { ...gw, fCnt: topic.event === 'up' ? fCnt : null, dataRate: sf !== undefined ? `SF${sf}` : num(body.dr) !== undefined ? `DR${num(body.dr)}` : null } : null,
      detail,
      raw,
    },
  };
}

function contentOf(event: 'up' | 'status' | 'join', body: Json): UplinkContent {
  if (event === 'status') {
    const level = num(body.batteryLevel);
    return body.batteryLevelUnavailable === true || body.externalPowerSource === true || level === undefined
      ? { type: 'seen' }
      : { type: 'seen', batteryPct: Math.max(0, Math.min(100, level)) };
  }
  if (event === 'join') return { type: 'messages', messages: [{ channel: 'status', payload: { state: 'online', reason: 'LoRaWAN join' } }] };
  const object = isObject(body.object) ? body.object : null;
  if (body.data === undefined || body.data === '') {
    // fPort 0 / MAC-commands only: no application payload; a decoded object without data is still used
    return object ? { type: 'decoded', decoded: object } : { type: 'seen' };
  }
  const bytes = base64Bytes('ChirpStack', 'data', body.data);
  return { type: 'frame', frame: { fPort: counter(body.fPort), bytes }, decoded: object };
}
