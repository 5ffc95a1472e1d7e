import { HubError, isDeviceKind, type DeviceKind } from '@gridhub/core';
import { genericMapping } from './models/generic.ts';
import { BUILTIN_MODELS, encodeFrame } from './models/index.ts';
import { TtnSandbox, asTtnResult, type SandboxLimits } from './sandbox/host.ts';
import type {
  BuiltinModel, CodecError, CodecLogger, ContractMapping, DecodeOutcome, DeviceParams, ModelInfo, TtnDecodeResult,
  UplinkFrame, UploadedCodec, UploadedCodecStore,
} from './types.ts';
import { validateMessages } from './validate.ts';

export const MAX_CODEC_SOURCE_BYTES = 256 * 1024;

export interface CodecRegistry {
  models(): ModelInfo[];
  has(modelId: string): boolean;
  /** Decodes raw bytes with the model's codec (built-in or uploaded, sandboxed) and maps to the contract. */
  decode(modelId: string, frame: UplinkFrame, params?: DeviceParams): Promise<DecodeOutcome>;
  /** Maps an already decoded object (e.g. ChirpStack's `object`, TTS's `decoded_payload`) to the contract. */
  map(modelId: string, decoded: Record<string, unknown>, params?: DeviceParams): DecodeOutcome;
  model(modelId: string): ModelInfo | undefined;
  /** Compiles an uploaded codec in the sandbox, persists it, then uses it for the model. */
  upload(codec: { modelId: string; kind: DeviceKind; vendor?: string; name?: string; source: string }, by?: string | null): Promise<{ ok: true; model: ModelInfo } | { ok: false; error: CodecError }>;
  /** A frame from a decoded-like object, with the built-in model's encoder (for simulators). */
  encode(modelId: string, data: Record<string, unknown>): UplinkFrame;
  /** Plain counters for /metrics: frames decoded by codec type and outcome, the sandbox's state. */
  stats(): CodecStats;
  close(): Promise<void>;
}

export interface CodecStats {
  /** Frames through decode(), by `builtin|ttn-js` and `ok|refused` (refused: at least one error). */
  decodes: Record<string, number>;
  uploaded: number;
  sandbox: { restarts: number; pending: number; suspended: number };
}

export interface CodecRegistryOptions {
  uploaded?: UploadedCodecStore;
  logger?: CodecLogger;
  sandbox?: Partial<SandboxLimits>;
}

interface Entry {
  info: ModelInfo;
  builtin: BuiltinModel | null;
  uploaded: UploadedCodec | null;
  mapping: ContractMapping;
}

const MODEL_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** A model id as the API and the site accept it: lower case, digits, `.`, `_`, `-`, at most 64. */
export function isModelId(id: string): boolean {
  return MODEL_ID.test(id);
}

function err(code: string, message: string): CodecError {
  return { code, message };
}

function outcome(decoded: Record<string, unknown> | null, errors: CodecError[], warnings: string[] = []): DecodeOutcome {
  return { decoded, messages: [], errors, warnings };
}

