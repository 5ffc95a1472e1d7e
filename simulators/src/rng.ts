import { xoroshiro128plus, type RandomGenerator } from 'pure-rand';

/** FNV-1a over a string, mixed into a seed: derives independent streams ("site 7 / device s-12"). */
export function hashSeed(seed: number, ...labels: string[]): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (const label of labels) {
    for (let i = 0; i < label.length; i++) {
      h ^= label.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h = Math.imul(h ^ 0x2f, 0x01000193) >>> 0;
  }
  return h | 0;
}

/**
 * A seeded random stream (xoroshiro128+ from pure-rand). One per device, so a device's story
 * does not change when another device is added. Mutable on purpose: models are pure functions of
 * (state, time, this stream), and the stream's position is part of the run's determinism.
 */
export class Rng {
  private readonly gen: RandomGenerator;

  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed | 0);
  }

  static derive(seed: number, ...labels: string[]): Rng {
    return new Rng(hashSeed(seed, ...labels));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return (this.gen.unsafeNext() >>> 0) / 4_294_967_296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** Normal (Box-Muller). */
  normal(mean: number, sd: number): number {
    const u = 1 - this.float();
    const v = this.float();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential waiting time with the given mean (a Poisson process's gap). */
  exp(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }
}

export function clamp(value: number, lo: number, hi: number): number {
  return value < lo ? lo : value > hi ? hi : value;
}

/** Rounds to `digits` decimals (payloads carry a sensor's resolution, not float noise). */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
