#!/usr/bin/env node
// The Worker's benchmark (run by scripts/bench-worker after fresh builds): the sizes of what
// `wrangler deploy` would upload, and requests per second, p50 and p99 latency under a loopback
// load of `GET /connect`, of a whole `GET /callback` (state check, single-use claim, code
// exchange, accessible-resources and /me against the local stand-in, the report), of `GET /healthz`
// for reference, and of the floor Worker's `GET /` (a Rust Worker that only answers 200,
// benches/floor-worker) twice: bare, and deployed as threelo is, behind the runtime's assets router
// (benches/floor-worker/wrangler.assets.toml); all under `wrangler dev` (workerd) in the same run,
// one after the other. Prints the tables.
//
//   node benches/worker.mjs [--concurrency 8] [--warmup 2] [--duration 10] [--rounds 4] [--runs 3]
//
// Issue 17's goals are judged on the median of `runs` runs (each `rounds` alternating rounds):
// the Worker's wasm at most 160 KB gzip, and /healthz and /connect each at 0.8 of the requests per
// second of the floor deployed the same way, or more (the ratio to the bare floor is printed
// beside). The goals' table says of each whether it is met.
//
// The load generator is the same for every target: `concurrency` loops over one keep-alive
// agent, each sending its next request when the last one's body has been read; after a warm-up,
// every request started in the timed window is counted and its latency recorded.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { freePort, ROOT, startWorker, WRANGLER_ENV } from '../tests/worker/harness.mjs';

const { values: options } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
  },
});
const CONCURRENCY = Number(options.concurrency);
const WARMUP_MS = Number(options.warmup) * 1000;
const DURATION_MS = Number(options.duration) * 1000;
// The counted time of each target is split into rounds that take turns (floor, /healthz,
// /connect, floor, …), so a neighbour's load that comes and goes on this shared machine falls
// on all of them alike rather than on whichever ran at the time.
const ROUNDS = Number(options.rounds);
const RUNS = Number(options.runs);
const GOALS = { wasmGzipKb: 160, ratio: 0.8 };
const FLOOR_DIR = join(ROOT, 'benches', 'floor-worker');
const READY_TIMEOUT_MS = 120_000;
// What a browser sends: the Worker answers browsers with HTML pages.
const HEADERS = { accept: 'text/html' };

// Exit handlers (the harness's and ours) stop every server when the run is interrupted.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

// ---------------------------------------------------------------------------------------------
// The load generator.

/** One GET over `agent`; resolves when the body has been read. Status 0: no HTTP answer. */
function get(agent, target, path, headers = HEADERS) {
  return new Promise((resolve) => {
    const request = http.request({ host: target.hostname, port: target.port, path, agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers }));
      response.on('error', () => resolve({ status: 0, headers: {} }));
    });
    request.on('error', () => resolve({ status: 0, headers: {} }));
    request.end();
  });
}

/**
 * Loads `origin` with requests from `next()` (a `{path, headers}`, or null when there are no
 * more): `warmupMs` not counted, then `durationMs` counted. Resolves to the figures of the timed
 * window, which ends early when `next()` runs dry.
 */
