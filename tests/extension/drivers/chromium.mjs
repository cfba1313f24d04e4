// The extension in Debian's Chromium through Playwright: loaded unpacked with --load-extension,
// reached through its service worker, every request routed to the fixtures or stopped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../browser/harness.mjs';
import { answerFor, isProblem } from '../harness.mjs';
import { Tab } from '../surface.mjs';

const driver = {
  name: 'chromium',
  fill: (surface, handle, text) => handle.fill(text),
  frameNamed: (page, name) => page.frame({ name }),
  setViewport: (page, width, height) => page.setViewportSize({ width, height }),
};

export async function launch(extension) {
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
    // The extension's own pages and files (the popup) are not network requests.
    if (url.startsWith('chrome-extension:')) return route.continue();
    const answer = answerFor(url);
    if (answer) return route.fulfill(answer);
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
  let [worker] = context.serviceWorkers();
  worker ??= await context.waitForEvent('serviceworker');
  const extensionId = new URL(worker.url()).host;
  const backgroundProblems = [];
  worker.on('console', (message) => backgroundProblems.push(`${message.type()}: ${message.text()}`));

  const open = async (url) => {
    const page = await context.newPage();
    const problems = [];
    const messages = [];
    page.on('console', (message) => {
      messages.push(`${message.type()}: ${message.text()}`);
      if (isProblem(message.type())) problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    await page.goto(url);
    return new Tab(driver, page, { problems, messages });
  };
  return {
    name: driver.name,
    extensionId,
    open,
    openPopup: () => open(`chrome-extension://${extensionId}/popup.html`),
    /** In the service worker, where chrome.tabs and chrome.storage are. */
    inExtension: (fn, arg) => worker.evaluate(fn, arg),
    foreign,
    backgroundProblems,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
