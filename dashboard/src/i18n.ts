import { createContext, useContext } from 'react';
import { en } from './i18n/en.ts';
import { zh, type MessageKey } from './i18n/zh.ts';

export type { MessageKey } from './i18n/zh.ts';

/**
 * Every string the screens show, in Chinese (default, i18n/zh.ts) and English (i18n/en.ts). `en`
 * must have every key of `zh` (the type says so), so a missing translation is a compile error.
 * `{n}`-style slots.
 */
export const DICTIONARIES = { zh, en } as const;
export type Lang = keyof typeof DICTIONARIES;

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const dict: Record<MessageKey, string> = DICTIONARIES[lang];
  return (key, vars) => {
    const text = dict[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? '')) : text;
  };
}

/** For keys built at runtime (`kind.${kind}`): the translation, or the raw word when unknown. */
export function tryKey(t: Translate, key: string): string {
  return key in zh ? t(key as MessageKey) : key.slice(key.indexOf('.') + 1);
}

/** A ticket's title in the screen's language: the default rules have dictionary entries; a rule set's own title shows as written. */
export function ruleTitle(t: Translate, ruleId: string, stored: string): string {
  const key = `rule.${ruleId}`;
  return key in zh ? t(key as MessageKey) : stored;
}

/** Who did something, for history lines: the system, a user or a warden (named through `nameOf`). */
export function actorName(t: Translate, lang: Lang, id: string, nameOf: (id: string) => string): string {
  if (id === 'system') return lang === 'zh' ? '系统' : 'System';
  return nameOf(id);
}

export const I18nContext = createContext<{ lang: Lang; t: Translate; setLang(l: Lang): void }>({
  lang: 'zh',
  t: translator('zh'),
  setLang: () => {},
});

export const useI18n = () => useContext(I18nContext);

/** A label from one of core's `{ zh, en }` tables (kinds, ticket states, actions, roles, departments). */
export function pick(labels: { zh: string; en: string } | undefined, lang: Lang, fallback = ''): string {
  return labels ? labels[lang] : fallback;
}

/** "3 min", "2 h" — a duration in the largest sensible unit. */
export function formatDuration(t: Translate, ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return t('seconds', { n: s });
  if (s < 3600) return t('minutes', { n: Math.round(s / 60) });
  if (s < 86_400) return t('hours', { n: Math.round(s / 360) / 10 });
  return t('days', { n: Math.round(s / 8640) / 10 });
}
