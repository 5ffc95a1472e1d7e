import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubError } from '@gridhub/core';
import { DEFAULT_CONFIG, ENV_VARS, configFromEnv } from '../src/config.ts';

describe('configuration from the environment', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(configFromEnv({})).toEqual(DEFAULT_CONFIG);
    expect(Object.isFrozen(configFromEnv({}))).toBe(true);
  });

  it('reads every variable, with units converted', () => {
    const c = configFromEnv({
      HUB_DATA_DIR: '/var/lib/gridhub',
      HUB_HTTP_PORT: '9000',
      HUB_SPOOL_BUDGET_MB: '64',
      HUB_EMBEDDED_RETENTION_DAYS: '7',
      HUB_MQTT_ALLOW_ANONYMOUS: '1',
      INFLUX_URL: 'http://influx:8086',
      INFLUX_API: 'v1',
      DATABASE_URL: 'postgres://u:p@db/gridhub',
      HUB_IDLE_COMPACTION: '0',
    });
    expect(c.spoolBudgetBytes).toBe(64 * 1024 * 1024);
    expect(c.embeddedRetentionMs).toBe(7 * 86_400_000);
    expect(c.httpPort).toBe(9000);
    expect(c.mqttAllowAnonymous).toBe(true);
    expect(c.idleCompaction).toBe(false); // on by default
    expect(c.influx).toEqual({ url: 'http://influx:8086', api: 'v1', bucket: 'gridhub', org: null, token: null });
  });

  it('refuses bad values with HUB_ERR_CONFIG naming each', () => {
    let err: unknown;
    try {
      configFromEnv({ HUB_HTTP_PORT: 'eighty', INFLUX_API: 'v9', HUB_COOKIE_SECURE: 'on' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('HUB_ERR_CONFIG');
    expect((err as HubError).message).toContain('HUB_HTTP_PORT');
    expect((err as HubError).message).toContain('INFLUX_API');
    expect((err as HubError).message).toContain('HUB_COOKIE_SECURE=on must be 1 or 0');
    expect(() => configFromEnv({ HUB_MQTT_PORT: '70000' })).toThrow(/mqttPort/);
  });

  it('documents every variable in docs/configuration.md', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
    expect(Object.keys(ENV_VARS).filter((v) => !doc.includes(`\`${v}\``))).toEqual([]);
  });
});
