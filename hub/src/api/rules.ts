import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DEFAULT_RULES_YAML } from '@gridhub/rules';
import { requireRole, sessionOf } from '../auth/index.ts';
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';

const MAX_RULESET_BYTES = 512 * 1024;

/**
 * The rule set: GET what is in force (the saved file, or the shipped defaults, resolved), PUT a new
 * file as YAML (text/yaml) or JSON. An invalid file is refused with HUB_ERR_RULESET_INVALID and
 * `details.errors`: every problem with its path; nothing changes then.
 */
export const rulesRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.addContentTypeParser(['text/yaml', 'application/yaml', 'application/x-yaml', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_RULESET_BYTES }, (_req, body, done) => done(null, body));

  /** Silences name places: only staff see them all here (others use /api/silences, filtered to their grid). */
  const view = (staff: boolean) => {
    const { set, saved } = hub.rules.current();
    return {
      source: saved?.body ?? null,
      defaults: DEFAULT_RULES_YAML,
      updatedMs: saved?.updatedMs ?? null,
      updatedBy: saved?.updatedBy ?? null,
      rules: [...set.base.values()],
      overrides: set.overrides.map((o) => ({ scope: o.scope, rules: [...o.rules.values()] })),
      silences: staff ? set.silences : [],
    };
  };

  app.get('/', { schema: { tags: ['rules'], summary: 'The rule set in force: source file, resolved rules, overrides, silences' } }, async (req) => view(sessionOf(req).scope.kind === 'all'));

  app.put(
    '/',
    {
      schema: {
        tags: ['rules'],
        summary: 'Replace the rule set (YAML as text/yaml, or JSON); validated first, with every problem and its path',
        body: Type.Union([Type.String({ minLength: 1, maxLength: MAX_RULESET_BYTES }), Type.Object({ version: Type.Literal(1) }, { additionalProperties: true })]),
        response: { 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      const user = requireRole(req, ['admin', 'operator'], 'change the rules');
      const text = typeof req.body === 'string' ? req.body : JSON.stringify(req.body, null, 2);
      await hub.rules.putRuleSet(text, user.id);
      return view(true);
    },
  );
};
