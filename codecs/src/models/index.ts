import type { BuiltinModel } from '../types.ts';
import { df703 } from './df703.ts';

/** The models whose codecs we wrote, by id. */
export const BUILTIN_MODELS: readonly BuiltinModel[] = [df703];