async function load(origin, next, { warmupMs = WARMUP_MS, durationMs = DURATION_MS } = {}) {
  const target = new URL(origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const start = performance.now();
  const windowStart = start + warmupMs;
  const windowEnd = windowStart + durationMs;
  const latencies = [];
  const statuses = new Map();
  let errors = 0;
  let warmed = 0;
  let lastDone = windowStart;
  let ranDry = false;
  const loop = async () => {
    for (;;) {
      const begun = performance.now();
      if (begun >= windowEnd) return;
      const request = next();
      if (!request) {
        ranDry = true;
        return;
      }
      const { status } = await get(agent, target, request.path, request.headers);
      const done = performance.now();
      if (begun < windowStart) {
        warmed += 1;
        continue;
      }
      latencies.push(done - begun);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      // Anything but a 2xx or 3xx (a 302 is /connect's success) is an error; so is no answer.
      if (status < 200 || status >= 400) errors += 1;
      lastDone = Math.max(lastDone, done);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  agent.destroy();
  // Every counted request started in the window; the last of them may finish just after it.
  const seconds = (lastDone - windowStart) / 1000;
  return summary([{ latencies, seconds, errors, statuses, warmed, ranDry }]);
}

/** The figures of one or more timed windows taken together. */
function summary(parts) {
  const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const seconds = parts.reduce((sum, p) => sum + p.seconds, 0) || Number.NaN;
  const statuses = new Map();
  for (const [status, n] of parts.flatMap((p) => [...p.statuses])) statuses.set(status, (statuses.get(status) ?? 0) + n);
  const quantile = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    latencies,
    requests: latencies.length,
    warmed: parts.reduce((sum, p) => sum + p.warmed, 0),
    seconds,
    rps: latencies.length / seconds,
    p50: quantile(0.5),
    p99: quantile(0.99),
    errors: parts.reduce((sum, p) => sum + p.errors, 0),
    statuses,
    ranDry: parts.some((p) => p.ranDry),
  };
}

/** An endless supply of the same request. */
const always = (path) => {
  const request = { path, headers: HEADERS };
  return () => request;
};

// ---------------------------------------------------------------------------------------------
// /callback: each request needs its own single-use state (from /connect: the Location holds it,
// Set-Cookie the cookie) and its own code (the stand-in's consent with auto-consent on answers
// 302 to the callback). Both live 10 minutes, so a pool is minted before the timed window.

class FlowMissing extends Error {}

async function mintCallbacks(worker, count) {
  const workerTarget = new URL(worker.origin);
  const standInTarget = new URL(worker.fakeAtlassian.origin);
  const agents = [workerTarget, standInTarget].map(() => new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY }));
  const pool = [];
  let left = count;
  const mintOne = async () => {
    const connect = await get(agents[0], workerTarget, '/connect');
    if (connect.status !== 302 || !connect.headers.location) {
      throw new FlowMissing(`/connect answers ${connect.status || 'nothing'}, not a 302 to consent`);
    }
    const consent = new URL(connect.headers.location);
    if (consent.origin !== standInTarget.origin) {
      throw new FlowMissing(`/connect sends the browser to ${consent.origin}, not the stand-in`);
    }
    const cookie = [connect.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]).join('; ');
    const authorize = await get(agents[1], standInTarget, consent.pathname + consent.search);
    const back = authorize.headers.location && new URL(authorize.headers.location);
    if (authorize.status !== 302 || !back?.searchParams.has('code')) {
      throw new FlowMissing(`the stand-in's consent answers ${authorize.status} without a code (auto-consent off?)`);
    }
    if (back.origin !== workerTarget.origin || back.pathname !== '/callback') {
      throw new FlowMissing(`the stand-in's consent goes back to ${back.origin}${back.pathname}, not this Worker's /callback`);
    }
    pool.push({ path: back.pathname + back.search, headers: { ...HEADERS, cookie } });
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (left > 0) {
        left -= 1;
        await mintOne();
      }
    }));
  } finally {
    for (const agent of agents) agent.destroy();
  }
  return pool;
}

/** Warm-up on a first pool, then a timed window on a pool sized from the warm-up's rate. */
async function benchCallback(worker) {
  const response = await fetch(`${worker.fakeAtlassian.origin}/__admin/auto-consent`, {
    method: 'PUT',
    body: JSON.stringify({ enabled: true }),
  });
  if (!response.ok) throw new Error(`the stand-in refused auto-consent (${response.status})`);
  const warmPool = await mintCallbacks(worker, 50 * CONCURRENCY);
  const warm = await load(worker.origin, () => warmPool.pop() ?? null, { warmupMs: 0, durationMs: WARMUP_MS });
  if (warm.requests === 0 || warm.errors === warm.requests) {
    const seen = [...warm.statuses.keys()].join(', ');
    throw new FlowMissing(`/callback answers ${seen || 'nothing'} to a fresh code and state`);
  }
  // 1.5× the warm-up's rate for the whole window, so it ends on time rather than running dry.
  const size = Math.ceil(warm.rps * (DURATION_MS / 1000) * 1.5) + CONCURRENCY;
  const pool = await mintCallbacks(worker, size);
  return { ...(await load(worker.origin, () => pool.pop() ?? null, { warmupMs: 0 })), warmed: warm.requests, pool: size };
}

// ---------------------------------------------------------------------------------------------
// The floor Worker, run the way its wrangler.toml says (`wrangler dev` in its directory; its
// build command is scripts/build-worker, skipped here because scripts/bench-worker just built it).

