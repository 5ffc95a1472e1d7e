import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { withTimeout, type EventLogReader } from '@gridhub/core';
import type { FastifyInstance } from 'fastify';
import { createBroker, loadUsersFile, type HubBroker } from '@gridhub/broker';
import { createEmbeddedSink, createInfluxSink, createIngest, type Ingest, type TelemetrySink } from '@gridhub/ingest';
import { createStore, DEMO_SITE_PATH, DEMO_STREET_ID, loadSiteFile, type HubStore, type SqlHubStore } from '@gridhub/store';
import { buildApp } from './app.ts';
import { LoginGuard, originAllowed, parseOrigins, seedAdmin, seedDemoUsers, UserStore } from './auth/index.ts';
import { createHubRules, type HubEvents, type HubRules } from './rules-engine.ts';
import { RULES_SPOOL_READER } from './rules-feed.ts';
import { SqlCodecStore, createCodecRegistry, type CodecRegistry } from '@gridhub/codecs';
import { resolveConfig, type HubConfig } from './config.ts';
import { attachRealtime, type Realtime } from './realtime/index.ts';
import { createMetrics, latencyHistogramsText } from './metrics.ts';
import { FilePhotoBlobs, PhotoStore } from './photos/store.ts';
import { healthOf, type PartHealth, type PartStatus } from './health.ts';
import type { HubServices } from './services.ts';
import { bridgeSpecs, startBridge, type Bridge } from './bridges.ts';
import { createHubNotifier, notifyMetricsText } from './notify.ts';
import type { Notifier } from '@gridhub/notify';
import { createAdmin } from './admin/services.ts';
import { joinAudit } from './admin/audit.ts';

/** MQTT packets above this close the connection before they are buffered. */
export const MAX_MQTT_PACKET_BYTES = 2 * 1024 * 1024;

export interface Hub {
  config: Readonly<HubConfig>;
  httpUrl: string;
  mqttUrl: string;
  mqttPort: number;
  wsUrl: string;
  mqttTlsPort: number | null;
  store: SqlHubStore;
  sink: TelemetrySink;
  ingest: Ingest;
  broker: HubBroker;
  app: FastifyInstance;
  log: Logger;
  /** An in-process view of the event log (committed events only, from this start on). */
  events: HubEvents;
  /** The event log (outbox): every alert, ticket transition, occurrence, incident and device-state change, by cursor. */
  eventLog: EventLogReader;
  rules: HubRules;
  /** Device models and their codecs (built in, or uploaded and run in the sandbox). */
  codecs: CodecRegistry;
  /** Notifications (WeCom, DingTalk, Feishu, SMS, web push, webhooks), read from the event log. */
  notifier: Notifier;
  users: UserStore;
  /** Socket.IO: live snapshots and deltas for the screens. */
  realtime: Realtime;
  /** True when the demo site was loaded at this start. */
  demoSite: boolean;
  /** Network-server bridges (ChirpStack, TTS) this hub subscribes through. */
  bridges: Bridge[];
  close(): Promise<void>;
}

/**
 * The composition root: store -> site -> telemetry sink -> ingest (spool) -> broker -> HTTP.
 * Everything the hub runs is created here and closed in reverse order by `close()`.
 * Ports of 0 pick free ports (tests).
 */
