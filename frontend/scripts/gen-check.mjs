// Fails when src/api/schema.gen.ts is not what `npm run gen` makes from ../openapi/openapi.json.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'crm-gen-'));
try {
  const fresh = join(dir, 'schema.gen.ts');
  execFileSync('node_modules/.bin/openapi-typescript', ['../openapi/openapi.json', '--enum-values', '-o', fresh], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (readFileSync(fresh, 'utf8') !== readFileSync('src/api/schema.gen.ts', 'utf8')) {
    console.error('src/api/schema.gen.ts is stale: run `npm run gen` and commit it.');
    process.exit(1);
  }
  console.log('src/api/schema.gen.ts matches openapi/openapi.json');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
