/**
 * Login limits that stop guessing, not people (pure but for its memory: `nowMs` is passed in).
 * Failures are counted per (user name, client address) and per client address (an IPv6 address
 * by its /64). Each key gets `free` failures; after that every further attempt must wait a
 * growing delay after the last failure (1 s, 2 s, 4 s … up to `maxDelayMs`), so guessing slows
 * down and never stops anyone for long. Nothing is counted per user name alone: the right
 * password from an address that has not been guessing always gets in, however hard the user's
 * name is guessed elsewhere. A key is forgotten `windowMs` after its wait is over; a success
 * forgets its (user, address) key.
 */
export interface LoginPolicy {
  /** Failures of one user name from one address before delays start. */
  freePerUserAddress: number;
  /** Failures from one address (any user) before delays start. */
  freePerAddress: number;
  windowMs: number;
  maxDelayMs: number;
  /** Keys held at most (a flood of addresses drops the oldest). */
  maxKeys?: number;
}

export type LockScope = 'user_address' | 'address';

export interface LockEvent {
  scope: LockScope;
  username: string | null;
  address: string;
  failures: number;
  /** Until when the next attempt waits (lockout), or 0 (lifted). */
  untilMs: number;
}

interface Entry {
  scope: LockScope;
  username: string | null;
  address: string;
  failures: number;
  lastMs: number;
  locked: boolean;
}

/** The wait after `failures` failures with `free` free ones (0: go ahead). */
export function loginDelayMs(failures: number, free: number, maxDelayMs: number): number {
  if (failures < free) return 0;
  return Math.min(1000 * 2 ** Math.min(failures - free, 30), maxDelayMs);
}

/** The address a limit counts: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by its /64 network. */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export interface LoginStats {
  failures: number;
  refused: number;
  lockouts: Record<LockScope, number>;
  lifted: number;
  locked: number;
}

export class LoginGuard {
  readonly #entries = new Map<string, Entry>();
  readonly #stats: LoginStats = { failures: 0, refused: 0, lockouts: { user_address: 0, address: 0 }, lifted: 0, locked: 0 };

  constructor(
    readonly policy: LoginPolicy,
    private readonly events: { onLockout?(e: LockEvent): void; onLift?(e: LockEvent): void } = {},
  ) {}

  /** Milliseconds before an attempt of this user from this address is looked at (0: go ahead). Counts a refusal. */
  waitMs(username: string, ip: string, nowMs: number): number {
    let wait = 0;
    for (const [key] of this.#keys(username, ip)) {
      const e = this.#live(key, nowMs);
      if (!e) continue;
      const free = e.scope === 'address' ? this.policy.freePerAddress : this.policy.freePerUserAddress;
      wait = Math.max(wait, e.lastMs + loginDelayMs(e.failures, free, this.policy.maxDelayMs) - nowMs);
    }
    if (wait > 0) this.#stats.refused++;
    return Math.max(0, wait);
  }

  failed(username: string, ip: string, nowMs: number): void {
    this.#stats.failures++;
    for (const [key, scope, address] of this.#keys(username, ip)) {
      const e = this.#live(key, nowMs) ?? { scope, username: scope === 'address' ? null : username.toLowerCase(), address, failures: 0, lastMs: nowMs, locked: false };
      e.failures++;
      e.lastMs = nowMs;
      this.#entries.delete(key);
      this.#entries.set(key, e);
      const free = scope === 'address' ? this.policy.freePerAddress : this.policy.freePerUserAddress;
      if (!e.locked && e.failures >= free) {
        e.locked = true;
        this.#stats.lockouts[scope]++;
        this.events.onLockout?.({ scope, username: e.username, address, failures: e.failures, untilMs: nowMs + loginDelayMs(e.failures, free, this.policy.maxDelayMs) });
      }
    }
    this.#bound(nowMs);
  }

  succeeded(username: string, ip: string, nowMs: number): void {
    const [key] = this.#keys(username, ip)[0]!;
    const e = this.#live(key, nowMs);
    if (e) this.#forget(key, e);
  }

  stats(nowMs: number): LoginStats {
    for (const key of [...this.#entries.keys()]) this.#live(key, nowMs);
    let locked = 0;
    for (const e of this.#entries.values()) if (e.locked) locked++;
    return { ...this.#stats, lockouts: { ...this.#stats.lockouts }, locked };
  }

  #keys(username: string, ip: string): [string, LockScope, string][] {
    const address = addressKey(ip);
    return [
      [`u\u0000${username.toLowerCase()}\u0000${address}`, 'user_address', address],
      [`a\u0000${address}`, 'address', address],
    ];
  }

  #live(key: string, nowMs: number): Entry | undefined {
    const e = this.#entries.get(key);
    // Forgotten a window after its wait is over (a guesser at the longest delay stays there).
    if (e && nowMs - e.lastMs >= this.policy.windowMs + this.#delay(e)) {
      this.#forget(key, e);
      return undefined;
    }
    return e;
  }

  #delay(e: Entry): number {
    return loginDelayMs(e.failures, e.scope === 'address' ? this.policy.freePerAddress : this.policy.freePerUserAddress, this.policy.maxDelayMs);
  }

  #forget(key: string, e: Entry): void {
    this.#entries.delete(key);
    if (!e.locked) return;
    this.#stats.lifted++;
    this.events.onLift?.({ scope: e.scope, username: e.username, address: e.address, failures: e.failures, untilMs: 0 });
  }

  #bound(nowMs: number): void {
    const max = this.policy.maxKeys ?? 100_000;
    if (this.#entries.size <= max) return;
    for (const key of [...this.#entries.keys()]) this.#live(key, nowMs);
    for (const [key, e] of this.#entries) {
      if (this.#entries.size <= max) break;
      this.#forget(key, e);
    }
  }
}
