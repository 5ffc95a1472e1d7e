import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HubError } from '@gridhub/core';
import { SECRET_FIELDS, type ChannelConfig, type NotifyFile } from './config.ts';

/**
 * Secrets at rest: each secret field of the notification file is stored as
 *   enc:v1:<iv base64>:<tag base64>:<ciphertext base64>
 * (AES-256-GCM, a fresh 96-bit IV each, the field's path as additional data so a value cannot be
 * moved to another field). The key is 32 bytes from HUB_SECRET_KEY (64 hex digits or base64).
 * The API shows a secret as MASK; a MASK sent back keeps the stored value.
 */
export const MASK = '********';
const PREFIX = 'enc:v1:';

export function parseSecretKey(raw: string | null | undefined): Buffer | null {
  if (!raw) return null;
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new HubError('HUB_ERR_SECRET_KEY', ['HUB_SECRET_KEY must be 32 bytes: 64 hex digits or base64']);
  return key;
}

export function encryptSecret(key: Buffer, plain: string, aad: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `${PREFIX}${iv.toString('base64')}:${c.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
}

export function decryptSecret(key: Buffer, stored: string, aad: string): string {
  const [iv, tag, ct] = stored.slice(PREFIX.length).split(':');
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64'));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(Buffer.from(tag ?? '', 'base64'));
    return Buffer.concat([d.update(Buffer.from(ct ?? '', 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new HubError('HUB_ERR_SECRET_KEY', ['a stored notification secret does not decrypt with HUB_SECRET_KEY (was the key changed?)']);
  }
}

export const isEncrypted = (v: string): boolean => v.startsWith(PREFIX);

type Fields = Record<string, unknown>;
const mapSecrets = (file: NotifyFile, fn: (value: string, aad: string, channel: ChannelConfig, field: string) => string): NotifyFile => ({
  ...file,
  channels: file.channels.map((c) => {
    const out: Fields = { ...c };
    for (const f of SECRET_FIELDS[c.type]) if (typeof out[f] === 'string') out[f] = fn(out[f] as string, `${c.id}/${f}`, c, f);
    return out as ChannelConfig;
  }),
});

/** The file as stored: every secret encrypted (a MASK is replaced by the previous stored value). */
export function sealFile(file: NotifyFile, key: Buffer | null, previous: NotifyFile | null): NotifyFile {
  return mapSecrets(file, (v, aad, c, f) => {
    if (v === MASK) {
      const old = previous?.channels.find((p) => p.id === c.id && p.type === c.type) as Fields | undefined;
      const kept = old?.[f];
      if (typeof kept !== 'string') throw new HubError('HUB_ERR_NOTIFY_CONFIG', [`channel ${c.id}: ${f} is masked but none is stored`]);
      return kept;
    }
    if (isEncrypted(v)) return v;
    if (!key) throw new HubError('HUB_ERR_SECRET_KEY', ['HUB_SECRET_KEY is required to store notification secrets (AES-256-GCM at rest)']);
    return encryptSecret(key, v, aad);
  });
}

/** The file with its secrets in clear, for the channels only (never returned, never logged). */
export function openFile(file: NotifyFile, key: Buffer | null): NotifyFile {
  return mapSecrets(file, (v, aad) => {
    if (!isEncrypted(v)) return v;
    if (!key) throw new HubError('HUB_ERR_SECRET_KEY', ['HUB_SECRET_KEY is not set: the stored notification secrets cannot be read']);
    return decryptSecret(key, v, aad);
  });
}

/** The file as the API shows it: every secret masked. */
export const maskFile = (file: NotifyFile): NotifyFile => mapSecrets(file, () => MASK);
