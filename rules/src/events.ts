import type { RulesEvent } from '@gridhub/core';

/**
 * The one internal, typed event stream of rules and tickets (RulesEvent, in @gridhub/core): what
 * the realtime layer and notifications subscribe to. Every alert and ticket transition goes onto it.
 */
export type { RulesEvent };
export type Emit = (event: RulesEvent) => void;
