import { createHash } from 'node:crypto';

/** OneNET's signature: Base64(MD5(token + nonce + msg)). */
export function onenetSign(token: string, nonce: string, msg: string): string {
  return createHash('md5').update(`${token}${nonce}${msg}`, 'utf8').digest('base64');
}

/** A OneNET plaintext push `{msg, msg_signature, nonce}` of one data point, signed with `token`. */
export function onenetDataPoint(token: string, p: { devId: number; imei?: string; dsId: string; atMs: number; value: unknown }, nonce = 'abcdefgh'): string {
  const msg = JSON.stringify({ type: 1, dev_id: p.devId, ds_id: p.dsId, at: p.atMs, value: p.value, ...(p.imei ? { imei: p.imei } : {}) });
  // the body is written by hand so that `msg` goes out exactly as signed
  return `{"msg":${msg},"msg_signature":"${onenetSign(token, nonce, msg)}","nonce":"${nonce}"}`;
}
