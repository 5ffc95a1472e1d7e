import type { IntegrationTopic } from '@gridhub/core';
import type { SourceResult, UplinkContent } from '../network/uplink.ts';
import { base64Bytes, bestGateway, counter, isObject, malformed, num, parseNetworkJson, str, timeMs, type Json } from './common.ts';

/**
 * The Things Stack v3 MQTT server, `v3/{applicationId}@{tenantId}/devices/{deviceId}/{event}`:
 * - `up`: `end_device_ids{device_id, application_ids{application_id}, dev_eui}`, `received_at`,
 *   `uplink_message{f_port, f_cnt, frm_payload (base64), decoded_payload, rx_metadata[{gateway_ids
 *   {gateway_id}, rssi, snr}], settings{data_rate{lora{spreading_factor}}}}`; empty fields omitted;
 * - `join`: a status `online`; the rest (`down/*`, `service/data`, `location/solved`) ignored.
 * Devices are found by DevEUI; the topic's device id must be the body's. Pure.
 * TTS's MQTT server speaks QoS 0 only: what it sent while the bridge was disconnected is not
 * redelivered (docs/devices.md).
 */
export function parseTts(topic: IntegrationTopic & { network: 'tts' }, raw: Uint8Array, rxMs: number, clientId: string, maxBytes: number): SourceResult {
  if (topic.event !== 'up' && topic.event !== 'join') return { ignore: `tts/${topic.event}` };
  let body: Json;
  try {
    body = parseNetworkJson('The Things Stack', raw, maxBytes);
  } catch (err) {
    return { refuse: err as never };
  }
  const ids = isObject(body.end_device_ids) ? body.end_device_ids : null;
  const devEui = str(ids?.dev_eui)?.toLowerCase();
  if (!ids || !devEui || !/^[0-9a-f]{16}$/.test(devEui)) return { refuse: malformed('The Things Stack', 'end_device_ids.dev_eui is missing') };
  if (str(ids.device_id) !== topic.deviceId) return { refuse: malformed('The Things Stack', `topic device ${topic.deviceId} is not the body's`) };
  const appIds = isObject(ids.application_ids) ? ids.application_ids : null;
  const appId = str(appIds?.application_id);
  if (appId !== undefined && appId !== topic.application.slice(0, topic.application.indexOf('@'))) {
    return { refuse: malformed('The Things Stack', `topic application ${topic.application} is not the body's ${appId}`) };
  }
  const up = isObject(body.uplink_message) ? body.uplink_message : null;
  if (topic.event === 'up' && !up) return { refuse: malformed('The Things Stack', 'uplink_message is missing') };
  const fCnt = counter(up?.f_cnt);
  const tsMs = timeMs(up?.received_at) ?? timeMs(body.received_at) ?? rxMs;
  const meta = Array.isArray(up?.rx_metadata) ? up.rx_metadata.filter(isObject) : [];
  const gw = bestGateway(meta.map((m) => ({ gatewayId: isObject(m.gateway_ids) ? (str(m.gateway_ids.gateway_id) ?? null) : null, rssi: num(m.rssi) ?? num(m.channel_rssi), snr: num(m.snr) })));
  const settings = isObject(up?.settings) ? up.settings : null;
  const dr = settings && isObject(settings.data_rate) && isObject(settings.data_rate.lora) ? num(settings.data_rate.lora.spreading_factor) : undefined;

  let content: UplinkContent;
  try {
    content = up ? contentOf(up) : { type: 'messages', messages: [{ channel: 'status', payload: { state: 'online', reason: 'LoRaWAN join' } }] };
  } catch (err) {
    return { refuse: err as never };
  }
  return {
    uplink: {
      network: 'tts',
      identity: { type: 'devEui', value: devEui },
      application: topic.application,
      origin: `v3/${topic.application}/devices/${topic.deviceId}/${topic.event}`,
      clientId,
      key: `tts:${topic.event}:${fCnt}:${tsMs}`,
      tsMs,
      seq: fCnt,
      rxMs,
      content,
      radio: meta.length > 0 ? { ...gw, fCnt: up ? fCnt : null, dataRate: dr !== undefined ? `SF${dr}` : null } : null,
      detail: { deviceId: topic.deviceId.slice(0, 100), application: topic.application.slice(0, 100) },
      raw,
    },
  };
}

function contentOf(up: Json): UplinkContent {
  const decoded = isObject(up.decoded_payload) ? up.decoded_payload : null;
  if (up.frm_payload === undefined || up.frm_payload === '') return decoded ? { type: 'decoded', decoded } : { type: 'seen' };
  return { type: 'frame', frame: { fPort: counter(up.f_port), bytes: base64Bytes('The Things Stack', 'frm_payload', up.frm_payload) }, decoded };
}
