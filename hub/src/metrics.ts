import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { BrokerStats } from '@gridhub/broker';
import type { IngestStats, LatencySnapshot } from '@gridhub/ingest';
import type { CodecStats } from '@gridhub/codecs';
import { idleCompactionStats } from './memory.ts';
import type { LoginStats } from './auth/index.ts';

/**
 * Prometheus metrics for one hub. Each part keeps its own plain counters (`stats()`); this file
 * turns them into metrics at scrape time, so the hot paths never touch prom-client.
 */
export function createMetrics(source: { broker: () => BrokerStats; ingest: () => IngestStats; rules: () => { alertStates: number; backlog: number }; logins?: () => LoginStats; codecs?: () => CodecStats }): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hub_process_' });

  const counterFrom = (name: string, help: string, labelNames: string[], read: (set: (labels: Record<string, string>, v: number) => void) => void) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        read((labels, v) => this.inc(labels, v));
      },
    });
  const gaugeFrom = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });

  counterFrom('hub_mqtt_messages_in_total', 'Device messages accepted by the broker, by message kind', ['message'], (set) => {
    for (const [message, v] of Object.entries(source.broker().messagesIn)) set({ message }, v);
  });
  counterFrom('hub_mqtt_shed_total', 'Messages shed under load, by reason', ['reason'], (set) => {
    for (const [reason, v] of Object.entries(source.broker().shed)) set({ reason }, v);
  });
  counterFrom('hub_mqtt_denied_total', 'Publishes, subscriptions and connections refused by policy', ['what'], (set) => {
    for (const [what, v] of Object.entries(source.broker().denied)) set({ what }, v);
  });
  counterFrom('hub_mqtt_auth_failures_total', 'Failed MQTT logins', [], (set) => set({}, source.broker().authFailures));
  counterFrom('hub_mqtt_throttled_total', 'QoS 1 messages held back by the per-device rate limit (not lost)', [], (set) => set({}, source.broker().throttled));
  gaugeFrom('hub_mqtt_connections', 'Open MQTT connections', () => source.broker().connections);
  gaugeFrom('hub_mqtt_devices_connected', 'Devices with an open MQTT connection', () => source.broker().devicesConnected);
  gaugeFrom('hub_rules_alert_states', 'Alert states the rules engine holds (one per rule and subject that observed something)', () => source.rules().alertStates);
  gaugeFrom('hub_rules_backlog', 'Readings handed to the rules engine and not yet evaluated', () => source.rules().backlog);
  counterFrom('hub_process_idle_compactions_total', 'Heap compactions run once the process went idle after a burst', [], (set) => set({}, idleCompactionStats().compactions));
  gaugeFrom('hub_process_idle_compaction_pause_ms', 'Pause of the last idle heap compaction, ms', () => idleCompactionStats().lastPauseMs);
  if (source.logins) {
    const logins = source.logins;
    counterFrom('hub_login_failures_total', 'Failed logins (wrong user name or password)', [], (set) => set({}, logins().failures));
    counterFrom('hub_login_delayed_total', 'Login attempts refused because their address (or user name from it) must still wait', [], (set) => set({}, logins().refused));
    counterFrom('hub_login_lockouts_total', 'Times failures reached the limit and delays started, by what was counted', ['scope'], (set) => {
      for (const [scope, v] of Object.entries(logins().lockouts)) set({ scope }, v);
    });
    counterFrom('hub_login_lockouts_lifted_total', 'Delays lifted (a success, or the window passed)', [], (set) => set({}, logins().lifted));
    gaugeFrom('hub_login_locked', 'Keys (user name and address, or address) now delayed', () => logins().locked);
  }
  if (source.codecs) {
    const codecs = source.codecs;
    counterFrom('hub_codec_frames_total', 'Vendor frames decoded by a device model codec, by codec (builtin, ttn-js) and outcome (ok, refused)', ['codec', 'outcome'], (set) => {
      for (const [key, v] of Object.entries(codecs().decodes)) {
        const [codec = '', outcome = ''] = key.split('/');
        set({ codec, outcome }, v);
      }
    });
    counterFrom('hub_codec_sandbox_restarts_total', 'Sandbox worker threads replaced after they stopped answering', [], (set) => set({}, codecs().sandbox.restarts));
    gaugeFrom('hub_codec_sandbox_pending', 'Frames waiting for the codec sandbox', () => codecs().sandbox.pending);
    gaugeFrom('hub_codec_suspended', 'Uploaded codecs suspended after being stopped too often in a row', () => codecs().sandbox.suspended);
  }
  gaugeFrom('hub_event_loop_lag_ms', 'Event-loop lag seen by the broker, ms', () => source.broker().eventLoopLagMs);

  counterFrom('hub_ingest_messages_total', 'Device messages handed to ingest', [], (set) => set({}, source.ingest().handled));
  counterFrom('hub_ingest_accepted_total', 'Readings accepted and spooled, by device kind and message kind', ['kind', 'message'], (set) => {
    for (const [key, v] of Object.entries(source.ingest().acceptedByKind)) {
      const [kind = '', message = ''] = key.split('/');
      set({ kind, message }, v);
    }
  });
  counterFrom('hub_ingest_refused_total', 'Device messages refused, by reason code', ['code'], (set) => {
    for (const [code, v] of Object.entries(source.ingest().refused.byCode)) set({ code }, v);
  });
  counterFrom('hub_network_uplinks_total', 'Network-server and platform uplinks handed to ingest, by network', ['network'], (set) => {
    for (const [network, v] of Object.entries(source.ingest().network.uplinks)) set({ network }, v ?? 0);
  });
  counterFrom('hub_network_readings_total', 'Readings spooled from network uplinks, by network', ['network'], (set) => {
    for (const [network, v] of Object.entries(source.ingest().network.readings)) set({ network }, v ?? 0);
  });
  counterFrom('hub_network_duplicates_total', 'Network redeliveries acknowledged without ingesting them again', [], (set) => set({}, source.ingest().network.duplicates));
  counterFrom('hub_network_unclaimed_total', 'Network uplinks from identities in no device of the site', [], (set) => set({}, source.ingest().network.unclaimed));
  counterFrom('hub_network_ignored_total', 'Network messages that carry no reading (ChirpStack txack/log, TTS down/*), by kind', ['kind'], (set) => {
    for (const [kind, v] of Object.entries(source.ingest().network.ignored)) set({ kind }, v);
  });
  gaugeFrom('hub_spool_depth', 'Readings in the spool not yet confirmed by the telemetry store', () => source.ingest().spool?.depth ?? 0);
  gaugeFrom('hub_spool_bytes', 'Bytes the spool holds on disk', () => source.ingest().spool?.bytes ?? 0);
  gaugeFrom('hub_spool_budget_bytes', 'Disk budget of the spool', () => source.ingest().spool?.budgetBytes ?? 0);
  gaugeFrom('hub_spool_oldest_age_ms', 'Age of the oldest unconfirmed reading, ms', () => source.ingest().spool?.oldestAgeMs ?? 0);
  counterFrom('hub_spool_rejected_full_total', 'Messages not accepted because the spool budget was exhausted', [], (set) => set({}, source.ingest().spool?.rejectedFull ?? 0));
  counterFrom('hub_telemetry_written_total', 'Readings confirmed by the telemetry store', [], (set) => set({}, source.ingest().drain?.written ?? 0));
  counterFrom('hub_telemetry_write_failures_total', 'Failed batch writes to the telemetry store (retried)', [], (set) => set({}, source.ingest().drain?.failures ?? 0));

  return registry;
}

