// The scope catalog generator classifies each registry name by a shape it recognises, and refuses a
// name it does not: a new kind of scope must stop the generation, not be filed as granular.
// Run: node --test tests/catalog/
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { classify, generate, loadRegistry } from '../../scripts/generate-scope-catalog.mjs';

test('an unclassifiable name throws, naming the entry', () => {
  for (const name of [
    'frobnicate:thing:nowhere', // unknown verb and product
    'weird', // one segment
    'read:thing:nowhere', // known verb, unknown product
    'read:frobnicator-work', // two segments, no known product prefix
    'read:graph:widget:jira', // a Teamwork Graph name the registry's graph list lacks
    'read:app-data:nowhere', // a Forge resource on no known product
    'read:connect-bitbucket', // Connect for a product Connect has no scopes for
    'read:page:confluence:extra:more', // too many segments
  ]) {
    assert.throws(() => classify(name), (error) => error.message.includes(JSON.stringify(name)), name);
  }
});

test('each family is recognised by its shape', () => {
  const teamworkGraph = new Set(['read:graph:page:confluence']);
  const cases = {
    'read:page:confluence': ['confluence', 'Granular'],
    'read:board-scope.admin:jira-software': ['jira-software', 'Granular'],
    'read:customer:entitlement:jira-service-management': ['jira-service-management', 'Granular'],
    'read:confluence-content.all': ['confluence', 'Classic'],
    'search:confluence': ['confluence', 'Classic'],
    'read:servicedesk-request': ['jira-service-management', 'Classic'],
    'readonly:content.attachment:confluence': ['confluence', 'Classic'],
    'read:connect-jira': ['jira', 'Connect'],
    'read:confluence:agent-interface': ['confluence', 'Agent'],
    'storage:app': ['forge', 'Forge'],
    'read:app-data:confluence': ['confluence', 'Forge'],
    'read:graph:page:confluence': ['confluence', 'TeamworkGraph'],
    'read:graph:jira': ['jira', 'TeamworkGraph'],
    'read:me': ['identity', 'Identity'],
    'read:account': ['identity', 'Identity'],
    'report:personal-data': ['personal-data', 'PersonalData'],
  };
  for (const [name, [product, family]] of Object.entries(cases)) {
    assert.deepEqual(classify(name, { teamworkGraph }), { product, family }, name);
  }
});

test('the pinned registry classifies in full', () => {
  const text = generate(loadRegistry());
  assert.match(text, /name: "report:personal-data", product: "personal-data", family: Family::PersonalData/);
});

test('a registry with an unknown name stops the generation', () => {
  const registry = loadRegistry();
  assert.throws(
    () => generate({ ...registry, registry: [...registry.registry, 'frobnicate:thing:nowhere'] }),
    /"frobnicate:thing:nowhere"/,
  );
});
