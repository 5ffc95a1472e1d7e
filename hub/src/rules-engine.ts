import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import type { RulesEvent } from '@gridhub/core';
import type { Ingest } from '@gridhub/ingest';
import type { HubStore } from '@gridhub/store';
import {
  buildRuleSet, createRulesEngine, parseRuleSetYaml, RulesConfigStore, type RuleSet, type RulesEngine, type SavedRuleSet, type SlaConfig, type TicketStore,
} from '@gridhub/rules';

/** Channels of the hub's event stream: every RulesEvent on `event`, and each on its own type. */
export type HubEventMap = { event: [RulesEvent] } & { [K in RulesEvent['type']]: [Extract<RulesEvent, { type: K }>] };

/**
 * The ONE typed in-process event stream (`hub.events`): every alert and ticket transition, every
 * occurrence and incident. The realtime layer and notifications subscribe; a listener that throws
 * is logged and never reaches the engine.
 */
export class HubEvents extends EventEmitter<HubEventMap> {
  constructor(private readonly log?: Pick<Logger, 'error'>) {
    super({ captureRejections: false });
    this.setMaxListeners(100);
  }

  publish(e: RulesEvent): void {
    try {
      const emit = this.emit.bind(this) as unknown as (name: string, event: RulesEvent) => boolean;
      emit('event', e);
      emit(e.type, e);
    } catch (err) {
      this.log?.error({ err, type: e.type }, 'an event listener threw');
    }
  }
}

export interface HubRulesOptions {
  /** The store package's Kysely instance (`SqlHubStore.db`), migrated. */
  db: ConstructorParameters<typeof RulesConfigStore>[0];
  store: HubStore;
  ingest: Ingest;
  log: Logger;
  clock?: () => number;
  /** How often the engine ticks (`for` windows, liveness, SLA timers); 0: never (tests drive tick()). */
  tickIntervalMs: number;
  sla?: SlaConfig;
}

export interface HubRules {
  readonly engine: RulesEngine;
  readonly tickets: TicketStore;
  readonly config: RulesConfigStore;
  readonly events: HubEvents;
  /** The rule set in force and the saved file it came from (null: the shipped defaults). */
  current(): { set: RuleSet; saved: SavedRuleSet | null };
  /** Validates a rule-set file (YAML or JSON text), then saves it and puts it in force. */
  putRuleSet(text: string, by: string): Promise<RuleSet>;
  /** Re-reads the silences after a change (they join the rule set's own). */
  reloadSilences(): Promise<void>;
  /** Readings handed to the engine and not yet evaluated. */
  backlog(): number;
  close(): Promise<void>;
}

export function parseRuleSetText(text: string): unknown {
  const t = text.trimStart();
  if (t.startsWith('{')) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return parseYaml(t) as unknown; // JSON is YAML; let the YAML parser report where it breaks
    }
  }
  return parseRuleSetYaml(text, 'rules.yaml');
}

/**
 * The rules engine wired into the hub: readings from ingest (after storage) in, a tick about once
 * a second, wardens and device places from the store, the rule set and silences from the database,
 * events out on `events`. The engine's own tables keep alert states, tickets and timers, so a
 * restart keeps them.
 */
export async function createHubRules(opts: HubRulesOptions): Promise<HubRules> {
  const clock = opts.clock ?? Date.now;
  const log = opts.log;
  const events = new HubEvents(log);
  const config = new RulesConfigStore(opts.db);
  let saved = (await config.ruleSet()) ?? null;
  let fileSet = buildRuleSet(saved ? parseRuleSetText(saved.body) : { version: 1 });
  let dbSilences = await config.silences();
  const effective = (): RuleSet => ({ ...fileSet, silences: [...fileSet.silences, ...dbSilences] });

  const engine = await createRulesEngine({
    db: opts.db as never,
    rules: effective(),
    clock,
    emit: (e) => events.publish(e),
    wardens: (gridId) => opts.store.listWardens(gridId),
    devicePlace: async (id) => (await opts.store.deviceInfo(id))?.place,
    sla: opts.sla,
  });

  let backlog = 0;
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  // As soon as readings are durable in the spool (not after InfluxDB has them): an alarm pages in
  // milliseconds, and a reading the hub acknowledged is evaluated even if the hub crashes.
  const unsubscribe = opts.ingest.onDurable((readings) => {
    backlog += readings.length;
    track(
      engine
        .ingest(readings)
        .catch((err) => log.error({ err }, 'rules engine failed on a batch of readings'))
        .finally(() => void (backlog -= readings.length)),
    );
  });

  let ticking = false;
  const timer =
    opts.tickIntervalMs > 0
      ? setInterval(() => {
          if (ticking) return;
          ticking = true;
          track(
            engine
              .tick()
              .catch((err) => log.error({ err }, 'rules engine tick failed'))
              .finally(() => void (ticking = false)),
          );
        }, opts.tickIntervalMs)
      : null;
  timer?.unref();

  return {
    engine,
    tickets: engine.tickets,
    config,
    events,
    current: () => ({ set: effective(), saved }),
    async putRuleSet(text, by) {
      const next = buildRuleSet(parseRuleSetText(text));
      const atMs = clock();
      await config.saveRuleSet(text, by, atMs);
      saved = { body: text, updatedMs: atMs, updatedBy: by };
      fileSet = next;
      engine.setRules(effective());
      return effective();
    },
    async reloadSilences() {
      dbSilences = await config.silences();
      engine.setRules(effective());
    },
    backlog: () => backlog,
    async close() {
      if (timer) clearInterval(timer);
      unsubscribe();
      await Promise.allSettled([...inFlight]);
      events.removeAllListeners();
    },
  };
}
