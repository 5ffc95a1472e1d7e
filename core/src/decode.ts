import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TObject } from '@sinclair/typebox';
import { HubError } from './errors.ts';
import type { DeviceKind, MessageKind } from './kinds.ts';
import { PAYLOAD_SCHEMAS } from './payloads/index.ts';

/** Payloads larger than this are refused before they are parsed (devices send a few hundred bytes). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 8 * 1024;

const checks = new Map<TObject, TypeCheck<TObject>>();
function checkFor(schema: TObject): TypeCheck<TObject> {
  let check = checks.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    checks.set(schema, check);
  }
  return check;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export type DecodedPayload = Record<string, unknown>;

/**
 * Decodes and validates one uplink payload against the contract. Pure: throws a coded HubError
 * (too large, not UTF-8, not JSON, schema) and never anything else.
 */
export function decodePayload(
  kind: DeviceKind,
  message: MessageKind,
  payload: Uint8Array,
  maxBytes: number = DEFAULT_MAX_PAYLOAD_BYTES,
): DecodedPayload {
  if (payload.byteLength > maxBytes) throw new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', [payload.byteLength, maxBytes]);
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    throw new HubError('HUB_ERR_PAYLOAD_ENCODING');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HubError('HUB_ERR_PAYLOAD_JSON', [err instanceof Error ? err.message.slice(0, 120) : 'parse error']);
  }
  return validatePayload(kind, message, value);
}

/**
 * Validates an already-parsed payload against the contract (what a codec mapped a network
 * server's frame to takes this same check). Pure: throws HUB_ERR_PAYLOAD_SCHEMA.
 */
export function validatePayload(kind: DeviceKind, message: MessageKind, value: unknown): DecodedPayload {
  const schema = PAYLOAD_SCHEMAS[kind][message];
  const check = checkFor(schema);
  if (!check.Check(value)) {
    const first = check.Errors(value).First();
    const where = first ? `${first.path || '/'} ${first.message}` : 'invalid';
    throw new HubError('HUB_ERR_PAYLOAD_SCHEMA', [String(schema.title ?? `${kind}/${message}`), where]);
  }
  return value as DecodedPayload;
}
