// The operations catalog's generator takes facts only from an OpenAPI document, puts v2's paths
// under /wiki/api/v2, records each document's URL and sha256, and stops on a shape it does not
// know. The documents here are made up for the test, not Atlassian's.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { DOCUMENTS, factsFrom, tableFrom } from '../../scripts/generate-operation-catalog.mjs';

function documentsDir(v1Paths, v2Paths) {
  const dir = mkdtempSync(join(tmpdir(), 'threelo-openapi-'));
  const texts = {};
  for (const [{ file }, paths] of [[DOCUMENTS[0], v1Paths], [DOCUMENTS[1], v2Paths]]) {
    texts[file] = JSON.stringify({ openapi: '3.0.3', info: { description: 'PROSE THAT MUST NOT BE COPIED' }, paths });
    writeFileSync(join(dir, file), texts[file]);
  }
  return { dir, texts };
}

const scopes = (state, ...names) => ({ scheme: 'oAuthDefinitions', state, scopes: names });

test('facts only: method, full path, operationId, scopes per state, the access-rule flag, and the sources', () => {
  const { dir, texts } = documentsDir(
    { '/wiki/rest/api/group': { get: {
      operationId: 'getGroups', description: 'PROSE THAT MUST NOT BE COPIED',
      'x-atlassian-oauth2-scopes': [scopes('Current', 'read:confluence-groups'), scopes('Beta', 'read:group:confluence')],
      'x-atlassian-data-security-policy': [{ 'app-access-rule-exempt': true }],
    } } },
    { '/pages/{id}': { parameters: [], get: {
      operationId: 'getPageById', summary: 'PROSE THAT MUST NOT BE COPIED',
      'x-atlassian-oauth2-scopes': [scopes('Current', 'read:page:confluence')],
      'x-atlassian-data-security-policy': [{ 'app-access-rule-exempt': false }],
    } } },
  );
  const text = factsFrom(dir);
  assert.ok(!text.includes('PROSE'), 'the documents\' text was copied');
  const facts = JSON.parse(text);
  assert.deepEqual(facts.operations, [
    { api: 'v2', method: 'GET', path: '/wiki/api/v2/pages/{id}', operation_id: 'getPageById', scopes: { Current: ['read:page:confluence'] }, app_access_rule_exempt: false },
    { api: 'v1', method: 'GET', path: '/wiki/rest/api/group', operation_id: 'getGroups', scopes: { Current: ['read:confluence-groups'], Beta: ['read:group:confluence'] }, app_access_rule_exempt: true },
  ]);
  const sha = (file) => createHash('sha256').update(texts[file]).digest('hex');
  assert.deepEqual(facts.sources.map((source) => [source.api, source.url, source.sha256]),
    DOCUMENTS.map((document) => [document.api, document.url, sha(document.file)]));
  const table = tableFrom(text);
  const rows = table.slice(table.indexOf('"\\\n') + 3, table.lastIndexOf('"')).trimEnd().split('\n');
  assert.deepEqual(rows, [
    'GET /wiki/api/v2/pages/{id} getPageById read:page:confluence - 0',
    'GET /wiki/rest/api/group getGroups read:confluence-groups read:group:confluence 1',
  ]);
  assert.match(table, new RegExp(`sha256 ${sha(DOCUMENTS[0].file)}`));
});

test('an unknown shape stops the generation, naming the operation', () => {
  const cases = [
    [{ operationId: 'x', 'x-atlassian-oauth2-scopes': [scopes('Alpha', 'read:page:confluence')] }, /unknown scope state/],
    [{ operationId: 'x', 'x-atlassian-oauth2-scopes': [scopes('Current', 'READ PAGES')] }, /scopes of an unknown shape/],
    [{ operationId: 'x', 'x-atlassian-oauth2-scopes': [scopes('Current', 'a:b'), scopes('Current', 'c:d')] }, /two Current/],
    [{ operationId: 'x', 'x-atlassian-data-security-policy': [{ 'app-access-rule-exempt': 'maybe' }] }, /data security policy/],
    [{}, /no operationId/],
  ];
  for (const [operation, message] of cases) {
    const { dir } = documentsDir({}, { '/pages': { get: operation } });
    assert.throws(() => factsFrom(dir), (error) => message.test(error.message) && error.message.includes('v2 GET /pages'), String(message));
  }
});
