// Shared by the Worker tests: runs the real Worker under `wrangler dev` (workerd) on a free loopback
// port, optionally in front of the local Atlassian stand-in (fake-atlassian), and records
// everything both print, so tests can assert what was (and was not) logged.
//
//   const worker = await startWorker({ vars: { ATLASSIAN_SCOPES: 'openid' }, fakeAtlassian: true });
//   const response = await fetch(`${worker.origin}/healthz`);
//   assert.ok(!worker.output().includes(worker.secrets.STATE_KEY));
//   await worker.stop();   // stops wrangler, workerd and the stand-in it started (process groups)
//
// The Worker is built once per test process with scripts/build-worker, or not at all when
// THREELO_WORKER_PREBUILT=1 and build/ holds a build (the test command builds first). wrangler
// runs with `--env test`, which has no build command: an edit under src/ restarts nothing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** wrangler phones home unless told not to; these machines have no network beyond loopback. */
export const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  // No colours or spinners in captured output.
  NO_COLOR: '1',
  FORCE_COLOR: '0',
  CI: '1',
};

/** The stand-in's built-in app secret (fake, worthless): the one place it is defined. */
export const STAND_IN_SECRET = readFileSync(join(ROOT, 'fake-atlassian', 'default.toml'), 'utf8')
  .match(/^client_secret = "([^"]+)"$/m)[1];

const DEFAULT_READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 5_000;

/** Ports this process has handed out: the OS may give a released port again at once. */
const handedOut = new Set();

/**
 * A free TCP port on loopback, never one handed out before in this process (it is released just
 * before use, and several Workers start at once: the OS once gave two of them the same port).
 */
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port: bound } = server.address();
        server.close(() => resolve(bound));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

let built;
/** Builds the Worker once per test process (scripts/build-worker), unless a prebuilt one is declared. */
export function buildWorker() {
  const prebuilt = process.env.THREELO_WORKER_PREBUILT === '1' && existsSync(join(ROOT, 'build', 'worker', 'shim.mjs'));
  built ??= prebuilt ? Promise.resolve() : run(join(ROOT, 'scripts', 'build-worker'), [], 'scripts/build-worker');
  return built;
}

let standInBuilt;
/** Builds fake-atlassian once per test process (seconds when it is up to date), so it is never stale. */
export function buildFakeAtlassian() {
  standInBuilt ??= run('cargo', ['build', '--quiet', '-p', 'fake-atlassian'], 'cargo build -p fake-atlassian');
  return standInBuilt;
}

/** Starts fake-atlassian on a free port; resolves to { origin, output(), waitForOutput(), stop() }. */
export async function startFakeAtlassian({ args = [], timeoutMs = 60_000 } = {}) {
  await buildFakeAtlassian();
  const binary = join(ROOT, 'target', 'debug', 'fake-atlassian');
  const child = startGroup(binary, ['--port', '0', ...args], process.env);
  const origin = await child.waitFor(/fake-atlassian listening on (http:\/\/127\.0\.0\.1:\d+)/, timeoutMs, 'fake-atlassian')
    .then((match) => match[1]);
  return { origin, output: child.output, waitForOutput: child.waitForOutput, stop: child.stop };
}

/**
 * Starts the Worker under `wrangler dev --env test` and waits until /healthz answers (any status:
 * a misconfigured Worker answers 503, and that is what some tests want).
 *
 * Options:
 * - vars: overrides of the variables. {} keeps the local defaults: wrangler.toml's [env.test.vars]
 *   (the stand-in's app), the stand-in's fake secret, a fresh random STATE_KEY, the callback on this
 *   Worker's port. '' empties a variable (the Worker reads that as unset); null drops the harness's
 *   own value, so wrangler.toml's (or a developer's .dev.vars') applies.
 * - fakeAtlassian: true starts a stand-in (stopped with the Worker) and points both base URLs at
 *   it; its app's callback is this Worker's own /callback (the port is random, and the stand-in
 *   matches redirect_uri byte for byte), so a consent can finish. A handle from
 *   startFakeAtlassian() is used as is (the caller stops it).
 *
 * - config: a function from wrangler.toml's text to the text this Worker runs with (a lowered
 *   rate limit, say), written to a temporary copy whose paths point back into the project.
 *
 * Resolves to { origin, port, vars, secrets, fakeAtlassian, output(), waitForOutput(re), stop() }.
 */
export async function startWorker(options = {}) {
  // A port is free when it is chosen and taken by wrangler a moment later; wrangler and workerd
  // choose ports of their own in between, and with several Workers starting at once one of those
  // can land on it ("Address already in use"). Such a start is tried again, on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWorkerOnce(options);
    } catch (error) {
      if (attempt >= 3 || !String(error?.message).includes('Address already in use')) throw error;
    }
  }
}

