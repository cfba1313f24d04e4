// The extension in Debian's Firefox ESR through puppeteer-core over WebDriver BiDi: installed as a
// temporary add-on, every page's requests intercepted and answered from the fixtures or stopped.
//
// Two steps differ from Chromium, each because Firefox allows no other way here:
// - BiDi refuses to navigate a tab to a moz-extension: page unless the browser runs with
//   --remote-allow-system-access, and even then reports no navigation event for it, so such a page
//   is opened without waiting on the navigation and then polled until it has loaded.
// - A background script is not a BiDi target, so what the scenarios run "in the extension" runs in
//   an extension page kept open for the purpose (the popup's document: same origin, same APIs).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { answerFor, isProblem } from '../harness.mjs';
import { Tab, until } from '../surface.mjs';

export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';

const driver = {
  name: 'firefox',
  /** Selects what the field holds and types over it (puppeteer's handles have no fill). */
  async fill(surface, handle, text) {
    await handle.focus();
    await handle.evaluate((element) => element.select());
    if (text) await handle.type(text);
    else await handle.press('Backspace');
  },
  async frameNamed(page, name) {
    for (const frame of page.frames()) {
      if (await frame.evaluate(() => window.name).catch(() => null) === name) return frame;
    }
    return null;
  },
  setViewport: (page, width, height) => page.setViewport({ width, height }),
};

function manifestId(extension) {
  return JSON.parse(readFileSync(join(extension, 'manifest.json'), 'utf8')).browser_specific_settings.gecko.id;
}

export async function launch(extension) {
  // Fixing the add-on's internal UUID gives its pages an address known before it is installed.
  const uuid = randomUUID();
  const extensionId = manifestId(extension);
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    args: ['--remote-allow-system-access'],
    defaultViewport: { width: 1200, height: 820 },
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [extensionId]: uuid }) },
  });
  await browser.installExtension(extension);
  const origin = `moz-extension://${uuid}`;
  const foreign = [];

  const watch = (page) => {
    const problems = [];
    const messages = [];
    page.on('console', (message) => {
      messages.push(`${message.type()}: ${message.text()}`);
      if (isProblem(message.type())) problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message ?? error}`));
    return { problems, messages };
  };
  const open = async (url) => {
    const page = await browser.newPage();
    const seen = watch(page);
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const answer = answerFor(request.url());
      if (answer) return request.respond({ ...answer, body: answer.body });
      foreign.push(request.url());
      return request.abort('blockedbyclient');
    });
    await page.goto(url);
    return new Tab(driver, page, seen);
  };
  const openExtensionPage = async (path) => {
    const page = await browser.newPage();
    const seen = watch(page);
    const url = `${origin}/${path}`;
    page.goto(url, { timeout: 0 }).catch(() => {}); // settles only when the browser closes; see the top
    await until(() => page.evaluate((url) => location.href === url && document.readyState === 'complete', url)
      .catch(() => false), `${url} to load`);
    return new Tab(driver, page, seen);
  };
  const helper = await openExtensionPage('popup.html');
  return {
    name: driver.name,
    extensionId,
    open,
    openPopup: () => openExtensionPage('popup.html'),
    inExtension: (fn, arg) => helper.page.evaluate(fn, arg),
    foreign,
    // A background script's console is not reachable over BiDi; the extension pages' are (helper).
    backgroundProblems: helper.problems,
    close: () => browser.close(),
  };
}
