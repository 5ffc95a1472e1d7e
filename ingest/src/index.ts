export type * from './types.ts';
export { createIngest, type Ingest, type IngestOptions, type IngestStats, type IngestStore, type ReadingsListener } from './ingest.ts';
export type { RefusalStats } from './refusals.ts';
export { createInfluxSink, type InfluxSinkOptions } from './sinks/influx.ts';
export { createEmbeddedSink, type EmbeddedSink, type EmbeddedSinkOptions, type EmbeddedStore } from './sinks/embedded.ts';
export {
  Spool,
  startDrain,
  type SpoolOptions,
  type SpoolStats,
  type SpoolLogger,
  type SpoolReader,
  type SpoolBatch,
  type SpoolPos,
  type Drain,
  type DrainOptions,
  type DrainStats,
  type LatencySnapshot,
} from './spool/index.ts';
export { binFillPct } from './handlers/index.ts';
