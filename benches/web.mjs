#!/usr/bin/env node
// The browser validator's benchmark (run by scripts/bench-web after a fresh build): sizes of
// pkg/, time from navigation to the page's first rendered report, the median time of one check()
// call in headless Chromium beside the native time for the same setup, and two times on the docs
// page as a person meets them: a keystroke in the scope field until its findings are painted, and
// Apply all fixes on the client-credentials preset until the fixed findings are painted. Prints a
// table.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchBrowser, ROOT, serveWww } from '../tests/browser/harness.mjs';

// The same setup as benches/check.rs `realistic`: ServiceNow's documented one, 9 findings.
const REALISTIC = {
  client_id: 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
  client_secret: `ATOA${'x'.repeat(64)}0A1B2C3D`,
  callback_url: 'https://dev12345.service-now.com/oauth_redirect.do',
  redirect_url: 'https://dev12345.service-now.com/oauth_redirect.do/',
  scopes: 'ace:confluence,read:page:confluence,search:confluence,read:confluence-groups,write:confluence-groups,'
    + 'read:confluence-user,read:me,read:account,offline_access',
  grant_type: 'Authorization Code',
  token_url: 'https://auth.atlassian.com/oauth/token',
  revocation_url: 'https://auth.atlassian.com/oauth/token',
  api_base_url: 'https://api.atlassian.com/',
};
// benches/check.rs `servicenow_setup_with_20_uses`: twenty uses in every form, with the app's scopes.
const WITH_20_USES = {
  ...REALISTIC,
  uses: [
    'servicenow', 'GET /wiki/api/v2/pages/{id}', 'GET /wiki/api/v2/pages/12345?body-format=storage',
    'GET https://api.atlassian.com/ex/confluence/0a1b2c3d-0000-4000-8000-0123456789ab/wiki/api/v2/spaces/98765',
    'POST /wiki/api/v2/pages', 'PUT /wiki/api/v2/pages/12345', 'getBlogPosts', 'GET /wiki/api/v2/pages/12345/children',
    'GET /wiki/rest/api/search?cql=type=page', 'searchByCQL', 'GET /wiki/rest/api/group', 'getGroupMembersByGroupId',
    'GET /wiki/rest/api/user/memberof', 'GET /wiki/api/v2/attachments/att1', 'GET /wiki/api/v2/spaces', 'getLabels',
    'GET /wiki/api/v2/footer-comments/1', 'GET /me', 'GET /oauth/token/accessible-resources',
    'servicenow: Look up Spaces Stream',
  ].join('\n'),
  app_scopes: 'search:confluence\nread:confluence-groups\nRead user\nread:page:confluence',
};
const BATCHES = 100;
const PER_BATCH = 100; // 10,000 calls; Chromium's clock is too coarse to time one call alone.
const LOADS = 7;
const KEYSTROKES = 50;
const APPLY_RUNS = 30;
const WARM_UP = 5;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const size = (...files) => {
  const sizes = files.map((file) => readFileSync(join(ROOT, 'pkg', file)));
  return {
    raw: sizes.reduce((sum, bytes) => sum + bytes.length, 0),
    gzip: sizes.reduce((sum, bytes) => sum + gzipSync(bytes, { level: 9 }).length, 0),
  };
};
// The glue is wasm-bindgen's module plus the snippets it imports (src/web/decode.js).
const snippets = (dir = 'snippets') =>
  readdirSync(join(ROOT, 'pkg', dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? snippets(join(dir, entry.name)) : [join(dir, entry.name)]);

async function browserFigures() {
  const server = await serveWww();
  const chromium = await launchBrowser();
  try {
    const context = await chromium.browser.newContext();
    // Notes when the page first shows a report; runs before the page's own scripts.
    await context.addInitScript(() => {
      new MutationObserver((_, observer) => {
        const summary = document.getElementById('summary');
        if (summary && summary.textContent.trim()) {
          window.__firstReportAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    const page = await context.newPage();
    const loads = [];
    for (let i = 0; i < LOADS; i++) {
      await page.goto(`${server.origin}/`);
      await page.waitForFunction(() => window.__firstReportAt !== undefined);
      loads.push(await page.evaluate(() => window.__firstReportAt));
    }
    // The median µs of one call of the validator's `name` with `arg`, over BATCHES × PER_BATCH.
    const timeCalls = (name, arg) => page.evaluate(async ({ name, arg, batches, perBatch }) => {
      const validator = await import('./pkg/threelo.js');
      await validator.default();
      const call = validator[name];
      for (let i = 0; i < 1000; i++) call(arg); // warm up the JIT
      const times = [];
      for (let b = 0; b < batches; b++) {
        const start = performance.now();
        for (let i = 0; i < perBatch; i++) call(arg);
        times.push((performance.now() - start) / perBatch);
      }
      return times;
    }, { name, arg, batches: BATCHES, perBatch: PER_BATCH }).then((times) => median(times) * 1000);
    const checkUs = await timeCalls('check', REALISTIC);
    const check20UsesUs = await timeCalls('check', WITH_20_USES);
    const scopesForUs = await timeCalls('scopesFor', ['servicenow']);
    const interaction = await interactionFigures(context, server.origin);
    return { firstReportMs: median(loads), checkUs, check20UsesUs, scopesForUs, ...interaction };
  } finally {
    await chromium.close();
    server.stop();
  }
}

/**
 * On the docs page: from an event (its timeStamp) to the frame that shows the findings it caused.
 * A MutationObserver on the findings lists sees them redrawn (after the page's handler, so the
 * check, the highlights and the outputs are included); the next animation frame is the one that
 * paints them, and a message posted from it runs once that frame's rendering is done. Both the time
 * to the redrawn DOM and the time to paint are kept.
 */
async function interactionFigures(context, origin) {
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.waitForSelector('#load-status', { state: 'hidden' });
  await page.evaluate(() => {
    window.__arm = (type) => {
      let start = null;
      document.addEventListener(type, (event) => { start = event.timeStamp; }, { capture: true, once: true });
      window.__measured = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          observer.disconnect();
          const dom = performance.now();
          requestAnimationFrame(() => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () => resolve({ dom: dom - start, paint: performance.now() - start });
            channel.port2.postMessage(null);
          });
        });
        for (const list of document.querySelectorAll('[data-findings-for]')) {
          observer.observe(list, { childList: true, subtree: true, characterData: true });
        }
      });
    };
    // The floor: the same keystroke with the page's own handler kept from running (the browser's
    // editing, layout and paint of the field alone), to the frame after it.
    window.__armFloor = () => {
      window.__measured = new Promise((resolve) => {
        document.addEventListener('input', (event) => {
          const start = event.timeStamp;
          event.stopImmediatePropagation();
          requestAnimationFrame(() => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () => resolve({ paint: performance.now() - start });
            channel.port2.postMessage(null);
          });
        }, { capture: true, once: true });
      });
    };
  });
  const settle = () => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));

  // A keystroke: one character typed at the end of the authorization-code preset's scopes (the
  // guide's nine, comma-separated: a full report), then taken back, unmeasured.
  await page.click('[data-preset="servicenow-authorization-code"]');
  await page.focus('#scopes');
  await page.$eval('#scopes', (field) => field.setSelectionRange(field.value.length, field.value.length));
  const keystrokes = [];
  for (let i = 0; i < WARM_UP + KEYSTROKES; i++) {
    await settle();
    await page.evaluate(() => window.__arm('input'));
    await page.keyboard.type('x');
    const measured = await page.evaluate(() => window.__measured);
    if (i >= WARM_UP) keystrokes.push(measured);
    await page.keyboard.press('Backspace');
  }
  const floor = [];
  for (let i = 0; i < WARM_UP + KEYSTROKES; i++) {
    await settle();
    await page.evaluate(() => window.__armFloor());
    await page.keyboard.type('x');
    const measured = await page.evaluate(() => window.__measured);
    if (i >= WARM_UP) floor.push(measured);
    await settle();
    await page.evaluate(() => window.__armFloor());
    await page.keyboard.press('Backspace');
    await page.evaluate(() => window.__measured);
  }

  // Apply all fixes: the client-credentials preset, then one click.
  const applies = [];
  for (let i = 0; i < WARM_UP + APPLY_RUNS; i++) {
    await page.click('[data-preset="servicenow-client-credentials"]');
    await settle();
    await page.evaluate(() => window.__arm('click'));
    await page.click('#apply-all');
    const measured = await page.evaluate(() => window.__measured);
    if (i >= WARM_UP) applies.push(measured);
  }
  const fixedScopes = await page.inputValue('#scopes');
  if (fixedScopes !== 'read:page:confluence search:confluence read:confluence-groups write:confluence-groups read:confluence-user') {
    throw new Error(`Apply all fixes left the scopes as ${fixedScopes}`);
  }
  await page.close();
  const pick = (runs, key) => median(runs.map((run) => run[key]));
  return {
    keystrokePaintMs: pick(keystrokes, 'paint'),
    keystrokeDomMs: pick(keystrokes, 'dom'),
    keystrokeFloorMs: pick(floor, 'paint'),
    applyPaintMs: pick(applies, 'paint'),
    applyDomMs: pick(applies, 'dom'),
  };
}

