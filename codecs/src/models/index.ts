import { HubError } from '@gridhub/core';
import type { BuiltinModel, UplinkFrame } from '../types.ts';
import { df703 } from './df703.ts';
import { dc410, dc413 } from './dingtek-dc41x.ts';
import { gs524n } from './gs524n.ts';
import { em310udl, em400udl } from './milesight-udl.ts';
import { r718eb, r718x, ra02a } from './netvox.ts';

/** The models whose codecs we wrote, by kind: bins, smoke alarms, manhole covers (tilt included). */
export const BUILTIN_MODELS: readonly BuiltinModel[] = [
  df703, em400udl, em310udl, r718x,
  gs524n, ra02a,
  dc410, dc413, r718eb,
];

/** A frame of a built-in model from a decoded-like object (for simulators; no registry needed). */
export function encodeFrame(modelId: string, data: Record<string, unknown>): UplinkFrame {
  const m = BUILTIN_MODELS.find((b) => b.id === modelId);
  if (!m?.encode) throw new HubError('HUB_ERR_CODEC_UNKNOWN_MODEL', [modelId]);
  return m.encode(data);
}
