import type { BrokerLimits } from './types.ts';

/** Defaults generous enough for benchmarks; a real sensor sends a few messages a minute. */
export const DEFAULT_LIMITS: Readonly<BrokerLimits> = Object.freeze({
  perClientRatePerSec: 200,
  perClientBurst: 400,
  serviceRatePerSec: 5_000,
  serviceBurst: 10_000,
  qos1MaxDelayMs: 10_000,
  maxIngestInFlight: 10_000,
  maxFanoutInFlight: 20_000,
  maxEventLoopLagMs: 1_000,
  maxConcurrentHashes: 4,
  maxQueuedHashes: 2_000,
});

export const DEFAULT_MAX_PACKET_BYTES = 256 * 1024;
