// Prints the gzipped size of the JavaScript a first visit loads (the entry script and the
// chunks index.html preloads) and fails above the budget; lazy route chunks are not counted.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 500;
const html = readFileSync('dist/index.html', 'utf8');
const initial = [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/([^"]+\.js)"/g)].map((m) => m[1]);
const gz = (file) => gzipSync(readFileSync(`dist/${file}`), { level: 9 }).length / 1024;

let total = 0;
for (const file of initial) {
  const kb = gz(file);
  total += kb;
  console.log(`  ${file.padEnd(48)} ${kb.toFixed(1).padStart(8)} KB gz`);
}
const all = readdirSync('dist/assets').filter((f) => f.endsWith('.js'));
const everything = all.reduce((sum, f) => sum + gz(`assets/${f}`), 0);
console.log(
  `initial JS: ${total.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB); ` + `all ${all.length} chunks: ${everything.toFixed(1)} KB gzipped`,
);
if (total > BUDGET_KB) process.exit(1);
