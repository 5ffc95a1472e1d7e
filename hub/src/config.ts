import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { HubError, parseFlag } from '@gridhub/core';

/**
 * The hub's configuration: read once from the environment by main.ts (`configFromEnv`), checked,
 * then frozen. Libraries never read process.env. Units are in the names.
 * docs/configuration.md lists every variable (a test checks).
 */
export const HubConfigSchema = Type.Object({
  dataDir: Type.String({ minLength: 1 }),
  /** A YAML site file imported at start; without it the demo site is loaded into an empty store. */
  sitePath: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  databaseUrl: Type.Union([Type.String({ pattern: '^postgres(ql)?://' }), Type.Null()]),
  httpHost: Type.String(),
  httpPort: Type.Integer({ minimum: 0, maximum: 65535 }),
  mqttHost: Type.String(),
  mqttPort: Type.Integer({ minimum: 0, maximum: 65535 }),
  mqttTlsPort: Type.Integer({ minimum: 0, maximum: 65535 }),
  tlsCertPath: Type.Union([Type.String(), Type.Null()]),
  tlsKeyPath: Type.Union([Type.String(), Type.Null()]),
  mqttAllowAnonymous: Type.Boolean(),
  mqttUsersPath: Type.Union([Type.String(), Type.Null()]),
  deviceRatePerSec: Type.Number({ minimum: 0 }),
  deviceBurst: Type.Number({ minimum: 1 }),
  maxPayloadBytes: Type.Integer({ minimum: 256, maximum: 1024 * 1024 }),
  influx: Type.Union([
    Type.Object({
      url: Type.String({ pattern: '^https?://' }),
      api: Type.Union([Type.Literal('v1'), Type.Literal('v2')]),
      bucket: Type.String({ minLength: 1 }),
      org: Type.Union([Type.String(), Type.Null()]),
      token: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  spoolBudgetBytes: Type.Integer({ minimum: 1024 * 1024 }),
  embeddedRetentionMs: Type.Integer({ minimum: 60_000 }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  /** Password of the `admin` user created on the first start; generated and printed once when null. */
  adminPassword: Type.Union([Type.String({ minLength: 8 }), Type.Null()]),
  sessionTtlMs: Type.Integer({ minimum: 60_000 }),
  /** Failed logins allowed per user name, and per IP, within loginWindowMs. */
  loginMaxPerUser: Type.Integer({ minimum: 1 }),
  loginMaxPerIp: Type.Integer({ minimum: 1 }),
  loginWindowMs: Type.Integer({ minimum: 1000 }),
  cookieSecure: Type.Boolean(),
  /** How often the rules engine ticks (`for` windows, liveness, SLA timers); 0 turns it off (tests). */
  rulesTickMs: Type.Integer({ minimum: 0 }),
  /** Compact the heap once the process goes idle after a burst (hub/src/memory.ts); process-wide, read by main.ts. */
  idleCompaction: Type.Boolean(),
  /** With the demo site, npm start runs a gentle simulation of it (HUB_DEMO_SIMULATION=0: off). Never with a real site. */
  demoSimulation: Type.Boolean(),
});
export type HubConfig = Static<typeof HubConfigSchema>;

export const DEFAULT_CONFIG: HubConfig = {
  dataDir: '.data',
  sitePath: null,
  databaseUrl: null,
  httpHost: '0.0.0.0',
  httpPort: 8080,
  mqttHost: '0.0.0.0',
  mqttPort: 1883,
  mqttTlsPort: 8883,
  tlsCertPath: null,
  tlsKeyPath: null,
  mqttAllowAnonymous: false,
  mqttUsersPath: null,
  deviceRatePerSec: 200,
  deviceBurst: 400,
  maxPayloadBytes: 8 * 1024,
  influx: null,
  spoolBudgetBytes: 1024 * 1024 * 1024,
  embeddedRetentionMs: 30 * 24 * 3600_000,
  logLevel: 'info',
  adminPassword: null,
  sessionTtlMs: 12 * 3600_000,
  loginMaxPerUser: 5,
  loginMaxPerIp: 20,
  loginWindowMs: 15 * 60_000,
  cookieSecure: false,
  rulesTickMs: 1000,
  idleCompaction: true,
  demoSimulation: true,
};

/** Every environment variable the hub reads, with its meaning (docs/configuration.md mirrors it). */
export const ENV_VARS = {
  HUB_DATA_DIR: 'data folder: SQLite store, spool, generated files (default .data)',
  HUB_SITE: 'YAML site file to import at start (default: the demo site, loaded into an empty store)',
  DATABASE_URL: 'PostgreSQL URL; without it the store is a SQLite file in HUB_DATA_DIR',
  HUB_HTTP_HOST: 'HTTP listen address (default 0.0.0.0)',
  HUB_HTTP_PORT: 'HTTP port: API, dashboard, MQTT over WebSocket at /mqtt (default 8080)',
  HUB_MQTT_HOST: 'MQTT listen address (default 0.0.0.0)',
  HUB_MQTT_PORT: 'MQTT over TCP (default 1883)',
  HUB_MQTT_TLS_PORT: 'MQTT over TLS, when HUB_TLS_CERT and HUB_TLS_KEY are set (default 8883)',
  HUB_TLS_CERT: 'PEM certificate file for MQTT over TLS',
  HUB_TLS_KEY: 'PEM private key file for MQTT over TLS',
  HUB_MQTT_ALLOW_ANONYMOUS: '1 to let anonymous clients in (never on device topics v1/...)',
  HUB_MQTT_USERS: 'YAML/JSON file of service and operator MQTT users: [{username, password_hash, role}]',
  HUB_DEVICE_RATE: 'messages per second one device may send before it is shed (default 200)',
  HUB_DEVICE_BURST: 'burst a device may send above its rate (default 400)',
  HUB_MAX_PAYLOAD_BYTES: 'largest device payload accepted (default 8192)',
  INFLUX_URL: 'InfluxDB URL; without it readings go to the embedded telemetry table',
  INFLUX_API: 'v2 (default; InfluxDB 2.x and 3.x) or v1 (InfluxDB 1.x)',
  INFLUX_BUCKET: 'bucket (v2) or database (v1) (default gridhub)',
  INFLUX_ORG: 'organisation (v2)',
  INFLUX_TOKEN: 'API token (v2) or user:password (v1)',
  HUB_SPOOL_BUDGET_MB: 'disk budget of the ingest spool (default 1024)',
  HUB_EMBEDDED_RETENTION_DAYS: 'how long the embedded telemetry table keeps readings (default 30)',
  HUB_LOG_LEVEL: 'fatal, error, warn, info (default), debug, trace, silent',
  HUB_ADMIN_PASSWORD: 'password of the admin user created on the first start (else one is generated and printed once)',
  HUB_SESSION_TTL_HOURS: 'how long a login session lasts (default 12)',
  HUB_LOGIN_MAX_PER_USER: 'failed logins allowed per user name within the login window (default 5)',
  HUB_LOGIN_MAX_PER_IP: 'failed logins allowed per IP address within the login window (default 20)',
  HUB_LOGIN_WINDOW_S: 'the login rate-limit window in seconds (default 900)',
  HUB_COOKIE_SECURE: '1 to mark the session cookie Secure (behind HTTPS)',
  HUB_RULES_TICK_MS: 'how often the rules engine ticks: for windows, liveness, SLA timers (default 1000)',
  HUB_DEMO_SIMULATION: 'with the demo site, npm start runs a gentle simulation of every demo device (a child process over MQTT); 0 turns it off; never with a real site (default 1)',
  HUB_IDLE_COMPACTION: '0 to keep the heap as V8 leaves it after a burst; by default it is compacted once the hub is idle (default 1)',
} as const;

const check = TypeCompiler.Compile(HubConfigSchema);

export function resolveConfig(partial: Partial<HubConfig>): Readonly<HubConfig> {
  const config = { ...DEFAULT_CONFIG, ...partial };
  if (!check.Check(config)) {
    const errors = [...check.Errors(config)].map((e) => `${e.path}: ${e.message}`);
    throw new HubError('HUB_ERR_CONFIG', [errors.join('; ')], errors);
  }
  return Object.freeze(config);
}

/** The only place that reads environment variables (called from main.ts with process.env). */
export function configFromEnv(env: Record<string, string | undefined>): Readonly<HubConfig> {
  const bad: string[] = [];
  const int = (name: keyof typeof ENV_VARS, fallback: number, scale = 1): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return Math.round(fallback * scale);
    const n = Number(raw);
    if (!Number.isFinite(n)) {
      bad.push(`${name}=${raw} is not a number`);
      return fallback;
    }
    return Math.round(n * scale);
  };
  const str = (name: keyof typeof ENV_VARS): string | null => (env[name] === undefined || env[name] === '' ? null : env[name]!);
  const flag = (name: keyof typeof ENV_VARS, fallback = false): boolean => {
    const v = parseFlag(env[name]);
    if (v === null) bad.push(`${name}=${env[name]} must be 1 or 0`);
    return v ?? fallback;
  };
  const influxUrl = str('INFLUX_URL');
  const api = str('INFLUX_API') ?? 'v2';
  if (api !== 'v1' && api !== 'v2') bad.push(`INFLUX_API=${api} must be v1 or v2`);
  const config: Partial<HubConfig> = {
    dataDir: str('HUB_DATA_DIR') ?? DEFAULT_CONFIG.dataDir,
    sitePath: str('HUB_SITE'),
    databaseUrl: str('DATABASE_URL'),
    httpHost: str('HUB_HTTP_HOST') ?? DEFAULT_CONFIG.httpHost,
    httpPort: int('HUB_HTTP_PORT', DEFAULT_CONFIG.httpPort),
    mqttHost: str('HUB_MQTT_HOST') ?? DEFAULT_CONFIG.mqttHost,
    mqttPort: int('HUB_MQTT_PORT', DEFAULT_CONFIG.mqttPort),
    mqttTlsPort: int('HUB_MQTT_TLS_PORT', DEFAULT_CONFIG.mqttTlsPort),
    tlsCertPath: str('HUB_TLS_CERT'),
    tlsKeyPath: str('HUB_TLS_KEY'),
    mqttAllowAnonymous: flag('HUB_MQTT_ALLOW_ANONYMOUS'),
    mqttUsersPath: str('HUB_MQTT_USERS'),
    deviceRatePerSec: int('HUB_DEVICE_RATE', DEFAULT_CONFIG.deviceRatePerSec),
    deviceBurst: int('HUB_DEVICE_BURST', DEFAULT_CONFIG.deviceBurst),
    maxPayloadBytes: int('HUB_MAX_PAYLOAD_BYTES', DEFAULT_CONFIG.maxPayloadBytes),
    influx: influxUrl
      ? { url: influxUrl, api: api === 'v1' ? 'v1' : 'v2', bucket: str('INFLUX_BUCKET') ?? 'gridhub', org: str('INFLUX_ORG'), token: str('INFLUX_TOKEN') }
      : null,
    spoolBudgetBytes: int('HUB_SPOOL_BUDGET_MB', DEFAULT_CONFIG.spoolBudgetBytes / 1024 / 1024, 1024 * 1024),
    embeddedRetentionMs: int('HUB_EMBEDDED_RETENTION_DAYS', DEFAULT_CONFIG.embeddedRetentionMs / 86_400_000, 86_400_000),
    logLevel: (str('HUB_LOG_LEVEL') ?? 'info') as HubConfig['logLevel'],
    adminPassword: str('HUB_ADMIN_PASSWORD'),
    sessionTtlMs: int('HUB_SESSION_TTL_HOURS', DEFAULT_CONFIG.sessionTtlMs / 3600_000, 3600_000),
    loginMaxPerUser: int('HUB_LOGIN_MAX_PER_USER', DEFAULT_CONFIG.loginMaxPerUser),
    loginMaxPerIp: int('HUB_LOGIN_MAX_PER_IP', DEFAULT_CONFIG.loginMaxPerIp),
    loginWindowMs: int('HUB_LOGIN_WINDOW_S', DEFAULT_CONFIG.loginWindowMs / 1000, 1000),
    cookieSecure: flag('HUB_COOKIE_SECURE'),
    rulesTickMs: int('HUB_RULES_TICK_MS', DEFAULT_CONFIG.rulesTickMs),
    idleCompaction: flag('HUB_IDLE_COMPACTION', DEFAULT_CONFIG.idleCompaction),
    demoSimulation: flag('HUB_DEMO_SIMULATION', DEFAULT_CONFIG.demoSimulation),
  };
  if (bad.length) throw new HubError('HUB_ERR_CONFIG', [bad.join('; ')], bad);
  return resolveConfig(config);
}

/** The config as it may be shown (health, logs): secrets masked. */
export function redactedConfig(config: HubConfig): HubConfig {
  return { ...config, adminPassword: config.adminPassword ? '***' : null, databaseUrl: config.databaseUrl?.replace(/\/\/[^@/]*@/, '//***@') ?? null, influx: config.influx && { ...config.influx, token: config.influx.token ? '***' : null } };
}
