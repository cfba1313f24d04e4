// What the extension's scenarios do on a page, the same in Chromium (Playwright) and Firefox
// (puppeteer-core over WebDriver BiDi). The two libraries share `evaluate(fn, arg)`,
// `evaluateHandle(fn, arg)` and an element handle's `click`, `type` and `focus`; everything else a
// scenario needs is built from those here, with the page looked at by the page's own DOM (`lookup`
// below), so both browsers are asked the same questions.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS } from '../browser/harness.mjs';

/**
 * The DOM queries the scenarios make, run inside the page. A field is found by its accessible name
 * as a person reads it (aria-labelledby, aria-label, or a <label>); a finding's parts through the
 * test build's open shadow roots.
 */
function lookup() {
  const squash = (text) => (text ?? '').replace(/\s+/g, ' ').trim();
  const nameOf = (element) => {
    const ids = element.getAttribute('aria-labelledby');
    if (ids) return squash(ids.split(/\s+/).map((id) => document.getElementById(id)?.textContent).join(' '));
    if (element.hasAttribute('aria-label')) return squash(element.getAttribute('aria-label'));
    const labels = [...(element.labels ?? [])].map((label) => label.textContent);
    return squash(labels.join(' ') || element.textContent);
  };
  /** The one element among `elements` named `name`: exactly, else the only one whose name holds it. */
  const named = (elements, name, what) => {
    const wanted = name.toLowerCase();
    const exact = elements.filter((element) => nameOf(element).toLowerCase() === wanted);
    const loose = elements.filter((element) => nameOf(element).toLowerCase().includes(wanted));
    const found = exact.length ? exact : loose;
    if (found.length > 1) throw new Error(`${found.length} ${what}s are named "${name}"`);
    return found[0] ?? null;
  };
  const TEXT_INPUT = 'input:not([type]), input[type="text"], input[type="url"], input[type="search"], input[type="email"], textarea, select, [role="combobox"], [role="textbox"]';
  const hosts = (field) => [...document.querySelectorAll(field ? `threelo-findings[data-threelo-field="${field}"]` : 'threelo-findings')];
  /** `selector` in the light DOM and inside every findings host's (open) shadow root. */
  const everywhere = (selector) => [
    ...document.querySelectorAll(selector),
    ...hosts().flatMap((host) => [...(host.shadowRoot?.querySelectorAll(selector) ?? [])]),
  ];
  const findings = (field) => hosts(field).flatMap((host) => [...(host.shadowRoot?.querySelectorAll('li.finding') ?? [])]);
  return {
    field: (name) => named([...document.querySelectorAll(TEXT_INPUT)], name, 'field'),
    button: (name) => named(everywhere('button, [role="button"], [role="tab"]'), name, 'button'),
    findings,
    finding: (field, rule) => findings(field).find((item) => item.dataset.rule === rule) ?? null,
    everywhere,
    count: (selector) => everywhere(selector).length,
    hasText: (text) => document.body.innerText.includes(text),
    /** Every findings host: its field, where it sits, and its rule codes. */
    placed: () => hosts().map((host) => ({
      field: host.dataset.threeloField,
      group: host.closest('[id^="element."]')?.id ?? null,
      code: host.closest('td')?.querySelector('code')?.textContent ?? null,
      after: host.previousElementSibling?.querySelector('input')?.name ?? host.previousElementSibling?.name ?? null,
      rules: [...host.shadowRoot.querySelectorAll('li.finding')].map((item) => item.dataset.rule),
      text: host.shadowRoot.textContent,
    })),
  };
}

/**
 * `fn(arg, lookup)` (a function, or its source) as a function either library can send to the page:
 * a function crosses to the page as text and takes no closure with it, so `lookup` goes as text too.
 */
function inPage(fn) {
  return new Function('arg', `const lookup = (${lookup})();\nreturn (${fn})(arg, lookup);`);
}

export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns something truthy; throws `what` after `timeout` ms. */
export async function until(check, what, { timeout = 10_000, every = 25 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await pause(every);
  }
}

/**
 * An element a scenario acts on, looked up afresh at each action (pages redraw): `find(arg, lookup)`
 * finds it in the page, as a function or its source.
 */
class Control {
  constructor(surface, find, arg, what) {
    Object.assign(this, { surface, find, arg, what });
  }

  async handle() {
    const handle = await until(async () => {
      const found = await this.surface.frame.evaluateHandle(inPage(this.find), this.arg);
      const element = found.asElement();
      if (!element) await found.dispose();
      return element;
    }, this.what);
    return handle;
  }

  /** `fn(element)` in the page, on the element found now; null when there is none. */
  read(fn) {
    const source = `(arg, lookup) => { const element = (${this.find})(arg, lookup); return element ? (${fn})(element) : null; }`;
    return this.surface.frame.evaluate(inPage(source), this.arg);
  }

