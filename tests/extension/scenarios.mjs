// The browser extension at work, the same scenarios and assertions in each browser
// (chromium.test.mjs, firefox.test.mjs): the built extension on fixture pages served under the real
// addresses of the Atlassian developer console and of a ServiceNow instance. One browser per file;
// each scenario opens its own tab, asserts that its page logged nothing, and leaves a screenshot in
// artifacts/screenshots/extension-<browser>-*.png.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  EXTENSION, URLS, forget, launchWithExtension, remembered, scanned, tabStatus, waitRemembered, waitSettled,
} from './harness.mjs';
import { until } from './surface.mjs';

const CLIENT_ID = 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'; // the Settings fixture's
const SECRET = 'ATOAxK7fQ2mZp9LrT4vW8yB1nC6hJ3sD5gF0aE2iU7oY9kM4qR8tX1zV6bN3wP5cLm7Q0A1B2C3D';
const CALLBACK = 'https://dev12345.service-now.com/oauth_redirect.do';
const ARI = 'ari:cloud:ecosystem::app/6f1b2c3d-0000-4000-8000-1234567890ab';

export function scenarios(browserName) {
  let browser;

  before(async () => {
    browser = await launchWithExtension(browserName);
  });
  after(async () => {
    await browser?.close();
  });

  /**
   * Runs `scenario` in `tab`, screenshots, and asserts the tab logged no problem; closes the tab.
   */
  async function inOpenTab(name, tab, scenario) {
    try {
      await scenario(tab);
      await tab.screenshot(name);
      assert.deepEqual(tab.problems, [], 'the page logged problems');
    } finally {
      await tab.close();
    }
  }

  /** `inOpenTab` on a new tab at `url`; the memory starts empty unless `keepMemory`. */
  async function inTab(name, url, scenario, { keepMemory = false } = {}) {
    if (!keepMemory) await forget(browser);
    await inOpenTab(name, await browser.open(url), scenario);
  }

  function inPopup(name, scenario) {
    return browser.openPopup().then((tab) => inOpenTab(name, tab, scenario));
  }

  /** Confirms ServiceNow instance `host` in the popup, so that the console checks against its values. */
  function confirmInPopup(host) {
    return inPopup('popup-confirm-instance', async (popup) => {
      const button = popup.button(`Check the console against ${host}`);
      await button.click();
      await button.gone();
    });
  }

  describe('the Atlassian developer console', () => {
    test('a wrong callback shows its rule beside the Callback URL field, and Apply fix fixes it as typing would', () =>
      inTab('console-callback', URLS.authorization, async (tab) => {
        const input = tab.field('Callback URL');
        await input.type('http://dev12345.service-now.com/oauth_redirect.do');
        const insecure = await tab.waitForRule('callback_url', 'callback/insecure');
        assert.match(await insecure.text(), /Error:/, 'the severity is written out');
        const [host] = await tab.placed();
        assert.equal(host.after, 'callbackUrl', 'the findings sit right under the field\'s box');

        const events = await tab.evaluate(() => window.inputEvents);
        await insecure.button('Apply fix').click();
        assert.equal(await input.value(), CALLBACK);
        assert.ok(await tab.evaluate(() => window.inputEvents) > events, 'the page saw an input event');
        assert.equal(await tab.button('Save changes').enabled(), true);
        await insecure.gone();

        await input.fill(`${CALLBACK}/`);
        await tab.waitForRule('callback_url', 'callback/servicenow-path');
        await input.fill('https://instance.service-now.com/oauth_redirect.do');
        await tab.waitForRule('callback_url', 'callback/placeholder');
        // Firefox types the value over the selection, and a prefix such as `…/oauth_redirect.d`
        // shows both rules: the whole list is asserted once the last keystroke's check is drawn.
        await waitSettled(browser, tab);
        assert.deepEqual(await tab.rulesFor('callback_url'), ['callback/placeholder']);
      }));

    test('a Permissions page shows each wrong scope in its own row, and ignores scopes not added', () =>
      inTab('console-permissions', URLS.permissions, async (tab) => {
        await tab.waitForRule('scopes#3', 'scope/not-for-oauth-apps');
        await waitSettled(browser, tab);
        const hosts = await tab.placed();
        const byCode = Object.fromEntries(hosts.filter((host) => host.code).map((host) => [host.code, host.rules]));
        assert.deepEqual(byCode, {
          'read:confluence-space': ['scope/unknown'],
          'write:connect-confluence': ['scope/not-for-oauth-apps'],
        });
        // One API's page: no "offline_access missing" or "classic only" about the app as a whole.
        assert.deepEqual(hosts.filter((host) => !host.code), []);
        assert.match(hosts.find((host) => host.code === 'read:confluence-space').text, /read:confluence-space\.summary/);
        await tab.screenshot('console-permissions-classic');

        // The granular tab says "Added" or "Not added" instead of Remove and Add.
        await tab.button('Granular scopes').click();
        await tab.waitForRule('scopes#1', 'scope/case');
        const granular = Object.fromEntries((await tab.placed()).filter((host) => host.code).map((host) => [host.code, host.rules]));
        assert.deepEqual(granular, { 'READ:space:confluence': ['scope/case'] });
      }));

    test('the Settings page shows the client ID and is remembered, but the secret never is', () =>
      inTab('console-settings', URLS.settings, async (tab) => {
        await waitRemembered(browser, 'atlassian', 'client_id', CLIENT_ID);
        // Counted before the click: the read the click causes may come before any count after it.
        const { scans } = await waitSettled(browser, tab);
        await tab.button('Show').click();
        await tab.waitForText(SECRET);
        await waitSettled(browser, tab, { after: scans });
        assert.equal(await tab.count('threelo-findings'), 0, 'a sound ID and secret have no findings');
        assert.ok(!JSON.stringify(await remembered(browser)).includes(SECRET.slice(4, 24)), 'the secret was stored');
        assert.deepEqual((await tabStatus(browser, tab))?.fields, ['Client ID', 'Secret']);
      }));

    test('a page with none of the fields is left exactly as it was, and nothing is logged', () =>
      inTab('console-landing', URLS.myApps, async (tab) => {
        const { scans } = await waitSettled(browser, tab);
        await tab.field('Search apps').type('confluence');
        await waitSettled(browser, tab, { after: scans });
        const fixture = readFileSync(new URL('./fixtures/console-myapps.html', import.meta.url), 'utf8');
        const counts = await tab.evaluate((html) => ({
          now: document.querySelectorAll('*').length,
          served: new DOMParser().parseFromString(html, 'text/html').querySelectorAll('*').length,
          hosts: document.querySelectorAll('threelo-findings').length,
        }), fixture);
        assert.equal(counts.hosts, 0);
        assert.equal(counts.now, counts.served, 'the page gained or lost elements');
        assert.equal(await tabStatus(browser, tab), null, 'the popup is told no fields were found');
        assert.deepEqual(tab.messages, [], 'the page logged something');

        // The script was there all along: when the single-page app renders a Callback URL field, it wakes up.
        await tab.evaluate(() => {
          const main = document.querySelector('main');
          main.insertAdjacentHTML('beforeend', '<label for="cb">Callback URL</label><input id="cb">');
        });
        await tab.element('#cb').fill('https://dev12345.service-now.com/oauth_redirect.do#x');
        await tab.waitForRule('callback_url', 'callback/fragment');
      }));

    test('a page cannot reach the extension: no runtime to message, and posted messages change nothing', () =>
      inTab('console-page-messages', URLS.authorization, async (tab) => {
        const input = tab.field('Callback URL');
        await input.type('http://dev12345.service-now.com/oauth_redirect.do');
        await tab.waitForRule('callback_url', 'callback/insecure');
        const before = await remembered(browser);
        const tried = await tab.evaluate((extensionId) => {
          const planted = { kind: 'check', fields: { client_id: 'planted-client-id', redirect_url: 'https://evil.example/cb' } };
          window.postMessage(planted, '*');
          window.postMessage({ kind: 'recheck' }, '*');
          window.postMessage({ kind: 'status' }, '*');
          const runtime = globalThis.chrome?.runtime ?? globalThis.browser?.runtime;
          if (!runtime?.sendMessage) return 'no runtime';
          try {
            runtime.sendMessage(extensionId, planted);
            return 'sent';
          } catch (error) {
            return `refused: ${error.message}`;
          }
        }, browser.extensionId);
        assert.notEqual(tried, 'sent', 'the page could message the extension');
        // The positive signal that the extension is still checking this page after the attempts.
        await input.fill(`${CALLBACK}#x`);
        await tab.waitForRule('callback_url', 'callback/fragment');
        const after = await remembered(browser);
        assert.ok(!JSON.stringify(after).includes('planted-client-id'), 'a planted client ID was remembered');
        assert.ok(!JSON.stringify(after).includes('evil.example'), 'a planted redirect URL was remembered');
        assert.deepEqual(Object.keys(after).sort(), Object.keys(before).sort());
      }));

    test('text that only follows a "Client ID" label is not taken for the client ID', () =>
      inTab('console-unlabelled-text', URLS.myApps, async (tab) => {
        // A label tied to nothing, with an ID-shaped text right after it; and, as the positive signal
        // that the extension has looked at this markup, a labelled Callback URL field with a finding.
        await tab.evaluate((id) => {
          document.querySelector('main').insertAdjacentHTML('beforeend',
            `<div><span>Client ID</span><div><span>${id}</span><button>Copy</button></div></div>`
            + '<label for="cb">Callback URL</label><input id="cb">');
        }, CLIENT_ID);
        await tab.element('#cb').fill('https://dev12345.service-now.com/oauth_redirect.do#x');
        await tab.waitForRule('callback_url', 'callback/fragment');
        assert.deepEqual((await tabStatus(browser, tab))?.fields, ['Callback URL']);
        assert.equal((await remembered(browser)).atlassian?.client_id, undefined, 'the unlabelled text was remembered');
      }));
  });

  describe('ServiceNow', () => {
    test('a comma-separated scope list shows scope/separator beside OAuth scope, and Apply fix space-joins it', () =>
      inTab('servicenow-scope-separator', URLS.oauthEntityScope, async (tab) => {
        const input = tab.field('OAuth scope');
        await input.fill('read:confluence-content.all,write:confluence-content,search:confluence,offline_access');
        const separator = await tab.waitForRule('scopes', 'scope/separator');
        assert.match(await separator.text(), /Warning:/);
        const [host] = await tab.placed();
        assert.equal(host.group, 'element.oauth_entity_scope.oauth_entity_scope');
        await tab.screenshot('servicenow-scope-separator-before-fix');
        // Leaving the field fires ServiceNow's own change; what counts is the one Apply fix fires.
        await input.blur();
        await tab.evaluate(() => { window.g_changes = []; });
        await separator.button('Apply fix').click();
        assert.equal(await input.value(), 'read:confluence-content.all write:confluence-content search:confluence offline_access');
        assert.deepEqual(await tab.evaluate(() => window.g_changes), ['oauth_entity_scope.oauth_entity_scope'],
          'ServiceNow\'s onchange saw the fix');
        await separator.gone();
      }));

    test('an app ARI pasted as Client ID shows client-id/app-ari beside it, in the classic UI\'s frame', () =>
      inTab('servicenow-client-id-ari', URLS.oauthEntityInFrame, async (tab) => {
        const form = await tab.frameNamed('gsft_main');
        await form.field('Client ID').fill(ARI);
        await form.waitForRule('client_id', 'client-id/app-ari');
        // The guide's Token Revocation URL is flagged beside its own field, on load.
        await form.waitForRule('revocation_url', 'endpoint/revocation-url');
        const groups = Object.fromEntries((await form.placed()).map((host) => [host.field, host.group]));
        assert.equal(groups.client_id, 'element.oauth_entity.client_id');
        assert.equal(groups.revocation_url, 'element.oauth_entity.token_revocation_url');
        assert.equal((await tabStatus(browser, tab))?.site, 'servicenow');
      }));

    test('Apply all safe fixes fixes every field at once, as typing would, through the core\'s applyFixes', () =>
      inTab('servicenow-apply-all', URLS.oauthEntity, async (tab) => {
        await tab.waitForRule('revocation_url', 'endpoint/revocation-url');
        await tab.field('Client ID').fill(` ${CLIENT_ID} `);
        await tab.field('Redirect URL').fill(`${CALLBACK}/`);
        await tab.waitForRule('client_id', 'client-id/whitespace');
        await tab.waitForRule('redirect_url', 'callback/servicenow-path');
        await waitSettled(browser, tab);
        await tab.evaluate(() => { window.g_changes = []; });
        assert.equal(await tab.count('button.apply-all'), 1, 'one Apply all on the page');
        const button = tab.anywhere('button.apply-all');
        assert.match(await button.text(), /^Apply all safe fixes \(\d+\)$/);
        await tab.screenshot('servicenow-apply-all-offered');
        const { scans } = await scanned(browser, tab);
        await button.click();
        await waitSettled(browser, tab, { after: scans });
        assert.equal(await tab.field('Client ID').value(), CLIENT_ID);
        assert.equal(await tab.field('Redirect URL').value(), CALLBACK);
        assert.equal(await tab.field('Token Revocation URL').value(), '');
        // The page's own onchange handlers (its g_form) were told of each field, as after typing.
        const changed = await tab.evaluate(() => window.g_changes);
        for (const id of ['oauth_entity.client_id', 'oauth_entity.redirect_url', 'oauth_entity.token_revocation_url']) {
          assert.ok(changed.includes(id), `the page's onchange never heard of ${id}`);
        }
        assert.equal(await tab.count('[data-applicability="safe"]'), 0, 'a safe fix is left');
        assert.equal(await tab.count('button.apply-all'), 0);
      }));

    test('a configuration template\'s Default Data Template is checked as a whole setup, each finding saying where in it', () =>
      inTab('servicenow-alias-template', URLS.aliasTemplate, async (tab) => {
        // The slip only the records show: the profile names the entity scope's name, not its value.
        const unmatched = await tab.waitForRule('template', 'servicenow/profile-scope-unmatched');
        assert.match(await unmatched.text(), /Confluence Cloud scopes/);
        await waitSettled(browser, tab);
        const [host] = await tab.placed();
        assert.equal(host.group, 'element.sys_alias_templates.default_data_template');
        // The setup's own findings, each saying where in the template its value is.
        assert.ok(host.rules.includes('callback/placeholder'), `${host.rules}`);
        assert.ok(host.rules.includes('endpoint/revocation-url'), `${host.rules}`);
        // The Redirect URL an admin starts from is the schema's default, which stands in for the template's.
        assert.match(host.text, /placeholder from a setup guideIn ServiceNow: Dynamic Data Schema › \[2\]\.defaultValue/);
        assert.match(host.text, /In ServiceNow: Default Data Template › credential\.oauth_entity\.revoke_token_url/);
        // The template's text is not the setup's: no fix is offered here (threelo check --fix rewrites a file).
        assert.equal(await tab.count('button.apply-fix'), 0);
        assert.ok(!host.text.includes(SECRET.slice(8, 40)), 'the secret is shown');
        await tab.screenshot('servicenow-alias-template-findings');
        // What ServiceNow will send is remembered for the cross-check, like the registry form's values.
        await waitRemembered(browser, 'servicenow', 'redirect_url', 'https://instance.service-now.com/oauth_redirect.do');
        // Correcting the template in its field clears the finding.
        const area = tab.field('Default Data Template');
        const template = JSON.parse(await area.value());
        const entity = template.credential.oauth_entity;
        entity.oauth_entity_profile[0].oauth_entity_profile_scope = [entity.oauth_entity_scope[0].oauth_entity_scope];
        await area.fill(JSON.stringify(template, null, 2));
        await unmatched.gone();
        await waitSettled(browser, tab);
        assert.ok((await tab.rulesFor('template')).includes('scope/unknown'), 'the scopes it now sends are checked');
        // Half-typed JSON is ServiceNow's to reject: nothing is shown until it reads again.
        await area.fill('{"credential": {"oauth_entity": {"client_id": "Ab3d');
        await tab.waitForNone('threelo-findings');
      }));

    test('an OAuth registration for another provider gets nothing', () =>
      inTab('servicenow-other-provider', URLS.oauthEntity, async (tab) => {
        await tab.waitForRule('revocation_url', 'endpoint/revocation-url');
        await tab.field('Name').fill('Microsoft Graph');
        await tab.field('Authorization URL').fill('https://login.microsoftonline.com/common/oauth2/v2.0/authorize');
        await tab.field('Token URL').fill('https://login.microsoftonline.com/common/oauth2/v2.0/token');
        await tab.field('Token Revocation URL').fill('');
        await tab.waitForNone('threelo-findings');
        await waitSettled(browser, tab);
        assert.equal(await tab.count('threelo-findings'), 0);
      }));
  });

  describe('the cross-check', () => {
    test('a Redirect URL with a trailing slash against the console\'s Callback URL is callback/mismatch', async () => {
      await inTab('crosscheck-console-callback', URLS.authorization, async (tab) => {
        await tab.field('Callback URL').fill(CALLBACK);
        await waitRemembered(browser, 'atlassian', 'callback_url', CALLBACK);
      });
      await inTab('crosscheck-servicenow-mismatch', URLS.oauthEntity, async (tab) => {
        const redirect = tab.field('Redirect URL');
        await redirect.fill(`${CALLBACK}/`);
        const mismatch = await tab.waitForRule('redirect_url', 'callback/mismatch');
        assert.match(await mismatch.text(), /trailing slash/);
        assert.equal((await tab.placed()).find((host) => host.field === 'redirect_url').group, 'element.oauth_entity.redirect_url');
        await tab.screenshot('crosscheck-servicenow-mismatch-before-fix');
        await mismatch.button('Apply fix').click();
        assert.equal(await redirect.value(), CALLBACK);
        await mismatch.gone();
        // ServiceNow's side is remembered too: put the slash back for the other direction.
        await redirect.fill(`${CALLBACK}/`);
        await waitRemembered(browser, 'servicenow', 'redirect_url', `${CALLBACK}/`);
      }, { keepMemory: true });
      await inTab('crosscheck-console-mismatch', URLS.authorization, async (tab) => {
        await tab.field('Callback URL').fill(CALLBACK);
        await waitSettled(browser, tab);
        assert.deepEqual(await tab.rulesFor('callback_url'), [], 'the console used an instance nobody confirmed');
        await confirmInPopup('dev12345.service-now.com');
        const mismatch = await tab.waitForRule('callback_url', 'callback/mismatch');
        assert.match(await mismatch.text(), /dev12345\.service-now\.com/);
        assert.equal(await mismatch.button('Apply fix').exists(), false, 'the fix is ServiceNow\'s to make');
      }, { keepMemory: true });
    });

    test('a Permissions page holds the scopes ServiceNow requests against those added there: scope/not-on-app in the row to Add', async () => {
      const requested = 'read:confluence-content.summary search:confluence read:page:confluence delete:page:confluence offline_access';
      await inTab('crosscheck-servicenow-scopes', URLS.oauthEntityScope, async (tab) => {
        await tab.field('OAuth scope').fill(requested);
        await waitRemembered(browser, 'servicenow', 'scopes', requested);
      });
      await inTab('crosscheck-permissions-not-on-app', URLS.permissions, async (tab) => {
        await tab.waitForRule('scopes#3', 'scope/not-for-oauth-apps');
        await waitSettled(browser, tab);
        const codes = async () => Object.fromEntries((await tab.placed()).filter((host) => host.code).map((host) => [host.code, host.rules]));
        assert.equal((await codes())['read:confluence-content.summary'], undefined, 'the console used an instance nobody confirmed');
        await confirmInPopup('dev12345.service-now.com');
        const notOnApp = await tab.waitForRule('scopes#offered-0', 'scope/not-on-app');
        assert.match(await notOnApp.text(), /read:confluence-content\.summary[\s\S]*not enabled on the app/);
        assert.match(await notOnApp.text(), /Classic scopes tab[\s\S]*dev12345\.service-now\.com/);
        assert.equal(await notOnApp.button('Apply fix').exists(), false, 'the scope list is ServiceNow\'s to change');
        await waitSettled(browser, tab);
        // Only the row with Add that ServiceNow requests; the Forge scope is not requested, and
        // the granular ones are another tab's (this one says nothing about them).
        assert.deepEqual(await codes(), {
          'read:confluence-space': ['scope/unknown'],
          'write:connect-confluence': ['scope/not-for-oauth-apps'],
          'read:confluence-content.summary': ['scope/not-on-app'],
        });
        await tab.screenshot('crosscheck-permissions-not-on-app-classic');
        await tab.button('Granular scopes').click();
        await tab.waitForRule('scopes#offered-0', 'scope/not-on-app');
        await waitSettled(browser, tab);
        assert.deepEqual(await codes(), {
          'READ:space:confluence': ['scope/case'],
          'delete:page:confluence': ['scope/not-on-app'],
        });
      }, { keepMemory: true });
    });

    test('a console tab left open shows the mismatch as soon as ServiceNow\'s tab changes, and Forget clears it', async () => {
      await forget(browser);
      const first = await browser.open(URLS.authorization);
      try {
        await first.field('Callback URL').fill(CALLBACK);
        await waitRemembered(browser, 'atlassian', 'callback_url', CALLBACK);
        await inTab('crosscheck-second-tab', URLS.oauthEntity, async (tab) => {
          await tab.field('Redirect URL').fill(`${CALLBACK}/`);
          await waitRemembered(browser, 'servicenow', 'redirect_url', `${CALLBACK}/`);
        }, { keepMemory: true });
        await confirmInPopup('dev12345.service-now.com');
        const mismatch = await first.waitForRule('callback_url', 'callback/mismatch');
        await first.screenshot('crosscheck-console-tab-left-open');
        await inPopup('crosscheck-forget', async (popup) => {
          await popup.button('Forget').click();
          await until(() => popup.element('#remembered-empty').exists(), 'the popup to show an empty memory');
        });
        await mismatch.gone();
        assert.deepEqual(await remembered(browser), {}, 'the open tab undid Forget');
        assert.deepEqual(first.problems, []);
      } finally {
        await first.close();
      }
    });

    test('a Client ID in ServiceNow that differs from the console\'s is cross-check/client-id; no secret is kept', async () => {
      await inTab('crosscheck-console-settings', URLS.settings, async () => {
        await waitRemembered(browser, 'atlassian', 'client_id', CLIENT_ID);
      });
      await inTab('crosscheck-servicenow-client-id', URLS.oauthEntity, async (tab) => {
        const clientId = tab.field('Client ID');
        await clientId.fill('Zz9yXw8vUt7sRq6pOn5mLk4jIh3gFe2d');
        await tab.element('input[type="password"]').fill(SECRET); // a password field has no accessible role to find it by
        const mismatch = await tab.waitForRule('client_id', 'cross-check/client-id');
        assert.match(await mismatch.text(), new RegExp(CLIENT_ID));
        await tab.screenshot('crosscheck-servicenow-client-id-before-fix');
        await mismatch.button('Apply fix').click();
        assert.equal(await clientId.value(), CLIENT_ID);
        await mismatch.gone();
        await waitRemembered(browser, 'servicenow', 'client_id', CLIENT_ID);
        const stored = JSON.stringify(await remembered(browser));
        assert.ok(!stored.includes(SECRET.slice(4, 24)), 'the secret was stored');
        const shown = (await tab.placed()).map((host) => host.text).join(' ');
        assert.ok(!shown.includes(SECRET.slice(4, 24)), 'the secret is shown in a finding');
      }, { keepMemory: true });
    });
  });

  describe('the popup', () => {
    test('shows what is remembered, checks typed values, and Forget clears the memory', async () => {
      await inTab('popup-console-callback', URLS.authorization, async (tab) => {
        await tab.field('Callback URL').fill(CALLBACK);
        await waitRemembered(browser, 'atlassian', 'callback_url', CALLBACK);
      });
      await inPopup('popup', async (popup) => {
        await popup.setViewport(404, 900);
        const memory = popup.element('#remembered dd[data-site="atlassian"][data-field="callback_url"]');
        assert.equal(await until(() => memory.text(), 'the remembered Callback URL'), CALLBACK);
        await until(async () => /not found on this tab/.test(await popup.element('#tab-status').text()), 'the tab status');

        await popup.field('Client ID').fill(ARI);
        await until(() => popup.element('#findings-client_id li[data-rule="client-id/app-ari"]').exists(), 'client-id/app-ari');
        await popup.field('Scopes').fill('read:confluence-content.all,offline_access');
        await until(() => popup.element('#findings-scopes li[data-rule="scope/separator"]').exists(), 'scope/separator');
        await popup.button('Check these below').click();
        assert.equal(await popup.field('Callback URL').value(), CALLBACK);
        await popup.field('Redirect URL').fill(`${CALLBACK}/`);
        await until(() => popup.element('#findings-redirect_url li[data-rule="callback/mismatch"]').exists(), 'callback/mismatch');
        await popup.screenshot('popup-findings');

        await popup.element('#findings-scopes li[data-rule="scope/separator"]').button('Apply fix').click();
        assert.equal(await popup.field('Scopes').value(), 'read:confluence-content.all offline_access');
        await popup.button('Forget').click();
        await until(() => popup.element('#remembered-empty').exists(), 'the popup to show an empty memory');
        assert.equal(await popup.count('#remembered dd'), 0);
        assert.deepEqual(await remembered(browser), {});
        assert.equal(await popup.button('Forget').enabled(), false);
      });
    });
  });

  describe('the network', () => {
    test('no request left the browser for any other host', () => {
      assert.deepEqual(browser.foreign, []);
      assert.deepEqual(browser.backgroundProblems, [], 'the extension logged something');
    });
  });

  describe('the shipped build', () => {
    let shipped;
    before(async () => {
      shipped = await launchWithExtension(browserName, { extension: EXTENSION });
    });
    after(async () => {
      await shipped?.close();
    });

    test('a page cannot read the findings shown on it: their shadow roots are closed', async () => {
      const tab = await shipped.open(URLS.authorization);
      try {
        await tab.field('Callback URL').type('http://dev12345.service-now.com/oauth_redirect.do');
        await until(async () => (await tab.count('threelo-findings')) > 0, 'a findings host');
        // The positive signal, from the extension itself: it shows a finding here.
        const status = await until(async () => {
          const status = await tabStatus(shipped, tab);
          return status?.findings > 0 ? status : null;
        }, 'the extension to report a finding');
        assert.ok(status.findings > 0);
        // The page's view: each host is there, but its shadow root is not (an open one would be).
        const roots = await tab.evaluate(() => [...document.querySelectorAll('threelo-findings')].map((host) => host.shadowRoot));
        assert.ok(roots.length > 0);
        assert.deepEqual(roots, roots.map(() => null));
        assert.deepEqual(tab.problems, []);
      } finally {
        await tab.close();
      }
    });
  });
}
