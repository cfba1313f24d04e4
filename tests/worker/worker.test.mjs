// The Worker under `wrangler dev` (the real workerd runtime), answering on loopback: its routes, the
// docs page as static assets from the same origin, the security headers, a misconfigured Worker
// refusing flows, and logs that carry no secret or code.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, startWorker } from './harness.mjs';

const VERSION = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/^version = "([^"]+)"$/m)[1];
const CODE = 'FAKEcodeThatMustNeverBeLogged0123456789';
const HTML = { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const JSON_ONLY = { Accept: 'application/json' };

let sound;
let misconfigured;
let withStandIn;

/** A client secret pasted into the scopes: no piece of it past its first four characters may show. */
const PASTED_SECRET = 'ATOAxK7fQ2mZp9LrT4vW8yB1nC6hJ3sD5gF0aE2iU7oY9kM4qR8tX1zV6bN3wP5cLm7Q0A1B2C3D';

before(async () => {
  // Both at once: start-up is most of this file's time.
  [sound, misconfigured, withStandIn] = await Promise.all([
    startWorker(),
    // ServiceNow's documented scopes (an unknown scope, commas, no offline_access), and a secret
    // pasted into them by mistake.
    // Reached over https (its callback says so), as a deployed Worker is.
    startWorker({
      vars: {
        ATLASSIAN_SCOPES: `ace:confluence,read:page:confluence,read:me ${PASTED_SECRET}`,
        ATLASSIAN_CALLBACK_URL: 'https://threelo.example/callback',
      },
    }),
    startWorker({ fakeAtlassian: true }),
  ]);
});
after(async () => {
  await Promise.all([sound?.stop(), misconfigured?.stop(), withStandIn?.stop()]);
});

function assertNoPieceOfThePastedSecret(text, where) {
  for (let at = 4; at + 8 <= PASTED_SECRET.length; at += 4) {
    assert.ok(!text.includes(PASTED_SECRET.slice(at, at + 8)), `the pasted secret shows in ${where}`);
  }
}

/** Asserts the headers every answer of the Worker's own carries. */
function assertWorkerHeaders(response) {
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  const csp = response.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
}

/** Asserts the page's inline style is the one its CSP allows, by hash. */
function assertStyleAllowed(response, html) {
  const style = html.match(/<style>([^<]*)<\/style>/)[1];
  const hash = createHash('sha256').update(style).digest('base64');
  assert.ok(response.headers.get('content-security-policy').includes(`'sha256-${hash}'`), `style hash ${hash} not in CSP`);
}

/** Asserts nothing secret is in `text`: the client secret, the state key, a code sent to the Worker. */
function assertNoSecrets(worker, text, where) {
  for (const [name, value] of Object.entries(worker.secrets)) {
    assert.ok(!text.includes(value), `${name} appears in ${where}`);
  }
  assert.ok(!text.includes(CODE), `the authorization code appears in ${where}`);
}

describe('a soundly configured Worker', () => {
  test('/healthz answers JSON 200 with the security headers and no secret', async () => {
    const response = await fetch(`${sound.origin}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assertWorkerHeaders(response);
    const text = await response.text();
    assertNoSecrets(sound, text, '/healthz');
    const health = JSON.parse(text);
    assert.equal(health.ok, true);
    assert.equal(health.version, VERSION);
    assert.equal(health.config.sound, true);
    assert.equal(health.config.errors, 0);
    // Talking to a loopback stand-in is said plainly, never silently accepted as Atlassian.
    assert.equal(health.config.atlassian.stand_in, true);
    assert.deepEqual(health.config.problems, []);
  });

  test('the docs page is served from the same origin, with its own security headers', async () => {
    const response = await fetch(`${sound.origin}/`, { headers: HTML });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/html/);
    const html = await response.text();
    assert.match(html, /<title>threelo/);
    assert.match(html, /href="style\.css"/);
    // From www/_headers: the page may load from its own origin only.
    assert.match(response.headers.get('content-security-policy'), /default-src 'self'/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    const css = await fetch(`${sound.origin}/style.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type'), /^text\/css/);
    // The headers file configures the assets; it is not one of them.
    const headersFile = await fetch(`${sound.origin}/_headers`);
    assert.equal(headersFile.status, 404);
    // HSTS on the assets whatever the scheme (browsers ignore it over plain http); framing refused.
    assert.equal(response.headers.get('strict-transport-security'), 'max-age=31536000');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.match(response.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  });

  test("the Worker's own answers over plain-http loopback carry no HSTS", async () => {
    for (const path of ['/healthz', '/connect', '/nothing']) {
      const response = await fetch(`${sound.origin}${path}`, { redirect: 'manual' });
      assert.equal(response.headers.get('strict-transport-security'), null, path);
    }
  });

  test('a refused /callback page passes the style CSP, and the code it was sent is logged nowhere', async () => {
    const response = await fetch(`${sound.origin}/callback?code=${CODE}&state=${CODE}`, { headers: HTML });
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type'), /^text\/html/);
    assertWorkerHeaders(response);
    const html = await response.text();
    assert.match(html, /data-code="state-malformed"/);
    assertStyleAllowed(response, html);
    assertNoSecrets(sound, html, 'the /callback page');
    await sound.waitForOutput(/GET \/callback -> 400/);
    assertNoSecrets(sound, sound.output(), "wrangler's and the Worker's output");
  });

  test('other methods on the Worker routes get 405 with Allow', async () => {
    const response = await fetch(`${sound.origin}/connect`, { method: 'POST', headers: JSON_ONLY });
    assert.equal(response.status, 405);
    // A flow changes state (a cookie, a used code): GET only.
    assert.equal(response.headers.get('allow'), 'GET');
    assert.equal((await response.json()).code, 'method-not-allowed');
  });

  test('an unknown route gets a 404 page, or problem details when JSON is asked for', async () => {
    const response = await fetch(`${sound.origin}/no-such-page%3Cscript%3E`, { headers: HTML });
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type'), /^text\/html/);
    assertWorkerHeaders(response);
    const html = await response.text();
    assert.match(html, /<main data-code="not-found">/);
    // Exactly this text, and nothing of the requested path in any form (raw, escaped, percent-encoded).
    const text = html.match(/<main[^>]*>([\s\S]*)<\/main>/)[1].replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    assert.equal(text, 'Not found There is nothing at this address. threelo: check a Confluence Cloud OAuth 2.0 setup');
    assert.ok(!/no-such-page|script/i.test(html), 'the 404 page repeats the requested path');

    const problem = await fetch(`${sound.origin}/api/nothing`, { headers: JSON_ONLY });
    assert.equal(problem.status, 404);
    assert.equal(problem.headers.get('content-type'), 'application/problem+json');
    assert.deepEqual(await problem.json(), {
      type: 'about:blank', title: 'Not found', status: 404, detail: 'There is nothing at this address.', code: 'not-found',
    });
  });
});

describe('a misconfigured Worker', () => {
  test('reached over https, every answer of its own sends Strict-Transport-Security', async () => {
    for (const path of ['/healthz', '/connect', '/callback?state=x', '/nothing']) {
      const response = await fetch(`${misconfigured.origin}${path}`, { redirect: 'manual' });
      assert.equal(response.headers.get('strict-transport-security'), 'max-age=31536000', path);
      assertWorkerHeaders(response);
    }
  });

  test('/healthz answers 503 with the validator findings, each naming its variable', async () => {
    const response = await fetch(`${misconfigured.origin}/healthz`);
    assert.equal(response.status, 503);
    assertWorkerHeaders(response);
    const text = await response.text();
    assertNoPieceOfThePastedSecret(text, '/healthz');
    const health = JSON.parse(text);
    assert.equal(health.ok, false);
    assert.equal(health.config.sound, false);
    const unknown = health.config.findings.find((finding) => finding.rule === 'scope/unknown');
    assert.ok(unknown, `no scope/unknown in ${JSON.stringify(health.config.findings)}`);
    assert.equal(unknown.variable, 'ATLASSIAN_SCOPES');
    assert.match(unknown.message, /ace:confluence/);
    const rules = health.config.findings.map((finding) => finding.rule);
    for (const rule of ['scope/separator', 'scope/offline-access-missing']) assert.ok(rules.includes(rule), `${rule} in ${rules}`);
  });

  test('/connect refuses to start a flow and shows the findings', async () => {
    const response = await fetch(`${misconfigured.origin}/connect`, { headers: HTML });
    assert.equal(response.status, 503);
    assertWorkerHeaders(response);
    const html = await response.text();
    assert.match(html, /This Worker is not configured correctly/);
    assert.match(html, /data-rule="scope\/unknown" data-variable="ATLASSIAN_SCOPES"/);
    assert.match(html, /`ace:confluence` is not an Atlassian scope/);
    assert.ok(!/Location/i.test([...response.headers.keys()].join(' ')), 'a refused flow must not redirect');
    assertStyleAllowed(response, html);
    assertNoSecrets(misconfigured, html, 'the refusal page');
    assertNoPieceOfThePastedSecret(html, 'the refusal page');

    const problem = await fetch(`${misconfigured.origin}/connect`, { headers: JSON_ONLY });
    assert.equal(problem.status, 503);
    const details = await problem.json();
    assert.equal(details.code, 'worker-misconfigured');
    assert.ok(details.findings.some((finding) => finding.rule === 'scope/unknown'));
  });
});

test('the harness starts the local Atlassian stand-in and points the Worker at it', async () => {
  const standIn = withStandIn.fakeAtlassian.origin;
  assert.match(standIn, /^http:\/\/127\.0\.0\.1:\d+$/);
  const health = await (await fetch(`${withStandIn.origin}/healthz`)).json();
  assert.equal(health.ok, true);
  assert.deepEqual(health.config.atlassian, { stand_in: true, auth_base_url: `${standIn}/`, api_base_url: `${standIn}/` });
  // The stand-in is up and speaks Atlassian: an unauthenticated API call is refused.
  const resources = await fetch(`${standIn}/oauth/token/accessible-resources`);
  assert.equal(resources.status, 401);
});

test("the ledger's test fault is set by the tests alone; every environment has a rate limit, production a modest one", () => {
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  assert.ok(!toml.includes('THREELO_TEST_LEDGER_FAULT'), 'the test-only ledger fault is in wrangler.toml');
  const limits = [...toml.matchAll(/^\[\[(env\.(\w+)\.)?ratelimits\]\]\nname = "FLOW_RATE_LIMITER"\nnamespace_id = "\d+"\nsimple = \{ limit = (\d+), period = (10|60) \}$/gm)]
    .map((match) => [match[2] ?? 'top level', Number(match[3]) / Number(match[4])]);
  const perSecond = Object.fromEntries(limits);
  assert.deepEqual(Object.keys(perSecond).sort(), ['production', 'test', 'top level']);
  assert.ok(perSecond.production <= 1, `production allows ${perSecond.production} flow requests a second per address`);
  assert.ok(perSecond.test >= 1000 && perSecond['top level'] >= 10, JSON.stringify(perSecond));
});

test('the test environment in wrangler.toml keeps the same local defaults as [vars]', () => {
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  const block = (header) => toml.split(header)[1].split(/\n\[/)[0].split('\n').filter((line) => /^\w+ = /.test(line));
  assert.deepEqual(block('\n[env.test.vars]\n'), block('\n[vars]\n'));
  assert.equal(block('\n[vars]\n').length, 5);
});

test("the built wasm names no machine's paths: its panic locations are remapped", () => {
  const wasm = readFileSync(join(ROOT, 'build', 'index_bg.wasm')).toString('latin1');
  const home = process.env.CARGO_HOME ?? join(process.env.HOME ?? '/root', '.cargo');
  for (const path of [ROOT, home, 'index.crates.io']) {
    assert.ok(!wasm.includes(path), `the Worker's wasm contains ${path}`);
  }
  // The remapped form is there, so this test sees panic locations at all.
  assert.match(wasm, /crates\/url-[\d.]+\/src\//);
});

test("the benchmark's floor behind the assets router is deployed as the Worker is", () => {
  // Its requests per second are the goal's basis (benches/worker.mjs): it must pay what the
  // Worker's own deployment pays before the Worker runs, the same assets and logs.
  const ours = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  const floorDir = join(ROOT, 'benches', 'floor-worker');
  const floor = readFileSync(join(floorDir, 'wrangler.assets.toml'), 'utf8');
  const block = (toml, header) => toml.split(header)[1].split(/\n\[/)[0].split('\n').filter((line) => /^\w+ = /.test(line));
  const directory = (toml, base) => join(base, block(toml, '\n[assets]\n').find((l) => l.startsWith('directory')).match(/"(.*)"/)[1]);
  assert.equal(directory(floor, floorDir), directory(ours, ROOT));
  assert.deepEqual(block(floor, '\n[observability]\n'), block(ours, '\n[observability]\n'));
  assert.ok(block(ours, '\n[assets]\n').some((l) => l.startsWith('run_worker_first = [')), 'threelo runs a list of routes first');
  assert.ok(block(floor, '\n[assets]\n').includes('run_worker_first = ["/"]'), 'the floor runs its one route first');
});