  async exists() {
    return (await this.read(() => true)) === true;
  }

  value() {
    return this.read((element) => element.value);
  }

  text() {
    return this.read((element) => element.textContent);
  }

  enabled() {
    return this.read((element) => !element.disabled);
  }

  /** Clicks it; looked up again when the page redrew it between the lookup and the click. */
  async click() {
    for (let attempt = 0; ; attempt++) {
      const handle = await this.handle();
      try {
        await handle.click();
        return;
      } catch (error) {
        if (attempt >= 20 || !/not attached|detached/i.test(error.message)) throw error;
        await pause(25);
      } finally {
        await handle.dispose().catch(() => {});
      }
    }
  }

  /** Types `text` key by key at the end of what the field holds, as a person would. */
  async type(text) {
    const handle = await this.handle();
    await handle.focus();
    await handle.evaluate((element) => element.setSelectionRange?.(element.value.length, element.value.length));
    await handle.type(text, { delay: 2 });
    await handle.dispose();
  }

  /** Replaces what the field holds with `text`, as pasting over a selection would. */
  async fill(text) {
    const handle = await this.handle();
    await this.surface.driver.fill(this.surface, handle, text);
    await handle.dispose();
  }

  async blur() {
    await this.read((element) => element.blur());
  }

  async gone() {
    await until(async () => !(await this.exists()), `${this.what} to go`);
  }

  /** The button inside this element (or its open shadow root) whose text is `name`. */
  button(name) {
    const find = `(arg, lookup) => {
      const root = (${this.find})(arg.parent, lookup);
      const buttons = [...(root?.querySelectorAll('button') ?? []), ...(root?.shadowRoot?.querySelectorAll('button') ?? [])];
      return buttons.find((button) => button.textContent.trim() === arg.name) ?? null;
    }`;
    return new Control(this.surface, find, { parent: this.arg, name }, `the "${name}" button of ${this.what}`);
  }
}

/** A page or one of its frames. */
export class Surface {
  constructor(driver, frame) {
    Object.assign(this, { driver, frame });
  }

  evaluate(fn, arg) {
    return this.frame.evaluate(fn, arg);
  }

  field(name) {
    return new Control(this, (name, lookup) => lookup.field(name), name, `the field "${name}"`);
  }

  /** An element by CSS selector (one no accessible name finds, such as a password field). */
  element(selector) {
    return new Control(this, (selector) => document.querySelector(selector), selector, selector);
  }

  /** The first element matching `selector`, the findings' shadow roots included. */
  anywhere(selector) {
    return new Control(this, (selector, lookup) => lookup.everywhere(selector)[0] ?? null, selector, selector);
  }

  button(name) {
    return new Control(this, (name, lookup) => lookup.button(name), name, `the button "${name}"`);
  }

  finding(field, rule) {
    return new Control(this, (arg, lookup) => lookup.finding(arg.field, arg.rule), { field, rule }, `${rule} on ${field}`);
  }

  /** Waits until `field` shows a finding of `rule`. */
  async waitForRule(field, rule) {
    const finding = this.finding(field, rule);
    await until(() => finding.exists(), `${rule} on ${field}`);
    return finding;
  }

  rulesFor(field) {
    return this.frame.evaluate(inPage((field, lookup) => lookup.findings(field).map((item) => item.dataset.rule)), field);
  }

  placed() {
    return this.frame.evaluate(inPage((_, lookup) => lookup.placed()), null);
  }

  /** How many elements match `selector`, the findings' shadow roots included. */
  count(selector) {
    return this.frame.evaluate(inPage((selector, lookup) => lookup.count(selector)), selector);
  }

  async waitForText(text) {
    await until(() => this.frame.evaluate(inPage((text, lookup) => lookup.hasText(text)), text), `"${text}" on the page`);
  }

  async waitForNone(selector) {
    await until(async () => (await this.count(selector)) === 0, `no ${selector}`);
  }
}

/** A tab: the page's own surface plus what only a whole tab has. */
export class Tab extends Surface {
  constructor(driver, page, { problems, messages }) {
    super(driver, page);
    Object.assign(this, { page, problems, messages });
  }

  /** The frame named `name` (the classic ServiceNow UI's `gsft_main`). */
  async frameNamed(name) {
    const frame = await until(() => this.driver.frameNamed(this.page, name), `the frame ${name}`);
    return new Surface(this.driver, frame);
  }

  async screenshot(name) {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: join(ARTIFACTS, `extension-${this.driver.name}-${name}.png`), fullPage: true });
  }

  bringToFront() {
    return this.page.bringToFront();
  }

  setViewport(width, height) {
    return this.driver.setViewport(this.page, width, height);
  }

  close() {
    return this.page.close();
  }
}
