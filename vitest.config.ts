import { defineConfig } from 'vitest/config';

/**
 * One config for the whole repository, in two projects:
 * - `parallel`: everything that holds on a busy machine, three files at a time (the notify outage
 *   and rate tests wait out minutes at little CPU: they sit here, not in serial);
 * - `serial`: tests that offer a load at a set rate or hold a deadline (the influxd outage in a
 *   2,000 msg/s stream, kill -9, 150k msg/s offered, the dashboard's "within 2 s"), one file at a
 *   time after the parallel run, so that another test's CPU use cannot make them lie.
 * `npm test` runs both. Server-backed tests start their own server (see testkit/).
 */
const SERIAL = [
  'hub/test/influx.test.ts',
  'hub/test/crash.test.ts',
  'hub/test/networks-zero-loss.test.ts',
  'hub/test/overload.test.ts',
  'hub/test/malformed.test.ts',
  'hub/test/dashboard.test.ts',
  'hub/test/admin-screens.test.ts',
  'hub/test/security-access.test.ts',
  'hub/test/security-login.test.ts',
  'hub/test/security-sessions.test.ts',
  'hub/test/security-data.test.ts',
  'hub/test/fire-screens.test.ts',
  'broker/test/overload.test.ts',
  'ingest/test/crash.test.ts',
  'codecs/test/sandbox.test.ts',
  'hub/test/device-models-page.test.ts',
  'hub/test/codec-alarm-latency.test.ts',
  'hub/test/store-outage.test.ts',
  'hub/test/alarm-crash.test.ts',
  'hub/test/notify-crash.test.ts',
  'hub/test/webpush.test.ts',
];

const shared = { testTimeout: 60_000, hookTimeout: 120_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'parallel',
          // Most of these wait on servers and sockets more than they compute: three files at once
          // (the default on two cores would be one).
          maxWorkers: 3,
          include: ['{core,codecs,store,broker,ingest,rules,notify,hub,simulators,dashboard,testkit}/test/**/*.test.{ts,tsx}'],
          exclude: ['**/node_modules/**', ...SERIAL],
        },
      },
      { test: { ...shared, name: 'serial', include: SERIAL, fileParallelism: false } },
    ],
  },
});
