import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { parseDocument } from 'yaml';
import type { DeviceKind, DevicePlace } from '@gridhub/core';
import { rulesError } from '../errors.ts';
import { RULE_KINDS, RULE_SCHEMAS, type Rule, type RuleKindName } from '../kinds/index.ts';
import { contractProblems } from './contract.ts';
import { DEFAULT_RULES_YAML } from './defaults.ts';
import type { Silence } from './schedule.ts';

/**
 * A rule set as declared in YAML: rules (defaults per device kind ship with the hub and are
 * replaced by id), overrides per estate, building or device (partial patches of a rule, by id),
 * and silences / maintenance windows.
 */
const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const Time = Type.Union([Type.String({ minLength: 10, maxLength: 40 }), Type.Integer({ minimum: 0 })]);

const OverrideSchema = Type.Object(
  {
    estate: Type.Optional(Id),
    building: Type.Optional(Id),
    device: Type.Optional(Id),
    /** Rule id -> fields to change; `enabled: false` turns a rule off there. */
    rules: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

const SilenceSchema = Type.Object(
  {
    id: Id,
    estate: Type.Optional(Id),
    building: Type.Optional(Id),
    device: Type.Optional(Id),
    rules: Type.Optional(Type.Array(Type.String())),
    from: Time,
    to: Time,
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

export const RuleSetFileSchema = Type.Object(
  {
    version: Type.Literal(1),
    rules: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
    overrides: Type.Optional(Type.Array(OverrideSchema)),
    silences: Type.Optional(Type.Array(SilenceSchema)),
  },
  { title: 'GridHub rule set', additionalProperties: false },
);
export type RuleSetFile = Static<typeof RuleSetFileSchema>;

export type Scope = { level: 'estate' | 'building' | 'device'; id: string };
export interface RuleOverride {
  scope: Scope;
  rules: Record<string, Record<string, unknown>>;
}

export interface RuleSet {
  /** Base rules by id (defaults with the file's replacements). */
  readonly base: ReadonlyMap<string, Rule>;
  readonly overrides: readonly { scope: Scope; rules: ReadonlyMap<string, Rule> }[];
  readonly silences: readonly Silence[];
}

export interface RuleSetProblem {
  path: string;
  reason: string;
}

const fileCheck = TypeCompiler.Compile(RuleSetFileSchema);
const kindChecks = new Map<string, TypeCheck<TSchema>>(Object.entries(RULE_SCHEMAS).map(([k, s]) => [k, TypeCompiler.Compile(s)]));

function schemaProblems(check: TypeCheck<TSchema>, value: unknown, prefix: string, into: RuleSetProblem[]): boolean {
  if (check.Check(value)) return true;
  const seen = new Set<string>();
  for (const e of check.Errors(value)) {
    const path = prefix + e.path.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.');
    if (seen.has(path)) continue;
    seen.add(path);
    into.push({ path, reason: e.message });
    if (seen.size >= 5) break;
  }
  return false;
}

/** Validates one rule as YAML and resolves it; problems go to `into`, with paths under `prefix`. */
function resolveRule(raw: Record<string, unknown>, prefix: string, into: RuleSetProblem[]): Rule | null {
  const kind = raw.kind as RuleKindName;
  const check = kindChecks.get(String(kind));
  if (!check) {
    into.push({ path: `${prefix}.kind`, reason: `unknown rule kind ${JSON.stringify(raw.kind)} (one of ${Object.keys(RULE_KINDS).join(', ')})` });
    return null;
  }
  if (!schemaProblems(check, raw, prefix, into)) return null;
  const def = RULE_KINDS[kind];
  const problems = [...(def.check?.(raw as never) ?? []), ...contractProblems(raw)];
  for (const [p, reason] of problems) into.push({ path: p ? `${prefix}.${p}` : prefix, reason });
  return problems.length ? null : (def.resolve(raw as never) as Rule);
}

function parseTime(value: string | number, path: string, into: RuleSetProblem[]): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) into.push({ path, reason: 'not a date-time (ISO 8601 with a zone, or epoch ms)' });
  return ms;
}

export function parseRuleSetYaml(text: string, fileName = 'rules.yaml'): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const problems = doc.errors.map((e) => ({ path: `${fileName}:${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'}`, reason: e.message.split('\n')[0]! }));
    throw rulesError('RULES_ERR_RULESET_INVALID', [`${fileName}: YAML syntax`], { errors: problems });
  }
  return doc.toJS();
}

