// The Worker's OAuth flow end to end, through the real runtime: `wrangler dev` (workerd) in front of
// the local Atlassian stand-in (fake-atlassian) over HTTP on loopback, driven by plain fetch and by
// headless Chromium. Written against the edge service's contract (DESIGN.md): /connect's redirect
// and cookie, /callback's refusals (each with its status and code, and no token request at the
// stand-in), Atlassian's answers and every fault switch, the connection report, and that no secret,
// code or token ever shows in a URL, a page or a log line.
//
// One Worker (with its own stand-in) per describe block; all start at once, because start-up is
// most of this file's time. The stand-in is reset before every test, so no fault, consent or log
// entry crosses from one test to the next.
//
// Not covered here: a Worker whose /me is not granted (no identity section) and the Worker's own
// timeout on a hung token endpoint (10 s; too slow for this file).
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { launchBrowser, screenshot } from '../browser/harness.mjs';
import { ROOT, STAND_IN_SECRET, startWorker } from './harness.mjs';

const HTML = { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const JSON_ONLY = { Accept: 'application/json' };
const STATE_COOKIE = 'threelo_state';
/** Each test ends within this, so a hung request fails its own test, not the whole file. */
const flowTest = (name, fn) => test(name, { timeout: 30_000 }, fn);

// What the Worker is configured with (wrangler.toml's test environment) and what the stand-in
// knows (its built-in default.toml): the report must show exactly these.
const WRANGLER_TOML = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
const TEST_VARS = WRANGLER_TOML.split('\n[env.test.vars]\n')[1];
const testVar = (name) => TEST_VARS.match(new RegExp(`^${name} = "([^"]*)"$`, 'm'))[1];
const CLIENT_ID = testVar('ATLASSIAN_CLIENT_ID');
const SCOPES = testVar('ATLASSIAN_SCOPES').split(' ');
const USES = ['getPages', 'GET /wiki/api/v2/spaces/{id}', 'servicenow: Look up Groups'];
const STAND_IN_TOML = readFileSync(join(ROOT, 'fake-atlassian', 'default.toml'), 'utf8');
const SITES = STAND_IN_TOML.split('\n[[sites]]\n').slice(1).map((block) => ({
  id: block.match(/^id = "([^"]+)"$/m)[1],
  name: block.match(/^name = "([^"]+)"$/m)[1],
  url: block.match(/^url = "([^"]+)"$/m)[1],
}));
const USER_BLOCK = STAND_IN_TOML.split('\n[[users]]\n')[1];
const USER = { name: USER_BLOCK.match(/^name = "([^"]+)"$/m)[1], email: USER_BLOCK.match(/^email = "([^"]+)"$/m)[1] };

