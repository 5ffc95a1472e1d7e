export { Spool, consoleLogger, type SpoolOptions, type SpoolStats, type SpoolBatch, type SpoolLogger, type SpoolReader } from './spool.ts';
export { Drain, startDrain, backoffDelayMs, type DrainOptions, type DrainStats } from './drain.ts';
export type { LatencySnapshot } from './latency.ts';
export type { SpoolPos } from './files.ts';
