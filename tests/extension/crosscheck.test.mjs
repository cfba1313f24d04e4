// The extension's cross-check logic (extension/crosscheck.js, memory.js's secret guard) on the real
// validator, in Node: what a page's fields become as a Setup, and which findings the page shows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { ROOT } from '../browser/harness.mjs';
import { cleanFields, compose, pair, present } from '../../extension/crosscheck.js';
import { KEPT } from '../../extension/memory.js';

const CALLBACK = 'https://dev12345.service-now.com/oauth_redirect.do';
const CLIENT_ID = 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';
const SECRET = 'ATOAxK7fQ2mZp9LrT4vW8yB1nC6hJ3sD5gF0aE2iU7oY9kM4qR8tX1zV6bN3wP5cLm7Q0A1B2C3D';
let check;
let crossCheck;
let hiddenFields;
let perScope;

before(async () => {
  const validator = await import(join(ROOT, 'pkg', 'threelo.js'));
  await validator.default({ module_or_path: readFileSync(join(ROOT, 'pkg', 'threelo_bg.wasm')) });
  check = validator.check;
  crossCheck = validator.crossCheck;
  hiddenFields = validator.hiddenFields;
  perScope = new Set(validator.rules().filter((rule) => rule.per_scope).map((rule) => rule.code));
});

const HOSTS = { atlassian: 'developer.atlassian.com', servicenow: 'dev12345.service-now.com' };

/** The findings a page of `site` shows for `fields`, given what is remembered. */
function shown(site, page, fields, remembered = {}, host = HOSTS[site]) {
  const { setup, borrowed } = compose(site, fields, remembered, host);
  const sides = pair(site, fields, remembered, host);
  const crossReport = sides ? crossCheck(sides.console, sides.client) : null;
  return present(check(setup), { site, page, fields, borrowed, remembered, crossReport, perScope }).findings;
}

const rules = (findings) => findings.map((finding) => `${finding.field} ${finding.rule}`);
const seen = (value, host) => ({ value, host, at: 0 });

describe('the cross-check', () => {
  test('ServiceNow\'s Redirect URL is checked against the console\'s Callback URL, with the fix', () => {
    const remembered = { atlassian: { callback_url: seen(CALLBACK, 'developer.atlassian.com') } };
    const findings = shown('servicenow', 'entity', { redirect_url: `${CALLBACK}/` }, remembered);
    const mismatch = findings.find((finding) => finding.rule === 'callback/mismatch');
    assert.equal(mismatch.field, 'redirect_url');
    assert.deepEqual(mismatch.fix, {
      field: 'redirect_url', applicability: 'safe', edits: [{ start: CALLBACK.length, end: CALLBACK.length + 1, insert: '' }],
      replacement: CALLBACK,
    });
    // The remembered callback's own findings belong to the console, not here.
    assert.ok(findings.every((finding) => finding.field === 'redirect_url'), rules(findings));
  });

  test('the console\'s Callback URL is checked against ServiceNow\'s Redirect URL, without a fix it cannot apply', () => {
    const remembered = {
      servicenow: { redirect_url: seen(`${CALLBACK}/`, 'dev12345.service-now.com') }, confirmed: ['dev12345.service-now.com'],
    };
    const findings = shown('atlassian', 'app', { callback_url: CALLBACK }, remembered);
    assert.deepEqual(rules(findings), ['callback_url callback/mismatch']);
    assert.equal(findings[0].fix, undefined);
    assert.equal(findings[0].span, undefined);
    assert.match(findings[0].help, /dev12345\.service-now\.com/);
    assert.deepEqual(shown('atlassian', 'app', { callback_url: '' }, remembered), [], 'an empty field is not compared');
  });

  test('without memory, each side is checked on its own, and only the fields the page has', () => {
    assert.deepEqual(rules(shown('servicenow', 'entity', { redirect_url: CALLBACK, client_id: CLIENT_ID })), []);
    assert.deepEqual(rules(shown('atlassian', 'app', { callback_url: 'http://dev12345.service-now.com/oauth_redirect.do' })),
      ['callback_url callback/insecure']);
  });

  test('client IDs that differ are cross-check/client-id on both sides; the fix only on ServiceNow\'s', () => {
    const other = 'Zz9yXw8vUt7sRq6pOn5mLk4jIh3gFe2d';
    const onServiceNow = shown('servicenow', 'entity', { client_id: other },
      { atlassian: { client_id: seen(CLIENT_ID, 'developer.atlassian.com') } });
    assert.deepEqual(rules(onServiceNow), ['client_id cross-check/client-id']);
    assert.deepEqual(onServiceNow[0].fix, {
      field: 'client_id', applicability: 'safe', edits: [{ start: 0, end: 32, insert: CLIENT_ID }], replacement: CLIENT_ID,
    });
    assert.match(onServiceNow[0].message, new RegExp(CLIENT_ID));
    assert.match(onServiceNow[0].help, /developer\.atlassian\.com/);
    const onConsole = shown('atlassian', 'app', { client_id: CLIENT_ID },
      { servicenow: { client_id: seen(other, 'dev12345.service-now.com') }, confirmed: ['dev12345.service-now.com'] });
    assert.deepEqual(rules(onConsole), ['client_id cross-check/client-id']);
    assert.equal(onConsole[0].fix, undefined);
    assert.match(onConsole[0].help, /dev12345\.service-now\.com/);
    // Surrounding whitespace is client-id/whitespace's business, not a different ID.
    assert.deepEqual(rules(shown('servicenow', 'entity', { client_id: `${CLIENT_ID} ` },
      { atlassian: { client_id: seen(CLIENT_ID, 'developer.atlassian.com') } })), ['client_id client-id/whitespace']);
  });

  test('the scope form takes the grant type last seen on the registry form', () => {
    const scopes = 'read:confluence-content.all read:me';
    assert.ok(rules(shown('servicenow', 'scope', { scopes })).includes('scopes scope/offline-access-missing'));
    const clientCredentials = shown('servicenow', 'scope', { scopes },
      { servicenow: { grant_type: seen('client_credentials', 'dev12345.service-now.com') } });
    assert.ok(!rules(clientCredentials).includes('scopes scope/offline-access-missing'));
    assert.ok(rules(clientCredentials).includes('scopes scope/no-user-context'));
  });

  test('the console borrows from a ServiceNow instance only once the user confirmed it', () => {
    const fromInstance = { servicenow: { redirect_url: seen(`${CALLBACK}/`, 'dev12345.service-now.com'),
      client_id: seen('Zz9yXw8vUt7sRq6pOn5mLk4jIh3gFe2d', 'dev12345.service-now.com') } };
    const fields = { callback_url: CALLBACK, client_id: CLIENT_ID };
    assert.deepEqual(rules(shown('atlassian', 'authorization', fields, fromInstance)), []);
    assert.equal(pair('atlassian', fields, fromInstance, 'developer.atlassian.com'), null);
    const confirmed = { ...fromInstance, confirmed: ['dev12345.service-now.com'] };
    assert.deepEqual(rules(shown('atlassian', 'authorization', fields, confirmed)).sort(),
      ['callback_url callback/mismatch', 'client_id cross-check/client-id']);
    const other = { ...fromInstance, confirmed: ['stranger.service-now.com'] };
    assert.deepEqual(rules(shown('atlassian', 'authorization', fields, other)), []);
  });

  test('a grant type seen on another ServiceNow instance is not borrowed', () => {
    const scopes = 'read:confluence-content.all read:me';
    const planted = { servicenow: { grant_type: seen('client_credentials', 'stranger.service-now.com') } };
    const findings = shown('servicenow', 'scope', { scopes }, planted);
    assert.ok(rules(findings).includes('scopes scope/offline-access-missing'));
    assert.ok(!rules(findings).includes('scopes scope/no-user-context'));
    assert.deepEqual(compose('servicenow', { scopes }, planted, 'dev12345.service-now.com').borrowed, {});
  });
});