async function startFloor(config) {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const persist = mkdtempSync(join(tmpdir(), 'threelo-floor-'));
  const child = spawn(process.execPath, [
    join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'dev', '--ip', '127.0.0.1', '--port', String(port),
    '--inspector-port', String(inspectorPort), '--show-interactive-dev-session=false', '--persist-to', persist, '--config', config,
  ], {
    cwd: FLOOR_DIR,
    env: { ...process.env, ...WRANGLER_ENV, THREELO_WORKER_PREBUILT: '1' },
    detached: true, // its own process group: wrangler and workerd stop together
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Read (and keep the end of) everything it prints, as the harness does for the Worker.
  let text = '';
  const keep = (chunk) => { text = (text + chunk).slice(-20_000); };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal ?? `code ${code}`; });
  const kill = (signal) => { try { process.kill(-child.pid, signal); } catch { /* gone */ } };
  const killOnExit = () => kill('SIGKILL');
  process.on('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (!exited) {
      kill('SIGTERM');
      await new Promise((resolve) => { if (exited) resolve(); else child.once('exit', resolve); });
    }
    kill('SIGKILL'); // workerd may outlive wrangler by a moment
    rmSync(persist, { recursive: true, force: true });
  };
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`the floor's wrangler dev exited (${exited}); its output ends:\n${text.slice(-4000)}`);
    }
    try {
      const response = await fetch(`${origin}/`, { signal: AbortSignal.timeout(60_000) });
      await response.text();
      if (response.status === 200) return { origin, stop };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the floor did not answer ${origin}/ within ${READY_TIMEOUT_MS / 1000} s:\n${text.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// ---------------------------------------------------------------------------------------------

const sizeOf = (...files) => {
  const bytes = files.map((file) => readFileSync(file));
  return {
    raw: bytes.reduce((sum, b) => sum + b.length, 0),
    gzip: bytes.reduce((sum, b) => sum + gzipSync(b, { level: 9 }).length, 0),
  };
};
const built = (dir) => ({
  wasm: sizeOf(join(dir, 'build', 'index_bg.wasm')),
  js: sizeOf(join(dir, 'build', 'index.js'), join(dir, 'build', 'worker', 'shim.mjs')),
});
const ours = built(ROOT);
const floorSize = built(FLOOR_DIR);

console.error(`starting the Worker (with the stand-in) and the floor under wrangler dev…`);
const worker = await startWorker({ fakeAtlassian: true });
let floor;
let floorAssets;
const results = {};
try {
  [floor, floorAssets] = await Promise.all([startFloor('wrangler.toml'), startFloor('wrangler.assets.toml')]);
  // /healthz is the Worker's cheapest route (the config check's cached answer): what the SDK and
  // the Worker's per-request work cost before /connect's own work. The floor behind the assets
  // router shows what that router costs any Worker deployed with static assets, as threelo is.
  const targets = {
    floor: [floor.origin, '/'], floorAssets: [floorAssets.origin, '/'],
    healthz: [worker.origin, '/healthz'], connect: [worker.origin, '/connect'],
  };
  const parts = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
  results.runs = [];
  for (let run = 0; run < RUNS; run++) {
    const ofRun = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, [origin, path]] of Object.entries(targets)) {
        console.error(`run ${run + 1}/${RUNS}, round ${round + 1}/${ROUNDS}: GET ${path} (${name}), ${CONCURRENCY} connections…`);
        // Warm-up once per target; later rounds find its code hot.
        const first = run === 0 && round === 0;
        ofRun[name].push(await load(origin, always(path), { warmupMs: first ? WARMUP_MS : 0, durationMs: DURATION_MS / ROUNDS }));
      }
    }
    for (const name of Object.keys(targets)) parts[name].push(...ofRun[name]);
    results.runs.push(Object.fromEntries(Object.keys(targets).map((name) => [name, summary(ofRun[name])])));
  }
  for (const name of Object.keys(targets)) results[name] = summary(parts[name]);
  console.error(`Worker: GET /callback (minting codes and states first)…`);
  try {
    results.callback = await benchCallback(worker);
  } catch (error) {
    if (!(error instanceof FlowMissing)) throw error;
    results.callback = { missing: error.message };
  }
} finally {
  await floor?.stop();
  await floorAssets?.stop();
  await worker.stop();
}

// ---------------------------------------------------------------------------------------------
// The tables.

