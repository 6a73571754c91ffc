// Moves a finished build from .dist-tmp/ into dist/ with two renames, so a cargo build
// running at the same moment (it embeds dist/) never sees a half-written or empty folder.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fresh = `${root}.dist-tmp`;
const dist = `${root}dist`;
const old = `${root}.dist-old`;
if (!existsSync(`${fresh}/index.html`)) {
  console.error('swap-dist: .dist-tmp/index.html is missing; did the build run?');
  process.exit(1);
}
rmSync(old, { recursive: true, force: true });
if (existsSync(dist)) renameSync(dist, old);
renameSync(fresh, dist);
rmSync(old, { recursive: true, force: true });
