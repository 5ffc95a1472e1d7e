import type { UploadedCodec, UploadedCodecStore } from './types.ts';

/** Uploaded codecs in memory: for tests and the bench (the hub uses its store's table). */
export function memoryCodecStore(initial: UploadedCodec[] = []): UploadedCodecStore & { codecs: Map<string, UploadedCodec> } {
  const codecs = new Map(initial.map((c) => [c.modelId, c]));
  return {
    codecs,
    listCodecs: async () => [...codecs.values()],
    putCodec: async (c) => {
      codecs.set(c.modelId, { ...c });
    },
  };
}