export async function createCodecRegistry(opts: CodecRegistryOptions = {}): Promise<CodecRegistry> {
  const entries = new Map<string, Entry>();
  for (const m of BUILTIN_MODELS) {
    entries.set(m.id, { info: { id: m.id, vendor: m.vendor, name: m.name, kind: m.kind, codec: 'builtin' }, builtin: m, uploaded: null, mapping: m.map });
  }
  let sandbox: TtnSandbox | null = null;
  const decodes: Record<string, number> = {};
  const count = (codec: 'builtin' | 'ttn-js', o: DecodeOutcome): DecodeOutcome => {
    const key = `${codec}/${o.errors.length ? 'refused' : 'ok'}`;
    decodes[key] = (decodes[key] ?? 0) + 1;
    return o;
  };
  const sandboxFor = (): TtnSandbox => (sandbox ??= new TtnSandbox(opts.sandbox, opts.logger));

  function install(c: UploadedCodec): ModelInfo {
    const builtin = entries.get(c.modelId)?.builtin ?? null;
    // a vendor decoder uploaded for a built-in model keeps the model's mapping (same decoded shape)
    const kindMatches = builtin !== null && builtin.kind === c.kind;
    const info: ModelInfo = {
      id: c.modelId,
      vendor: c.vendor || builtin?.vendor || 'unknown',
      name: c.name || builtin?.name || c.modelId,
      kind: c.kind,
      codec: 'ttn-js',
    };
    entries.set(c.modelId, { info, builtin: kindMatches ? builtin : null, uploaded: c, mapping: kindMatches ? builtin!.map : genericMapping(c.kind) });
    return info;
  }

  if (opts.uploaded) {
    for (const c of await opts.uploaded.listCodecs()) {
      if (!isDeviceKind(c.kind)) continue;
      const loaded = await sandboxFor().load(c.modelId, c.source);
      if (!loaded.ok) {
        opts.logger?.warn({ model: c.modelId, code: loaded.error.code, reason: loaded.error.message }, 'uploaded codec does not load; the model keeps it but every frame is refused');
      }
      install(c);
    }
  }

  function mapWith(e: Entry, decoded: Record<string, unknown>, params: DeviceParams, warnings: string[]): DecodeOutcome {
    let mapped: { messages: DecodeOutcome['messages']; warnings: string[] };
    try {
      mapped = e.mapping(decoded, params);
    } catch (x) {
      return outcome(decoded, [err('HUB_ERR_CODEC_MAPPING', `the ${e.info.id} codec output does not map to the contract: ${String(x instanceof Error ? x.message : x).slice(0, 200)}`)], warnings);
    }
    const { valid, errors } = validateMessages(e.info.id, e.info.kind, mapped.messages);
    return { decoded, messages: valid, errors, warnings: [...warnings, ...mapped.warnings] };
  }

  function fromTtn(e: Entry, r: TtnDecodeResult, params: DeviceParams): DecodeOutcome {
    const warnings = r.warnings ?? [];
    if (r.errors && r.errors.length > 0) {
      return outcome(r.data ?? null, r.errors.map((m) => err('HUB_ERR_CODEC_DECODE', new HubError('HUB_ERR_CODEC_DECODE', [e.info.id, m.slice(0, 200)]).message)), warnings);
    }
    if (!r.data) return outcome(null, [err('HUB_ERR_CODEC_DECODE', new HubError('HUB_ERR_CODEC_DECODE', [e.info.id, 'no data']).message)], warnings);
    return mapWith(e, r.data, params, warnings);
  }

  function unknown(modelId: string): DecodeOutcome {
    return outcome(null, [err('HUB_ERR_CODEC_UNKNOWN_MODEL', new HubError('HUB_ERR_CODEC_UNKNOWN_MODEL', [modelId]).message)]);
  }

  async function decodeWith(e: Entry, modelId: string, frame: UplinkFrame, params: DeviceParams): Promise<DecodeOutcome> {
    if (e.uploaded) {
      // the device's params go in as the decoder's `variables` (ChirpStack passes device variables)
      const input = { bytes: Array.from(frame.bytes), fPort: frame.fPort, variables: params, recvTime: Date.now() };
      const r = await sandboxFor().decode(modelId, input);
      if (!r.ok) {
        const message = new HubError(r.error.code, [modelId, r.error.message]).message;
        return outcome(null, [err(r.error.code, message)]);
      }
      const t = asTtnResult(r.value);
      if ('code' in t) return outcome(null, [err(t.code, new HubError('HUB_ERR_CODEC_OUTPUT', [modelId, t.message]).message)]);
      return fromTtn(e, t, params);
    }
    let r: TtnDecodeResult;
    try {
      r = e.builtin!.decode(frame);
    } catch (x) {
      return outcome(null, [err('HUB_ERR_CODEC_DECODE', new HubError('HUB_ERR_CODEC_DECODE', [modelId, String(x instanceof Error ? x.message : x)]).message)]);
    }
    return fromTtn(e, r, params);
  }

  return {
    models: () => [...entries.values()].map((e) => ({ ...e.info })).sort((a, b) => a.id.localeCompare(b.id)),
    has: (id) => entries.has(id),
    model: (id) => {
      const e = entries.get(id);
      return e ? { ...e.info } : undefined;
    },

    async decode(modelId, frame, params = {}) {
      const e = entries.get(modelId);
      if (!e) return unknown(modelId);
      return count(e.uploaded ? 'ttn-js' : 'builtin', await decodeWith(e, modelId, frame, params));
    },

    map(modelId, decoded, params = {}) {
      const e = entries.get(modelId);
      if (!e) return unknown(modelId);
      return mapWith(e, decoded, params, []);
    },

    async upload(c, by = null) {
      if (!isModelId(c.modelId)) return { ok: false, error: err('HUB_ERR_CODEC_INVALID', new HubError('HUB_ERR_CODEC_INVALID', [c.modelId.slice(0, 64), 'model id must match [a-z0-9][a-z0-9._-]{0,63}']).message) };
      if (Buffer.byteLength(c.source, 'utf8') > MAX_CODEC_SOURCE_BYTES) {
        return { ok: false, error: err('HUB_ERR_CODEC_INVALID', new HubError('HUB_ERR_CODEC_INVALID', [c.modelId, `source over ${MAX_CODEC_SOURCE_BYTES} bytes`]).message) };
      }
      const loaded = await sandboxFor().load(c.modelId, c.source);
      if (!loaded.ok) {
        const code = loaded.error.code === 'HUB_ERR_CODEC_THREW' ? 'HUB_ERR_CODEC_INVALID' : loaded.error.code;
        return { ok: false, error: err(code, new HubError(code, [c.modelId, loaded.error.message]).message) };
      }
      const builtin = entries.get(c.modelId)?.builtin;
      const codec: UploadedCodec = {
        modelId: c.modelId, kind: c.kind, vendor: c.vendor ?? builtin?.vendor ?? '', name: c.name ?? builtin?.name ?? '',
        format: 'ttn-js', source: c.source, updatedMs: Date.now(), updatedBy: by,
      };
      // persisted before it is used: a hub restarted now decodes with the same codec
      if (opts.uploaded) await opts.uploaded.putCodec(codec);
      return { ok: true, model: install(codec) };
    },

    encode: encodeFrame,

    stats: () => ({
      decodes: { ...decodes },
      uploaded: [...entries.values()].filter((e) => e.uploaded).length,
      sandbox: sandbox ? sandbox.stats() : { restarts: 0, pending: 0, suspended: 0 },
    }),

    async close() {
      await sandbox?.close();
      sandbox = null;
    },
  };
}