// The stand-in's codes and tokens are 32 random bytes as unpadded URL-safe base64
// (fake-atlassian/src/state.rs, random_token): exactly 43 such characters. The sealed state is far
// longer, and cloud IDs and the client ID are shorter, so a run of exactly 43 is a code or a token.
const TOKEN_SHAPE = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/;
// What a leaked stack trace or Rust panic looks like in a page or a log.
const STACK_TRACE = /^\s+at \S+ \(|\.rs:\d+|panicked/m;
const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';
const DECLINED = /declin|denied|did not (authorize|allow|accept)/i;
/**
 * The refusals whose state matched none of the cookie's bindings (or was never looked at): they
 * leave the cookie alone, so a cross-site link to /callback cannot end the sign-ins under way.
 */
const COOKIE_UNTOUCHED = new Set([
  'state-missing', 'state-malformed', 'state-forged', 'state-expired', 'state-cookie-missing',
  'state-browser-mismatch', 'bad-query', 'query-too-long', 'rate-limited', 'method-not-allowed',
]);
/** The limit of the `limits` Worker (a lowered copy of wrangler.toml's test limit). */
const LOWERED_LIMIT = 3;

// ---------------------------------------------------------------------------------------------
// The runs: one Worker + stand-in per describe block, started together.

let browser;
let parser;
const runs = {};

// Bounded, so a start-up that stalls fails the run with a reason instead of hanging it.
before(async () => {
  const options = {
    connect: {},
    refusals: {},
    // What the integration calls (ATLASSIAN_USES): two the scopes allow, and a spoke action whose
    // inferred call needs a scope not requested (a warning, so flows still start).
    atlassian: { vars: { ATLASSIAN_USES: USES.join('\n') } },
    hostile: {},
    browser: {},
    // Few requests per address allowed, and a ledger that fails: requests from other addresses
    // (the tests send CF-Connecting-IP, which wrangler dev passes on) are counted apart.
    limits: {
      vars: { THREELO_TEST_LEDGER_FAULT: 'error' },
      config: (toml) => toml.replace('simple = { limit = 1000000, period = 10 }', `simple = { limit = ${LOWERED_LIMIT}, period = 60 }`),
    },
  };
  const names = Object.keys(options);
  const started = await Promise.allSettled([
    ...names.map((name) => startWorker({ fakeAtlassian: true, ...options[name] })),
    launchBrowser(),
  ]);
  // Keep every handle that started, so the after hook stops it even when another failed.
  names.forEach((name, i) => {
    if (started[i].status === 'fulfilled') runs[name] = new Run(started[i].value);
  });
  if (started.at(-1).status === 'fulfilled') browser = started.at(-1).value;
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  // Pages fetched without a browser are read through a DOM with scripts off: a payload that
  // slipped through unescaped shows up as an element, and cannot run here.
  parser = await (await browser.browser.newContext({ javaScriptEnabled: false })).newPage();
}, { timeout: 240_000 });

after(async () => {
  await Promise.all([...Object.values(runs).map((run) => run.worker.stop()), browser?.close()]);
});

/**
 * A Worker with its stand-in, and everything its answers showed: each answer is checked against
 * the contract's rules for every answer (security headers, a cleared cookie on /callback, no 500,
 * no stack trace) as it arrives, and kept for the leak checks at the end of each block.
 */
class Run {
  constructor(worker) {
    this.worker = worker;
    this.origin = worker.origin;
    this.standIn = worker.fakeAtlassian.origin;
    /** { label, text }: Location headers and bodies the Worker sent. */
    this.shown = [];
    /** Violations of the every-answer rules, reported by one test per block. */
    this.violations = [];
    /** Every authorization code the Worker was sent (the stand-in's and made-up ones). */
    this.codes = new Set();
    /** Requests to /connect and /callback, to wait for their log lines. */
    this.flowRequests = 0;
  }

  /** Records an answer of the Worker's own (a fetch Response's parts, or a browser response's). */
  note(label, { status, header, setCookies, body }, { sentCookie } = {}) {
    const problem = (text) => this.violations.push(`${label} (${status}): ${text}`);
    if (status === 500) problem('status 500');
    if (header('cache-control') !== 'no-store') problem(`Cache-Control is ${header('cache-control')}`);
    if (header('referrer-policy') !== 'no-referrer') problem(`Referrer-Policy is ${header('referrer-policy')}`);
    if (header('x-content-type-options') !== 'nosniff') {
      problem(`X-Content-Type-Options is ${header('x-content-type-options')}`);
    }
    if (!/frame-ancestors 'none'/.test(header('content-security-policy') ?? '')) {
      problem(`no Content-Security-Policy with frame-ancestors 'none': ${header('content-security-policy')}`);
    }
    if (header('x-frame-options') !== 'DENY') problem(`X-Frame-Options is ${header('x-frame-options')}`);
    if (STACK_TRACE.test(body)) problem(`a stack trace in the body: ${body.match(STACK_TRACE)[0]}`);
    if (/^[A-Z]+ \/callback/.test(label)) {
      const set = setCookies.map(parseSetCookie).find((cookie) => cookie.name === STATE_COOKIE);
      const code = body.match(/<main data-code="([^"]*)"/)?.[1] ?? (body.startsWith('{') ? JSON.parse(body).code : null);
      // HEAD is refused like POST (405), and its answer has no body to read the code from.
      if (label.startsWith('HEAD ') || COOKIE_UNTOUCHED.has(code)) {
        if (set) problem(`${code} changed the state cookie (Set-Cookie: ${setCookies.join(' | ')})`);
      } else {
        // Cleared, or (when the browser had several sign-ins under way) narrowed to the others.
        const sent = (sentCookie ?? '').split('.').filter(Boolean);
        const kept = (set?.value ?? '').split('.').filter(Boolean);
        const cleared = set?.value === '' && set.attributes['max-age'] === '0';
        const narrowed = kept.length > 0 && kept.length < sent.length && kept.every((binding) => sent.includes(binding));
        if (!set || set.attributes.path !== '/' || !(cleared || narrowed)) {
          problem(`the state cookie is neither cleared nor narrowed (Set-Cookie: ${setCookies.join(' | ') || 'none'})`);
        }
      }
    }
    const location = header('location');
    if (location) this.shown.push({ label: `${label}: Location`, text: location });
    this.shown.push({ label: `${label}: body`, text: body });
  }

  /**
   * A request to the Worker (GET unless `method` says otherwise), redirects not followed; the
   * answer is recorded and checked. `ip`: the client address, as Cloudflare would send it.
   */
  async get(pathAndQuery, { cookie, headers = HTML, ip, method = 'GET' } = {}) {
    const url = new URL(pathAndQuery, this.origin);
    for (const code of url.searchParams.getAll('code')) this.codes.add(code);
    if (['/connect', '/callback'].includes(url.pathname)) this.flowRequests += 1;
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        ...headers,
        ...(cookie ? { Cookie: `${STATE_COOKIE}=${cookie}` } : {}),
        ...(ip ? { 'CF-Connecting-IP': ip } : {}),
      },
    });
    const body = await response.text();
    const answer = {
      status: response.status,
      header: (name) => response.headers.get(name),
      setCookies: response.headers.getSetCookie(),
      body,
    };
    this.note(`${method} ${url.pathname}`, answer, { sentCookie: cookie });
    return answer;
  }

  /**
   * GET /connect: the authorize URL, the state in it and the cookie that binds it. `cookie`: the
   * state cookie this browser already holds (sign-ins under way).
   */
  async connect(query = '', { cookie: held, ip } = {}) {
    const answer = await this.get(`/connect${query}`, { cookie: held, ip });
    assert.equal(answer.status, 302, `GET /connect${query} answered ${answer.status}:\n${answer.body.slice(0, 600)}`);
    const location = new URL(answer.header('location'));
    const cookie = answer.setCookies.map(parseSetCookie).find((c) => c.name === STATE_COOKIE);
    assert.ok(cookie?.value, `GET /connect set no ${STATE_COOKIE} cookie: ${answer.setCookies.join(' | ')}`);
    return { answer, location, state: location.searchParams.get('state'), cookie: cookie.value };
  }

  /** Follows an authorize URL at the stand-in (auto-consent on) to the callback URL it redirects to. */
  async consent(authorizeUrl) {
    const response = await fetch(authorizeUrl, { redirect: 'manual' });
    if (response.status !== 302) {
      assert.fail(`the stand-in's /authorize answered ${response.status}: ${(await response.text()).slice(0, 600)}`);
    }
    const callback = new URL(response.headers.get('location'));
    assert.equal(callback.origin, this.origin, 'the stand-in redirected somewhere other than this Worker');
    const code = callback.searchParams.get('code');
    if (code) this.codes.add(code);
    return { callback, code };
  }

  /** /connect → the stand-in (auto-consent) → the callback URL with a fresh code; not yet followed. */
  async startFlow(query = '', { cookie, ip } = {}) {
    const connected = await this.connect(query, { cookie, ip });
    const { callback, code } = await this.consent(connected.location);
    assert.ok(code, `the stand-in did not consent: ${callback.search}`);
    return { ...connected, callback, code };
  }

  /** A whole consent by fetch, ending with the /callback answer. */
  async flow({ headers = HTML } = {}) {
    const started = await this.startFlow();
    const answer = await this.get(started.callback.pathname + started.callback.search, { cookie: started.cookie, headers });
    return { ...started, answer };
  }

  /** A /callback URL with this state and these parameters (values URL-encoded here). */
  callbackUrl(params) {
    return `/callback?${new URLSearchParams(params)}`;
  }

  async admin(method, path, body) {
    const response = await fetch(`${this.standIn}/__admin/${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) assert.fail(`${method} /__admin/${path} answered ${response.status}: ${await response.text()}`);
    return response.status === 204 ? null : response.json();
  }

  /** A clean stand-in: no consents, codes, tokens, faults or log; auto-consent as asked. */
  async reset({ autoConsent = true } = {}) {
    await this.admin('POST', 'reset');
    if (autoConsent) await this.admin('PUT', 'auto-consent', { enabled: true });
    const state = await this.admin('GET', 'state');
    assert.deepEqual([state.faults, state.requests_logged, state.auto_consent], [{}, 0, autoConsent]);
  }

  async fault(endpoint, fault) {
    await this.admin('PUT', `faults/${endpoint}`, fault);
  }

  /** The stand-in's token requests so far (each one is a code the Worker tried to exchange). */
  async tokenRequests() {
    const { requests } = await this.admin('GET', 'requests');
    return requests.filter((request) => request.endpoint === 'token');
  }

  async assertNoTokenRequest(what) {
    const tokens = await this.tokenRequests();
    assert.equal(tokens.length, 0, `${what}: the Worker still sent the code to Atlassian (${JSON.stringify(tokens)})`);
  }

  /** The last test of each block: the every-answer rules held, and nothing secret was shown or logged. */
  async assertCleanRecord() {
    assert.ok(this.shown.length > 0, 'no answer of the Worker was recorded');
    // The Worker's log lines come after its answers: wait until one per flow request is in.
    // Counted with a plain global match: a regex repeating a lazy wildcard N times backtracks
    // exponentially while the count is not yet reached, and once hung a run at 100% CPU.
    const logged = () => (this.worker.output().match(/\[wrangler:info\] [A-Z]+ \/(?:connect|callback)/g) ?? []).length;
    const deadline = Date.now() + 10_000;
    while (logged() < this.flowRequests) {
      assert.ok(Date.now() < deadline, `the Worker logged ${logged()} of ${this.flowRequests} flow requests in 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const leaks = [...this.violations];
    const secrets = Object.entries(this.worker.secrets);
    assert.ok(secrets.some(([, value]) => value === STAND_IN_SECRET), 'the Worker does not hold the stand-in secret');
    const places = [...this.shown, { label: "wrangler's and the Worker's output", text: this.worker.output() }];
    for (const { label, text } of places) {
      for (const [name, value] of secrets) if (text.includes(value)) leaks.push(`${label}: the ${name}`);
      for (const code of this.codes) {
        if (code.length >= 16 && text.includes(code)) leaks.push(`${label}: an authorization code`);
      }
      const token = text.match(TOKEN_SHAPE);
      if (token) leaks.push(`${label}: a string shaped like the stand-in's codes and tokens (${token[0].slice(0, 6)}…)`);
      if (/"?(access|refresh)_token"?\s*[:=]\s*"?[A-Za-z0-9_-]{8,}/.test(text)) leaks.push(`${label}: a token value`);
    }
    assert.ok(!/panicked|Uncaught/.test(this.worker.output()), `the Worker panicked:\n${this.worker.output().slice(-2000)}`);
    assert.deepEqual(leaks, [], `contract breaches over ${this.shown.length} recorded answers`);
  }
}

/** `name=value; Attr=x; Flag` → { name, value, attributes: { attr: 'x', flag: true } } (names lower-cased). */
function parseSetCookie(header) {
  const [pair, ...rest] = header.split(';');
  const at = pair.indexOf('=');
  const attributes = {};
  for (const part of rest) {
    const [key, ...value] = part.trim().split('=');
    attributes[key.toLowerCase()] = value.length ? value.join('=') : true;
  }
  return { name: pair.slice(0, at).trim(), value: pair.slice(at + 1).trim(), attributes };
}

// ---------------------------------------------------------------------------------------------
// Reading pages.

/** An error page or a report as data, read through a scriptless DOM. */
async function read(html) {
  await parser.setContent(html);
  return parser.evaluate(() => {
    const main = document.querySelector('main');
    const section = (id) => {
      const element = document.querySelector(`section#${id}`);
      return element && { status: element.dataset.status ?? null, text: element.textContent.replace(/\s+/g, ' ').trim() };
    };
    return {
      code: main?.dataset.code ?? null,
      title: document.querySelector('main h1')?.textContent.trim() ?? '',
      text: (main?.textContent ?? '').replace(/\s+/g, ' ').trim(),
      activeElements: document.querySelectorAll('main script, main img, main iframe, main object, main embed').length,
      links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
      scopes: [...document.querySelectorAll('section#scopes li[data-scope]')].map((li) => ({
        scope: li.dataset.scope,
        granted: li.dataset.granted,
      })),
      sites: [...document.querySelectorAll('section#sites tr[data-cloud-id]')].map((tr) => ({
        id: tr.dataset.cloudId,
        text: tr.textContent.replace(/\s+/g, ' ').trim(),
      })),
      refreshToken: document.querySelector('#refresh-token')?.dataset.present ?? null,
      expiry: document.querySelector('#expiry')?.textContent.replace(/\s+/g, ' ').trim() ?? null,
      uses: [...document.querySelectorAll('section#uses li[data-use]')].map((li) => ({
        use: li.dataset.use,
        works: li.dataset.works,
        text: li.textContent.replace(/\s+/g, ' ').trim(),
      })),
      sections: Object.fromEntries(['scopes', 'uses', 'sites', 'identity', 'config-findings'].map((id) => [id, section(id)])),
      findingRules: [...document.querySelectorAll('section#config-findings [data-rule]')].map((el) => el.dataset.rule),
    };
  });
}

/**
 * Asserts a refusal in both forms: an HTML page with `<main data-code>` and a human explanation
 * (matching `explains`), and problem details when JSON is asked for. `request(headers)` makes one
 * fresh request each time, so neither form can use up the other's state.
 */
async function assertRefused(request, { status, code, explains, cause }) {
  const page = await request(HTML);
  assert.match(page.header('content-type') ?? '', /^text\/html/, `${code}: content type`);
  const shown = await read(page.body);
  assert.equal(page.status, status, `${code}: status of the page, which says ${shown.code}: ${shown.text.slice(0, 600)}`);
  assert.equal(shown.code, code, `data-code of the page: ${shown.text.slice(0, 400)}`);
  assert.ok(shown.title.length > 0, `${code}: the page has no heading`);
  assert.ok(shown.text.length >= 60, `${code}: no explanation on the page: "${shown.text}"`);
  if (explains) assert.match(shown.text, explains, `${code}: the explanation`);
  assert.equal(shown.activeElements, 0, `${code}: the page has script or image elements`);

  const problem = await request(JSON_ONLY);
  assert.equal(problem.status, status, `${code}: problem details status`);
  assert.equal(problem.header('content-type'), 'application/problem+json', `${code}: problem details content type`);
  const details = JSON.parse(problem.body);
  assert.equal(details.code, code, `problem details code: ${problem.body.slice(0, 400)}`);
  assert.equal(details.status, status);
  assert.ok(typeof details.detail === 'string' && details.detail.length > 0, `${code}: problem details without detail`);
  if (cause) {
    // explain's cause, in both forms: the same function in the core reads what Atlassian answered.
    assert.equal(details.cause, cause, `${code}: problem details cause: ${problem.body.slice(0, 600)}`);
    assert.ok(Array.isArray(details.fixes) && details.fixes.length > 0 && details.fixes.every((f) => typeof f === 'string'),
      `${code}: problem details fixes: ${problem.body.slice(0, 600)}`);
    assert.ok(page.body.includes(`href="/#cause-${cause}"`), `${code}: the page does not link the cause ${cause}`);
    assert.ok(shown.text.includes(details.fixes[0]), `${code}: the page does not say what to change`);
  }
  return { page, shown, problem, details };
}

/** Asserts a 200 connection report and returns it read. */
async function assertReport(answer) {
  assert.equal(answer.status, 200, `the callback answered ${answer.status}, not the report: ${answer.body.slice(0, 800)}`);
  assert.match(answer.header('content-type') ?? '', /^text\/html/);
  const report = await read(answer.body);
  assert.equal(report.code, 'connection-report');
  return report;
}

const requestedScopes = (report) => Object.fromEntries(report.scopes.map(({ scope, granted }) => [scope, granted]));
const allGranted = Object.fromEntries(SCOPES.map((scope) => [scope, 'yes']));

// ---------------------------------------------------------------------------------------------
// The sealed state, opened and sealed here with the Worker's STATE_KEY (the harness made it), in
// the format src/oauth/state.rs documents: base64url(version ‖ nonce(12) ‖ ciphertext ‖ tag(16)),
// plaintext id(16) ‖ browser binding(16) ‖ issued_at(u64 BE) ‖ return path, AEAD ChaCha20-Poly1305
// with "threelo oauth state" ‖ version as associated data. The Worker's clock cannot be moved, so
// this is how an expired (and a foreign-key) state reaches the real Worker.

const STATE_PURPOSE = Buffer.from('threelo oauth state');

function openState(keyText, state) {
  const sealed = Buffer.from(state, 'base64url');
  const [version, nonce] = [sealed[0], sealed.subarray(1, 13)];
  const [ciphertext, tag] = [sealed.subarray(13, -16), sealed.subarray(-16)];
  const decipher = createDecipheriv('chacha20-poly1305', Buffer.from(keyText, 'base64'), nonce, { authTagLength: 16 });
  decipher.setAAD(Buffer.concat([STATE_PURPOSE, Buffer.from([version])]), { plaintextLength: ciphertext.length });
  decipher.setAuthTag(tag);
  let plain;
  try {
    plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    assert.fail("the Worker's state does not open with its STATE_KEY in the format src/oauth/state.rs documents");
  }
  return { version, plain, issuedAt: Number(plain.readBigUInt64BE(32)), returnPath: plain.subarray(40).toString('utf8') };
}

function sealState(key, { version, plain }, { issuedAt } = {}) {
  const claims = Buffer.from(plain);
  if (issuedAt !== undefined) claims.writeBigUInt64BE(BigInt(issuedAt), 32);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  cipher.setAAD(Buffer.concat([STATE_PURPOSE, Buffer.from([version])]), { plaintextLength: claims.length });
  const ciphertext = Buffer.concat([cipher.update(claims), cipher.final()]);
  return Buffer.concat([Buffer.from([version]), nonce, ciphertext, cipher.getAuthTag()]).toString('base64url');
}

/** The state with one character in its middle changed to another base64url character. */
function flipMiddle(state) {
  const at = Math.floor(state.length / 2);
  return state.slice(0, at) + (state[at] === 'A' ? 'B' : 'A') + state.slice(at + 1);
}

const fakeCode = () => `FAKEcode${randomBytes(12).toString('hex')}`;

// ---------------------------------------------------------------------------------------------

describe('GET /connect', () => {
  let run;
  before(() => {
    run = runs.connect;
  });
  beforeEach(() => run.reset());

  flowTest('redirects to the consent page with every parameter once and sets the state cookie', async () => {
    const { answer, location, state, cookie } = await run.connect();
    assert.equal(`${location.origin}${location.pathname}`, `${run.standIn}/authorize`);
    assert.deepEqual([...location.searchParams.keys()].sort(),
      ['audience', 'client_id', 'prompt', 'redirect_uri', 'response_type', 'scope', 'state']);
    assert.equal(location.searchParams.get('audience'), 'api.atlassian.com');
    assert.equal(location.searchParams.get('client_id'), CLIENT_ID);
    assert.deepEqual(location.searchParams.get('scope').split(' '), SCOPES);
    assert.equal(location.searchParams.get('redirect_uri'), `${run.origin}/callback`);
    assert.equal(location.searchParams.get('response_type'), 'code');
    assert.equal(location.searchParams.get('prompt'), 'consent');
    assert.match(state, /^[A-Za-z0-9_-]{40,}$/);

    // The dev form of the binding cookie: plain-http loopback gets no Secure and no __Host- prefix.
    const cookies = answer.setCookies.map(parseSetCookie);
    assert.deepEqual(cookies.map((c) => c.name), [STATE_COOKIE]);
    const { attributes } = cookies[0];
    assert.equal(attributes.path, '/');
    assert.equal(attributes.httponly, true);
    assert.equal(String(attributes.samesite).toLowerCase(), 'lax');
    assert.equal(attributes['max-age'], '600');
    assert.equal(attributes.secure, undefined);
    assert.equal(attributes.domain, undefined, 'a Domain attribute widens the cookie to other hosts');
    // The binding must travel only in the cookie: with the URL alone, anyone could finish the consent.
    assert.ok(!location.href.includes(cookie), 'the cookie value is in the authorize URL');

    // Every start is a new state bound to a new cookie.
    const again = await run.connect();
    assert.notEqual(again.state, state);
    assert.notEqual(again.cookie, cookie);
    assert.deepEqual(run.violations, []);
  });

  flowTest('seals a same-origin return_to into the state', async () => {
    const { state } = await run.connect(`?${new URLSearchParams({ return_to: '/docs?tab=scopes' })}`);
    const opened = openState(run.worker.secrets.STATE_KEY, state);
    assert.equal(opened.returnPath, '/docs?tab=scopes');
    const now = Math.floor(Date.now() / 1000);
    assert.ok(Math.abs(opened.issuedAt - now) <= 60, `issued_at ${opened.issuedAt} is not now (${now})`);
  });

  // The contract names no code for a bad return_to; bad-return-to is the Worker's, and codes are
  // stable API once shipped. A repeated one is a repeated parameter like any other.
  for (const [what, query, code] of [
    ['an absolute URL as return_to', `?return_to=${encodeURIComponent('https://evil.example/')}`, 'bad-return-to'],
    ['a scheme-relative URL as return_to', `?return_to=${encodeURIComponent('//evil.example')}`, 'bad-return-to'],
    ['a backslash path as return_to', `?return_to=${encodeURIComponent('/\\evil')}`, 'bad-return-to'],
    ['a javascript: URL as return_to', `?return_to=${encodeURIComponent('javascript:alert(1)')}`, 'bad-return-to'],
    ['return_to given twice', '?return_to=%2Fa&return_to=%2Fb', 'bad-query'],
  ]) {
    flowTest(`refuses ${what}: 400 ${code}, no redirect, no state cookie`, async () => {
      for (const headers of [HTML, JSON_ONLY]) {
        const answer = await run.get(`/connect${query}`, { headers });
        assert.equal(answer.status, 400, `status (body: ${answer.body.slice(0, 400)})`);
        assert.equal(answer.header('location'), null, 'a refused return_to still redirects');
        // No flow started, so nothing to bind a browser to.
        assert.deepEqual(answer.setCookies, [], 'a refused /connect sets a cookie');
        const shownCode = headers === HTML ? (await read(answer.body)).code : JSON.parse(answer.body).code;
        assert.equal(shownCode, code);
      }
      // The refused target is not repeated in any form: no text to paste, no link to hand the
      // attacker a click. (The page repeats nothing of the query, so a check for links alone
      // could not fail.)
      if (code === 'bad-return-to') {
        const page = await run.get(`/connect${query}`);
        const repeated = page.body.match(/.{0,60}(evil|javascript|alert).{0,60}/is);
        assert.equal(repeated, null, `the page repeats the refused target: ${repeated?.[0]}`);
      }
    });
  }

  flowTest('every answer: security headers, no 500, no stack trace, no secret', async () => {
    await run.assertCleanRecord();
  });
});

describe('GET /callback refuses what it must, and sends no code to Atlassian then', () => {
  let run;
  before(() => {
    run = runs.refusals;
  });
  beforeEach(() => run.reset());

  /** Runs `attack(flow, headers)` on a fresh /connect + consent each time; asserts the refusal and no token request. */
  async function refuse(expectation, attack) {
    const result = await assertRefused(async (headers) => attack(await run.startFlow(), headers), expectation);
    await run.assertNoTokenRequest(expectation.code);
    return result;
  }
  const withParams = (flow, params, headers, cookie = flow.cookie) => run.get(run.callbackUrl(params), { cookie, headers });

  flowTest('no state: state-missing', () =>
    refuse({ status: 400, code: 'state-missing', explains: /state/i }, (flow, headers) =>
      withParams(flow, { code: flow.code }, headers)));

  flowTest('a state that is not one of ours: state-malformed', () =>
    refuse({ status: 400, code: 'state-malformed' }, (flow, headers) =>
      withParams(flow, { code: flow.code, state: 'not-a-state!' }, headers)));

  flowTest('an altered state (one character flipped): state-forged', () =>
    refuse({ status: 400, code: 'state-forged' }, (flow, headers) =>
      withParams(flow, { code: flow.code, state: flipMiddle(flow.state) }, headers)));

  flowTest('a state sealed with another key: state-forged', () =>
    refuse({ status: 400, code: 'state-forged' }, (flow, headers) => {
      const resealed = sealState(randomBytes(32), openState(run.worker.secrets.STATE_KEY, flow.state));
      return withParams(flow, { code: flow.code, state: resealed }, headers);
    }));

  flowTest('a state older than 10 minutes: state-expired (and the same state made fresh is accepted)', async () => {
    const key = Buffer.from(run.worker.secrets.STATE_KEY, 'base64');
    const aged = (flow) => sealState(key, openState(run.worker.secrets.STATE_KEY, flow.state), {
      issuedAt: Math.floor(Date.now() / 1000) - 601,
    });
    await refuse({ status: 400, code: 'state-expired', explains: /expired|10 minutes/i }, (flow, headers) =>
      withParams(flow, { code: flow.code, state: aged(flow) }, headers));
    // The control: resealed by this test without aging, the state opens. So the refusal above was
    // about age, not about how this file seals.
    const flow = await run.startFlow();
    const resealed = sealState(key, openState(run.worker.secrets.STATE_KEY, flow.state));
    await assertReport(await withParams(flow, { code: flow.code, state: resealed }, HTML));
  });

  flowTest('no cookie: state-cookie-missing', () =>
    refuse({ status: 400, code: 'state-cookie-missing', explains: /cookie/i }, (flow, headers) =>
      withParams(flow, { code: flow.code, state: flow.state }, headers, null)));

  flowTest("another /connect's cookie: state-browser-mismatch", () =>
    refuse({ status: 400, code: 'state-browser-mismatch', explains: /browser|cookie/i }, async (flow, headers) => {
      const other = await run.connect();
      return withParams(flow, { code: flow.code, state: flow.state }, headers, other.cookie);
    }));

  flowTest('the same callback URL and cookie again: state-replayed, and no second token request', async () => {
    const flow = await run.flow();
    await assertReport(flow.answer);
    assert.equal((await run.tokenRequests()).length, 1);
    const replay = (headers) => run.get(flow.callback.pathname + flow.callback.search, { cookie: flow.cookie, headers });
    await assertRefused(replay, { status: 400, code: 'state-replayed', explains: /already|once|again/i });
    assert.equal((await run.tokenRequests()).length, 1, 'the replayed code was sent to the token endpoint again');
  });

  for (const [what, params] of [
    ['a repeated state', (flow) => [['code', flow.code], ['state', flow.state], ['state', flow.state]]],
    ['a repeated code', (flow) => [['code', flow.code], ['code', flow.code], ['state', flow.state]]],
    ['a repeated error', (flow) => [['error', 'access_denied'], ['error', 'access_denied'], ['state', flow.state]]],
    ['a parameter over 2048 bytes', (flow) => [['code', 'A'.repeat(2049)], ['state', flow.state]]],
  ]) {
    flowTest(`${what}: bad-query`, () =>
      refuse({ status: 400, code: 'bad-query' }, (flow, headers) =>
        run.get(`/callback?${new URLSearchParams(params(flow))}`, { cookie: flow.cookie, headers })));
  }

  flowTest('a query over 8192 bytes: query-too-long (414)', () =>
    // Padding parameters under 2048 bytes each, so only the total length is wrong.
    refuse({ status: 414, code: 'query-too-long' }, (flow, headers) => {
      const padding = Array.from({ length: 5 }, (_, i) => [`pad${i}`, 'p'.repeat(1800)]);
      return run.get(`/callback?${new URLSearchParams([['code', flow.code], ['state', flow.state], ...padding])}`, {
        cookie: flow.cookie,
        headers,
      });
    }));

  flowTest('a state but no code: code-missing', () =>
    refuse({ status: 400, code: 'code-missing', explains: /code/i }, (flow, headers) =>
      withParams(flow, { state: flow.state }, headers)));

  flowTest('Atlassian says access_denied: consent-declined (403)', () =>
    refuse({ status: 403, code: 'consent-declined', explains: DECLINED, cause: 'consent/declined' }, (flow, headers) =>
      withParams(flow, {
        error: 'access_denied', error_description: 'User did not authorize the request', state: flow.state,
      }, headers)));

  flowTest('Atlassian says invalid_scope: consent-invalid-scope, with its description', async () => {
    const description = 'The app requested scopes that have not been added to the app: read:me';
    const { shown } = await refuse({ status: 400, code: 'consent-invalid-scope', explains: /scope/i, cause: 'consent/scope-not-on-app' }, (flow, headers) =>
      withParams(flow, { error: 'invalid_scope', error_description: description, state: flow.state }, headers));
    assert.ok(shown.text.includes(description), `Atlassian's description is not shown: ${shown.text}`);
  });

  flowTest('a cross-site link to /callback?state=x leaves the sign-ins under way alone', async () => {
    const first = await run.startFlow();
    const second = await run.startFlow('', { cookie: first.cookie });
    // What another site can make this browser send: its cookie, with a state of the attacker's.
    for (const state of ['x', flipMiddle(second.state), (await run.connect()).state]) {
      const forged = await run.get(run.callbackUrl({ code: fakeCode(), state }), { cookie: second.cookie });
      assert.equal(forged.status, 400);
      assert.deepEqual(forged.setCookies, [], `a callback with state ${state.slice(0, 8)}… changed the cookie`);
    }
    await run.assertNoTokenRequest('forged callbacks');
    // Both sign-ins still finish.
    const finished = await run.get(second.callback.pathname + second.callback.search, { cookie: second.cookie });
    await assertReport(finished);
    const left = parseSetCookie(finished.setCookies[0]).value;
    assert.equal(left, first.cookie, 'the second callback kept the first sign-in');
    await assertReport(await run.get(first.callback.pathname + first.callback.search, { cookie: left }));
  });

  flowTest('HEAD and POST on /callback: 405 with Allow: GET, nothing exchanged, and the sign-in still finishes', async () => {
    const flow = await run.startFlow();
    for (const method of ['HEAD', 'POST']) {
      const answer = await run.get(flow.callback.pathname + flow.callback.search, { cookie: flow.cookie, method });
      assert.equal(answer.status, 405, method);
      assert.equal(answer.header('allow'), 'GET', method);
      assert.deepEqual(answer.setCookies, [], `${method} changed the state cookie`);
    }
    await run.assertNoTokenRequest('HEAD and POST callbacks');
    await assertReport(await run.get(flow.callback.pathname + flow.callback.search, { cookie: flow.cookie }));
  });

  flowTest("any other error: consent-error, Atlassian's description shown as text, never as markup", async () => {
    const { page, shown } = await refuse({ status: 400, code: 'consent-error', explains: /server_error/ }, (flow, headers) =>
      withParams(flow, { error: 'server_error', error_description: XSS, state: flow.state }, headers));
    assert.ok(shown.text.includes(XSS), `the description is not shown as text: ${shown.text}`);
    assert.ok(!/<script|<img/i.test(page.body), 'the description is in the page as markup');
    assert.equal(shown.activeElements, 0);
  });

  flowTest('every answer: security headers, cookie cleared, no 500, no stack trace, no secret, code or token', async () => {
    await run.assertCleanRecord();
  });
});

describe('two sign-ins under way in one browser (two tabs, or Connect clicked twice)', () => {
  let run;
  before(() => {
    run = runs.atlassian;
  });
  beforeEach(() => run.reset());

  flowTest('the second /connect keeps the first working; each callback takes only its own binding', async () => {
    const first = await run.startFlow();
    const second = await run.startFlow('', { cookie: first.cookie });
    assert.deepEqual(second.cookie.split('.').slice(1), [first.cookie], 'the second cookie holds both bindings');

    // The first tab finishes first: its report, and the cookie keeps only the second's binding.
    const firstAnswer = await run.get(first.callback.pathname + first.callback.search, { cookie: second.cookie });
    await assertReport(firstAnswer);
    const left = firstAnswer.setCookies.map(parseSetCookie).find((c) => c.name === STATE_COOKIE);
    assert.equal(left?.value, second.cookie.split('.')[0], `Set-Cookie: ${firstAnswer.setCookies.join(' | ')}`);

    // Then the second tab, with what the browser now holds: its report, and the cookie is cleared.
    const secondAnswer = await run.get(second.callback.pathname + second.callback.search, { cookie: left.value });
    await assertReport(secondAnswer);
    const cleared = secondAnswer.setCookies.map(parseSetCookie).find((c) => c.name === STATE_COOKIE);
    assert.equal(cleared?.attributes['max-age'], '0');

    // The first tab's callback again, with the cookie as it was: replayed, not a second exchange.
    const replay = await run.get(first.callback.pathname + first.callback.search, { cookie: second.cookie });
    assert.equal(replay.status, 400);
    assert.match(replay.body, /data-code="state-replayed"/);
    await run.assertCleanRecord();
  });
});

describe("GET /callback on Atlassian's answers and faults", () => {
  let run;
  before(() => {
    run = runs.atlassian;
  });
  beforeEach(() => run.reset());

  /** A whole flow by fetch, in both forms, for a refusal that comes from the token exchange. */
  const refusedExchange = (expectation) =>
    assertRefused(async (headers) => (await run.flow({ headers })).answer, expectation);

  flowTest('a consent ends on the connection report', async () => {
    const { answer, cookie } = await run.flow();
    const report = await assertReport(answer);
    assert.deepEqual(requestedScopes(report), allGranted, 'requested vs granted scopes');
    // Auto-consent picks the first user's first site (a resource-level app: one site).
    assert.deepEqual(report.sites.map((site) => site.id), [SITES[0].id]);
    assert.match(report.sites[0].text, new RegExp(`${SITES[0].name}.*${SITES[0].url.replace(/\./g, '\\.')}`));
    assert.ok(report.sections.sites && report.sections.sites.status !== 'error', `sites: ${report.sections.sites?.text}`);
    assert.equal(report.refreshToken, 'true', 'offline_access was granted: a refresh token came');
    assert.match(report.expiry ?? '', /3600|60 min|1 hour|one hour/i, `#expiry: ${report.expiry}`);
    assert.ok(report.sections.identity, 'read:me was granted: the identity section is missing');
    assert.ok(report.sections.identity.text.includes(USER.name) && report.sections.identity.text.includes(USER.email),
      `identity: ${report.sections.identity.text}`);
    assert.ok(report.sections['config-findings'], 'no config-findings section');
    // read:me in the Worker's own scopes: the validator's info about the User identity API.
    assert.ok(report.findingRules.includes('scope/identity-api'), `findings: ${report.findingRules}`);
    assert.match(report.text, /local stand-in/i);
    assert.ok(!answer.body.includes(cookie), 'the cookie value is in the report');
    // ATLASSIAN_USES held against the granted scopes: which calls will work.
    assert.deepEqual(report.uses.map(({ use, works }) => [use, works]), [
      ['getPages', 'true'], ['GET /wiki/api/v2/spaces/{id}', 'true'], ['servicenow: Look up Groups', 'false'],
    ]);
    assert.match(report.uses[2].text, /GET \/wiki\/rest\/api\/group\b.*needs read:confluence-groups, not granted/);
    assert.match(report.sections.uses.text, /1 call in ATLASSIAN_USES will answer `401 Unauthorized; scope does not match`/);
    // ... and the Worker's own setup checked with them.
    assert.ok(report.findingRules.includes('scope/insufficient'), `findings: ${report.findingRules}`);
    const tokens = await run.tokenRequests();
    assert.equal(tokens.length, 1);
    assert.deepEqual(tokens[0].body_params.sort(), ['client_id', 'client_secret', 'code', 'grant_type', 'redirect_uri']);
  });

  flowTest('an unknown code: token-rejected, naming invalid_grant', () =>
    assertRefused(async (headers) => {
      const flow = await run.startFlow();
      return run.get(run.callbackUrl({ code: fakeCode(), state: flow.state }), { cookie: flow.cookie, headers });
    }, { status: 400, code: 'token-rejected', explains: /invalid_grant/, cause: 'token/code-invalid' }));

  flowTest('a code used before: token-rejected, naming invalid_grant', async () => {
    const first = await run.flow();
    await assertReport(first.answer);
    await assertRefused(async (headers) => {
      const flow = await run.startFlow();
      return run.get(run.callbackUrl({ code: first.code, state: flow.state }), { cookie: flow.cookie, headers });
    }, { status: 400, code: 'token-rejected', explains: /invalid_grant/, cause: 'token/code-invalid' });
  });

  flowTest('a code older than 10 minutes at Atlassian: token-rejected, naming invalid_request', () =>
    assertRefused(async (headers) => {
      const flow = await run.startFlow();
      // Only the stand-in's clock moves: the Worker's state is still fresh.
      await run.admin('POST', 'clock/advance', { seconds: 601 });
      return run.get(flow.callback.pathname + flow.callback.search, { cookie: flow.cookie, headers });
    }, { status: 400, code: 'token-rejected', explains: /invalid_request/, cause: 'token/code-invalid' }));

  flowTest('redirect_uri not registered: token-rejected, naming unauthorized_client', async () => {
    await run.fault('token', {
      kind: 'canned',
      status: 403,
      body: { error: 'unauthorized_client', error_description: 'redirect_uri is not registered for client: http://x/' },
    });
    await refusedExchange({ status: 400, code: 'token-rejected', explains: /unauthorized_client/, cause: 'token/redirect-uri-mismatch' });
  });

  flowTest('the secret refused: token-rejected, naming access_denied', async () => {
    // What Atlassian answers a wrong or missing secret (DOMAIN.md §2).
    const body = { error: 'access_denied', error_description: 'Unauthorized' };
    await run.fault('token', { kind: 'canned', status: 401, body });
    await refusedExchange({ status: 400, code: 'token-rejected', explains: /access_denied/, cause: 'token/client-auth-failed' });
  });

  for (const status of [500, 503]) {
    flowTest(`the token endpoint answers ${status}: atlassian-unavailable (502)`, async () => {
      await run.fault('token', { kind: 'server_error', status });
      await refusedExchange({ status: 502, code: 'atlassian-unavailable', cause: 'upstream/server-error' });
    });
  }

  flowTest('the token endpoint rate-limits: atlassian-rate-limited (503) with Retry-After', async () => {
    await run.fault('token', { kind: 'rate_limit', retry_after: 30 });
    const { page, problem } = await refusedExchange({ status: 503, code: 'atlassian-rate-limited', cause: 'api/rate-limited' });
    // Atlassian's own wait, passed on: the client has no better figure.
    for (const answer of [page, problem]) assert.equal(answer.header('retry-after'), '30');
  });

  for (const kind of ['html', 'truncated_json']) {
    flowTest(`the token endpoint answers ${kind}: atlassian-malformed-response (502)`, async () => {
      await run.fault('token', { kind });
      await refusedExchange({ status: 502, code: 'atlassian-malformed-response', cause: 'upstream/not-atlassian' });
    });
  }

  flowTest('a slow token endpoint (500 ms) still ends on the report', async () => {
    await run.fault('token', { kind: 'delay', ms: 500 });
    const report = await assertReport((await run.flow()).answer);
    assert.deepEqual(requestedScopes(report), allGranted);
    const [token] = await run.tokenRequests();
    assert.ok(token.duration_ms >= 500, `the delay did not apply: ${token.duration_ms} ms`);
  });

  flowTest('accessible-resources fails: the report still comes, its sites section says why', async () => {
    await run.fault('accessible-resources', { kind: 'server_error', status: 500 });
    const report = await assertReport((await run.flow()).answer);
    assert.equal(report.sections.sites?.status, 'error', `sites: ${JSON.stringify(report.sections.sites)}`);
    assert.ok(report.sections.sites.text.length > 20, `no explanation: ${report.sections.sites.text}`);
    assert.deepEqual(report.sites, []);
    assert.deepEqual(requestedScopes(report), allGranted);
    assert.notEqual(report.sections.identity?.status, 'error');
  });

  flowTest('two callbacks with one state at the same moment: one exchange, one refusal', async () => {
    const flow = await run.startFlow();
    const url = flow.callback.pathname + flow.callback.search;
    const answers = await Promise.all([run.get(url, { cookie: flow.cookie }), run.get(url, { cookie: flow.cookie })]);
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 400]);
    const refused = answers.find((answer) => answer.status === 400);
    assert.match(refused.body, /data-code="state-replayed"/);
    assert.equal((await run.tokenRequests()).length, 1, 'the code was exchanged twice');
  });

  flowTest('a redirect from the token endpoint is not followed: atlassian-redirected, nothing sent on', async () => {
    const trap = `${run.standIn}/trap/token`;
    for (const status of [302, 307]) {
      await run.fault('token', { kind: 'canned', status, body: {}, headers: { Location: trap } });
      await refusedExchange({ status: 502, code: 'atlassian-redirected', explains: /redirect/i });
    }
    const { requests } = await run.admin('GET', 'requests');
    assert.deepEqual(requests.filter((request) => request.path.startsWith('/trap')), [],
      'the Worker followed the redirect (and sent the code and the secret with it)');
  });

  for (const chunked of [false, true]) {
    const how = chunked ? 'streamed without Content-Length' : 'with its Content-Length';
    flowTest(`a 2 MiB token answer ${how}: refused (atlassian-answer-too-large), a 1 MB one read`, async () => {
      await run.fault('token', { kind: 'oversized', bytes: 2 << 20, chunked });
      await refusedExchange({ status: 502, code: 'atlassian-answer-too-large', explains: /1048576 bytes/ });
      // The control: under the cap, the same padded answer is read (its made-up token then
      // reaches no site, which the report says).
      await run.fault('token', { kind: 'oversized', bytes: 1_000_000, chunked });
      const report = await assertReport((await run.flow()).answer);
      assert.equal(report.sections.sites?.status, 'error');
    });
  }

  flowTest('a 2 MiB accessible-resources answer, with or without Content-Length: the report says the sites were not read', async () => {
    for (const chunked of [false, true]) {
      await run.fault('accessible-resources', { kind: 'oversized', bytes: 2 << 20, chunked });
      const report = await assertReport((await run.flow()).answer);
      assert.equal(report.sections.sites?.status, 'error', `chunked: ${chunked}`);
      assert.match(report.sections.sites.text, /more than 1048576 bytes/);
    }
  });

  flowTest('/me fails: the report still comes, its identity section says why', async () => {
    await run.fault('me', { kind: 'html' });
    const report = await assertReport((await run.flow()).answer);
    assert.equal(report.sections.identity?.status, 'error', `identity: ${JSON.stringify(report.sections.identity)}`);
    assert.ok(report.sections.identity.text.length > 20, `no explanation: ${report.sections.identity.text}`);
    assert.ok(!report.sections.identity.text.includes(USER.email));
    assert.deepEqual(report.sites.map((site) => site.id), [SITES[0].id]);
  });

  flowTest('every answer: security headers, cookie cleared, no 500, no stack trace, no secret, code or token', async () => {
    await run.assertCleanRecord();
  });
});

