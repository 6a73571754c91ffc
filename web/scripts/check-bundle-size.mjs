// Measures the JavaScript a first visit downloads: the entry script of dist/index.html
// plus the modules it preloads, gzip-compressed. Fails above the budget.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 200 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const srcs = new Set();
for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) srcs.add(m[1]);
for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) srcs.add(m[1]);
if (srcs.size === 0) {
  console.error('check-bundle-size: no entry script found in dist/index.html');
  process.exit(1);
}
let initial = 0;
for (const src of srcs) {
  const gz = gzipSync(readFileSync(join(dist, src.replace(/^\//, '')))).length;
  initial += gz;
  console.log(`  initial  ${(gz / 1024).toFixed(1).padStart(7)} KB gzip  ${src}`);
}
let lazy = 0;
for (const f of readdirSync(join(dist, 'assets'))) {
  if (!f.endsWith('.js') || [...srcs].some((s) => s.endsWith(f))) continue;
  lazy += gzipSync(readFileSync(join(dist, 'assets', f))).length;
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`initial JS: ${kb(initial)} gzip (budget ${kb(BUDGET)}); loaded on demand: ${kb(lazy)} gzip`);
if (initial > BUDGET) {
  console.error(`initial JS is over budget by ${kb(initial - BUDGET)}`);
  process.exit(1);
}
