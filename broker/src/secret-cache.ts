import { createHash } from 'node:crypto';
import { verifySecret } from '@gridhub/core';

/**
 * Verifies presented secrets against stored scrypt hashes, at most `maxConcurrent` scrypts at
 * once (libuv's pool has 4 threads; more would only queue there, out of sight), and remembers
 * each successful verification as `key -> sha256(secret)` so a reconnect storm costs one hash
 * per device, not one scrypt. Failures are not cached. Secrets are never stored or logged.
 */
export class SecretVerifier {
  private readonly verified = new Map<string, string>();
  /** Verifications answered from the cache (no scrypt). */
  cacheHits = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly opts: { maxConcurrent: number; maxQueued: number }) {}

  /** 'ok' | 'bad' | 'busy' (too many verifications queued: try again later). */
  async verify(key: string, secret: string, stored: string, cacheTag = stored): Promise<'ok' | 'bad' | 'busy'> {
    const digest = createHash('sha256').update(cacheTag).update('\0').update(secret).digest('base64');
    if (this.verified.get(key) === digest) {
      this.cacheHits++;
      return 'ok';
    }
    if (this.running >= this.opts.maxConcurrent && this.waiting.length >= this.opts.maxQueued) return 'busy';
    await this.acquire();
    try {
      const ok = await verifySecret(secret, stored);
      if (ok) this.verified.set(key, digest);
      return ok ? 'ok' : 'bad';
    } finally {
      this.release();
    }
  }

  forget(key: string): void {
    this.verified.delete(key);
  }

  private acquire(): Promise<void> {
    if (this.running < this.opts.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
