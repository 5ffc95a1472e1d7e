import type { Migration } from 'kysely';
import * as m0001 from './0001_site.ts';
import * as m0002 from './0002_state.ts';
import * as m0003 from './0003_readings.ts';
import * as m0101 from './0101_tickets.ts';
import * as m0102 from './0102_users.ts';
import * as m0103 from './0103_rules_config.ts';
import * as m0104 from './0104_alert_pending_seen.ts';
import * as m0110 from './0110_login_audit_photos.ts';
import * as m0111 from './0111_refusal_counts.ts';
import * as m0120 from './0120_event_log.ts';
import * as m0121 from './0121_arrival_time.ts';
import * as m0140 from './0140_notify.ts';
import * as m0150 from './0150_device_models.ts';
import * as m0155 from './0155_device_identity.ts';
import * as m0156 from './0156_network_uplinks.ts';
import * as m0130 from './0130_ticket_acknowledged.ts';
import * as m0131 from './0131_control_room_phone.ts';
import * as m0160 from './0160_audit_rule_versions.ts';
import * as m0170 from './0170_drop_reading_values_ts.ts';
import * as m0200 from './0200_drop_reading_values.ts';
import * as m0180 from './0180_officers.ts';
import * as m0190 from './0190_retired.ts';

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
  '0110_login_audit_photos': m0110,
  '0111_refusal_counts': m0111,
  '0120_event_log': m0120,
  '0121_arrival_time': m0121,
  '0140_notify': m0140,
  '0150_device_models': m0150,
  '0155_device_identity': m0155,
  '0156_network_uplinks': m0156,
  '0130_ticket_acknowledged': m0130,
  '0131_control_room_phone': m0131,
  '0160_audit_rule_versions': m0160,
  '0170_drop_reading_values_ts': m0170,
  '0180_officers': m0180,
  '0190_retired': m0190,
  '0200_drop_reading_values': m0200,
};
