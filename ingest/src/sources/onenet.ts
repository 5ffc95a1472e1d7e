import { createHash, timingSafeEqual } from 'node:crypto';
import { HubError } from '@gridhub/core';
import type { NetworkUplink, SourceResult, UplinkContent, UplinkIdentity } from '../network/uplink.ts';
import { hexOrBase64Bytes, isObject, malformed, num, parseNetworkJson, smallHash, str, timeMs, type Json } from './common.ts';

/**
 * OneNET (China Mobile) HTTP push, plaintext mode.
 * URL verification: a GET with `msg`, `nonce`, `signature`, where signature =
 * Base64(MD5(token + nonce + msg)); the receiver answers `msg` when it matches.
 * Data: a POST `{msg, msg_signature, nonce}`, msg one object or a list of them:
 * `{type: 1, dev_id, ds_id, at, value, imei?}` a data point, `{type: 2, dev_id, status: 1|0, at}`
 * online/offline; msg_signature = Base64(MD5(token + nonce + msg as JSON text)).
 * A data point's value: an object (decoded by the platform: mapped by the device's model), a
 * string (the device's frame, hex or base64: decoded), a number (`{ds_id: value}`: mapped).
 */
export function onenetSignature(token: string, nonce: string, msg: string): string {
  return createHash('md5').update(`${token}${nonce}${msg}`, 'utf8').digest('base64');
}

/** Constant-time comparison of a received signature with the expected one. */
export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks the body's signature against `token` (over the `msg` text as received, and, for a platform
 * that re-serialises, over its compact JSON), then parses each message. Throws HUB_ERR_SIGNATURE
 * (the route answers 401 and records nothing as a device's) or HUB_ERR_NETWORK_MESSAGE.
 */
export function parseOnenet(raw: Uint8Array, rxMs: number, maxBytes: number, token: string, origin: string): { body: Json; results: SourceResult[] } {
  const body = parseNetworkJson('OneNET', raw, maxBytes);
  const nonce = str(body.nonce);
  const signature = str(body.msg_signature);
  if (!nonce || !signature || body.msg === undefined) throw malformed('OneNET', 'msg, nonce and msg_signature are required');
  const texts = [rawMsgText(Buffer.from(raw).toString('utf8')), JSON.stringify(body.msg)].filter((t): t is string => t !== null);
  if (!texts.some((t) => signatureMatches(onenetSignature(token, nonce, t), signature))) throw new HubError('HUB_ERR_SIGNATURE', ['OneNET msg_signature does not match']);
  const list = Array.isArray(body.msg) ? body.msg : [body.msg];
  return { body, results: list.map((m) => parseMessage(m, rxMs, raw, origin)) };
}

/** The `msg` member's text exactly as received (the platform signs what it sent). */
function rawMsgText(text: string): string | null {
  const at = /"msg"\s*:\s*/.exec(text);
  if (!at) return null;
  const start = at.index + at[0].length;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    } else if (depth === 0 && (c === ',' || c === '}')) return text.slice(start, i).trim();
  }
  return null;
}

function parseMessage(m: unknown, rxMs: number, raw: Uint8Array, origin: string): SourceResult {
  if (!isObject(m)) return { refuse: malformed('OneNET', 'msg is not an object') };
  const type = num(m.type);
  const devId = num(m.dev_id) !== undefined ? String(num(m.dev_id)) : str(m.dev_id);
  const imei = str(m.imei);
  const identities: UplinkIdentity[] = [];
  if (imei && /^\d{15}$/.test(imei)) identities.push({ type: 'imei', value: imei });
  if (devId && /^[A-Za-z0-9._-]{1,64}$/.test(devId)) identities.push({ type: 'platformDeviceId', value: devId });
  if (identities.length === 0) return { refuse: malformed('OneNET', 'dev_id is missing') };
  const tsMs = timeMs(m.at) ?? rxMs;
  const dsId = str(m.ds_id) ?? '';
  let content: UplinkContent;
  if (type === 2) {
    const status = num(m.status);
    if (status !== 0 && status !== 1) return { refuse: malformed('OneNET', 'status is not 0 or 1') };
    content = { type: 'messages', messages: [{ channel: 'status', payload: { state: status === 1 ? 'online' : 'offline', reason: 'OneNET online/offline' } }] };
  } else if (type === 1) {
    const v = m.value;
    try {
      if (isObject(v)) content = { type: 'decoded', decoded: v };
      else if (typeof v === 'string') content = { type: 'frame', frame: { fPort: null, bytes: hexOrBase64Bytes('OneNET', 'value', v) } };
      else if (typeof v === 'number' && dsId) content = { type: 'decoded', decoded: { [dsId]: v } };
      else return { refuse: malformed('OneNET', 'value is neither an object, a frame nor a number') };
    } catch (err) {
      return { refuse: err as never };
    }
  } else return type === undefined ? { refuse: malformed('OneNET', 'type is missing') } : { ignore: `onenet/type-${type}` };
  const uplink: NetworkUplink = {
    network: 'onenet',
    identity: identities[0]!,
    ...(identities.length > 1 ? { alternatives: identities.slice(1) } : {}),
    application: null,
    origin,
    clientId: 'onenet',
    key: `onenet:${type}:${devId ?? imei}:${dsId}:${tsMs}`,
    tsMs,
    // OneNET has no counter: one per data stream, so two streams at the same ms are two readings
    seq: smallHash(dsId),
    rxMs,
    content,
    radio: null,
    detail: devId ? { dev_id: devId, ds_id: dsId.slice(0, 100) } : {},
    raw,
  };
  return { uplink };
}
