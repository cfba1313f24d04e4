// Shared by the extension's browser tests: the built extension (dist/extension-test/ unless told
// otherwise) in a real browser, Chromium through Playwright or Firefox ESR through puppeteer-core
// over WebDriver BiDi (drivers/), with the fixture pages served under the real addresses of the
// Atlassian developer console and a ServiceNow instance, so that the manifest's match patterns are
// exercised as in use, and every other request stopped and recorded. Build the extension first:
// scripts/build-extension.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../browser/harness.mjs';
import { pause, until } from './surface.mjs';

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
  aliasTemplate: `${INSTANCE}/sys_alias_templates.do?sys_id=3b7e1f2a9c4d4e5fa6b7c8d9e0f1a2b3`,
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
  [/^https:\/\/dev12345\.service-now\.com\/sys_alias_templates\.do(\?|$)/, 'servicenow-alias-template.html'],
  [/^https:\/\/dev12345\.service-now\.com\/styles\/servicenow\.css$/, 'servicenow.css'],
];
const SERVED_HOSTS = new Set(['developer.atlassian.com', 'dev12345.service-now.com']);

/**
 * What the fixture server answers for `url`: `{status, contentType, body}`, or null for a request
 * to any other host (the driver stops it and records it as foreign).
 */
export function answerFor(url) {
  const { hostname, protocol } = new URL(url);
  if (protocol !== 'https:' || !SERVED_HOSTS.has(hostname)) return null;
  const page = PAGES.find(([pattern]) => pattern.test(url));
  if (!page) return { status: 404, contentType: 'text/plain', body: 'not found' };
  const contentType = page[1].endsWith('.css') ? 'text/css' : 'text/html; charset=utf-8';
  return { status: 200, contentType, body: readFileSync(join(FIXTURES, page[1])) };
}

/** Console messages a tab's page logged that count as problems (the two libraries name warnings apart). */
export function isProblem(type) {
  return ['error', 'warning', 'warn'].includes(type);
}

const DRIVERS = {
  chromium: () => import('./drivers/chromium.mjs'),
  firefox: () => import('./drivers/firefox.mjs'),
};

/**
 * Launches `browserName` with the extension (the test build unless `extension` names another).
 * Resolves to the driver's browser: `open(url)` and `openPopup()` give a Tab (surface.mjs),
 * `inExtension(fn, arg)` runs `fn` where the extension's APIs are, `foreign` lists every request
 * stopped for going to another host, and the helpers below ask the extension what it knows.
 */
export async function launchWithExtension(browserName, { extension = TEST_EXTENSION } = {}) {
  if (!existsSync(join(extension, 'manifest.json'))) {
    throw new Error(`${extension} is missing: run scripts/build-extension first`);
  }
  const { launch } = await DRIVERS[browserName]();
  return launch(extension);
}

/** What the cross-check remembers right now, read in the extension. */
export function remembered(browser) {
  return browser.inExtension(async () => (await chrome.storage.session.get(null)).remembered ?? {});
}

export function forget(browser) {
  return browser.inExtension(() => chrome.storage.session.clear());
}

/** Waits until the extension remembers `value` for `site`'s `field`. */
export async function waitRemembered(browser, site, field, value) {
  await until(async () => (await remembered(browser))[site]?.[field]?.value === value,
    `${site} ${field} to be remembered as ${value}`, { every: 50 });
}

/**
 * Sends `message` from the extension to the content scripts of `tab` (made the active one) and
 * resolves to the first answer, or null when no frame answers.
 */
export async function askTab(browser, tab, message) {
  await tab.bringToFront();
  const answer = await browser.inExtension(async (message) => {
    const [active] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    return chrome.tabs.sendMessage(active.id, message).catch(() => null);
  }, message);
  return answer ?? null; // no frame answered: undefined, or an error, depending on the browser
}

/** What a content script in `tab` tells the popup (null: no frame found fields). */
export function tabStatus(browser, tab) {
  return askTab(browser, tab, { kind: 'status' });
}

/** The content script's own account of its page: how often it has read it, and whether it is settled. */
export async function scanned(browser, tab) {
  return (await askTab(browser, tab, { kind: 'scanned' })) ?? { scans: 0, settled: false };
}

/**
 * The positive signal before any "nothing appears": the extension has read the page at least once
 * more than `after` times and has drawn the answer for what the page shows now.
 */
export async function waitSettled(browser, tab, { after = 0 } = {}) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const state = await scanned(browser, tab);
    if (state.settled && state.scans > after) return state;
    await pause(25);
  }
  throw new Error('the extension never settled on this page');
}
