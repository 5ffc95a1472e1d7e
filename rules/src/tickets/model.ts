/**
 * The ticket (工单) domain types live in @gridhub/core (core/src/tickets.ts), shared with the API
 * and the screens; re-exported here for this package's own modules.
 */
export {
  TICKET_STATUSES, OPEN_STATUSES, DEPARTMENTS, ESCALATION_LEVELS, PHASES, SYSTEM,
  type TicketStatus, type Department, type EscalationLevel, type Phase, type Ticket, type ActorRole, type Actor,
  type TicketTransition, type TicketAction, type TicketActionName,
} from '@gridhub/core';
