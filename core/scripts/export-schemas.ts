/**
 * Writes the contract's JSON Schema files to core/schemas/ (published with the package for device
 * makers). Run: `npm run schemas`. A test checks the committed files match the code.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractSchemas } from '../src/schemas.ts';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');
for (const [name, schema] of Object.entries(contractSchemas())) {
  writeFileSync(join(out, `${name}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schemas/${name}.schema.json`);
}
