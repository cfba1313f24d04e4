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

const CLIENT_ID = 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';
const CALLBACK = 'https://dev12345.service-now.com/oauth_redirect.do';
const FIXED_SCOPES = {
  'servicenow-client-credentials':
    'read:page:confluence search:confluence read:confluence-groups write:confluence-groups read:confluence-user',
  'servicenow-authorization-code': 'read:page:confluence search:confluence read:confluence-groups '
    + 'write:confluence-groups read:confluence-user read:me read:account offline_access',
};

/** Every field of the form with its text, empty ones included. */
function formValues(page) {
  return page.$$eval('#setup-form input, #setup-form textarea', (inputs) =>
    Object.fromEntries(inputs.map((input) => [input.id, input.value])));
}

/** The Apply fix buttons the findings offer, by applicability. */
function offeredFixes(page, applicability) {
  return page.locator(`li.finding button.apply-fix[data-applicability="${applicability}"]`).count();
}

/** What the core says for the setup now in the form: the page's own validator, asked directly. */
function coreReport(page) {
  return page.evaluate(async () => {
    const validator = await import('./pkg/threelo.js');
    await validator.default();
    const setup = {};
    for (const input of document.querySelectorAll('#setup-form input, #setup-form textarea')) {
      if (input.value !== '') setup[input.id] = input.value;
    }
    return validator.check(setup);
  });
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
      // Three slips in the values, and three scopes consent refuses: never enabled on the app.
      assert.match(await page.textContent('#summary'), /6 errors/);
      // The offending text is highlighted in the field itself.
      const marks = await page.$$eval('[data-field="scopes"] .hl-backdrop mark', (m) => m.map((x) => x.textContent));
      assert.ok(marks.includes('ace:confluence'), `highlights: ${marks}`);
      // Severity is written out, not only coloured.
      const label = await page.textContent('[data-findings-for="scopes"] li[data-rule="scope/unknown"] .severity');
      assert.match(label, /error/i);
    }));

  test('the guide\'s setup for the ServiceNow spoke: consent will fail, two actions lack scopes, and the list to request', () =>
    withPage('uses-servicenow', async (page) => {
      await loadPreset(page, 'servicenow-authorization-code');
      assert.equal(await page.inputValue('#uses'), 'servicenow');
      // Consent fails: three requested scopes are not enabled on the app (the help says where).
      const notOnApp = page.locator('[data-findings-for="scopes"] li[data-rule="scope/not-on-app"]');
      assert.equal(await notOnApp.count(), 3);
      assert.match(await notOnApp.first().textContent(), /read:page:confluence[\s\S]*not enabled on the app/);
      // Two of the spoke's actions need a scope the list lacks: warnings (the calls are inferred).
      const insufficient = page.locator('[data-findings-for="scopes"] li[data-rule="scope/insufficient"]');
      assert.equal(await insufficient.count(), 2);
      const texts = await insufficient.allTextContents();
      assert.match(texts[0], /Look up Spaces Stream[\s\S]*read:space:confluence/);
      assert.match(texts[1], /Report Personal Data[\s\S]*report:personal-data/);
      // The exact list to request, from the core's scopesFor, each scope with the calls that need it.
      const expected = await page.evaluate(async () => {
        const validator = await import('./pkg/threelo.js');
        await validator.default();
        return validator.scopesFor('servicenow');
      });
      assert.equal(expected.scope, 'read:page:confluence read:space:confluence search:confluence '
        + 'read:confluence-groups write:confluence-groups read:confluence-user report:personal-data');
      assert.equal(await page.isVisible('#least-privilege'), true);
      assert.equal(await page.textContent('#out-least-scope'), expected.scope);
      const listed = await page.$$eval('#least-scopes li', (items) => items.map((li) => [li.dataset.scope, li.textContent]));
      assert.deepEqual(listed.map(([scope]) => scope), expected.scope.split(' '));
      assert.match(listed[1][1], /inferred for servicenow: Look up Spaces Stream/);
      await page.click('[data-copy="out-least-scope"]');
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected.scope);
    }));

  test('the "I will call…" picker searches operations and spoke actions and adds the pick to the uses', () =>
    withPage('uses-picker', async (page) => {
      await loadPreset(page, 'blank');
      await page.fill('#scopes', 'read:confluence-content.all offline_access');
      assert.equal(await page.isVisible('#least-privilege'), false, 'no uses, no list');
      // With no query: the spoke's nine actions.
      assert.equal(await page.locator('#use-results button[data-use^="servicenow: "]').count(), 9);
      // Words match anywhere in the method, the path and the operationId.
      await page.fill('#use-search', 'get pages/{id} v2');
      const pick = page.locator('#use-results button[data-use="GET /wiki/api/v2/pages/{id}"]');
      await pick.waitFor();
      assert.match(await pick.textContent(), /getPageById/);
      await pick.click();
      assert.equal(await page.inputValue('#uses'), 'GET /wiki/api/v2/pages/{id}');
      // Checked as typing would be: a v2 call with only classic scopes requested.
      const onScopes = await shownRules(page, 'scopes');
      assert.ok(onScopes.includes('scope/v2-needs-granular'), `findings on the scopes: ${onScopes}`);
      assert.equal(await page.textContent('#out-least-scope'), 'read:page:confluence');
      // A second pick goes on a line of its own; picking it again adds nothing.
      await page.fill('#use-search', 'getSpaces');
      await page.locator('#use-results button[data-use="GET /wiki/api/v2/spaces"]').click();
      await page.locator('#use-results button[data-use="GET /wiki/api/v2/spaces"]').click();
      assert.equal(await page.inputValue('#uses'), 'GET /wiki/api/v2/pages/{id}\nGET /wiki/api/v2/spaces');
      assert.equal(await page.textContent('#out-least-scope'), 'read:page:confluence read:space:confluence');
      await page.fill('#use-search', 'zzzz-no-such-call');
      assert.match(await page.textContent('#use-results'), /No operation or spoke action matches/);
      await page.click('#pick-servicenow');
      assert.match(await page.inputValue('#uses'), /\nservicenow$/);
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

  for (const preset of ['servicenow-client-credentials', 'servicenow-authorization-code']) {
    test(`Apply all fixes on the ${preset} preset: every safe fix in one click, and Undo puts every field back`, () =>
      withPage(`apply-all-${preset}`, async (page) => {
        await loadPreset(page, preset);
        const before = await formValues(page);
        const rulesBefore = await shownRules(page);
        const safe = await offeredFixes(page, 'safe');
        assert.ok(safe > 0, 'the preset offers safe fixes');
        assert.equal(await page.isEnabled('#apply-all'), true);
        assert.equal(await page.isHidden('#undo-fixes'), true);

        await page.click('#apply-all');
        assert.equal(await offeredFixes(page, 'safe'), 0, 'a safe fix is still offered');
        assert.equal((await coreReport(page)).findings.filter((f) => f.fix?.applicability === 'safe').length, 0,
          'the core still offers a safe fix');
        assert.equal(await page.isDisabled('#apply-all'), true, 'Apply all fixes is enabled with nothing to apply');
        assert.equal(await page.inputValue('#scopes'), FIXED_SCOPES[preset]);
        assert.equal(await page.inputValue('#revocation_url'), '');
        assert.equal(await page.inputValue('#client_secret'), before.client_secret, 'the secret field was written');
        for (const field of ['client_id', 'grant_type', 'token_url', 'api_base_url']) {
          assert.equal(await page.inputValue(`#${field}`), before[field], `${field} changed`);
        }
        assert.equal(await page.textContent('#out-scope'), FIXED_SCOPES[preset], 'the values to paste follow');
        assert.match(await page.textContent('#fix-status'), new RegExp(`^Fixed ${safe} findings\\.`));
        assert.equal(await page.isVisible('#undo-fixes'), true);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'undo-fixes', 'Undo does not have the focus');
        await screenshot(page, `apply-all-${preset}-after`);

        if (preset === 'servicenow-client-credentials') {
          assert.deepEqual(await shownRules(page), ['grant/service-account']);
          await page.click('#undo-fixes');
        } else {
          // Ctrl+Z undoes too, when the focus is not in a text field.
          await page.keyboard.press('Control+z');
        }
        assert.deepEqual(await formValues(page), before, 'Undo left a field as it was fixed');
        assert.deepEqual(await shownRules(page), rulesBefore);
        assert.equal(await page.isEnabled('#apply-all'), true);
        assert.equal(await page.isHidden('#undo-fixes'), true);
        assert.match(await page.textContent('#fix-status'), /^Undone/);
      }));
  }

  test('Apply all fixes leaves a guess to its own button, and typing ends Undo', () =>
    withPage('apply-all-leaves-guesses', async (page) => {
      await loadPreset(page, 'blank');
      assert.equal(await page.isDisabled('#apply-all'), true, 'Apply all fixes with no safe fix to apply');
      await page.fill('#client_id', CLIENT_ID);
      await page.fill('#callback_url', CALLBACK);
      await page.fill('#scopes', 'read:page:confluence search:confluence');
      await page.fill('#revocation_url', 'https://auth.atlassian.com/oauth/token');
      const guess = page.locator('li[data-rule="scope/offline-access-missing"] button.apply-fix');
      assert.equal(await guess.getAttribute('data-applicability'), 'unsafe');
      assert.match(await guess.textContent(), /Apply fix \(a guess\)/);
      assert.match(await guess.getAttribute('title'), /^A guess: set Scopes to: read:page:confluence search:confluence offline_access$/);

      await page.click('#apply-all');
      assert.equal(await page.inputValue('#revocation_url'), '');
      assert.equal(await page.inputValue('#scopes'), 'read:page:confluence search:confluence', 'Apply all applied a guess');
      assert.equal(await page.textContent('#fix-status'), 'Fixed 1 finding. 1 guess is left for you, on its finding.');
      assert.equal(await guess.count(), 1);
      await screenshot(page, 'apply-all-guess-left');

      await guess.click();
      assert.equal(await page.inputValue('#scopes'), 'read:page:confluence search:confluence offline_access');
      assert.deepEqual(await shownRules(page, 'scopes'), []);
      assert.equal(await page.textContent('#fix-status'), 'Fixed 1 finding.');
      await page.click('#undo-fixes');
      assert.equal(await page.inputValue('#scopes'), 'read:page:confluence search:confluence');

      // Typing after an Apply: Undo would throw the typing away, so it is gone.
      await page.fill('#revocation_url', 'https://auth.atlassian.com/oauth/token');
      await page.click('#apply-all');
      assert.equal(await page.isVisible('#undo-fixes'), true);
      await page.locator('#client_id').press('End');
      await page.keyboard.type(' ');
      assert.equal(await page.isHidden('#undo-fixes'), true);
      assert.equal(await page.textContent('#fix-status'), '');
    }));

  test('the values to paste into ServiceNow are the core\'s: grant, endpoints, and Government Cloud\'s when the token URL is', () =>
    withPage('servicenow-values', async (page) => {
      const value = (id) => page.textContent(`#out-sn-${id}`);
      await loadPreset(page, 'servicenow-client-credentials');
      let { normalized } = await coreReport(page);
      assert.equal(normalized.grant, 'client_credentials');
      assert.equal(await value('grant-type'), 'Client Credentials');
      assert.equal(await value('token-url'), normalized.endpoints.token_url);
      assert.equal(await value('connection-url'), normalized.endpoints.api_base_url);
      assert.equal(normalized.endpoints.authorization_url, undefined);
      assert.match(await value('authorization-url'), /^Leave empty/);
      assert.match(await value('redirect-url'), /^Leave empty/);
      assert.equal(await page.textContent('#out-authorize-url'), normalized.authorize_url_unavailable);

      await loadPreset(page, 'blank');
      await page.fill('#client_id', CLIENT_ID);
      await page.fill('#callback_url', CALLBACK);
      await page.fill('#scopes', 'read:page:confluence offline_access');
      await page.fill('#token_url', 'https://auth.atlassian-us-gov-mod.com/oauth/token');
      ({ normalized } = await coreReport(page));
      assert.equal(normalized.cloud, 'government');
      assert.equal(await value('grant-type'), 'Authorization Code');
      assert.equal(await value('token-url'), 'https://auth.atlassian-us-gov-mod.com/oauth/token');
      assert.equal(await value('authorization-url'), 'https://auth.atlassian-us-gov-mod.com/authorize');
      assert.equal(await value('connection-url'), 'https://api.atlassian-us-gov-mod.com/');
      assert.deepEqual(
        { authorization_url: await value('authorization-url'), token_url: await value('token-url'), api_base_url: await value('connection-url') },
        normalized.endpoints,
      );
      assert.equal(await value('redirect-url'), CALLBACK);
      assert.equal(await page.textContent('#out-authorize-url'), normalized.authorize_url);
      assert.match(normalized.authorize_url, /^https:\/\/auth\.atlassian-us-gov-mod\.com\/authorize\?/);

      await page.fill('#grant_type', 'password');
      ({ normalized } = await coreReport(page));
      assert.equal(normalized.grant, 'unsupported');
      assert.match(await value('grant-type'), /^Not a grant Atlassian offers/);
      assert.equal(await page.textContent('#out-authorize-url'), normalized.authorize_url_unavailable);
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

  test('a secret pasted into what the client calls is not echoed by the least-privilege list', () =>
    withPage('secret-in-uses', async (page) => {
      await loadPreset(page, 'blank');
      // A concrete path names an operation, and the list names the calls as typed, unless hidden.
      await page.fill('#uses', `GET /wiki/api/v2/pages/${SECRET}`);
      assert.equal(await page.textContent('#out-least-scope'), 'read:page:confluence');
      assert.equal(await page.textContent('#least-scopes li'), 'read:page:confluence');
      // A use shown as typed, until the same text is typed as the client secret: the list is drawn
      // again, without it, though the uses field did not change.
      await page.fill('#uses', 'GET /wiki/api/v2/pages/Zq9xWv7tLp3kQ8');
      assert.match(await page.textContent('#least-scopes li'), /documented for GET \/wiki\/api\/v2\/pages\/Zq9xWv7tLp3kQ8/);
      await page.fill('#client_secret', 'Zq9xWv7tLp3kQ8');
      assert.equal(await page.textContent('#least-scopes li'), 'read:page:confluence');
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
      // What each rule's fixes are, what it rests on, and the field's label: the core's words.
      const core = await page.evaluate(async () => {
        const validator = await import('./pkg/threelo.js');
        await validator.default();
        return { rules: validator.rules(), fields: validator.fields() };
      });
      const label = Object.fromEntries(core.fields.map((field) => [field.key, field.label]));
      for (const rule of core.rules) {
        const section = page.locator(`[id="rule-${rule.code}"]`);
        assert.equal(await section.locator('.rule-fixes').textContent(), rule.fixes.replaceAll('`', ''), rule.code);
        assert.equal(await section.locator('.rule-basis').textContent(), `Basis: ${rule.basis_text}`, rule.code);
        assert.equal(await section.locator('.rule-field').textContent(), `Field: ${label[rule.field]}`, rule.code);
      }
      assert.equal(await page.textContent('label[for="redirect_url"]'), label.redirect_url);
    }));

  test('Paste the error you got: the cause, what to change against the setup above, and the cause\'s anchor', () =>
    withPage('explain-panel', async (page) => {
      await loadPreset(page, 'servicenow-authorization-code');
      assert.equal(await page.isHidden('#diagnosis'), true, 'nothing pasted, nothing said');
      await page.fill('#incident-text', 'Something went wrong. The app requested scopes that have not been added to the app.');
      await page.waitForSelector('#diagnosis[data-cause="consent/scope-not-on-app"]');
      // The findings of the guide's setup that bear on it: the three scopes it never enabled.
      const bearing = await page.$$eval('#diagnosis .diagnosis-findings li', (items) => items.map((li) => li.dataset.rule));
      assert.deepEqual(bearing.filter((rule) => rule === 'scope/not-on-app').length, 3, bearing.join(' '));

      // An API's answer with its request: the operation and the scope the setup lacks, from the catalog.
      await page.fill('#incident-text', '{"code":401,"message":"Unauthorized; scope does not match"}');
      await page.click('#explain-section summary');
      await page.fill('#incident-status', '401');
      await page.selectOption('#incident-method', 'GET');
      await page.fill('#incident-url', 'https://api.atlassian.com/ex/confluence/0a1b2c3d-0000-4000-8000-0123456789ab/wiki/api/v2/spaces');
      await page.waitForSelector('#diagnosis[data-cause="api/scope-does-not-match"]');
      assert.match(await page.textContent('#diagnosis .diagnosis-summary'), /GET \/wiki\/api\/v2\/spaces needs read:space:confluence/);
      assert.equal(await page.getAttribute('#diagnosis .diagnosis-fixes li', 'data-field'), 'scopes');
      // The setup changes, the diagnosis follows: with the scope requested, nothing is lacking.
      await page.fill('#scopes', 'read:space:confluence offline_access');
      await page.waitForFunction(() => !document.querySelector('#diagnosis .diagnosis-summary').textContent.includes('does not request'));
      assert.match(await page.textContent('#diagnosis .diagnosis-fixes'), /Consent again/);

      // A status that is none is said so; the page's answer is the core's own, whole.
      await page.fill('#incident-status', '4010');
      assert.equal(await page.isVisible('#incident-status-problem'), true);
      await page.fill('#incident-status', '401');
      const core = await page.evaluate(async () => {
        const validator = await import('./pkg/threelo.js');
        await validator.default();
        return validator.explain({ text: document.getElementById('incident-text').value, status: 401, method: 'GET',
          url: document.getElementById('incident-url').value }, { scopes: 'read:space:confluence offline_access' });
      });
      assert.equal(await page.getAttribute('#diagnosis', 'data-cause'), core.cause);

      // Every cause has its section below the rules, and the diagnosis links to it.
      const causes = await page.$$eval('section.cause', (nodes) => nodes.map((node) => node.id));
      assert.ok(causes.includes('cause-api/scope-does-not-match') && causes.includes('cause-unknown'), causes.join(' '));
      await page.click('#diagnosis .diagnosis-more a');
      assert.equal(await page.evaluate(() => location.hash), '#cause-api/scope-does-not-match');
      assert.match(await page.textContent('[id="cause-api/scope-does-not-match"] .rule-explanation'), /scope does not match/);
    }));

  test('an error pasted with a token and the secret in it shows neither back', () =>
    withPage('explain-panel-redacted', async (page) => {
      await loadPreset(page, 'servicenow-authorization-code');
      await page.fill('#client_secret', SECRET);
      const token = 'eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20tQUNDRVNTIiwiYWxnIjoiUlMyNTYifQ.eyJzdWIiOiI1ZjAwIn0';
      await page.fill('#incident-text',
        `{"error":"access_denied","error_description":"Unauthorized: client_secret=${SECRET} token=${token}"}`);
      await page.click('#explain-section summary');
      await page.fill('#incident-status', '401');
      await page.waitForSelector('#diagnosis[data-cause="token/client-auth-failed"]');
      const shown = await page.textContent('#diagnosis');
      assert.ok(!shown.includes(SECRET.slice(8)) && !shown.includes(token.slice(8)), shown);
      assert.match(shown, /Unauthorized: client_secret=ATOA… \(76 characters\)/);
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

  test('From ServiceNow: a pasted template fills what ServiceNow holds, keeps the rest, and says where each value came from', () =>
    withPage('from-servicenow-template', async (page) => {
      await loadPreset(page, 'blank');
      await page.fill('#callback_url', CALLBACK);
      await page.fill('#uses', 'servicenow');
      // The reader is a module of its own, not loaded until something is read.
      const loadedBefore = await page.evaluate(() =>
        performance.getEntriesByType('resource').filter((entry) => entry.name.includes('threelo_servicenow')).length);
      assert.equal(loadedBefore, 0);
      // The common slip: the profile names the entity scope's name instead of its value.
      const template = JSON.parse(readFileSync(join(ROOT, 'examples', 'servicenow-authorization-code.template.json'), 'utf8'));
      const entity = template.credential.oauth_entity;
      entity.oauth_entity_profile[0].oauth_entity_profile_scope = [entity.oauth_entity_scope[0].name];
      const text = JSON.stringify(template, null, 2);
      await page.click('#from-servicenow summary');
      // Pasted, as an admin would: read at once, not after the pause typing gets.
      await page.evaluate((text) => navigator.clipboard.writeText(text), text);
      await page.focus('#servicenow-text');
      await page.keyboard.press('Control+V');
      await page.waitForSelector('#servicenow-result:not([hidden])', { timeout: 2000 });
      const answer = await page.evaluate(async (text) => {
        const reader = await import('./pkg/servicenow/threelo_servicenow.js');
        await reader.default();
        return reader.setupFromServiceNow(text);
      }, text);
      assert.equal(answer.form, 'template');
      // Every field ServiceNow speaks for holds the core's value; the others are as typed.
      const values = await formValues(page);
      for (const field of answer.fields) assert.equal(values[field], answer.setup[field] ?? '', field);
      assert.equal(values.client_secret, entity.client_secret);
      assert.equal(values.callback_url, CALLBACK);
      assert.equal(values.uses, 'servicenow');
      // The pasted text (which holds the secret in clear) is not kept in the box.
      assert.equal(await page.inputValue('#servicenow-text'), '');
      assert.match(await page.textContent('#servicenow-status'), /Read a configuration template: \d+ fields filled/);
      // The findings only the records show, drawn like the form's, linking to their rules.
      const shown = await page.$$eval('#servicenow-findings li.finding', (items) => items.map((li) => li.dataset.rule));
      assert.deepEqual(shown, answer.findings.map((finding) => finding.rule));
      assert.ok(shown.includes('servicenow/profile-scope-unmatched'), `${shown}`);
      assert.equal(await page.locator('#servicenow-findings a[href="#rule-servicenow/profile-scope-unmatched"]').count(), 1);
      // The form's own findings are the core's for the setup now in the form.
      const report = await coreReport(page);
      const inForm = await page.$$eval('#setup-form li.finding', (items) => items.map((item) => item.dataset.rule));
      assert.deepEqual(inForm.sort(), report.findings.map((finding) => finding.rule).sort());
      // Where each value came from: listed, and noted under each field while it holds that value.
      const origins = await page.$$eval('#servicenow-origins dd', (items) => items.map((dd) => dd.textContent));
      assert.deepEqual(origins, answer.origins.map((origin) => origin.origin));
      assert.ok(origins.includes('credential.oauth_entity.redirect_url'), `${origins}`);
      const note = '[data-field="redirect_url"] .field-origin';
      assert.equal(await page.textContent(note), 'From ServiceNow: credential.oauth_entity.redirect_url');
      await page.fill('#redirect_url', CALLBACK);
      assert.equal(await page.locator(note).count(), 0);
      // The secret is in its masked field only.
      const body = await page.evaluate(() => document.body.innerText);
      assert.ok(!body.includes(entity.client_secret.slice(8)), 'the secret is shown');
    }));

  test('From ServiceNow: an XML export chosen as a file keeps the typed secret; a DOCTYPE is refused with the reason', () =>
    withPage('from-servicenow-export', async (page) => {
      await loadPreset(page, 'blank');
      await page.fill('#client_secret', SECRET);
      await page.click('#from-servicenow summary');
      const file = join(ROOT, 'examples', 'servicenow-client-credentials.export.xml');
      const xml = readFileSync(file, 'utf8');
      await page.setInputFiles('#servicenow-file', file);
      await page.waitForSelector('#servicenow-result:not([hidden])');
      assert.match(await page.textContent('#servicenow-status'),
        /Read an XML export \(servicenow-client-credentials\.export\.xml\): \d+ fields filled/);
      assert.equal(await page.inputValue('#grant_type'), 'client_credentials');
      // An exported secret is ServiceNow's encrypted value: the one typed stays, the exported one is never shown.
      assert.equal(await page.inputValue('#client_secret'), SECRET);
      const encrypted = xml.split('<client_secret>')[1].split('<')[0];
      const shown = await page.$$eval('#servicenow-findings li.finding', (items) => items.map((li) => li.dataset.rule));
      assert.ok(shown.includes('servicenow/encrypted-secret'), `${shown}`);
      const body = await page.evaluate(() => document.body.innerText);
      assert.ok(!body.includes(encrypted), 'the exported secret is shown');
      assert.match(body, /oauth_entity "Confluence Cloud", column token_url, line 10/);
      // Hostile XML is refused with the core's reason, and the form is left as it is.
      const before = await formValues(page);
      await page.setInputFiles('#servicenow-file', {
        name: 'bomb.xml',
        mimeType: 'text/xml',
        buffer: Buffer.from('<?xml version="1.0"?><!DOCTYPE unload [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]><unload>&b;</unload>'),
      });
      await page.waitForSelector('#servicenow-error:not([hidden])');
      assert.match(await page.textContent('#servicenow-error'), /Not read\. bomb\.xml: The XML declares a DOCTYPE/);
      assert.equal(await page.isVisible('#servicenow-result'), false);
      assert.deepEqual(await formValues(page), before);
    }));

  test('the footer shows the validator\'s version, the one its npm package declares', () =>
    withPage('version', async (page) => {
      // pkg/package.json is written by scripts/write-pkg-manifest.mjs; the text is what the wasm's version() says.
      const { version } = JSON.parse(readFileSync(join(ROOT, 'www', 'pkg', 'package.json'), 'utf8'));
      assert.match(version, /^\d+\.\d+\.\d+/);
      assert.equal(await page.textContent('#version'), version);
    }));
});
