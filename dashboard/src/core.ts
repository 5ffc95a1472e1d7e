/**
 * The browser-safe part of @gridhub/core: constants and label tables with no Node or TypeBox
 * code. Core's index also exports secret hashing (node:crypto) and payload schemas, which have
 * no place in a browser bundle, so the dashboard takes values from these files and everything
 * else from '@gridhub/core' as types only. (Wanted: core exporting this list as `./browser`.)
 */
export { DEVICE_KINDS, DEVICE_KIND_LABELS } from '../../core/src/kinds.ts';
export { DEFAULT_LIVENESS, livenessOf } from '../../core/src/liveness.ts';
export { REALTIME_PATH, REALTIME_FLUSH_MS } from '../../core/src/realtime.ts';
export {
  DEPARTMENTS,
  DEPARTMENT_LABELS,
  KPI_PERIODS,
  OPEN_STATUSES,
  PERSON_ACTIONS,
  PRIORITIES,
  TICKET_ACTION_LABELS,
  TICKET_STATUSES,
  TICKET_STATUS_LABELS,
} from '../../core/src/tickets.ts';
export { ACTION_ROLES, USER_ROLE_LABELS, mayTake, seesEverything } from '../../core/src/users.ts';
