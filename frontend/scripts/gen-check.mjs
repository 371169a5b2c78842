// Fails when src/api/schema.gen.ts or src/api/rules.gen.ts is not what `npm run gen` makes from
// ../openapi/openapi.json.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rulesSource } from './gen-rules.mjs';

const stale = [];
const dir = mkdtempSync(join(tmpdir(), 'crm-gen-'));
try {
  const fresh = join(dir, 'schema.gen.ts');
  execFileSync('node_modules/.bin/openapi-typescript', ['../openapi/openapi.json', '--enum-values', '-o', fresh], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (readFileSync(fresh, 'utf8') !== readFileSync('src/api/schema.gen.ts', 'utf8')) stale.push('src/api/schema.gen.ts');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const rules = rulesSource(JSON.parse(readFileSync('../openapi/openapi.json', 'utf8')));
if (rules !== readFileSync('src/api/rules.gen.ts', 'utf8')) stale.push('src/api/rules.gen.ts');
if (stale.length) {
  console.error(`${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} stale: run \`npm run gen\` and commit.`);
  process.exit(1);
}
console.log('src/api/schema.gen.ts and rules.gen.ts match openapi/openapi.json');
