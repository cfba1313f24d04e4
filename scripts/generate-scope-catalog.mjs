#!/usr/bin/env node
// Writes src/catalog/registry.rs from Atlassian's scope registry, shipped in the npm package
// @forge/manifest (pinned in package.json). The registry lists names only; this script adds what
// the validator needs to know about each name (product, family) and the few facts the registry
// lacks (offline_access, the separate APIs). A name whose shape no family recognises stops the
// generation: a new kind of scope needs a person to decide what it is, not a guess. Usage:
//   node scripts/generate-scope-catalog.mjs           rewrite the committed file
//   node scripts/generate-scope-catalog.mjs --stdout  print it (the freshness test compares this)
// As a module it exports `classify` (one name → { product, family }, or a throw naming it),
// `loadRegistry` and `generate`, for tests/catalog/generator.test.mjs.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Facts the registry does not carry. Each names its source.
const HAND_KEPT = [
  // Requested in the authorize URL only, never picked in the console (developer.atlassian.com, OAuth 2.0 3LO apps).
  { name: 'offline_access', product: 'platform', family: 'OfflineAccess' },
];
// Scopes of the APIs an app adds on its own in the developer console (your app → Permissions → the API → Add),
// apart from the product APIs (developer.atlassian.com: User identity API; Personal data reporting API).
const SEPARATE_APIS = new Map([
  ['read:me', { product: 'identity', family: 'Identity' }],
  ['read:account', { product: 'identity', family: 'Identity' }],
  ['report:personal-data', { product: 'personal-data', family: 'PersonalData' }],
]);

// The products granular (and Forge, Teamwork Graph and agent) scopes name in their last segment.
const PRODUCTS = new Set([
  'artifacts', 'bitbucket', 'brie', 'capacity-planning', 'ccg', 'cmdb', 'compass', 'confluence', 'customer-notes',
  'fsag', 'jira', 'jira-service-management', 'jira-software', 'rovo', 'support-api-gateway', 'teams',
]);
const GRANULAR_VERBS = new Set(['admin', 'delete', 'import', 'read', 'redact', 'send', 'validate', 'view', 'write']);
// Classic scopes name the product as the head of their resource (`read:jira-work`, `read:servicedesk-request`).
const CLASSIC_VERBS = new Set(['manage', 'moderate', 'read', 'search', 'write']);
const CLASSIC_PRODUCTS = new Map([
  ['confluence', 'confluence'],
  ['jira', 'jira'],
  ['servicedesk', 'jira-service-management'],
  ['servicemanagement', 'jira-service-management'],
]);
// Listed as classic Confluence scopes in Atlassian's scope table although they have three segments.
const CLASSIC_EXCEPTIONS = new Map([['readonly:content.attachment:confluence', 'confluence']]);
const CONNECT_VERBS = new Set([
  'access-email-addresses', 'act-as-user', 'admin', 'delete', 'project-admin', 'read', 'space-admin', 'write',
]);
const CONNECT_PRODUCTS = new Set(['confluence', 'jira']);
const AGENT_VERBS = new Set(['read', 'search', 'write']);
// Scopes that only Forge apps can hold: app storage, app tokens, app-to-app channels, and per-product
// app data, app identity and app notifications.
const FORGE_PLATFORM = new Set(['storage:app', 'read:app-system-token', 'read:app-user-token', 'read:app-global-channel:realtime']);
const FORGE_RESOURCES = new Set(['app-data', 'app-notification', 'forge-app']);
// Resources that mark another family: a granular-looking name with one of them is not granular.
const RESERVED_RESOURCES = new Set(['graph', ...FORGE_RESOURCES]);
// Words joined by `-` or `.`: `page`, `board-scope.admin`, `confluence-content.all`.
const RESOURCE = /^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*$/;

/**
 * The product and family of one registry name. `teamworkGraph` is the registry's list of Teamwork Graph
 * scopes (out/scopes/teamwork-graph-scopes.json). Throws, naming the entry, when no family recognises it.
 */
