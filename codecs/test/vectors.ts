import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One vendor-documented example: frame in, the vendor decoder's output out. */
export interface VendorExample {
  description: string;
  fPort: number;
  hex: string;
  data?: Record<string, unknown>;
  errors?: string[];
}

export interface VectorFile {
  $comment: string;
  model: string;
  examples: VendorExample[];
}

const dir = join(import.meta.dirname, 'vectors');

export function vectorFiles(): VectorFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as VectorFile);
}

export function bytesOf(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