describe('GET /callback when what answers as Atlassian is hostile', () => {
  let run;
  before(() => {
    run = runs.hostile;
  });
  beforeEach(() => run.reset());

  const SHORT_TOKEN = 'shortAccessToken.of.29.chars';
  /** Texts every piece of Atlassian data on the report is given, with what each must not become. */
  const JS_URL = 'javascript:alert(document.cookie)';

  /** The report read, with the links it holds. */
  async function hostileReport() {
    const { answer } = await run.flow();
    const report = await assertReport(answer);
    assert.equal(report.activeElements, 0, 'the report has script, image or frame elements');
    for (const href of report.links) {
      const target = new URL(href, run.origin);
      assert.ok(['http:', 'https:'].includes(target.protocol), `a ${target.protocol} link: ${href}`);
    }
    return { answer, report };
  }

  flowTest('hostile sites, account and scopes are shown as text, and never as a javascript: link', async () => {
    await run.fault('token', {
      kind: 'canned',
      status: 200,
      body: {
        access_token: SHORT_TOKEN, token_type: 'Bearer', expires_in: 3600,
        scope: `read:page:confluence ${XSS.replace(/ /g, '')} read:me`,
      },
    });
    await run.fault('accessible-resources', {
      kind: 'canned',
      status: 200,
      body: [
        { id: '<script>alert(3)</script>', name: XSS, url: JS_URL, scopes: [XSS], avatarUrl: JS_URL },
        { id: 'aaaaaaaa-0000-4000-8000-00000000beef', name: 'echo {{access_token}}', url: 'https://ok.atlassian.net',
          avatarUrl: 'https://avatars.example/{{access_token}}.png' },
      ],
    });
    await run.fault('me', {
      kind: 'canned',
      status: 200,
      body: { account_id: '<b>id</b>', name: XSS, email: `"><script>alert(4)</script>@example.com`, picture: JS_URL },
    });
    const { answer, report } = await hostileReport();
    await screenshot(parser, 'worker-report-hostile'); // The page read last, scripts off.
    assert.ok(report.text.includes(XSS), 'the hostile site name is not shown as text');
    assert.ok(report.sections.identity.text.includes('<script>alert(4)</script>'), report.sections.identity.text);
    assert.ok(report.text.includes(JS_URL), 'the javascript: URL is not shown as text');
    assert.ok(!report.links.some((href) => /javascript|alert/i.test(href)), `links: ${report.links}`);
    assert.ok(report.links.includes('https://ok.atlassian.net/'), `the https site is not a link: ${report.links}`);
    // The access token the answer gave (short and dotted: found only as itself) is nowhere.
    assert.ok(!answer.body.includes(SHORT_TOKEN) && !answer.body.includes('shortAccess'), 'the access token is on the page');
    assert.match(report.text, /echo shor… \(28 characters\)/);
  });

  flowTest('a token endpoint that echoes the request: the secret and the code are hidden, the error field too', async () => {
    await run.fault('token', {
      kind: 'canned',
      status: 400,
      body: {
        error: '{{client_secret}}',
        error_description: 'bad request: {"client_secret":"{{client_secret}}","code":"{{code}}"} secret={{client_secret}}!',
      },
    });
    const { page, problem } = await refusedExchange();
    await parser.setContent(page.body);
    await screenshot(parser, 'worker-token-echo-hidden');
    for (const answer of [page, problem]) {
      assert.ok(!answer.body.includes(STAND_IN_SECRET.slice(4, 20)), 'a piece of the client secret is shown');
    }
    const shown = await read(page.body);
    assert.match(shown.text, /"client_secret":"ATOA… \(76 characters\)"/);
    assert.equal(JSON.parse(problem.body).atlassian_error, 'ATOA (76 characters)');
  });

  /** A whole flow ending in a refusal from the token exchange, in both forms. */
  const refusedExchange = () =>
    assertRefused(async (headers) => (await run.flow({ headers })).answer, { status: 400, code: 'token-rejected' });

  flowTest('an API that echoes the bearer token in its error: the report hides it', async () => {
    await run.fault('accessible-resources', {
      kind: 'canned', status: 401, body: { code: 401, message: 'token {{access_token}} is not valid here' },
    });
    const { report } = await hostileReport();
    assert.equal(report.sections.sites?.status, 'error');
    assert.match(report.sections.sites.text, /token \S{4}… \(43 characters\) is not valid here/);
  });

  // Encoded and disguised return_to forms: refused at /connect, or carried to a report whose links
  // all stay on this origin (or go to the site the report names).
  for (const [what, query] of [
    ['%2F%2F', 'return_to=%2F%2Fevil.example'],
    ['/%5C', 'return_to=%2F%5Cevil.example'],
    ['a double-encoded //', 'return_to=%252F%252Fevil.example'],
    ['an encoded slash in the path', 'return_to=%2F.%252F%2Fevil.example'],
    ['a tab', 'return_to=%2F%09%2Fevil.example'],
    ['CR/LF', 'return_to=%2F%0D%0ALocation:%20https://evil.example'],
    ['non-ASCII', 'return_to=%2F%E2%80%AE%2Fevil.example'],
    ['/..//', 'return_to=%2F..%2F%2Fevil.example'],
    ['over-long', `return_to=%2F${'a'.repeat(600)}`],
  ]) {
    flowTest(`return_to with ${what}: the report's links stay on this origin`, async () => {
      const connected = await run.get(`/connect?${query}`);
      if (connected.status === 400) {
        assert.equal((await read(connected.body)).code, 'bad-return-to');
        assert.equal(connected.header('location'), null);
        return;
      }
      assert.equal(connected.status, 302, `/connect?${query.slice(0, 60)} answered ${connected.status}`);
      const cookie = parseSetCookie(connected.setCookies[0]).value;
      const { callback } = await run.consent(new URL(connected.header('location')));
      const report = await assertReport(await run.get(callback.pathname + callback.search, { cookie }));
      const sites = new Set(SITES.map((site) => new URL(site.url).origin));
      for (const href of report.links) {
        const target = new URL(href, run.origin);
        assert.ok(target.origin === run.origin || sites.has(target.origin), `${what}: a link to ${target.href}`);
      }
    });
  }

  flowTest('every answer: security headers, no 500, no stack trace, no secret, code or token', async () => {
    await run.assertCleanRecord();
  });
});

