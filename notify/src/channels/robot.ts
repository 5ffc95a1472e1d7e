import { fitCount, render, utf8Bytes, type Markup } from '../content.ts';
import type { Locale, Notice } from '../types.ts';

/** What robot channels share: the body is one text (markdown or plain) cut to the provider's limit. */
export function robotFit(notices: readonly Notice[], locale: Locale, markup: Markup, maxBytes: number, wrap: (text: string) => unknown = (t) => t, timeZone?: string): number {
  return fitCount(notices, (batch) => utf8Bytes(JSON.stringify(wrap(render(batch, locale, markup, timeZone)))), maxBytes);
}
