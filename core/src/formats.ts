import { FormatRegistry } from '@sinclair/typebox';

/**
 * String formats used by the contract's schemas. TypeBox checks a `format` only once it is
 * registered; registering them here (imported by index.ts) makes every package agree.
 */
function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

if (!FormatRegistry.Has('date')) FormatRegistry.Set('date', isCalendarDate);