describe('limits: per-address rate limiting, and a ledger that fails', () => {
  let run;
  before(() => {
    run = runs.limits;
  });
  beforeEach(() => run.reset());

  flowTest(`over ${LOWERED_LIMIT} flow requests a minute from one address: 429 with Retry-After, others unaffected`, async () => {
    const ip = '203.0.113.7';
    for (let i = 0; i < LOWERED_LIMIT; i += 1) {
      assert.equal((await run.get('/connect', { ip })).status, 302, `request ${i + 1} of the limit`);
    }
    const limited = await assertRefused((headers) => run.get('/connect', { ip, headers }),
      { status: 429, code: 'rate-limited', explains: /wait/i });
    for (const answer of [limited.page, limited.problem]) assert.equal(answer.header('retry-after'), '60');
    assert.deepEqual(limited.page.setCookies, [], 'a refused /connect set a cookie');
    // The callback is limited too, before anything is exchanged; another address is not.
    const callback = await run.get(run.callbackUrl({ code: fakeCode(), state: 'x' }), { ip });
    assert.equal(callback.status, 429);
    await run.assertNoTokenRequest('a rate-limited callback');
    assert.equal((await run.get('/connect', { ip: '2001:db8:7::1' })).status, 302);
    // The same /64 is one subscriber: its other addresses share its count.
    for (let i = 1; i < LOWERED_LIMIT; i += 1) await run.get('/connect', { ip: `2001:db8:7::${i + 1}` });
    assert.equal((await run.get('/connect', { ip: '2001:db8:7::ffff' })).status, 429);
  });

  flowTest('the single-use ledger failing: the callback fails closed (ledger-unavailable) and nothing is exchanged', async () => {
    await assertRefused(async (headers) => {
      const flow = await run.startFlow('', { ip: '198.51.100.20' });
      return run.get(flow.callback.pathname + flow.callback.search, { cookie: flow.cookie, headers, ip: '198.51.100.21' });
    }, { status: 503, code: 'ledger-unavailable', explains: /single-use|again/i });
    await run.assertNoTokenRequest('a callback the ledger could not check');
    await run.worker.waitForOutput(/the state ledger failed/);
  });

  flowTest('every answer: security headers, no 500, no stack trace, no secret, code or token', async () => {
    await run.assertCleanRecord();
  });
});

