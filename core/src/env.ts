/**
 * An on/off environment variable, read the same way by every entry point: 1, true, yes or 0,
 * false, no (any case). `undefined` when unset or empty, `null` when it is none of these.
 */
export function parseFlag(raw: string | undefined): boolean | undefined | null {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '') return undefined;
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  return null;
}
