/**
 * TEMPORARY type-only copy of @gridhub/codecs' interface (issue 13a), so ingest builds before
 * that package is merged; removed once it is (import from '@gridhub/codecs' instead).
 */
export interface UplinkFrame {
  fPort: number;
  bytes: Uint8Array;
}
export interface DeviceParams {
  binDepthMm?: number;
  sensorOffsetMm?: number;
  [k: string]: unknown;
}
/** A v1 payload WITHOUT ts and seq. */
export interface ContractMessage {
  channel: 'telemetry' | 'event' | 'status';
  payload: Record<string, unknown>;
}
export interface DecodeOutcome {
  decoded: Record<string, unknown> | null;
  messages: ContractMessage[];
  errors: { code: string; message: string }[];
  warnings: string[];
}
export interface ModelInfo {
  id: string;
  [k: string]: unknown;
}
export interface CodecRegistry {
  models(): ModelInfo[];
  has(modelId: string): boolean;
  decode(modelId: string, frame: UplinkFrame, params?: DeviceParams): Promise<DecodeOutcome>;
  map(modelId: string, decoded: Record<string, unknown>, params?: DeviceParams): DecodeOutcome;
}
