import type { Migration } from 'kysely';
import * as m0001 from './0001_site.ts';
import * as m0002 from './0002_state.ts';
import * as m0003 from './0003_readings.ts';
import * as m0101 from './0101_tickets.ts';
import * as m0102 from './0102_users.ts';
import * as m0103 from './0103_rules_config.ts';
import * as m0104 from './0104_alert_pending_seen.ts';
import * as m0130 from './0130_ticket_acknowledged.ts';
import * as m0131 from './0131_control_room_phone.ts';

/**
 * Every migration of the hub's ONE schema (SQLite and PostgreSQL), in order. Kysely's Migrator
 * runs them sorted by name, so keep the numeric prefixes: 00xx store, 01xx tickets (rules).
 * Add one line per new migration; never edit or renumber one that has shipped.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_site': m0001,
  '0002_state': m0002,
  '0003_readings': m0003,
  '0101_tickets': m0101,
  '0102_users': m0102,
  '0103_rules_config': m0103,
  '0104_alert_pending_seen': m0104,
  '0130_ticket_acknowledged': m0130,
  '0131_control_room_phone': m0131,
};
