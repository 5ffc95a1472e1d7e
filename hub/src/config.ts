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
  sessionTtlMs: Type.Integer({ minimum: 1000 }),
  /** Failed logins per (user name, address), and per address, before growing delays start; failures are forgotten loginWindowMs after the last. */
  loginMaxPerUser: Type.Integer({ minimum: 1 }),
  loginMaxPerIp: Type.Integer({ minimum: 1 }),
  loginWindowMs: Type.Integer({ minimum: 1000 }),
  cookieSecure: Type.Boolean(),
  /** Reverse proxies in front of the hub, by address/CIDR (or proxy-addr's `loopback`, `uniquelocal`); null: none, the socket's address is the client's. */
  trustProxy: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  /** Browser origins besides the hub's own that may use a session (Socket.IO, /mqtt, state-changing requests). */
  allowedOrigins: Type.Array(Type.String({ pattern: '^https?://[^/]+$' })),
  /** Refused messages kept per device (the counts by reason stay whole). */
  refusalsKeep: Type.Integer({ minimum: 1 }),
  /** How long login audit rows are kept. */
  loginAuditMs: Type.Integer({ minimum: 3_600_000 }),
  /** How often the rules engine ticks (`for` windows, liveness, SLA timers); 0 turns it off (tests). */
  rulesTickMs: Type.Integer({ minimum: 0 }),
  /** Compact the heap once the process goes idle after a burst (hub/src/memory.ts); process-wide, read by main.ts. */
  idleCompaction: Type.Boolean(),
  /** Network servers and carrier platforms (docs/devices.md). */
  networks: Type.Object({
    /** ChirpStack's MQTT broker the hub subscribes to as a bridge (mqtt[s]://user:password@host:port), or null. */
    chirpstackMqttUrl: Type.Union([Type.String({ pattern: '^mqtts?://' }), Type.Null()]),
    /** ChirpStack application ids to subscribe to; empty: every application (`+`). */
    chirpstackApplications: Type.Array(Type.String({ pattern: '^[A-Za-z0-9._-]+$' })),
    /** The Things Stack's MQTT server (mqtt[s]://app@tenant:API-key@host:port), or null. */
    ttsMqttUrl: Type.Union([Type.String({ pattern: '^mqtts?://' }), Type.Null()]),
    /** TTS applications as `app@tenant` (at least one with ttsMqttUrl). */
    ttsApplications: Type.Array(Type.String({ pattern: '^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+$' })),
    /** The bridge's MQTT client id (a persistent session is resumed by it). */
    bridgeClientId: Type.String({ minLength: 1, maxLength: 64 }),
    /** Secret path segment of the CTWing push URL (/api/ingest/ctwing/{token}); null: the route is off. */
    ctwingPushToken: Type.Union([Type.String({ minLength: 16 }), Type.Null()]),
    /** OneNET push token (URL verification and msg_signature); null: the route is off. */
    onenetToken: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  }),
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
  trustProxy: null,
  allowedOrigins: [],
  refusalsKeep: 1000,
  loginAuditMs: 90 * 86_400_000,
  rulesTickMs: 1000,
  idleCompaction: true,
  networks: { chirpstackMqttUrl: null, chirpstackApplications: [], ttsMqttUrl: null, ttsApplications: [], bridgeClientId: 'gridhub-bridge', ctwingPushToken: null, onenetToken: null },
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
  HUB_LOGIN_MAX_PER_USER: 'failed logins of one user name from one address before each next attempt waits a growing delay (1 s, 2 s, 4 s ... at most the window) (default 5)',
  HUB_LOGIN_MAX_PER_IP: 'failed logins from one address (any user; IPv6 by /64) before growing delays (default 20)',
  HUB_LOGIN_WINDOW_S: 'failures are forgotten this many seconds after the last one; also the longest delay (default 900)',
  HUB_COOKIE_SECURE: '1 to mark the session cookie Secure and send HSTS (behind HTTPS)',
  HUB_TRUST_PROXY: 'reverse proxies in front of the hub, whose X-Forwarded-For names the client: their addresses/CIDRs comma-separated (or loopback, uniquelocal); unset or 0: none (default)',
  HUB_ALLOWED_ORIGINS: 'comma-separated browser origins (https://desk.example.org) besides the hub\'s own that may use a session over Socket.IO, /mqtt and state-changing requests',
  HUB_REFUSALS_KEEP: 'refused device messages kept per device, newest first; counts by reason stay whole (default 1000)',
  HUB_LOGIN_AUDIT_DAYS: 'how long login attempts are kept in the audit (default 90)',
  HUB_RULES_TICK_MS: 'how often the rules engine ticks: for windows, liveness, SLA timers (default 1000)',
  HUB_IDLE_COMPACTION: '0 to keep the heap as V8 leaves it after a burst; by default it is compacted once the hub is idle (default 1)',
  HUB_CHIRPSTACK_MQTT_URL: "ChirpStack's MQTT broker to subscribe to as a bridge, mqtt[s]://user:password@host:port (docs/devices.md)",
  HUB_CHIRPSTACK_APPLICATIONS: 'comma-separated ChirpStack application ids the bridge subscribes to (default: every application)',
  HUB_TTS_MQTT_URL: "The Things Stack's MQTT server to subscribe to, mqtt[s]://app@tenant:API-key@host:port",
  HUB_TTS_APPLICATIONS: 'comma-separated TTS applications as app@tenant (required with HUB_TTS_MQTT_URL)',
  HUB_BRIDGE_CLIENT_ID: "the bridges' MQTT client id; their persistent sessions resume by it (default gridhub-bridge)",
  HUB_CTWING_PUSH_TOKEN: 'secret path segment of the CTWing push URL /api/ingest/ctwing/{token} (at least 16 characters); unset: off',
  HUB_ONENET_TOKEN: 'OneNET push token: URL verification and msg_signature check of /api/ingest/onenet; unset: off',
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
    trustProxy: env.HUB_TRUST_PROXY === '0' ? null : str('HUB_TRUST_PROXY'),
    allowedOrigins: (str('HUB_ALLOWED_ORIGINS') ?? '').split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean),
    refusalsKeep: int('HUB_REFUSALS_KEEP', DEFAULT_CONFIG.refusalsKeep),
    loginAuditMs: int('HUB_LOGIN_AUDIT_DAYS', DEFAULT_CONFIG.loginAuditMs / 86_400_000, 86_400_000),
    rulesTickMs: int('HUB_RULES_TICK_MS', DEFAULT_CONFIG.rulesTickMs),
    idleCompaction: flag('HUB_IDLE_COMPACTION', DEFAULT_CONFIG.idleCompaction),
    networks: {
      chirpstackMqttUrl: str('HUB_CHIRPSTACK_MQTT_URL'),
      chirpstackApplications: list(str('HUB_CHIRPSTACK_APPLICATIONS')),
      ttsMqttUrl: str('HUB_TTS_MQTT_URL'),
      ttsApplications: list(str('HUB_TTS_APPLICATIONS')),
      bridgeClientId: str('HUB_BRIDGE_CLIENT_ID') ?? DEFAULT_CONFIG.networks.bridgeClientId,
      ctwingPushToken: str('HUB_CTWING_PUSH_TOKEN'),
      onenetToken: str('HUB_ONENET_TOKEN'),
    },
  };
  if (config.networks?.ttsMqttUrl && config.networks.ttsApplications.length === 0) bad.push('HUB_TTS_MQTT_URL needs HUB_TTS_APPLICATIONS');
  if (bad.length) throw new HubError('HUB_ERR_CONFIG', [bad.join('; ')], bad);
  return resolveConfig(config);
}

function list(v: string | null): string[] {
  return v === null ? [] : v.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
}

/** The config as it may be shown (health, logs): secrets masked. */
export function redactedConfig(config: HubConfig): HubConfig {
  return { ...config, adminPassword: config.adminPassword ? '***' : null, databaseUrl: config.databaseUrl?.replace(/\/\/[^@/]*@/, '//***@') ?? null, influx: config.influx && { ...config.influx, token: config.influx.token ? '***' : null }, networks: redactedNetworks(config.networks) };
}

function redactedNetworks(n: HubConfig['networks']): HubConfig['networks'] {
  const url = (u: string | null) => u?.replace(/\/\/[^@/]*@/, '//***@') ?? null;
  return { ...n, chirpstackMqttUrl: url(n.chirpstackMqttUrl), ttsMqttUrl: url(n.ttsMqttUrl), ctwingPushToken: n.ctwingPushToken && '***', onenetToken: n.onenetToken && '***' };
}
