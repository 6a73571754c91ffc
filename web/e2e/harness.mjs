// Starts the real storefleet binary on a free loopback port with a fresh data directory,
// drives Debian's Chromium through playwright-core, and stops everything it started by PID.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A storefleet server for the tests. `users` are created with `storefleet user create`
 * before start (same data dir). KUBECONFIG passes through only when `cluster` is true.
 */
export async function startServer({ name, bin, env = {}, users = [], cluster = false, logDir, port }) {
  const dataDir = mkdtempSync(join(tmpdir(), `storefleet-e2e-${name}-`));
  port = port ?? (await freePort());
  const baseEnv = { ...process.env };
  if (!cluster) delete baseEnv.KUBECONFIG;
  const fullEnv = {
    ...baseEnv,
    STOREFLEET_DATA_DIR: dataDir,
    STOREFLEET_LISTEN: `127.0.0.1:${port}`,
    RUST_LOG: process.env.RUST_LOG || 'info',
    // The tests sign up many accounts from one address.
    STOREFLEET_SIGNUP_RATE_PER_MINUTE: '1000',
    ...env,
  };
  for (const u of users) {
    const args = ['user', 'create', '--email', u.email, '--password-stdin'];
    if (u.admin) args.splice(4, 0, '--admin');
    const r = spawnSync(bin, args, { cwd: REPO_ROOT, env: fullEnv, input: `${u.password}\n`, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`storefleet ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  }
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `server-${name}.log`);
  const server = { name, url: `http://127.0.0.1:${port}`, port, dataDir, logPath, env: fullEnv, bin, child: null };
  await launch(server);
  return server;
}

async function launch(server) {
  const log = openSync(server.logPath, 'a');
  // From the repository root, like the README's run command: relative defaults such as
  // the chart directory (./charts/...) resolve there.
  const child = spawn(server.bin, ['serve'], { cwd: REPO_ROOT, env: server.env, stdio: ['ignore', log, log] });
  closeSync(log);
  server.child = child;
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`storefleet serve exited early (${JSON.stringify(exited)}); see ${server.logPath}`);
    try {
      const res = await fetch(`${server.url}/api/v1/info`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`storefleet did not answer /api/v1/info within 90 s; see ${server.logPath}`);
}

/** Stops the server process we started (by its PID), waiting for it to exit. */
export async function stopProcess(server) {
  const child = server.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  process.kill(child.pid, 'SIGTERM');
  const killed = await Promise.race([done.then(() => true), sleep(10_000).then(() => false)]);
  if (!killed) {
    process.kill(child.pid, 'SIGKILL');
    await done;
  }
}

export async function restartServer(server) {
  await launch(server);
}

export async function stopServer(server) {
  await stopProcess(server);
  rmSync(server.dataDir, { recursive: true, force: true });
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Expected refusals show up as "Failed to load resource" lines; anything else is a bug. */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of (401|403|404|409|422|429)/;

/** A browser with its own profile (so its own cookies): one per person in a scenario. */
export async function openBrowser({ viewport = { width: 1280, height: 860 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'storefleet-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    // No transitions: screenshots and contrast checks see settled colours.
    reducedMotion: 'reduce',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  const expected = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    (EXPECTED_CONSOLE.test(msg.text()) ? expected : consoleErrors).push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message}`));
  return {
    context,
    page,
    consoleErrors,
    expected,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function chromiumAvailable() {
  return existsSync(CHROMIUM);
}

let axeSource = null;

/**
 * Runs axe-core (WCAG 2 A/AA rules) on the current page and returns the serious and
 * critical violations as readable lines. Evaluated over the DevTools protocol, so the
 * page's Content-Security-Policy stays in force for the app itself.
 */
export async function accessibilityProblems(page) {
  if (!axeSource) {
    const { readFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  }
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const res = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return res.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)} ${(n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160)}`).join(' | ')}`);
  });
  return violations;
}
