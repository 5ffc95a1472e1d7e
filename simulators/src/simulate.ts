import type { Fleet } from './fleet.ts';
import { DeviceBehaviour, FIELD_PARAMS, type ModelParams } from './models/index.ts';
import type { Emit, SimDeviceInfo } from './models/types.ts';

export interface SimulationOptions {
  fleet: Fleet;
  devices: readonly SimDeviceInfo[];
  seed: number;
  params?: ModelParams;
  /** Real ms between two looks at the simulated clock (default 250). */
  tickMs?: number;
}

export interface Simulation {
  /** Messages handed to the transport so far. */
  readonly emitted: number;
  stop(): void;
}

/**
 * Drives each device's model from the fleet's simulated clock: every tick, each behaviour advances
 * to "now" and what it says is published when its simulated time has come, stamped with that time.
 */
export function startSimulation(o: SimulationOptions): Simulation {
  const clock = o.fleet.clock;
  const startMs = clock.now();
  const behaviours = o.devices.map((d) => ({ b: new DeviceBehaviour(d, o.seed, startMs, o.params ?? FIELD_PARAMS), dev: o.fleet.device(d.id) }));
  let pending: { emit: Emit; deviceId: string }[] = [];
  let emitted = 0;
  const tick = () => {
    const now = clock.now();
    for (const { b, dev } of behaviours) for (const emit of b.advanceTo(now)) pending.push({ emit, deviceId: dev.id });
    const due = pending.filter((p) => p.emit.atMs <= now).sort((a, b) => a.emit.atMs - b.emit.atMs);
    pending = pending.filter((p) => p.emit.atMs > now);
    for (const { emit, deviceId } of due) {
      emitted++;
      o.fleet.device(deviceId).publish(emit.message, emit.body, { tsMs: emit.atMs }).catch(() => undefined);
    }
  };
  const timer = setInterval(tick, o.tickMs ?? 250);
  return {
    get emitted() {
      return emitted;
    },
    stop: () => clearInterval(timer),
  };
}
