// The docs page (www/) in headless Chromium, served on loopback as the run command serves it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, launchBrowser, openPage, screenshot, serveWww, shownRules } from './harness.mjs';

const SECRET = 'ATOAxK7fQ2mZp9LrT4vW8yB1nC6hJ3sD5gF0aE2iU7oY9kM4qR8tX1zV6bN3wP5cLm7Q0A1B2C3D';
let server;
let chromium;

before(async () => {
  server = await serveWww();
  chromium = await launchBrowser();
});
after(async () => {
  await chromium?.close();
  server?.stop();
});

/** Opens the page, runs `scenario`, then asserts the page stayed on its origin and logged no problem. */
async function withPage(name, scenario, options) {
  const { page, context, requests, problems } = await openPage(chromium.browser, `${server.origin}/`, options);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  try {
    await scenario(page);
    await screenshot(page, name);
    const foreign = requests.filter((url) => !url.startsWith(`${server.origin}/`) && !url.startsWith('data:'));
    assert.deepEqual(foreign, [], 'requests left the page origin');
    assert.deepEqual(problems, [], 'the console logged problems');
  } finally {
    await context.close();
  }
}

async function loadPreset(page, preset) {
  await page.click(`[data-preset="${preset}"]`);
}

describe('the docs page', () => {
  test('the ServiceNow authorization-code preset shows the guide\'s mistakes', () =>
    withPage('preset-servicenow-authorization-code', async (page) => {
      await loadPreset(page, 'servicenow-authorization-code');
      const rules = await shownRules(page);
      for (const rule of ['callback/placeholder', 'scope/unknown', 'scope/separator', 'endpoint/revocation-url']) {
        assert.ok(rules.includes(rule), `${rule} missing from ${rules}`);
      }
      assert.deepEqual(await shownRules(page, 'callback_url'), ['callback/placeholder']);
      assert.match(await page.textContent('#summary'), /3 errors/);
      // The offending text is highlighted in the field itself.
      const marks = await page.$$eval('[data-field="scopes"] .hl-backdrop mark', (m) => m.map((x) => x.textContent));
      assert.ok(marks.includes('ace:confluence'), `highlights: ${marks}`);
      // Severity is written out, not only coloured.
      const label = await page.textContent('[data-findings-for="scopes"] li[data-rule="scope/unknown"] .severity-label');
      assert.match(label, /error/i);
    }));

  test('the ServiceNow client-credentials preset shows the service-account mistakes', () =>
    withPage('preset-servicenow-client-credentials', async (page) => {
      await loadPreset(page, 'servicenow-client-credentials');
      const rules = await shownRules(page);
      for (const rule of ['scope/unknown', 'endpoint/revocation-url', 'scope/no-user-context', 'grant/service-account']) {
        assert.ok(rules.includes(rule), `${rule} missing from ${rules}`);
      }
      assert.ok(!rules.includes('callback/missing'), 'client credentials need no callback');
    }));

  test('blank asks for the three things every authorization-code setup needs', () =>
    withPage('preset-blank', async (page) => {
      await loadPreset(page, 'servicenow-authorization-code');
      await loadPreset(page, 'blank');
      assert.equal(await page.inputValue('#scopes'), '');
      assert.deepEqual((await shownRules(page)).sort(), ['callback/missing', 'client-id/missing', 'scope/missing']);
    }));

  test('a mistyped scope gets a suggestion, and Apply fix fixes it', () =>
    withPage('typo-and-fix', async (page) => {
      await loadPreset(page, 'blank');
      await page.fill('#client_id', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z');
      await page.fill('#callback_url', 'https://dev12345.service-now.com/oauth_redirect.do');
      await page.locator('#scopes').pressSequentially('read:page:confluance offline_access', { delay: 5 });
      const finding = page.locator('[data-findings-for="scopes"] li[data-rule="scope/unknown"]');
      await finding.waitFor();
      assert.match(await finding.textContent(), /read:page:confluence/);
      await screenshot(page, 'typo-before-fix');
      await finding.locator('button.apply-fix').click();
      assert.equal(await page.inputValue('#scopes'), 'read:page:confluence offline_access');
      assert.equal(await finding.count(), 0);
      assert.equal(await page.textContent('#summary').then((t) => /0 errors, 0 warnings/.test(t) || /No problems/.test(t)), true);
      const url = await page.textContent('#out-authorize-url');
      assert.match(url, /^https:\/\/auth\.atlassian\.com\/authorize\?audience=api\.atlassian\.com&client_id=Ab3d/);
      assert.match(url, /scope=read%3Apage%3Aconfluence%20offline_access/);
    }));

  test('a share link restores the setup but never carries the secret', () =>
    withPage('share-link', async (page) => {
      await loadPreset(page, 'servicenow-authorization-code');
      await page.fill('#client_secret', SECRET);
      await page.fill('#scopes', 'read:page:confluence read:me');
      await page.click('#share');
      const link = (await page.textContent('#share-url')).trim();
      assert.match(link, /#setup=/);
      assert.ok(!link.includes(SECRET) && !link.includes(SECRET.slice(4, 20)), 'the secret is in the share link');
      const decoded = Buffer.from(link.split('#setup=')[1], 'base64url').toString('utf8');
      assert.ok(!decoded.includes('ATOA'), decoded);

      const restored = await page.context().newPage();
      await restored.goto(link);
      await restored.waitForSelector('#load-status', { state: 'hidden' });
      assert.equal(await restored.inputValue('#scopes'), 'read:page:confluence read:me');
      assert.equal(await restored.inputValue('#callback_url'), 'https://instance.service-now.com/oauth_redirect.do');
      assert.equal(await restored.inputValue('#client_secret'), '');
      assert.ok((await shownRules(restored)).includes('callback/placeholder'));
      await restored.close();
    }));

  test('a share link drops every field that holds a secret, and opening one leaves no copy in history', () =>
    withPage('share-link-swapped', async (page) => {
      await loadPreset(page, 'blank');
      // ID and secret swapped, and a callback that carries the secret in its query.
      await page.fill('#client_id', SECRET);
      await page.fill('#callback_url', `https://app.acme.io/cb?k=${SECRET}`);
      await page.fill('#scopes', 'read:page:confluence offline_access');
      await page.click('#share');
      const link = (await page.textContent('#share-url')).trim();
      const shared = JSON.parse(Buffer.from(link.split('#setup=')[1], 'base64url').toString('utf8'));
      assert.deepEqual(shared, { scopes: 'read:page:confluence offline_access' });

      // A hand-made link that carries the secret in the client ID: ignored, and gone from history.
      const planted = Buffer.from(JSON.stringify({ client_id: SECRET, scopes: 'read:me' })).toString('base64url');
      const opened = await page.context().newPage();
      await opened.goto(`${link.split('#')[0]}#setup=${planted}`);
      await opened.waitForSelector('#load-status', { state: 'hidden' });
      await opened.waitForFunction(() => document.getElementById('share-status').textContent !== '');
      assert.equal(await opened.inputValue('#scopes'), 'read:me');
      assert.equal(await opened.inputValue('#client_id'), '');
      assert.match(await opened.textContent('#share-status'), /held a secret \(in Client ID\)/);
      // Replaced, not pushed: the entry the link opened no longer holds the fragment.
      assert.equal(await opened.evaluate(() => window.location.hash), '');
      await screenshot(opened, 'share-link-swapped');
      await opened.close();
    }));

  test('the secret is never written into the page', () =>
    withPage('secret-stays-hidden', async (page) => {
      await loadPreset(page, 'blank');
      await page.fill('#client_id', SECRET);
      await page.fill('#client_secret', `${SECRET}\n`);
      assert.ok((await shownRules(page)).includes('client-id/is-secret'));
      const text = await page.evaluate(() => document.body.innerText + document.body.innerHTML.replace(/value="[^"]*"/g, ''));
      assert.ok(!text.includes(SECRET.slice(4, 20)), 'the secret shows in the page');
    }));

  test('every rule has an anchored reference section that findings link to', () =>
    withPage('rule-reference', async (page) => {
      const sections = await page.$$eval('section.rule', (nodes) => nodes.map((node) => node.id));
      assert.ok(sections.length >= 41, `only ${sections.length} rule sections`);
      assert.ok(sections.includes('rule-scope/unknown'));
      await loadPreset(page, 'servicenow-authorization-code');
      const href = await page.getAttribute('li[data-rule="scope/unknown"] a.rule-link', 'href');
      assert.equal(href, '#rule-scope/unknown');
      await page.click('li[data-rule="scope/unknown"] a.rule-link');
      assert.match(await page.textContent('[id="rule-scope/unknown"] .rule-explanation'), /ace:confluence/);
    }));

  test('it keeps checking with the network gone once loaded', () =>
    withPage('offline', async (page) => {
      await page.context().setOffline(true);
      await loadPreset(page, 'blank');
      await page.fill('#scopes', 'openid offline_access');
      assert.ok((await shownRules(page, 'scopes')).includes('scope/openid'));
      await page.context().setOffline(false);
    }));

  test('it reads on a phone-width screen without sideways scrolling', () =>
    withPage('phone-width', async (page) => {
      await loadPreset(page, 'servicenow-authorization-code');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    }, { viewport: { width: 375, height: 800 } }));

  test('the page announces findings and marks invalid fields for screen readers', () =>
    withPage('accessibility', async (page) => {
      assert.equal(await page.getAttribute('#summary', 'aria-live'), 'polite');
      await loadPreset(page, 'servicenow-authorization-code');
      assert.equal(await page.getAttribute('#callback_url', 'aria-invalid'), 'true');
      assert.match(await page.getAttribute('#scopes', 'aria-describedby'), /findings-scopes/);
    }));

  test('from the keyboard: the first Tab shows the skip link, and the skip link leads to the first field', () =>
    withPage('keyboard', async (page) => {
      /** What has focus, and whether it shows: the :focus-visible outline, and its box on screen. */
      const focused = () => page.evaluate(() => {
        const element = document.activeElement;
        const style = getComputedStyle(element);
        const box = element.getBoundingClientRect();
        return {
          element: `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.className ? `.${element.className}` : ''}`,
          href: element.getAttribute('href'),
          outline: element.matches(':focus-visible') ? `${style.outlineStyle} ${style.outlineWidth}` : 'no :focus-visible',
          onScreen: box.width > 0 && box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight,
        };
      });
      const skipLinkBottom = () => page.$eval('a.skip-link', (link) => link.getBoundingClientRect().bottom);
      assert.ok(await skipLinkBottom() <= 0, 'the skip link shows before anyone tabs to it');

      await page.keyboard.press('Tab');
      assert.deepEqual(await focused(),
        { element: 'a.skip-link', href: '#setup-form', outline: 'solid 3px', onScreen: true },
        'the first Tab lands on the skip link, outlined and on screen');
      assert.equal(await page.textContent('a.skip-link'), 'Skip to the form');
      await screenshot(page, 'keyboard-skip-link');

      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      assert.deepEqual(await focused(),
        { element: 'input#client_id', href: null, outline: 'solid 3px', onScreen: true },
        'after the skip link, Tab lands on the form\'s first field, outlined');
      assert.ok(await skipLinkBottom() <= 0, 'the skip link hides again once focus leaves it');
    }));

  test('the footer shows the validator\'s version, the one its npm package declares', () =>
    withPage('version', async (page) => {
      // pkg/package.json is written by scripts/write-pkg-manifest.mjs; the text is what the wasm's version() says.
      const { version } = JSON.parse(readFileSync(join(ROOT, 'www', 'pkg', 'package.json'), 'utf8'));
      assert.match(version, /^\d+\.\d+\.\d+/);
      assert.equal(await page.textContent('#version'), version);
    }));
});
