import type { DeviceKind } from '@gridhub/core';

/** One LoRaWAN (or NB-IoT pass-through) uplink as the network delivers it. */
export interface UplinkFrame {
  fPort: number;
  bytes: Uint8Array;
}

/**
 * A device's own settings from the site that a mapping needs: a bin's depth and the sensor's
 * height above the rim (fill = 1 - (distance - offset) / depth), a manhole's depth to the water
 * sensor's floor, a tilt threshold for models that report only an angle.
 */
export interface DeviceParams {
  binDepthMm?: number;
  sensorOffsetMm?: number;
  [k: string]: unknown;
}

/** A v1 payload WITHOUT ts and seq (the ingest path adds them), on its channel. */
export interface ContractMessage {
  channel: 'telemetry' | 'event' | 'status';
  payload: Record<string, unknown>;
}

export interface CodecError {
  code: string;
  message: string;
}

/** What decoding one frame gave: the codec's own object, our contract messages, and why not. */
export interface DecodeOutcome {
  decoded: Record<string, unknown> | null;
  messages: ContractMessage[];
  errors: CodecError[];
  warnings: string[];
}

export interface ModelInfo {
  id: string;
  vendor: string;
  name: string;
  kind: DeviceKind;
  codec: 'builtin' | 'ttn-js';
}

/** The Things Network device-repository decoder result: `decodeUplink(input)` returns this. */
export interface TtnDecodeResult {
  data?: Record<string, unknown>;
  warnings?: string[];
  errors?: string[];
}

/** Maps a codec's decoded object to contract messages; pure. */
export type ContractMapping = (decoded: Record<string, unknown>, params: DeviceParams) => { messages: ContractMessage[]; warnings: string[] };

/** A model whose codec we wrote (设备型号, built in). */
export interface BuiltinModel {
  id: string;
  vendor: string;
  name: string;
  kind: DeviceKind;
  /** Where the frame format and the example vectors come from. */
  source: string;
  /** Returns exactly what the vendor's published decoder returns (TTN `decodeUplink` shape). */
  decode(frame: UplinkFrame): TtnDecodeResult;
  map: ContractMapping;
  /** Frame from a decoded-like object, for simulators; the inverse of `decode` for data reports. */
  encode?(data: Record<string, unknown>): UplinkFrame;
}

/** An uploaded decoder as persisted: the vendor's own JavaScript in TTN device-repository format. */
export interface UploadedCodec {
  modelId: string;
  kind: DeviceKind;
  vendor: string;
  name: string;
  format: 'ttn-js';
  source: string;
  updatedMs: number;
  updatedBy: string | null;
}

/** Where uploaded codecs live (the hub's store implements it; tests may use memory). */
export interface UploadedCodecStore {
  listCodecs(): Promise<UploadedCodec[]>;
  putCodec(codec: UploadedCodec): Promise<void>;
}

export interface CodecLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  info?(obj: Record<string, unknown>, msg: string): void;
}
