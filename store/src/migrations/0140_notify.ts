import type { Kysely } from 'kysely';

/**
 * Notifications (owned by @gridhub/notify): the durable delivery queue (the log consumer's
 * position is a row of 0120's `cursors`), the notification file (secrets encrypted), each user's channel choice and web-push
 * subscriptions. A delivery's key is its idempotency key (event id + recipient + channel): the
 * consumer inserts each once, in the same transaction as it advances its cursor.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notify_deliveries')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'bigint', (c) => c.notNull())
    .addColumn('event_ms', 'bigint', (c) => c.notNull())
    .addColumn('ticket_id', 'text')
    .addColumn('incident_id', 'text')
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('channel_type', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('notice', 'text', (c) => c.notNull())
    .addColumn('merge_key', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('request_id', 'text')
    .addColumn('sent_ms', 'bigint')
    .addColumn('outcome_ms', 'bigint')
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notify_deliveries_due').on('notify_deliveries').columns(['state', 'next_attempt_ms']).execute();
  await db.schema.createIndex('notify_deliveries_ticket').on('notify_deliveries').columns(['ticket_id']).execute();
  await db.schema.createIndex('notify_deliveries_merge').on('notify_deliveries').columns(['recipient', 'channel_id', 'merge_key', 'created_ms']).execute();
  await db.schema.createIndex('notify_deliveries_sent').on('notify_deliveries').columns(['channel_id', 'recipient', 'sent_ms']).execute();

  await db.schema
    .createTable('notify_config')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notify_prefs')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('channels', 'text')
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notify_subscriptions')
    .addColumn('endpoint', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('p256dh', 'text', (c) => c.notNull())
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notify_subscriptions_user').on('notify_subscriptions').columns(['user_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['notify_subscriptions', 'notify_prefs', 'notify_config', 'notify_deliveries']) await db.schema.dropTable(t).execute();
}