describe('the consent flow in headless Chromium', () => {
  let run;
  before(() => {
    run = runs.browser;
  });
  beforeEach(() => run.reset({ autoConsent: false }));

  /**
   * A fresh browser context whose requests and the Worker's answers are recorded: every URL must
   * stay on loopback, the Worker's answers go through the same checks as fetched ones, and the
   * codes in the callback URLs are kept for the leak check.
   */
  async function openContext() {
    const context = await browser.browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const offsite = [];
    const dialogs = [];
    const noted = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.hostname !== '127.0.0.1') offsite.push(request.url());
      if (url.origin === run.origin && url.pathname === '/callback') {
        const code = url.searchParams.get('code');
        if (code) run.codes.add(code);
      }
      if (url.origin === run.origin && ['/connect', '/callback'].includes(url.pathname)) run.flowRequests += 1;
    });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      dialog.dismiss().catch(() => {});
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.origin !== run.origin || !['/connect', '/callback'].includes(url.pathname)) return;
      noted.push((async () => {
        const headers = await response.allHeaders();
        const body = response.status() >= 300 && response.status() < 400 ? '' : await response.text().catch(() => '');
        run.note(`GET ${url.pathname} (Chromium)`, {
          status: response.status(),
          header: (name) => headers[name] ?? null,
          setCookies: (headers['set-cookie'] ?? '').split('\n').filter(Boolean),
          body,
        });
      })());
    });
    return {
      context,
      page,
      dialogs,
      async close() {
        await Promise.all(noted);
        assert.deepEqual(offsite, [], 'the browser left loopback');
        await context.close();
      },
    };
  }

  /** /connect in the browser, to the stand-in's consent page. */
  async function toConsentPage(page) {
    const landed = await page.goto(`${run.origin}/connect`);
    assert.equal(`${new URL(page.url()).origin}${new URL(page.url()).pathname}`, `${run.standIn}/authorize`,
      `/connect did not lead to the consent page (status ${landed?.status()}): ${(await page.content()).slice(0, 600)}`);
    await page.waitForSelector('button.accept');
  }

  /** Clicks a consent button and waits for the Worker's /callback answer. */
  async function decide(page, button) {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${run.origin}/callback`)),
      page.click(button),
    ]);
    await page.waitForLoadState('load');
    return response;
  }

  flowTest('Accept on the consent page ends on the report for the chosen site', async () => {
    const browsing = await openContext();
    const { page, context } = browsing;
    try {
      await toConsentPage(page);
      const scopesShown = await page.$$eval('ul.scopes code', (codes) => codes.map((code) => code.textContent));
      assert.deepEqual(scopesShown, SCOPES, 'the consent page lists the scopes the Worker asked for');
      await screenshot(page, 'worker-consent-page');
      // The second site, not the default: the report must show what was chosen.
      await page.selectOption('#site', SITES[1].id);
      const response = await decide(page, 'button.accept');
      if (response.status() !== 200) {
        assert.fail(`the callback answered ${response.status()}: ${await page.textContent('main')}`);
      }
      assert.equal(await page.getAttribute('main', 'data-code'), 'connection-report');
      const scopes = await page.$$eval('section#scopes li[data-scope]', (items) =>
        Object.fromEntries(items.map((li) => [li.dataset.scope, li.dataset.granted])));
      assert.deepEqual(scopes, allGranted);
      const sites = await page.$$eval('section#sites tr[data-cloud-id]', (rows) =>
        rows.map((row) => ({ id: row.dataset.cloudId, text: row.textContent })));
      assert.deepEqual(sites.map((site) => site.id), [SITES[1].id]);
      assert.ok(sites[0].text.includes(SITES[1].name) && sites[0].text.includes(SITES[1].url), sites[0].text);
      assert.equal(await page.getAttribute('#refresh-token', 'data-present'), 'true');
      const identity = await page.textContent('section#identity');
      assert.ok(identity.includes(USER.name) && identity.includes(USER.email), identity);
      assert.ok(await page.$('section#config-findings'), 'no config-findings section');
      assert.match(await page.textContent('main'), /local stand-in/i);
      // The callback used the binding up: the browser holds no state cookie any more.
      assert.deepEqual((await context.cookies(run.origin)).filter((c) => c.name === STATE_COOKIE), []);
      assert.equal((await run.tokenRequests()).length, 1);
      await screenshot(page, 'worker-report');
    } finally {
      await browsing.close();
    }
  });

  flowTest('Decline on the consent page ends on consent-declined, and no code is exchanged', async () => {
    const browsing = await openContext();
    const { page } = browsing;
    try {
      await toConsentPage(page);
      const response = await decide(page, 'button.decline');
      assert.equal(response.status(), 403);
      assert.equal(await page.getAttribute('main', 'data-code'), 'consent-declined');
      assert.match(await page.textContent('main'), DECLINED);
      await run.assertNoTokenRequest('a declined consent');
      await screenshot(page, 'worker-consent-declined');
    } finally {
      await browsing.close();
    }
  });

  flowTest("Atlassian's error_description with markup is shown as text and runs nothing", async () => {
    const browsing = await openContext();
    const { page, context, dialogs } = browsing;
    try {
      // The browser's own cookie jar gets the binding; the state comes from the redirect.
      const started = await context.request.get(`${run.origin}/connect`, { maxRedirects: 0 });
      assert.equal(started.status(), 302, `/connect answered ${started.status()}`);
      const startedHeaders = started.headers();
      run.note('GET /connect (Chromium request)', {
        status: started.status(),
        header: (name) => startedHeaders[name] ?? null,
        setCookies: (startedHeaders['set-cookie'] ?? '').split('\n').filter(Boolean),
        body: '',
      });
      const state = new URL(startedHeaders.location).searchParams.get('state');
      const callback = run.callbackUrl({ error: 'server_error', error_description: XSS, state });
      const response = await page.goto(`${run.origin}${callback}`);
      assert.equal(response.status(), 400);
      assert.equal(await page.getAttribute('main', 'data-code'), 'consent-error');
      assert.ok((await page.textContent('main')).includes(XSS), 'the description is not shown as text');
      assert.equal(await page.evaluate(() => document.querySelectorAll('main script, main img').length), 0);
      assert.deepEqual(dialogs, [], 'a script in the description ran');
      await run.assertNoTokenRequest('an error callback');
      await screenshot(page, 'worker-consent-error-escaped');
    } finally {
      await browsing.close();
    }
  });

  flowTest('every answer: security headers, cookie cleared, no 500, no stack trace, no secret, code or token', async () => {
    await run.assertCleanRecord();
  });
});
