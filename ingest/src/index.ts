export type * from './types.ts';
export { createInfluxSink, type InfluxSinkOptions } from './sinks/influx.ts';
export { Spool, startDrain, type SpoolOptions, type SpoolStats, type SpoolLogger, type DrainOptions, type DrainStats, type LatencySnapshot } from './spool/index.ts';
