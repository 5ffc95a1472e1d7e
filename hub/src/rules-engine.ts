import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import type { EventLogReader, HubEvent } from '@gridhub/core';
import type { Ingest } from '@gridhub/ingest';
import type { SqlHubStore } from '@gridhub/store';
import { followEventLog } from './event-follower.ts';
import { startRulesFeed, type RulesFeedStatus } from './rules-feed.ts';
import {
  buildRuleSet, createRulesEngine, parseRuleSetYaml, RulesConfigStore, type RuleSet, type RulesEngine, type SavedRuleSet, type SlaConfig, type TicketStore,
} from '@gridhub/rules';

/** Channels of the hub's event stream: every HubEvent on `event`, and each on its own type. */
export type HubEventMap = { event: [HubEvent] } & { [K in HubEvent['type']]: [Extract<HubEvent, { type: K }>] };

/**
 * An in-process view of the event log (`hub.events`), for listeners that need no position of
 * their own (tests, logs): it follows `hub.eventLog` from the id it had at start, so it carries
 * only committed events, in log order. Consumers that must not miss one (realtime, notifications)
 * read `hub.eventLog` by cursor instead. A listener that throws is logged and reaches nobody else.
 */
export class HubEvents extends EventEmitter<HubEventMap> {
  constructor(private readonly log?: Pick<Logger, 'error'>) {
    super({ captureRejections: false });
    this.setMaxListeners(100);
  }

  publish(e: HubEvent): void {
    try {
      const emit = this.emit.bind(this) as unknown as (name: string, event: HubEvent) => boolean;
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
  store: SqlHubStore;
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
  /** The event log (outbox) the engine writes in each decision's transaction; read it by cursor. */
  readonly eventLog: EventLogReader;
  /** Resolves once `events` has handed out everything committed so far (tests). */
  eventsCaughtUp(): Promise<void>;
  /** The rule set in force and the saved file it came from (null: the shipped defaults). */
  current(): { set: RuleSet; saved: SavedRuleSet | null };
  /** Validates a rule-set file (YAML or JSON text), then saves it and puts it in force. */
  putRuleSet(text: string, by: string): Promise<RuleSet>;
  /** Re-reads the silences after a change (they join the rule set's own). */
  reloadSilences(): Promise<void>;
  /** Durable readings not yet evaluated and committed (the engine's place in the spool). */
  backlog(): number;
  /** The backlog, its age and the engine's commit failures (for /api/health and /metrics). */
  feed(): RulesFeedStatus;
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
 * The rules engine wired into the hub: readings from the spool by position (rules-feed.ts) in, a tick about once
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
    eventLog: opts.store.eventLog,
    wardens: (gridId) => opts.store.listWardens(gridId),
    officers: () => opts.store.listOfficers(),
    devicePlace: async (id) => (await opts.store.deviceInfo(id))?.place,
    sla: opts.sla,
  });

  const follower = followEventLog(opts.store.eventLog, await opts.store.eventLog.lastId(), (page) => {
    for (const e of page) events.publish(e.event);
  }, { onError: (err) => log.warn({ err }, 'reading the event log failed; retrying') });

  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  // As soon as readings are durable in the spool (not after the telemetry store has them), by
  // position: an alarm pages in milliseconds, and one the hub acknowledged is evaluated once.
  const feed = await startRulesFeed({ store: opts.store, ingest: opts.ingest, engine, log });

  let ticking = false;
  let tickFailures = 0;
  const timer =
    opts.tickIntervalMs > 0
      ? setInterval(() => {
          if (ticking) return;
          ticking = true;
          track(
            engine
              .tick()
              .then(
                () => void (tickFailures = 0),
                // The store away fails every tick: say so once, then every 30th (the feed says the rest).
                (err) => void (tickFailures++ % 30 === 0 && log.error({ err: String(err), failures: tickFailures }, 'rules engine tick failed; retrying')),
              )
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
    eventLog: opts.store.eventLog,
    eventsCaughtUp: () => follower.caughtUp(),
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
    backlog: () => feed.status().backlog,
    feed: () => feed.status(),
    async close() {
      if (timer) clearInterval(timer);
      await feed.stop();
      await Promise.allSettled([...inFlight]);
      follower.stop();
      events.removeAllListeners();
    },
  };
}