/** divan's median µs for each of `benches` (benches/check.rs), in one `cargo bench` run. */
function nativeMedians(benches) {
  const out = execFileSync('cargo', ['bench', '--quiet', '--bench', 'check', '--', ...benches], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  });
  return Object.fromEntries(benches.map((bench) => {
    // divan: "├─ realistic  fastest │ slowest │ median │ mean │ ..."
    const line = out.split('\n').find((l) => new RegExp(`[─ ]${bench}\\s`).test(l));
    const [value, unit] = line.split('│')[2].trim().split(/\s+/);
    return [bench, Number(value) * { ns: 0.001, 'µs': 1, us: 1, ms: 1000 }[unit]];
  }));
}

const wasm = size('threelo_bg.wasm');
const glue = size('threelo.js', ...snippets());
// The ServiceNow reader: a module of its own, loaded on a page's first read of a template or export.
const serviceNow = size('servicenow/threelo_servicenow_bg.wasm', 'servicenow/threelo_servicenow.js');
const browser = await browserFigures();
const native = nativeMedians(['realistic', 'servicenow_setup_with_20_uses', 'scopes_for_servicenow']);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const rows = [
  ['wasm (after wasm-opt)', `${kb(wasm.raw)} raw`, `${kb(wasm.gzip)} gzip`],
  ['JS glue', `${kb(glue.raw)} raw`, `${kb(glue.gzip)} gzip`],
  ['wasm + JS glue', `${kb(wasm.raw + glue.raw)} raw`, `${kb(wasm.gzip + glue.gzip)} gzip (budget 110 KB, the operations catalog inside: ${
    wasm.gzip + glue.gzip <= 110 * 1024 ? 'met' : 'NOT met'})`],
  ['ServiceNow module (wasm + glue)', `${kb(serviceNow.raw)} raw`, `${kb(serviceNow.gzip)} gzip, loaded on the first read only`],
  ['navigation → first rendered report', `${browser.firstReportMs.toFixed(0)} ms`, `median of ${LOADS} loads`],
  ['check() in headless Chromium', `${browser.checkUs.toFixed(1)} µs`, `median of ${BATCHES}×${PER_BATCH} calls (the budget is keystroke to paint)`],
  ['check() native (cargo bench)', `${native.realistic.toFixed(1)} µs`, 'divan median, same setup'],
  ['check() with 20 uses in headless Chromium', `${browser.check20UsesUs.toFixed(1)} µs`,
    'the same setup with uses and app_scopes (benches/check.rs servicenow_setup_with_20_uses)'],
  ['check() with 20 uses native', `${native.servicenow_setup_with_20_uses.toFixed(1)} µs`, 'divan median'],
  ['scopesFor(["servicenow"]) in headless Chromium', `${browser.scopesForUs.toFixed(1)} µs`, `median of ${BATCHES}×${PER_BATCH} calls`],
  ['scopes_for(["servicenow"]) native', `${native.scopes_for_servicenow.toFixed(1)} µs`, 'divan median'],
  ['docs page: keystroke → findings painted', `${browser.keystrokePaintMs.toFixed(1)} ms`,
    `median of ${KEYSTROKES}, scope field (budget 16 ms); → DOM redrawn ${browser.keystrokeDomMs.toFixed(1)} ms`],
  ['docs page: the same keystroke, page handler off', `${browser.keystrokeFloorMs.toFixed(1)} ms`,
    'the browser\'s own editing, layout and paint: the floor under the row above'],
  ['docs page: Apply all fixes → painted', `${browser.applyPaintMs.toFixed(1)} ms`,
    `median of ${APPLY_RUNS}, client-credentials preset (budget 16 ms); → DOM redrawn ${browser.applyDomMs.toFixed(1)} ms`],
];
const width = rows.map((r) => r.map((c) => c.length)).reduce((a, b) => a.map((w, i) => Math.max(w, b[i])));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
console.log(line(['measure', 'value', 'note']));
console.log(`|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
