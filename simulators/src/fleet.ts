import type { Clock } from './clock.ts';
import { SimDevice, newStats, type DeviceCredentials, type FleetStats, type SimDeviceOptions } from './device.ts';

export interface FleetOptions extends Omit<SimDeviceOptions, 'stats' | 'clock'> {
  clock: Clock;
  /** Connection attempts in flight at once while starting (default 200). */
  connectConcurrency?: number;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function eachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

/** Many simulated devices sharing one set of counters. */
export class Fleet {
  readonly stats: FleetStats = newStats();
  readonly devices = new Map<string, SimDevice>();

  constructor(creds: readonly DeviceCredentials[], private readonly o: FleetOptions) {
    for (const c of creds) this.devices.set(c.id, new SimDevice(c, { ...o, stats: this.stats }));
  }

  get clock(): Clock {
    return this.o.clock;
  }

  device(id: string): SimDevice {
    const d = this.devices.get(id);
    if (!d) throw new Error(`no simulated device ${id}`);
    return d;
  }

  /** Connects every device (bounded concurrency); resolves when all are connected, with the time taken. */
  async connectAll(opts: { ids?: readonly string[]; timeoutMs?: number } = {}): Promise<{ connectMs: number }> {
    const t0 = performance.now();
    const list = (opts.ids ?? [...this.devices.keys()]).map((id) => this.device(id));
    const all = eachLimit(list, this.o.connectConcurrency ?? 200, (d) => d.start());
    if (opts.timeoutMs === undefined) await all;
    else {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`only ${this.stats.connected}/${list.length} devices connected after ${opts.timeoutMs} ms (last error: ${this.stats.lastError ?? 'none'})`)), opts.timeoutMs);
      });
      try {
        await Promise.race([all, timeout]);
      } finally {
        clearTimeout(timer);
      }
    }
    return { connectMs: Math.round(performance.now() - t0) };
  }

  /** Cuts every connection at once (the wills fire); devices stay down until started again. */
  dropAll(): void {
    for (const d of this.devices.values()) d.drop();
  }

  async close(opts: { announce?: boolean } = {}): Promise<void> {
    await eachLimit([...this.devices.values()], 500, (d) => d.stop(opts));
  }
}