/**
 * Latency histograms kept by ingest as fixed-bucket snapshots (ms), rendered as Prometheus
 * histograms in seconds. Appended to the registry's text (prom-client has no "set histogram").
 */
export function latencyHistogramsText(ingest: IngestStats): string {
  return [
    histogramText('hub_telemetry_write_latency_seconds', 'Duration of one batch write to the telemetry store', ingest.drain?.writeLatency),
    histogramText('hub_ingest_stored_latency_seconds', 'Reading spooled -> confirmed by the telemetry store', ingest.spool?.confirmLatency),
    histogramText('hub_spool_commit_latency_seconds', 'Reading appended -> fsynced (the PUBACK may go)', ingest.spool?.commitLatency),
  ].join('');
}

function histogramText(name: string, help: string, snap: LatencySnapshot | undefined): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  const bucketsMs = snap?.bucketsMs ?? [];
  bucketsMs.forEach((ms, i) => lines.push(`${name}_bucket{le="${ms / 1000}"} ${snap?.cumulative[i] ?? 0}`));
  lines.push(`${name}_bucket{le="+Inf"} ${snap?.count ?? 0}`, `${name}_sum ${(snap?.sumMs ?? 0) / 1000}`, `${name}_count ${snap?.count ?? 0}`);
  return `${lines.join('\n')}\n`;
}
