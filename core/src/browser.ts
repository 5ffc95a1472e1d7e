/**
 * `@gridhub/core/browser`: the values of the contract a browser may load (constants and label
 * tables, no Node or TypeBox code). The index also exports secret hashing (node:crypto) and payload
 * schemas, which have no place in a bundle; the dashboard takes values from here and types from
 * '@gridhub/core'.
 */
export { DEVICE_KINDS, DEVICE_KIND_LABELS } from './kinds.ts';
export { DEFAULT_LIVENESS, livenessOf } from './liveness.ts';
export { REALTIME_PATH, REALTIME_FLUSH_MS } from './realtime.ts';
export {
  DEPARTMENTS,
  DEPARTMENT_LABELS,
  INCIDENT_ACTIONS,
  KPI_PERIODS,
  needsAcknowledgement,
  OPEN_STATUSES,
  PERSON_ACTIONS,
  PRIORITIES,
  TICKET_ACTION_LABELS,
  TICKET_STATUSES,
  TICKET_STATUS_LABELS,
} from './tickets.ts';
export { ACTION_ROLES, USER_ROLE_LABELS, mayTake, seesEverything } from './users.ts';