async function startWorkerOnce({
  vars = {}, fakeAtlassian = null, config = null, timeoutMs = DEFAULT_READY_TIMEOUT_MS,
} = {}) {
  await buildWorker();
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const ownStandIn = fakeAtlassian === true ? await startStandInFor(`http://127.0.0.1:${port}/callback`) : null;
  const standIn = ownStandIn ?? fakeAtlassian;
  try {
    const secrets = {
      ATLASSIAN_CLIENT_SECRET: STAND_IN_SECRET,
      STATE_KEY: randomBytes(32).toString('base64'),
    };
    const chosen = {
      ...secrets,
      ATLASSIAN_CALLBACK_URL: `http://127.0.0.1:${port}/callback`,
      ...(standIn ? { ATLASSIAN_AUTH_BASE_URL: standIn.origin, ATLASSIAN_API_BASE_URL: standIn.origin } : {}),
      ...vars,
    };
    // Secrets go in by --var too, so a developer's .dev.vars (read by wrangler as well) changes nothing.
    const varArgs = Object.entries(chosen).filter(([, value]) => value != null).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
    const persist = mkdtempSync(join(tmpdir(), 'threelo-wrangler-'));
    const configArgs = config ? ['--config', writeConfig(persist, config)] : [];
    const child = startGroup(process.execPath, [
      WRANGLER, 'dev', ...configArgs, '--env', 'test', '--ip', '127.0.0.1', '--port', String(port),
      '--inspector-port', String(inspectorPort), '--show-interactive-dev-session=false', '--persist-to', persist,
      ...varArgs,
    ], { ...process.env, ...WRANGLER_ENV });
    const origin = `http://127.0.0.1:${port}`;
    try {
      await waitUntilHealthy(origin, child, timeoutMs);
    } catch (error) {
      await child.stop();
      rmSync(persist, { recursive: true, force: true });
      throw error;
    }
    return {
      origin,
      port,
      vars: chosen,
      secrets,
      fakeAtlassian: standIn,
      output: child.output,
      waitForOutput: child.waitForOutput,
      async stop() {
        await child.stop();
        rmSync(persist, { recursive: true, force: true });
        await ownStandIn?.stop();
      },
    };
  } catch (error) {
    await ownStandIn?.stop();
    throw error;
  }
}

/**
 * wrangler.toml changed by `change`, in `dir`: wrangler reads `main` and the assets' directory
 * relative to the file, so both are made absolute first.
 */
function writeConfig(dir, change) {
  const original = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  const absolute = original
    .replace(/^main = "([^"]+)"$/m, (_, path) => `main = ${JSON.stringify(join(ROOT, path))}`)
    .replace(/^directory = "([^"]+)"$/m, (_, path) => `directory = ${JSON.stringify(join(ROOT, path))}`);
  if (absolute === original) throw new Error('wrangler.toml has no main and assets directory lines to rewrite');
  const changed = change(absolute);
  if (changed === absolute) throw new Error('the config change changed nothing in wrangler.toml');
  const file = join(dir, 'wrangler.toml');
  writeFileSync(file, changed);
  return file;
}

/** A stand-in whose built-in app (fake-atlassian/default.toml) is registered with `callbackUrl`. */
async function startStandInFor(callbackUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'threelo-stand-in-'));
  const configFile = join(dir, 'fake-atlassian.toml');
  const defaults = readFileSync(join(ROOT, 'fake-atlassian', 'default.toml'), 'utf8');
  const config = defaults.replace(/^callback_url = "[^"]*"$/m, `callback_url = ${JSON.stringify(callbackUrl)}`);
  if (config === defaults) throw new Error("fake-atlassian/default.toml has no app callback_url line to point at the Worker");
  writeFileSync(configFile, config);
  try {
    const standIn = await startFakeAtlassian({ args: ['--config', configFile] });
    return {
      ...standIn,
      async stop() {
        await standIn.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Polls /healthz until the Worker answers with its JSON; never a fixed sleep. */
async function waitUntilHealthy(origin, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited()) {
      throw new Error(`wrangler dev exited (${child.exited()}) before the Worker answered; its output ends:\n${child.tail()}`);
    }
    try {
      const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) });
      const body = await response.text();
      if (response.headers.get('content-type') === 'application/json' && JSON.parse(body).version) return;
    } catch {
      // Not listening yet, or still starting: try again.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the Worker did not answer ${origin}/healthz within ${timeoutMs / 1000} s; wrangler's output ends:\n${child.tail()}`);
}

/**
 * Spawns `command` as the leader of a new process group (wrangler starts workerd, and stopping the
 * group stops both), recording stdout and stderr together.
 */
function startGroup(command, args, env) {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let exitStatus = null;
  const waiters = new Set();
  const onText = (chunk) => {
    text += stripAnsi(chunk);
    for (const waiter of waiters) waiter();
  };
  child.stdout.setEncoding('utf8').on('data', onText);
  child.stderr.setEncoding('utf8').on('data', onText);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    exitStatus = signal ?? `code ${code}`;
    for (const waiter of waiters) waiter();
    resolve();
  }));
  child.on('error', (error) => onText(`\n[spawn error] ${error.message}\n`));
  // A crashed test run must not leave servers behind.
  const killOnExit = () => signalGroup(child.pid, 'SIGKILL');
  process.on('exit', killOnExit);

  const output = () => text;
  const tail = (lines = 40) => text.split('\n').slice(-lines).join('\n');
  /** Resolves to the match once the output matches `pattern`; rejects after `timeoutMs` or on exit. */
  const waitForOutput = (pattern, timeoutMs = 10_000, what = command) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const match = text.match(pattern);
        if (match) return done(() => resolve(match));
        if (exitStatus) return done(() => reject(new Error(`${what} exited (${exitStatus}); output ends:\n${tail()}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`${what}: no output matching ${pattern} within ${timeoutMs} ms; output ends:\n${tail()}`))),
        timeoutMs,
      );
      const done = (settle) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  return {
    output,
    tail,
    waitForOutput,
    waitFor: waitForOutput,
    exited: () => exitStatus,
    async stop() {
      process.off('exit', killOnExit);
      if (exitStatus) return;
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
      // workerd may outlive wrangler by a moment; the group signal reaches it too.
      signalGroup(child.pid, 'SIGKILL');
    },
  };
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Runs a command to completion; rejects with its output when it fails. */
function run(command, args, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { text += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { text += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`${what} failed (${code}):\n${text.slice(-4000)}`))));
  });
}

function stripAnsi(text) {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}
