import type { AlertTransition } from './alert/step.ts';
import type { Silence } from './config/schedule.ts';
import type { Priority } from './kinds/common.ts';
import type { Incident } from './store/ticket-store.ts';
import type { Ticket, TicketTransition } from './tickets/model.ts';

/**
 * The one internal, typed event stream of rules and tickets: what the realtime layer and
 * notifications subscribe to. Every alert and ticket transition goes onto it.
 */
export type RulesEvent =
  | { type: 'alert'; ruleId: string; subjectKey: string; deviceId: string; priority: Priority; transition: AlertTransition; silenced: Silence | null }
  | { type: 'ticket'; ticket: Ticket; transition: TicketTransition }
  | { type: 'occurrence'; ticket: Ticket; created: boolean }
  | { type: 'incident'; incident: Incident; ticketIds: string[]; joined: boolean };

export type Emit = (event: RulesEvent) => void;
