import type { BuiltinModel } from '../types.ts';
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
