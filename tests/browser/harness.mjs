// Shared by the browser tests: serves www/ on a free loopback port, launches Debian's Chromium
// through playwright-core, and records every request and console message so that tests can
// assert nothing left the origin and nothing was logged as an error.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'artifacts', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/** Starts scripts/serve-www.mjs on a free port; resolves to { origin, stop }. */
export function serveWww() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'serve-www.mjs'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the static server exited early (${code})`)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      const match = text.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (match) resolve({ origin: match[1], stop: () => child.kill('SIGTERM') });
    });
  });
}

/** A fresh browser (Playwright gives it a temporary profile of its own). */
export async function launchBrowser() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  return { browser, close: () => browser.close() };
}

/** A page that records requests and console problems. */
export async function openPage(browser, url, { viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (['error', 'warning'].includes(message.type())) problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await page.goto(url);
  await page.waitForSelector('#load-status', { state: 'hidden' });
  return { page, context, requests, problems };
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Rule codes of the findings shown for `field`, or for the whole page. */
export async function shownRules(page, field) {
  const scope = field ? `[data-findings-for="${field}"] ` : '';
  return page.$$eval(`${scope}li.finding`, (items) => items.map((item) => item.dataset.rule));
}
