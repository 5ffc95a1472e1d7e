import { HubError, type HubErrorCode } from '@gridhub/core';

/**
 * This package's errors, each thrown as its code in core's registry (HUB_ERRORS), with
 * `details.code` naming the specific rules code so callers and tests can match on it.
 */
export const RULES_ERRORS = {
  RULES_ERR_RULESET_INVALID: 'HUB_ERR_RULESET_INVALID',
  RULES_ERR_TICKET_TRANSITION: 'HUB_ERR_TICKET_TRANSITION',
  RULES_ERR_TICKET_NOT_FOUND: 'HUB_ERR_TICKET_NOT_FOUND',
  RULES_ERR_TICKET_CONFLICT: 'HUB_ERR_TICKET_CONFLICT',
} as const satisfies Record<string, HubErrorCode>;
export type RulesErrorCode = keyof typeof RULES_ERRORS;

export interface RulesErrorDetails {
  code: RulesErrorCode;
  [key: string]: unknown;
}

/** `args` fill the core message template of the code (e.g. 'cannot %s a %s ticket'). */
export function rulesError(code: RulesErrorCode, args: readonly (string | number)[], extra: Record<string, unknown> = {}): HubError {
  const details: RulesErrorDetails = { code, ...extra };
  return new HubError(RULES_ERRORS[code], args, details);
}

/** The specific rules code of an error, if it carries one. */
export function rulesErrorCode(err: unknown): RulesErrorCode | undefined {
  if (!(err instanceof HubError)) return undefined;
  const d = err.details as Partial<RulesErrorDetails> | undefined;
  return d && typeof d.code === 'string' && d.code in RULES_ERRORS ? d.code : undefined;
}
