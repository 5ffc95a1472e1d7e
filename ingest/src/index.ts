export type * from './types.ts';
export { createIngest } from './ingest.ts';
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
export type { CodecRegistry, ContractMessage, DecodeOutcome, UplinkFrame } from '@gridhub/codecs';
export type { NetworkOutcome, NetworkStats } from './network/path.ts';
export { NETWORKS, type Network, type NetworkUplink, type SourceResult, type UplinkContent, type UplinkIdentity } from './network/uplink.ts';
export { parseChirpstack } from './sources/chirpstack.ts';
export { parseTts } from './sources/tts.ts';
export { parseCtwing } from './sources/ctwing.ts';
export { onenetSignature, parseOnenet, signatureMatches } from './sources/onenet.ts';
export { DEFAULT_MAX_NETWORK_MESSAGE_BYTES, parseNetworkJson } from './sources/common.ts';
