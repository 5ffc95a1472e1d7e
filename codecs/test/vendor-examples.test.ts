import { describe, expect, it } from 'vitest';
import { BUILTIN_MODELS } from '../src/index.ts';
import { bytesOf, vectorFiles } from './vectors.ts';

/**
 * Per built-in model, every uplink example the vendor documents decodes to exactly what the
 * vendor's own decoder returns (deep equality: same keys, same values, same types).
 */
const files = vectorFiles();

describe('vendor examples', () => {
  it('has a vector file for every built-in model, each naming its source', () => {
    expect(files.map((f) => f.model).sort()).toEqual(BUILTIN_MODELS.map((m) => m.id).sort());
    for (const f of files) expect(f.$comment).toMatch(/github|lorawan-devices|SensorDecoders|Netvox|Dingtek/i);
  });

  for (const f of files) {
    const model = BUILTIN_MODELS.find((m) => m.id === f.model);
    describe(f.model, () => {
      it.each(f.examples.map((e) => [e.description, e] as const))('%s', (_d, e) => {
        const r = model!.decode({ fPort: e.fPort, bytes: bytesOf(e.hex) });
        if (e.errors) {
          expect(r.errors).toEqual(e.errors);
          expect(r.data).toBeUndefined();
        } else {
          expect(r.errors ?? []).toEqual([]);
          expect(r.data).toStrictEqual(e.data);
        }
      });
    });
  }
});