/**
 * Validates a rule-set file (parsed YAML) over the defaults and resolves it. Throws one coded
 * error listing every problem with its path (e.g. `overrides[0].rules.bin.full.above`).
 */
export function buildRuleSet(file: unknown, defaults: unknown = defaultRuleSetFile()): RuleSet {
  const problems: RuleSetProblem[] = [];
  const base = new Map<string, Rule>();
  const raw = new Map<string, Record<string, unknown>>();
  const layers: [unknown, string][] = [[defaults, 'defaults.'], [file, '']];
  for (const [layer, prefix] of layers) {
    if (!schemaProblems(fileCheck, layer, prefix, problems)) continue;
    const seen = new Set<string>();
    ((layer as RuleSetFile).rules ?? []).forEach((r, i) => {
      const rule = resolveRule(r, `${prefix}rules[${i}]`, problems);
      if (!rule) return;
      if (seen.has(rule.id)) problems.push({ path: `${prefix}rules[${i}].id`, reason: `duplicate rule id ${rule.id}` });
      seen.add(rule.id);
      base.set(rule.id, rule);
      raw.set(rule.id, r);
    });
  }
  const f = (fileCheck.Check(file) ? file : { version: 1 }) as RuleSetFile;
  const overrides = (f.overrides ?? []).map((o, i) => {
    const levels = (['estate', 'building', 'device'] as const).filter((l) => o[l] !== undefined);
    if (levels.length !== 1) problems.push({ path: `overrides[${i}]`, reason: 'needs exactly one of estate, building, device' });
    const level = levels[0] ?? 'estate';
    const rules = new Map<string, Rule>();
    for (const [id, patch] of Object.entries(o.rules)) {
      const prefix = `overrides[${i}].rules.${id}`;
      const original = raw.get(id);
      if (!original && patch.kind === undefined) {
        problems.push({ path: prefix, reason: `no rule ${id} to override (give a full rule with kind to add one)` });
        continue;
      }
      const rule = resolveRule({ ...original, ...patch, id }, prefix, problems);
      if (rule) rules.set(id, rule);
    }
    return { scope: { level, id: o[level] ?? '' }, rules };
  });
  const silences: Silence[] = (f.silences ?? []).map((s, i) => ({
    id: s.id,
    scope: { estate: s.estate, building: s.building, device: s.device },
    ruleIds: s.rules ?? null,
    fromMs: parseTime(s.from, `silences[${i}].from`, problems),
    toMs: parseTime(s.to, `silences[${i}].to`, problems),
    reason: s.reason,
  }));
  silences.forEach((s, i) => {
    if (s.toMs <= s.fromMs) problems.push({ path: `silences[${i}].to`, reason: 'must be after from' });
  });
  if (problems.length) {
    throw rulesError('RULES_ERR_RULESET_INVALID', [`${problems.length} problem(s), first: ${problems[0]!.path} ${problems[0]!.reason}`], { errors: problems });
  }
  return { base, overrides, silences };
}

export function defaultRuleSetFile(): unknown {
  return parseRuleSetYaml(DEFAULT_RULES_YAML, 'defaults');
}

const SCOPE_ORDER: Record<Scope['level'], number> = { estate: 0, building: 1, device: 2 };

/**
 * The rules in force for one device: its kind's base rules, patched by the overrides of its
 * estate, then its building, then the device itself (most specific wins). Disabled rules are left out.
 */
export function rulesFor(set: RuleSet, device: { id: string; kind: DeviceKind; place: DevicePlace }): Rule[] {
  const byId = new Map<string, Rule>();
  for (const r of set.base.values()) if (r.deviceKind === device.kind) byId.set(r.id, r);
  const applicable = set.overrides
    .filter(({ scope }) => (scope.level === 'device' ? scope.id === device.id : scope.level === 'building' ? scope.id === device.place.building : scope.id === device.place.estate))
    .sort((a, b) => SCOPE_ORDER[a.scope.level] - SCOPE_ORDER[b.scope.level]);
  for (const o of applicable) for (const [id, r] of o.rules) if (r.deviceKind === device.kind) byId.set(id, r);
  return [...byId.values()].filter((r) => r.enabled);
}
