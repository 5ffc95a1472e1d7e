import { HubError } from '@gridhub/core';

/**
 * Codes this package wants in core's registry (HUB_ERRORS). Until core adds them, each is thrown
 * as HUB_ERR_VALIDATION (or HUB_ERR_NOT_FOUND) with `details.code` carrying the specific code, so
 * callers and tests can already match on it.
 */
export const RULES_ERRORS = {
  RULES_ERR_RULESET_INVALID: { base: 'HUB_ERR_VALIDATION', message: 'rule set is invalid' },
  RULES_ERR_TICKET_TRANSITION: { base: 'HUB_ERR_VALIDATION', message: 'ticket action not allowed' },
  RULES_ERR_TICKET_NOT_FOUND: { base: 'HUB_ERR_NOT_FOUND', message: 'ticket' },
  RULES_ERR_TICKET_CONFLICT: { base: 'HUB_ERR_VALIDATION', message: 'ticket changed meanwhile' },
} as const;
export type RulesErrorCode = keyof typeof RULES_ERRORS;

export interface RulesErrorDetails {
  code: RulesErrorCode;
  [key: string]: unknown;
}

export function rulesError(code: RulesErrorCode, summary: string, extra: Record<string, unknown> = {}): HubError {
  const spec = RULES_ERRORS[code];
  const details: RulesErrorDetails = { code, ...extra };
  return new HubError(spec.base, [summary], details);
}

/** The specific rules code of an error, if it carries one. */
export function rulesErrorCode(err: unknown): RulesErrorCode | undefined {
  if (!(err instanceof HubError)) return undefined;
  const d = err.details as Partial<RulesErrorDetails> | undefined;
  return d && typeof d.code === 'string' && d.code in RULES_ERRORS ? d.code : undefined;
}
