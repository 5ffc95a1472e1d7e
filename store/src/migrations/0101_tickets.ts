import { sql, type Kysely } from 'kysely';

/**
 * Rules and tickets (owned by @gridhub/rules): alert states, tickets (工单), their occurrences,
 * transitions, incidents, SLA timers and duty rosters. Portable types only; epoch ms as bigint;
 * lists and memories as JSON text.
 * ONE open ticket per (rule, subject) is enforced here by a partial unique index (SQLite and
 * PostgreSQL both have them), so alarms arriving together never make two tickets.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('alert_states')
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('subject_key', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('active_at_ms', 'bigint')
    .addColumn('fired_at_ms', 'bigint')
    .addColumn('resolved_at_ms', 'bigint')
    .addColumn('last_sample_ms', 'bigint')
    .addColumn('value', 'double precision')
    .addColumn('memory', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('alert_states_pk', ['rule_id', 'subject_key'])
    .execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('grid_id', 'text', (c) => c.notNull())
    .addColumn('estate_id', 'text', (c) => c.notNull())
    .addColumn('building_id', 'text')
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_building').on('incidents').columns(['building_id', 'created_ms']).execute();

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('subject_key', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('device_kind', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('street_id', 'text', (c) => c.notNull())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('origin_grid_id', 'text', (c) => c.notNull())
    .addColumn('estate_id', 'text', (c) => c.notNull())
    .addColumn('building_id', 'text')
    .addColumn('unit_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('grid_id', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('department', 'text')
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id'))
    .addColumn('occurrences', 'integer', (c) => c.notNull())
    .addColumn('first_seen_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('dispatched_ms', 'bigint')
    .addColumn('accepted_ms', 'bigint')
    .addColumn('on_site_ms', 'bigint')
    .addColumn('resolved_ms', 'bigint')
    .addColumn('closed_ms', 'bigint')
    .addColumn('condition_cleared_ms', 'bigint')
    .addColumn('escalation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('overdue', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('fired_timers', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('return_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reopen_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('tickets_one_open')
    .on('tickets')
    .columns(['rule_id', 'subject_key'])
    .unique()
    .where(sql.ref('status'), '<>', 'closed')
    .execute();
  await db.schema.createIndex('tickets_grid_status').on('tickets').columns(['grid_id', 'status']).execute();
  await db.schema.createIndex('tickets_building_rule').on('tickets').columns(['building_id', 'rule_id', 'last_seen_ms']).execute();
  await db.schema.createIndex('tickets_created').on('tickets').column('created_ms').execute();

  await db.schema
    .createTable('ticket_occurrences')
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .execute();
  await db.schema.createIndex('ticket_occurrences_ticket').on('ticket_occurrences').columns(['ticket_id', 'at_ms']).execute();

  await db.schema
    .createTable('ticket_transitions')
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text', (c) => c.notNull())
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('by_id', 'text', (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('data', 'text')
    .addPrimaryKeyConstraint('ticket_transitions_pk', ['ticket_id', 'version'])
    .execute();

  await db.schema
    .createTable('ticket_timers')
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('timer_key', 'text', (c) => c.notNull())
    .addColumn('due_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_timers_pk', ['ticket_id', 'timer_key'])
    .execute();
  await db.schema.createIndex('ticket_timers_due').on('ticket_timers').column('due_ms').execute();

  await db.schema
    .createTable('duty_rosters')
    .addColumn('grid_id', 'text', (c) => c.notNull())
    .addColumn('warden_id', 'text', (c) => c.notNull())
    .addColumn('from_ms', 'bigint', (c) => c.notNull())
    .addColumn('to_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('duty_rosters_pk', ['grid_id', 'warden_id', 'from_ms'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['duty_rosters', 'ticket_timers', 'ticket_transitions', 'ticket_occurrences', 'tickets', 'incidents', 'alert_states']) {
    await db.schema.dropTable(t).execute();
  }
}