export function classify(name, { teamworkGraph = new Set() } = {}) {
  const segments = name.split(':');
  const [verb] = segments;
  const last = segments.at(-1);
  const separate = SEPARATE_APIS.get(name);
  if (separate) return { ...separate };
  // Teamwork Graph: the registry's list, or the whole graph of one product (`read:graph:jira`).
  if (teamworkGraph.has(name)) return { product: last, family: 'TeamworkGraph' };
  if (segments.length === 3 && verb === 'read' && segments[1] === 'graph' && PRODUCTS.has(last)) {
    return { product: last, family: 'TeamworkGraph' };
  }
  // Connect: `<verb>:connect-<product>`.
  if (segments.length === 2 && CONNECT_VERBS.has(verb) && last.startsWith('connect-')) {
    const product = last.slice('connect-'.length);
    if (CONNECT_PRODUCTS.has(product)) return { product, family: 'Connect' };
  }
  // Rovo agents and MCP: `<verb>:<product>:agent-interface`.
  if (segments.length === 3 && AGENT_VERBS.has(verb) && last === 'agent-interface' && PRODUCTS.has(segments[1])) {
    return { product: segments[1], family: 'Agent' };
  }
  // Forge: the platform's own scopes, or `<verb>:<app resource>:<product>`.
  if (FORGE_PLATFORM.has(name)) return { product: 'forge', family: 'Forge' };
  if (segments.length === 3 && GRANULAR_VERBS.has(verb) && FORGE_RESOURCES.has(segments[1]) && PRODUCTS.has(last)) {
    return { product: last, family: 'Forge' };
  }
  // Classic: `<verb>:<product>-<area>` (or the product alone, `search:confluence`), and the listed exceptions.
  if (CLASSIC_EXCEPTIONS.has(name)) return { product: CLASSIC_EXCEPTIONS.get(name), family: 'Classic' };
  if (segments.length === 2 && CLASSIC_VERBS.has(verb) && RESOURCE.test(last)) {
    const product = CLASSIC_PRODUCTS.get(last.split(/[-.]/)[0]);
    if (product) return { product, family: 'Classic' };
  }
  // Granular: `<verb>:<resource>:<product>`, the resource sometimes in two segments
  // (`read:customer:entitlement:jira-service-management`).
  const resources = segments.slice(1, -1);
  if (
    (resources.length === 1 || resources.length === 2) &&
    GRANULAR_VERBS.has(verb) &&
    PRODUCTS.has(last) &&
    resources.every((r) => RESOURCE.test(r)) &&
    !RESERVED_RESOURCES.has(resources[0])
  ) {
    return { product: last, family: 'Granular' };
  }
  throw new Error(
    `cannot classify the registry scope ${JSON.stringify(name)}: no family (granular, classic, Connect, Forge, ` +
      'Teamwork Graph, agent, separate API) recognises its shape; decide what it is in scripts/generate-scope-catalog.mjs',
  );
}

/** The pinned registry: its version, its names, and the lists that classify some of them. */
export function loadRegistry() {
  // The package's `exports` hide package.json and out/scopes, so resolve its entry point and walk up.
  const require = createRequire(join(root, 'package.json'));
  const manifestDir = join(dirname(require.resolve('@forge/manifest')), '..');
  const { version } = JSON.parse(readFileSync(join(manifestDir, 'package.json'), 'utf8'));
  const readList = (file) => JSON.parse(readFileSync(join(manifestDir, 'out', 'scopes', file), 'utf8'));
  return {
    version,
    registry: readList('shipyard-scopes.json'),
    teamworkGraph: new Set(readList('teamwork-graph-scopes.json')),
    interactiveConsent: readList('shipyard-scopes-with-interactive-consent.json'),
  };
}

/** The text of src/catalog/registry.rs. */
export function generate({ version, registry, teamworkGraph, interactiveConsent } = loadRegistry()) {
  const entries = registry.map((name) => ({ name, ...classify(name, { teamworkGraph }), source: 'Registry' }));
  // The registry marks the User identity API's scopes as needing interactive consent; a new one needs a look.
  for (const name of interactiveConsent) {
    if (SEPARATE_APIS.get(name)?.family !== 'Identity') {
      throw new Error(`the registry lists ${JSON.stringify(name)} with interactive consent, but it is not a User identity API scope here`);
    }
  }
  for (const fact of HAND_KEPT) entries.push({ ...fact, source: 'HandKept' });
  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  entries.sort(byName);
  for (let i = 1; i < entries.length; i++) {
    if (entries[i].name === entries[i - 1].name) throw new Error(`duplicate scope ${entries[i].name}`);
  }

  const lines = [
    `// @generated by scripts/generate-scope-catalog.mjs from the npm package @forge/manifest ${version}`,
    '// (out/scopes/shipyard-scopes.json, teamwork-graph-scopes.json, shipyard-scopes-with-interactive-consent.json)',
    '// plus the hand-kept facts in that script. Do not edit: run `node scripts/generate-scope-catalog.mjs`.',
    '',
    'use super::{Family, ScopeEntry, Source};',
    '',
    `/// The npm package the registry was read from.`,
    `pub const SOURCE_PACKAGE: &str = "@forge/manifest";`,
    `/// Its version.`,
    `pub const SOURCE_VERSION: &str = "${version}";`,
    '',
    `/// Every known scope, sorted by name (byte order) for binary search.`,
    `pub static SCOPES: &[ScopeEntry] = &[`,
    ...entries.map((e) => `    ScopeEntry { name: ${JSON.stringify(e.name)}, product: ${JSON.stringify(e.product)}, family: Family::${e.family}, source: Source::${e.source} },`),
    '];',
    '',
  ];
  return lines.join('\n');
}

// Run as a script (not imported by a test): write or print the catalog.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = generate();
  if (process.argv.includes('--stdout')) process.stdout.write(text);
  else writeFileSync(join(root, 'src', 'catalog', 'registry.rs'), text);
}