describe('the Permissions page', () => {
  test('shows the rules about single scopes, not those about the app\'s whole list', () => {
    const findings = shown('atlassian', 'permissions', { scopes: 'read:confluence-content.all read:confluence-space openid' });
    assert.deepEqual(rules(findings).sort(), ['scopes scope/openid', 'scopes scope/unknown']);
  });
});

describe('secrets', () => {
  test('a message that would name the secret is redacted', () => {
    const report = { findings: [{ rule: 'x/y', severity: 'error', field: 'client_id', message: `a ${SECRET} b`, help: SECRET }] };
    const [finding] = present(report, {
      site: 'servicenow', page: 'entity', fields: { client_id: SECRET, client_secret: SECRET }, borrowed: {}, remembered: {},
    }).findings;
    assert.equal(finding.message, 'a [secret] b');
    assert.equal(finding.help, '[secret]');
  });

  test('values that are or look like a secret are never remembered; the secret field is not kept at all', () => {
    // The background remembers no field the validator's predicate hides.
    const hidden = (fields) => hiddenFields(fields);
    assert.deepEqual(hidden({ client_id: SECRET }), ['client_id']);
    assert.deepEqual(hidden({ client_id: `  ${SECRET}\n` }), ['client_id']);
    assert.deepEqual(hidden({ redirect_url: `https://x.io/cb?k=${SECRET}` }), ['redirect_url']);
    assert.deepEqual(hidden({ client_id: 'my-custom-secret-value', client_secret: 'my-custom-secret-value' }), ['client_id', 'client_secret']);
    assert.deepEqual(hidden({ client_id: CLIENT_ID, client_secret: SECRET }), ['client_secret']);
    assert.ok(Object.values(KEPT).every((fields) => !fields.includes('client_secret')));
  });

  test('only the Setup\'s string fields cross from a page', () => {
    assert.deepEqual(cleanFields({ client_id: 'a', scopes: ['x'], password: 'p', callback_url: 3, token_url: 't' }),
      { client_id: 'a', token_url: 't' });
  });
});
