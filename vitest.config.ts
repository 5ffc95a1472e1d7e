import { defineConfig } from 'vitest/config';

// One run for the whole repository. Server-backed tests (influxd, PostgreSQL, Chromium, Mosquitto)
// start their own server on a temp dir and a free port; see test-support/servers.ts.
export default defineConfig({
  test: {
    include: ['{core,store,broker,ingest,rules,hub,simulators,dashboard}/test/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
