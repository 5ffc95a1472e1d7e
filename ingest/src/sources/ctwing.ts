import type { ContractMessage } from '@gridhub/codecs';
import type { SourceResult, UplinkContent, UplinkIdentity } from '../network/uplink.ts';
import { base64Bytes, counter, isObject, malformed, num, parseNetworkJson, str, timeMs, type Json } from './common.ts';

/**
 * CTWing (China Telecom AEP) HTTP push, one JSON message per POST:
 * - `dataReport`: `payload{APPdata: base64}` for pass-through devices (the device's own frame,
 *   decoded by its model), or a payload CTWing decoded with the product's profile (mapped);
 * - `eventReport`: `eventType` 1 info, 2 warning, 3 fault, `payload` as above;
 * - `deviceOnlineOfflineReport`: `eventType` 1 online, 0 offline: a status message.
 * Common: `timestamp` (ms), `upPacketSN` (-1 when none), `deviceId`, `IMEI`, `productId`, `tenantId`.
 * The device is found by IMEI, else by `deviceId`. The platform retries a push that is not answered
 * 200 quickly (at most 3 times): the key (deviceId, messageType, upPacketSN, timestamp) makes a retry
 * one reading. Pure.
 */
export function parseCtwing(raw: Uint8Array, rxMs: number, maxBytes: number, origin: string): SourceResult {
  let body: Json;
  try {
    body = parseNetworkJson('CTWing', raw, maxBytes);
  } catch (err) {
    return { refuse: err as never };
  }
  const type = str(body.messageType);
  const deviceId = str(body.deviceId);
  const imei = str(body.IMEI) ?? str(body.imei);
  if (!deviceId && !imei) return { refuse: malformed('CTWing', 'neither deviceId nor IMEI is given') };
  const identities: UplinkIdentity[] = [];
  if (imei && /^\d{15}$/.test(imei)) identities.push({ type: 'imei', value: imei });
  if (deviceId && /^[A-Za-z0-9._-]{1,64}$/.test(deviceId)) identities.push({ type: 'platformDeviceId', value: deviceId });
  if (identities.length === 0) return { refuse: malformed('CTWing', 'IMEI and deviceId are not valid identities') };
  const tsMs = timeMs(body.timestamp) ?? rxMs;
  const sn = num(body.upPacketSN);
  let content: UplinkContent;
  try {
    switch (type) {
      case 'dataReport':
        content = payloadContent(body.payload);
        break;
      case 'eventReport': {
        const eventType = num(body.eventType);
        if (eventType === undefined) throw malformed('CTWing', 'eventReport without eventType');
        content = payloadContent(body.payload);
        break;
      }
      case 'deviceOnlineOfflineReport': {
        const eventType = num(body.eventType);
        if (eventType !== 0 && eventType !== 1) throw malformed('CTWing', 'deviceOnlineOfflineReport eventType is not 0 or 1');
        const msg: ContractMessage = { channel: 'status', payload: { state: eventType === 1 ? 'online' : 'offline', reason: 'CTWing online/offline report' } };
        content = { type: 'messages', messages: [msg] };
        break;
      }
      default:
        return type ? { ignore: `ctwing/${type}` } : { refuse: malformed('CTWing', 'messageType is missing') };
    }
  } catch (err) {
    return { refuse: err as never };
  }
  const detail: Record<string, string> = {};
  for (const k of ['productId', 'tenantId', 'deviceId', 'IMSI'] as const) {
    const v = str(body[k]);
    if (v) detail[k] = v.slice(0, 100);
  }
  return {
    uplink: {
      network: 'ctwing',
      identity: identities[0]!,
      ...(identities.length > 1 ? { alternatives: identities.slice(1) } : {}),
      application: str(body.productId) ?? null,
      origin,
      clientId: 'ctwing',
      key: `ctwing:${type}:${deviceId ?? imei}:${sn ?? ''}:${tsMs}`,
      tsMs,
      seq: counter(sn),
      rxMs,
      content,
      radio: null,
      detail,
      raw,
    },
  };
}

function payloadContent(payload: unknown): UplinkContent {
  if (!isObject(payload)) throw malformed('CTWing', 'payload is not an object');
  if (payload.APPdata !== undefined) return { type: 'frame', frame: { fPort: null, bytes: base64Bytes('CTWing', 'payload.APPdata', payload.APPdata) } };
  return { type: 'decoded', decoded: payload };
}
