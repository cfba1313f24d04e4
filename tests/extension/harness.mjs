// Shared by the extension tests: Debian's Chromium with the built extension (dist/extension/)
// loaded, the fixture pages served under the real addresses of the Atlassian developer console and
// a ServiceNow instance (so the manifest's match patterns are exercised as in use), and every other
// request stopped and recorded. Build the extension first: scripts/build-extension.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, ROOT } from '../browser/harness.mjs';

/** The shipped build (zipped for the stores) and the test build, whose findings' shadow roots are open. */
export const EXTENSION = join(ROOT, 'dist', 'extension');
export const TEST_EXTENSION = join(ROOT, 'dist', 'extension-test');
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export const APP = 'https://developer.atlassian.com/console/myapps/6f1b2c3d-0000-4000-8000-1234567890ab';
export const INSTANCE = 'https://dev12345.service-now.com';
export const URLS = {
  myApps: 'https://developer.atlassian.com/console/myapps/',
  authorization: `${APP}/authorization/auth-code-grant`,
  permissions: `${APP}/permissions/confluence`,
  settings: `${APP}/settings`,
  oauthEntity: `${INSTANCE}/oauth_entity.do?sys_id=5e1c0c2b1b2f3010a1b2c3d4e5f60718`,
  oauthEntityInFrame: `${INSTANCE}/nav_to.do?uri=oauth_entity.do%3Fsys_id%3D5e1c0c2b1b2f3010a1b2c3d4e5f60718`,
  oauthEntityScope: `${INSTANCE}/oauth_entity_scope.do?sys_id=-1`,
};

/** Which fixture answers which address; anything else on these two hosts is a 404. */
const PAGES = [
  [/^https:\/\/developer\.atlassian\.com\/console\/myapps\/$/, 'console-myapps.html'],
  [/^https:\/\/developer\.atlassian\.com\/console\/myapps\/[^/]+\/authorization\/auth-code-grant$/, 'console-authorization.html'],
  [/^https:\/\/developer\.atlassian\.com\/console\/myapps\/[^/]+\/permissions\/confluence$/, 'console-permissions.html'],
  [/^https:\/\/developer\.atlassian\.com\/console\/myapps\/[^/]+\/settings$/, 'console-settings.html'],
  [/^https:\/\/developer\.atlassian\.com\/console\/static\/console\.css$/, 'console.css'],
  [/^https:\/\/dev12345\.service-now\.com\/oauth_entity\.do(\?|$)/, 'servicenow-oauth-entity.html'],
  [/^https:\/\/dev12345\.service-now\.com\/oauth_entity_scope\.do(\?|$)/, 'servicenow-oauth-entity-scope.html'],
  [/^https:\/\/dev12345\.service-now\.com\/nav_to\.do(\?|$)/, 'servicenow-nav.html'],
  [/^https:\/\/dev12345\.service-now\.com\/styles\/servicenow\.css$/, 'servicenow.css'],
];
const SERVED_HOSTS = new Set(['developer.atlassian.com', 'dev12345.service-now.com']);

/**
 * Launches Chromium with the extension (the test build unless `extension` names another). Resolves to { context, worker, extensionId, foreign, close }:
 * `foreign` lists every request the browser tried to send to any other host (all were stopped).
 */
export async function launchWithExtension({ extension = TEST_EXTENSION } = {}) {
  if (!existsSync(join(extension, 'manifest.json'))) {
    throw new Error(`${extension} is missing: run scripts/build-extension first`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'threelo-extension-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 820 },
    args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${extension}`, `--load-extension=${extension}`],
  });
  const foreign = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    const { hostname, protocol } = new URL(url);
    // The extension's own pages and files (the popup) are not network requests.
    if (protocol === 'chrome-extension:') return route.continue();
    if (protocol === 'https:' && SERVED_HOSTS.has(hostname)) {
      const page = PAGES.find(([pattern]) => pattern.test(url));
      if (!page) return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
      const contentType = page[1].endsWith('.css') ? 'text/css' : 'text/html; charset=utf-8';
      return route.fulfill({ status: 200, contentType, body: readFileSync(join(FIXTURES, page[1])) });
    }
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
  let [worker] = context.serviceWorkers();
  worker ??= await context.waitForEvent('serviceworker');
  const extensionId = new URL(worker.url()).host;
  const workerProblems = [];
  worker.on('console', (message) => workerProblems.push(`${message.type()}: ${message.text()}`));
  return {
    context,
    worker,
    extensionId,
    foreign,
    workerProblems,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A new tab that records console messages and uncaught errors (the content scripts' included). */
export async function openTab(context, url) {
  const page = await context.newPage();
  const problems = [];
  const messages = [];
  page.on('console', (message) => {
    messages.push(`${message.type()}: ${message.text()}`);
    if (['error', 'warning'].includes(message.type())) problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await page.goto(url);
  return { page, problems, messages };
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `extension-${name}.png`), fullPage: true });
}

/**
 * The findings shown for a field: the <threelo-findings> host placed for it and the rule codes in
 * its shadow root. `frame` may be a Page or a Frame.
 */
export function findingsFor(frame, field) {
  return frame.locator(`threelo-findings[data-threelo-field="${field}"] li.finding`);
}

/** A page's text field (input, textarea or combobox) by its accessible name, as a person finds it. */
export function field(frame, name) {
  return frame.getByRole('textbox', { name }).or(frame.getByRole('combobox', { name }));
}

export async function rulesFor(frame, field) {
  return findingsFor(frame, field).evaluateAll((items) => items.map((item) => item.dataset.rule));
}

/** Waits until the field shows a finding of `rule`; resolves to its locator. */
export async function waitForRule(frame, field, rule) {
  const finding = findingsFor(frame, field).and(frame.locator(`[data-rule="${rule}"]`));
  await finding.first().waitFor();
  return finding.first();
}

/** What the cross-check remembers right now, read in the extension's background. */
export function remembered(worker) {
  return worker.evaluate(async () => (await chrome.storage.session.get(null)).remembered ?? {});
}

export function forget(worker) {
  return worker.evaluate(() => chrome.storage.session.clear());
}