export async function startHub(options: Partial<HubConfig> = {}): Promise<Hub> {
  const config = resolveConfig(options);
  const log = pino({ level: config.logLevel, base: { service: 'gridhub' }, redact: ['password', 'secret', 'token', '*.token', '*.password'] });
  mkdirSync(config.dataDir, { recursive: true });
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((err) => log.error({ err }, 'error while closing'));
  };

  try {
    const store = await createStore(config.databaseUrl ? { databaseUrl: config.databaseUrl, refusalsKeep: config.refusalsKeep } : { dataDir: config.dataDir, refusalsKeep: config.refusalsKeep });
    closers.push(() => store.close());
    await store.migrate();

    if (config.sitePath) {
      const result = await store.importSite(await loadSiteFile(config.sitePath));
      log.info({ site: config.sitePath, ...result }, 'site imported');
    } else if (await store.isEmpty()) {
      const result = await store.importSite(await loadSiteFile(DEMO_SITE_PATH));
      log.warn({ ...result }, 'store was empty: DEMO site loaded (demo device secrets are public: demo-<deviceId>)');
    }
    // The demo site however it got there (loaded into an empty store, HUB_SITE pointing at it, an
    // earlier start): its demo users exist and the banner names them.
    const demoSite = (await store.streetId()) === DEMO_STREET_ID;

    const sink: TelemetrySink = config.influx
      ? createInfluxSink({
          url: config.influx.url,
          api: config.influx.api,
          bucket: config.influx.bucket,
          org: config.influx.org ?? undefined,
          token: config.influx.token ?? undefined,
          timeoutMs: 10_000,
          logger: log.child({ part: 'influx' }),
        })
      : createEmbeddedSink(store, { retentionMs: config.embeddedRetentionMs });
    closers.push(() => sink.close());

    // device models' codecs (built in, and uploaded ones from the store): before ingest, which
    // decodes network uplinks' frames with them
    const codecs = await createCodecRegistry({ uploaded: new SqlCodecStore(store.db), logger: log.child({ part: 'codecs' }) });
    closers.push(() => codecs.close());
    const ingest = createIngest({
      store,
      sink,
      codecs,
      spool: { dir: join(config.dataDir, 'spool'), budgetBytes: config.spoolBudgetBytes, readers: [RULES_SPOOL_READER] },
      maxPayloadBytes: config.maxPayloadBytes,
      maxClockSkewMs: config.maxClockSkewMs,
      // Smaller batches keep each synchronous slice (read, parse, serialise) short, so an alarm
      // never waits long behind a telemetry batch; InfluxDB takes 1,000-line writes easily. The
      // embedded SQLite telemetry is written in its own thread, handed over 1,000 readings a turn
      // (store/src/telemetry/writer.ts): there a batch of up to 5,000 is one transaction, which
      // lets its writer catch up after falling behind (a commit's cost is mostly per page).
      batchSize: store.telemetryWriter && !config.influx ? 5000 : 1000,
      logger: log.child({ part: 'ingest' }),
    });
    await ingest.start();
    closers.push(() => ingest.stop());

    const rules = await createHubRules({ db: store.db, store, ingest, log: log.child({ part: 'rules' }), tickIntervalMs: config.rulesTickMs });
    closers.push(() => rules.close());
    // Event log retention (HUB_EVENT_RETENTION_DAYS): a consumer further behind takes a snapshot.
    const pruneEvents = () => void store.eventLog.prune(Date.now() - config.eventRetentionMs).catch((err) => log.warn({ err }, 'pruning the event log failed; will retry'));
    const pruneTimer = setInterval(pruneEvents, 10 * 60_000);
    pruneTimer.unref();
    closers.push(async () => clearInterval(pruneTimer));
    const users = new UserStore(store.db, { sessionTtlMs: config.sessionTtlMs });
    const { generatedPassword } = await seedAdmin(users, config.adminPassword);
    if (generatedPassword) {
      // Secrets are never logged: the generated password goes to a file only its owner can read.
      const file = join(config.dataDir, 'admin-password.txt');
      writeFileSync(file, `${generatedPassword}\n`, { mode: 0o600 });
      log.warn({ file }, 'admin user created with a generated password, written to this file (only a hash is stored); delete the file once read, or set HUB_ADMIN_PASSWORD');
    }
    if (demoSite) {
      const created = await seedDemoUsers(users, await store.listWardens(), await store.listOfficers());
      if (created > 0) log.warn({ users: created }, 'DEMO users created: password demo-<username> (docs/tickets.md)');
    }

    const authLog = log.child({ part: 'auth' });
    // Lockouts and their lifting are logged (user name and address; never a password) and counted in /metrics.
    const logins = new LoginGuard(
      { freePerUserAddress: config.loginMaxPerUser, freePerAddress: config.loginMaxPerIp, windowMs: config.loginWindowMs, maxDelayMs: config.loginWindowMs },
      {
        onLockout: (e) => authLog.warn({ scope: e.scope, username: e.username, address: e.address, failures: e.failures, retryAt: new Date(e.untilMs).toISOString() }, 'login: failures reached the limit, further attempts are delayed'),
        onLift: (e) => authLog.info({ scope: e.scope, username: e.username, address: e.address, failures: e.failures }, 'login: delay lifted'),
      },
    );
    const auditTimer = setInterval(() => void users.pruneAudit(Date.now() - config.loginAuditMs).catch((err) => authLog.error({ err }, 'pruning the login audit')), 3600_000);
    auditTimer.unref();
    closers.push(async () => clearInterval(auditTimer));
    await users.pruneAudit(Date.now() - config.loginAuditMs);
    const notifier = await createHubNotifier({
      db: store.db, store, eventLog: store.eventLog, users, log: log.child({ part: 'notify' }),
      silences: () => rules.current().set.silences,
      assignees: async (ids) => (await Promise.all(ids.map((id) => rules.tickets.get(id)))).flatMap((t) => (t?.assigneeId ? [t.assigneeId] : [])),
      secretKey: config.secretKey, publicUrl: config.publicUrl, notifyFile: config.notifyFile,
    });
    closers.push(() => notifier.close());

    const brokerLog = log.child({ part: 'broker' });
    const broker = await createBroker({
      deviceCredentials: (id) => store.deviceSecretHash(id),
      onDeviceMessage: (msg) => ingest.handle(msg),
      onIntegrationMessage: (msg) => ingest.handleIntegration(msg),
      onDeviceConnection: (deviceId, connected, atMs) => ingest.noteConnection(deviceId, connected, atMs),
      users: config.mqttUsersPath ? await loadUsersFile(config.mqttUsersPath) : [],
      allowAnonymous: config.mqttAllowAnonymous,
      limits: { perClientRatePerSec: config.deviceRatePerSec, perClientBurst: config.deviceBurst },
      // Larger than any payload ingest accepts, so an oversized payload (up to 2 MiB) is refused
      // with HUB_ERR_PAYLOAD_TOO_LARGE and recorded; beyond that the connection is closed.
      maxPacketBytes: MAX_MQTT_PACKET_BYTES,
      log: (level, msg, fields) => brokerLog[level](fields ?? {}, msg),
    });
    closers.push(() => broker.close());

    const services: HubServices = {
      config,
      store,
      history: (q) => sink.query(q),
      health: () => health(store, sink, ingest, broker, rules),
      metrics: async () => ({ contentType: registry.contentType, body: (await registry.metrics()) + latencyHistogramsText(ingest.stats()) + (await notifyMetricsText(notifier)) }),
      now: () => Date.now(),
      auth: {
        users,
        logins,
        sessionTtlMs: config.sessionTtlMs,
        cookieSecure: config.cookieSecure,
        allowedOrigins: parseOrigins(config.allowedOrigins),
      },
      rules,
      photos: new PhotoStore(store.db, new FilePhotoBlobs(join(config.dataDir, 'photos'))),
      networkIngest: ingest,
      admin: createAdmin({ store, reloadDevices: () => ingest.reloadDevices(), dropDevice: (id) => broker.disconnectDevice(id), readings: (q) => sink.readings(q) }),
      codecs,
      notifier,
    };
    // every audit row a store transaction causes is written in that transaction (admin/audit.ts)
    store.eventLog.setJoiner(joinAudit(services.admin.audit, () => Date.now()));
    const registry = createMetrics({ broker: () => broker.stats(), ingest: () => ingest.stats(), rules: () => {
        const f = rules.feed();
        return { alertStates: rules.engine.alertStates(), backlog: f.backlog, backlogAgeMs: f.backlogAgeMs, commitFailures: f.consecutiveFailures, eventsAppended: store.eventLog.appended };
      }, logins: () => logins.stats(Date.now()), codecs: () => codecs.stats() });
    const app = await buildApp(services);
    closers.push(() => app.close());
    // MQTT over WebSocket from a browser page only from the hub's own origin or HUB_ALLOWED_ORIGINS.
    broker.attachWebSocket(app.server, '/mqtt', (req) => originAllowed(req.headers, services.auth.allowedOrigins));
    const realtime = await attachRealtime({ server: app.server, hub: services, ingest, log: log.child({ part: 'realtime' }) });
    closers.push(() => realtime.close());
    await app.listen({ port: config.httpPort, host: config.httpHost });
    const httpPort = (app.server.address() as { port: number }).port;
    const mqttPort = await broker.listenTcp(config.mqttPort, config.mqttHost);
    let mqttTlsPort: number | null = null;
    if (config.tlsCertPath && config.tlsKeyPath) {
      mqttTlsPort = await broker.listenTls(config.mqttTlsPort, config.mqttHost, {
        cert: readFileSync(config.tlsCertPath),
        key: readFileSync(config.tlsKeyPath),
      });
    }
    const bridges = bridgeSpecs(config.networks).map((spec) => startBridge(spec, ingest, log.child({ part: 'bridge' })));
    // closed before ingest stops (closers run in reverse): nothing is handed in once the spool closes
    closers.push(async () => {
      await Promise.all(bridges.map((b) => b.close()));
    });
    const host = config.httpHost === '0.0.0.0' || config.httpHost === '::' ? 'localhost' : config.httpHost;
    const mqttHost = config.mqttHost === '0.0.0.0' || config.mqttHost === '::' ? 'localhost' : config.mqttHost;
    return {
      config,
      httpUrl: `http://${host}:${httpPort}`,
      wsUrl: `ws://${host}:${httpPort}/mqtt`,
      mqttUrl: `mqtt://${mqttHost}:${mqttPort}`,
      mqttPort,
      mqttTlsPort,
      store,
      sink,
      ingest,
      broker,
      app,
      log,
      events: rules.events,
      eventLog: store.eventLog,
      rules,
      codecs,
      notifier,
      users,
      realtime,
      demoSite,
      bridges,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Each part's state for /api/health (pure verdict in health.ts). */
async function health(store: HubStore, sink: TelemetrySink, ingest: Ingest, broker: HubBroker, rules: HubRules): Promise<{ status: PartStatus; parts: Record<string, PartHealth> }> {
  const probe = async (fn: () => Promise<void>): Promise<{ error: string | null; latencyMs: number | null }> => {
    const started = Date.now();
    try {
      await withTimeout(fn(), 2000);
      return { error: null, latencyMs: Date.now() - started };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err), latencyMs: null };
    }
  };
  const [s, t] = await Promise.all([probe(() => store.ping()), probe(() => sink.ping())]);
  const b = broker.stats();
  return healthOf({
    broker: { listening: true, connections: b.connections, devicesConnected: b.devicesConnected },
    storeError: s.error,
    storeLatencyMs: s.latencyMs,
    dialect: store.dialect,
    sinkError: t.error,
    sinkLatencyMs: t.latencyMs,
    sink: sink.name,
    ingest: ingest.stats(),
    rules: rules.feed(),
    nowMs: Date.now(),
  });
}
