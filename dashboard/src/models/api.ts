import { api, post } from '../api.ts';

/** The device-model API as the page uses it (the hub's /api/device-models). */
export interface ModelRow {
  id: string;
  vendor: string;
  name: string;
  kind: string;
  codec: 'builtin' | 'ttn-js';
}

export interface DecodeAnswer {
  decoded: Record<string, unknown> | null;
  reading: { channel: string; payload: Record<string, unknown> }[];
  errors: { code: string; message: string }[];
  warnings: string[];
}

export const listModels = () => api<{ models: ModelRow[] }>('/api/device-models');

export function decodeFrame(model: string, fPort: number, frame: string, encoding: 'hex' | 'base64', params: Record<string, number>): Promise<DecodeAnswer> {
  return post<DecodeAnswer>(`/api/device-models/${encodeURIComponent(model)}/decode`, { fPort, [encoding]: frame, params });
}

export function uploadCodec(model: string, kind: string, source: string): Promise<{ model: ModelRow }> {
  return api(`/api/device-models/${encodeURIComponent(model)}`, { method: 'PUT', json: { kind, codec: { format: 'ttn-js', source } } });
}
