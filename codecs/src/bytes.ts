/** Byte helpers for frame codecs; every reader is bounds-checked by the caller's length test. */

export function u16be(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
}

export function u16le(b: Uint8Array, i: number): number {
  return ((b[i + 1] ?? 0) << 8) | (b[i] ?? 0);
}

export function i16be(b: Uint8Array, i: number): number {
  const v = u16be(b, i);
  return v > 0x7fff ? v - 0x10000 : v;
}

export function i16le(b: Uint8Array, i: number): number {
  const v = u16le(b, i);
  return v > 0x7fff ? v - 0x10000 : v;
}

export function u32le(b: Uint8Array, i: number): number {
  return (((b[i + 3] ?? 0) << 24) >>> 0) + ((b[i + 2] ?? 0) << 16) + ((b[i + 1] ?? 0) << 8) + (b[i] ?? 0);
}

export function i8(v: number): number {
  return v > 0x7f ? v - 0x100 : v;
}

/** Two hex digits, lower case. */
export function hex2(v: number): string {
  return v.toString(16).padStart(2, '0');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Parses a hex string (spaces allowed); null when it is not whole bytes of hex. */
export function parseHex(text: string): Uint8Array | null {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return null;
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

/** Parses standard base64; null when it is not base64. */
export function parseBase64(text: string): Uint8Array | null {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(clean, 'base64'));
}
