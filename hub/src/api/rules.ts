import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DEFAULT_RULES_YAML } from '@gridhub/rules';
import { ANY_SESSION, roles, seesGrid, sessionOf, type AccessScope } from '../auth/index.ts';
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';
import { placeGrids } from './places.ts';

const MAX_RULESET_BYTES = 512 * 1024;

/**
 * The rule set: GET what is in force (the saved file, or the shipped defaults, resolved), PUT a new
 * file as YAML (text/yaml) or JSON. An invalid file is refused with HUB_ERR_RULESET_INVALID and
 * `details.errors`: every problem with its path; nothing changes then.
 */
export const rulesRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.addContentTypeParser(['text/yaml', 'application/yaml', 'application/x-yaml', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_RULESET_BYTES }, (_req, body, done) => done(null, body));

  /**
   * Overrides and silences name places: staff see the whole file; anyone else the rules, the
   * overrides of places in their grids, and no source file or silences (/api/silences filters those).
   */
  const view = async (scope: AccessScope) => {
    const { set, saved } = hub.rules.current();
    const staff = scope.kind === 'all';
    const grids = staff ? [] : await placeGrids(hub, set.overrides.map((o) => ({ [o.scope.level]: o.scope.id })));
    return {
      source: staff ? (saved?.body ?? null) : null,
      defaults: DEFAULT_RULES_YAML,
      updatedMs: saved?.updatedMs ?? null,
      updatedBy: staff ? (saved?.updatedBy ?? null) : null,
      rules: [...set.base.values()],
      overrides: set.overrides.filter((_, i) => staff || seesGrid(scope, grids[i] ?? '')).map((o) => ({ scope: o.scope, rules: [...o.rules.values()] })),
      silences: staff ? set.silences : [],
    };
  };

  app.get('/', { config: { access: ANY_SESSION }, schema: { tags: ['rules'], summary: 'The rule set in force: source file, resolved rules, overrides, silences (for staff; others see what lies in their grids)' } }, async (req) => view(sessionOf(req).scope));

  app.put(
    '/',
    {
      config: { access: roles('admin', 'operator') },
      schema: {
        tags: ['rules'],
        summary: 'Replace the rule set (YAML as text/yaml, or JSON); validated first, with every problem and its path',
        body: Type.Union([Type.String({ minLength: 1, maxLength: MAX_RULESET_BYTES }), Type.Object({ version: Type.Literal(1) }, { additionalProperties: true })]),
        response: { 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      const { user } = sessionOf(req);
      const text = typeof req.body === 'string' ? req.body : JSON.stringify(req.body, null, 2);
      await hub.rules.putRuleSet(text, user.id);
      await hub.admin.ruleVersions.add(text, user.id, hub.now(), 'saved');
      return view(sessionOf(req).scope);
    },
  );
};