const table = (head, rows) => {
  const width = [head, ...rows].map((r) => r.map((c) => c.length)).reduce((a, b) => a.map((w, i) => Math.max(w, b[i])));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const ms = (n) => (Number.isFinite(n) ? `${n.toFixed(2)} ms` : '–');
const statuses = (r) => [...r.statuses].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s || 'no answer'} ×${n}`).join(', ');

table(['build', 'raw', 'gzip', 'note'], [
  ['Worker wasm', kb(ours.wasm.raw), kb(ours.wasm.gzip), 'build/index_bg.wasm (worker-build, wasm-opt)'],
  ['Worker JS', kb(ours.js.raw), kb(ours.js.gzip), 'build/index.js + build/worker/shim.mjs'],
  ['floor wasm', kb(floorSize.wasm.raw), kb(floorSize.wasm.gzip), 'benches/floor-worker, same SDK and tools'],
  ['floor JS', kb(floorSize.js.raw), kb(floorSize.js.gzip), ''],
  ['Worker wasm − floor wasm', kb(ours.wasm.raw - floorSize.wasm.raw), kb(ours.wasm.gzip - floorSize.wasm.gzip), 'what threelo adds'],
]);
console.log();
const row = (name, r, note) => [name, r.rps.toFixed(0), ms(r.p50), ms(r.p99), String(r.errors), `${note}${statuses(r)}`];
const rows = [
  row('floor `GET /`', results.floor, ''),
  row('floor `GET /` behind the assets router', results.floorAssets, ''),
  row('`GET /healthz` (reference)', results.healthz, ''),
  row('`GET /connect`', results.connect, ''),
];
if (results.callback.missing) {
  rows.push(['`GET /callback` (full)', '–', '–', '–', '–', `not measured: ${results.callback.missing}`]);
} else {
  const c = results.callback;
  rows.push(row('`GET /callback` (full)', c, `${c.ranDry ? `pool ran dry after ${c.seconds.toFixed(1)} s; ` : ''}`));
}
table(['target', 'req/s', 'p50', 'p99', 'errors', 'answers'], rows);
console.log();

// The goals, on the median of the runs' ratios.
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const met = (ok) => (ok ? 'met' : 'NOT met');
const goalRows = [[
  'Worker wasm gzip', kb(ours.wasm.gzip), `≤ ${GOALS.wasmGzipKb} KB`, met(ours.wasm.gzip <= GOALS.wasmGzipKb * 1024), 'one build',
]];
// Against the floor deployed as threelo is (behind the assets router): the router's hop is the
// runtime's, paid by any Worker with static assets, and it alone is about a fifth of a bare
// Worker's requests per second (benches/README.md); the ratio to the bare floor is shown beside.
const ratiosOf = (name, floorName) => results.runs.map((run) => run[name].rps / run[floorName].rps);
const listed = (ratios) => ratios.map((r) => r.toFixed(2)).join(', ');
for (const name of ['healthz', 'connect']) {
  const ratios = ratiosOf(name, 'floorAssets');
  // Errors are answered without the route's work: their rate says nothing about the goal.
  const errors = results.runs.reduce((sum, run) => sum + run[name].errors, 0);
  const verdict = errors > 0 ? `not comparable: ${errors} errors` : met(median(ratios) >= GOALS.ratio);
  goalRows.push([`\`/${name}\` ÷ floor behind the assets router`, median(ratios).toFixed(2), `≥ ${GOALS.ratio}`, verdict,
    `median of ${RUNS} runs: ${listed(ratios)}; ÷ bare floor ${median(ratiosOf(name, 'floor')).toFixed(2)}`]);
}
table(['goal', 'measured', 'target', 'verdict', 'basis'], goalRows);
const router = ratiosOf('floorAssets', 'floor');
console.log(`\nthe assets router alone: the floor behind it ÷ the bare floor ${median(router).toFixed(2)} (runs: ${listed(router)})`);
console.log(`\nloopback, ${CONCURRENCY} keep-alive connections, ${options.warmup} s warm-up + ${options.duration} s counted per target `
  + `per run (the first four in ${ROUNDS} alternating rounds, ${RUNS} runs); wrangler dev ${readFileSync(join(ROOT, 'node_modules', 'wrangler', 'package.json'), 'utf8').match(/"version": "([^"]+)"/)[1]} (workerd), `
  + `${cpus().length} cores. One run: quote ratios, not absolutes.`);
