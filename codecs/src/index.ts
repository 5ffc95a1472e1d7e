export type {
  UplinkFrame, DeviceParams, ContractMessage, CodecError, DecodeOutcome, ModelInfo, UploadedCodec, UploadedCodecStore,
  CodecLogger, TtnDecodeResult, BuiltinModel,
} from './types.ts';
export { createCodecRegistry, isModelId, MAX_CODEC_SOURCE_BYTES, type CodecRegistry, type CodecRegistryOptions, type CodecStats } from './registry.ts';
export { BUILTIN_MODELS, encodeFrame } from './models/index.ts';
export { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from './sandbox/host.ts';
export { parseHex, parseBase64, toHex } from './bytes.ts';
export { memoryCodecStore } from './memory-store.ts';
export { SqlCodecStore } from './sql-store.ts';
