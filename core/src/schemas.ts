import { DEVICE_KINDS } from './kinds.ts';
import { PAYLOAD_SCHEMAS } from './payloads/index.ts';
import { SiteFileSchema } from './site.ts';

/** Every published JSON Schema by file stem: `{kind}.{message}` for payloads, plus `site`. */
export function contractSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const kind of DEVICE_KINDS) {
    for (const message of ['telemetry', 'event'] as const) {
      out[`${kind}.${message}`] = withDraft(PAYLOAD_SCHEMAS[kind][message], `${kind}.${message}`);
    }
  }
  out['status'] = withDraft(PAYLOAD_SCHEMAS.smoke.status, 'status');
  out['site'] = withDraft(SiteFileSchema, 'site');
  return out;
}

function withDraft(schema: object, id: string): object {
  // JSON.parse(JSON.stringify()) drops TypeBox's symbol keys, leaving plain JSON Schema.
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(schema)), $id: `https://gridhub.dev/schemas/v1/${id}.schema.json` };
}
