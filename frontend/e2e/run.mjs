// End-to-end: a real `crm serve` on a fresh SQLite database in a temporary directory, serving
// the built app (dist/), driven by Debian's Chromium through playwright-core. Screenshots of
// the main screens go to e2e-artifacts/ (desktop and phone), and a failure leaves one there too.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { scenario } from './scenario.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const frontend = resolve(here, '..');
const crm = resolve(frontend, '../.venv/bin/crm');
const artifacts = join(frontend, 'e2e-artifacts');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const PASSWORD = 'e2e-admin-pass-123';

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** Resolve once the server answers its health check; reject if it exits first. */
function healthy(base, server) {
  return new Promise((ok, fail) => {
    let done = false;
    server.once('exit', (code) => {
      if (!done) {
        done = true;
        fail(new Error(`crm serve exited (${code})`));
      }
    });
    const deadline = Date.now() + 60_000;
    const probe = async () => {
      if (done) return;
      try {
        const res = await fetch(`${base}/api/v1/health`);
        if (res.ok) {
          done = true;
          ok();
          return;
        }
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        done = true;
        fail(new Error('crm serve did not become healthy'));
        return;
      }
      setTimeout(probe, 100); // polling for readiness, not waiting for time to pass
    };
    void probe();
  });
}

async function main() {
  rmSync(artifacts, { recursive: true, force: true }); // only this run's screenshots
  mkdirSync(artifacts, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'crm-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    CRM_DATABASE_URL: `sqlite:///${join(dir, 'e2e.db')}`,
    CRM_ADMIN_PASSWORD: PASSWORD,
    CRM_SECRET_KEY: randomBytes(32).toString('hex'),
    CRM_HOST: '127.0.0.1',
    CRM_PORT: String(port),
    CRM_VAR_DIR: dir,
    CRM_ATTACHMENTS_DIR: join(dir, 'attachments'),
    CRM_FRONTEND_DIST: join(frontend, 'dist'),
    CRM_JOBS: 'off', // no background SLA scans: what the browser sees is what the steps did
    CRM_WEBHOOKS_ALLOW_PRIVATE: '1', // the webhooks step's receiver listens on 127.0.0.1
  };
  let server;
  let browser;
  let log = ''; // the server's last lines, printed when a step fails
  const started = Date.now();
  try {
    execFileSync(crm, ['migrate'], { env, stdio: 'ignore' });
    execFileSync(crm, ['seed-demo'], { env, stdio: 'ignore' });
    server = spawn(crm, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (chunk) => {
      log = (log + chunk).slice(-4000);
    };
    server.stdout.on('data', keep); // uvicorn's access lines
    server.stderr.on('data', keep);
    await healthy(base, server).catch((error) => {
      console.error(log);
      throw error;
    });
    // Without a UTF-8 locale (an empty environment, a bare container) Chromium saves a download
    // with a Chinese name as "download".
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox'],
      env: { ...process.env, LANG: process.env.LANG || 'C.UTF-8' },
    });
    // A job run when a step asks for it (the scheduler is off), as `crm run-job` on a server; not
    // blocking, so that a receiver in this process can answer the job's requests. A job runs once
    // per period (a minute at least): a second run within the minute is as of the next one.
    const lastRun = new Map();
    const runJob = (name) => {
      const now = Math.max(Date.now(), (lastRun.get(name) ?? 0) + 60_000);
      lastRun.set(name, now);
      const args = ['run-job', name, '--now', new Date(now).toISOString()];
      return new Promise((ok, fail) => execFile(crm, args, { env }, (error, stdout) => (error ? fail(error) : ok(JSON.parse(stdout)))));
    };
    await scenario({ browser, base, artifacts, password: PASSWORD, runJob }).catch((error) => {
      console.error(`the server's last lines:\n${log}`);
      throw error;
    });
    console.log(`e2e passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in e2e-artifacts/`);
  } finally {
    await browser?.close();
    if (server?.pid) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
