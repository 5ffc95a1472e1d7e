import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Secrets at rest (device secrets, user passwords) are stored only as scrypt hashes in the form
 *   scrypt$N$r$p$saltBase64$hashBase64
 * so that the cost can be raised later without breaking stored hashes. Device secrets are
 * machine-generated random strings, so a moderate cost (N=2^12, ~6 ms here) keeps a reconnect
 * storm of 10,000 devices within a minute; passwords, chosen by people, use a higher cost.
 */
export const DEVICE_SECRET_COST = { N: 1 << 12, r: 8, p: 1 } as const;
export const PASSWORD_COST = { N: 1 << 15, r: 8, p: 1 } as const;
const KEY_LEN = 32;

function scrypt(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(secret, salt, KEY_LEN, { ...options, maxmem: 256 * options.N! * options.r! }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashSecret(secret: string, cost: { N: number; r: number; p: number } = DEVICE_SECRET_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function isSecretHash(value: string): boolean {
  return /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(value);
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(secret, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A fresh random device secret (128 bits, URL-safe). */
export function newDeviceSecret(): string {
  return randomBytes(16).toString('base64url');
}
