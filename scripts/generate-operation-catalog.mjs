#!/usr/bin/env node
// The operations catalog, in two steps, each output committed:
// 1. Atlassian's OpenAPI documents for Confluence REST v1 and v2 → src/catalog/confluence-operations.json,
//    the facts only (method, full path, operationId, OAuth 2.0 scopes per state, the app-access-rule
//    flag) with each document's upstream URL and sha256; never the documents' text.
// 2. that facts file → src/catalog/operations.rs, the table the validator is built with.
// Usage:
//   node scripts/generate-operation-catalog.mjs --specs [DIR]  step 1 from DIR (default ../shared/data/atlassian/), then 2
//   node scripts/generate-operation-catalog.mjs                step 2 only
//   node scripts/generate-operation-catalog.mjs --stdout       print step 2's table (the freshness test compares it)
//   node scripts/generate-operation-catalog.mjs --check-specs [DIR]  exit 1 if the facts file is not what DIR's documents give
// As a module it exports `factsFrom` (documents → facts) and `tableFrom` (facts → Rust), for
// tests/catalog/operations.test.mjs.
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const FACTS = join(root, 'src', 'catalog', 'confluence-operations.json');
export const TABLE = join(root, 'src', 'catalog', 'operations.rs');
const DEFAULT_SPECS = join(root, '..', 'shared', 'data', 'atlassian');

/**
 * The two documents, where Atlassian publishes them, and the prefix their paths sit under on a
 * site (v1's paths are already full; v2's are relative to its server, `/wiki/api/v2`).
 */
export const DOCUMENTS = [
  { api: 'v1', file: 'confluence-rest-v1.openapi.json', url: 'https://dac-static.atlassian.com/cloud/confluence/swagger.v3.json', prefix: '' },
  { api: 'v2', file: 'confluence-rest-v2.openapi.json', url: 'https://dac-static.atlassian.com/cloud/confluence/openapi-v2.v3.json', prefix: '/wiki/api/v2' },
];
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const STATES = ['Current', 'Beta'];

/** One document's operations as facts; throws, naming the operation, on a shape it does not know. */
function operationsOf(document, { api, prefix }) {
  const operations = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const where = `${api} ${method.toUpperCase()} ${path}`;
      if (typeof operation.operationId !== 'string') throw new Error(`${where}: no operationId`);
      const scopes = {};
      for (const entry of operation['x-atlassian-oauth2-scopes'] ?? []) {
        if (!STATES.includes(entry.state)) throw new Error(`${where}: unknown scope state ${JSON.stringify(entry.state)}`);
        if (scopes[entry.state]) throw new Error(`${where}: two ${entry.state} scope entries`);
        if (!Array.isArray(entry.scopes) || !entry.scopes.every((scope) => typeof scope === 'string' && /^[a-z][a-z0-9:.\-_]*$/.test(scope))) {
          throw new Error(`${where}: scopes of an unknown shape`);
        }
        scopes[entry.state] = [...entry.scopes].sort();
      }
      const policy = operation['x-atlassian-data-security-policy'];
      const flags = (policy ?? []).map((entry) => entry['app-access-rule-exempt']);
      if (flags.some((flag) => typeof flag !== 'boolean') || flags.length > 1) throw new Error(`${where}: an unknown data security policy`);
      operations.push({
        api,
        method: method.toUpperCase(),
        path: prefix + path,
        operation_id: operation.operationId,
        scopes: Object.fromEntries(STATES.filter((state) => scopes[state]).map((state) => [state, scopes[state]])),
        app_access_rule_exempt: flags.length ? flags[0] : null,
      });
    }
  }
  return operations;
}

/** The facts file's content for the documents in `dir`. */
export function factsFrom(dir = DEFAULT_SPECS) {
  const sources = [];
  const operations = [];
  for (const source of DOCUMENTS) {
    const bytes = readFileSync(join(dir, source.file));
    const document = JSON.parse(bytes.toString('utf8'));
    sources.push({ api: source.api, url: source.url, sha256: createHash('sha256').update(bytes).digest('hex'), openapi: document.openapi });
    operations.push(...operationsOf(document, source));
  }
  operations.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : METHODS.indexOf(a.method.toLowerCase()) - METHODS.indexOf(b.method.toLowerCase())));
  return formatFacts({ sources, operations });
}

/** One operation a line, so that a change in Atlassian's documents reads as a diff of operations. */
function formatFacts({ sources, operations }) {
  const lines = operations.map((operation) => `    ${JSON.stringify(operation)}`);
  return `{
  "about": "Facts from Atlassian's OpenAPI documents for the Confluence Cloud REST API, taken by scripts/generate-operation-catalog.mjs: method, full path, operationId, OAuth 2.0 scopes per state, the app-access-rule flag. Regenerate with --specs; do not edit.",
  "sources": [
${sources.map((source) => `    ${JSON.stringify(source)}`).join(',\n')}
  ],
  "operations": [
${lines.join(',\n')}
  ]
}
`;
}

/** src/catalog/operations.rs for the facts file's text. */
export function tableFrom(factsText) {
  const facts = JSON.parse(factsText);
  const header = facts.sources.map((source) => `//   ${source.api}: ${source.url} (OpenAPI ${source.openapi})\n//       sha256 ${source.sha256}`).join('\n');
  const word = (list) => (list?.length ? list.join(',') : '-');
  const rows = facts.operations.map((operation) => {
    const exempt = operation.app_access_rule_exempt === null ? '-' : operation.app_access_rule_exempt ? '1' : '0';
    for (const part of [operation.path, operation.operation_id]) {
      if (!/^[\x21-\x7e]+$/.test(part) || part.includes('"') || part.includes('\\')) throw new Error(`${operation.path}: ${JSON.stringify(part)} does not fit the table's text`);
    }
    return `${operation.method} ${operation.path} ${operation.operation_id} ${word(operation.scopes.Current)} ${word(operation.scopes.Beta)} ${exempt}`;
  });
  return `// @generated by scripts/generate-operation-catalog.mjs from src/catalog/confluence-operations.json, the
// facts it took from Atlassian's OpenAPI documents:
${header}
// Do not edit: run \`node scripts/generate-operation-catalog.mjs\`.

/// Every operation of Confluence REST v1 and v2, sorted by path, then method, one a line:
/// \`METHOD path operationId current beta exempt\`, where \`current\` and \`beta\` are the scopes of
/// the states \`Current\` and \`Beta\` (comma-joined, \`-\` for none) and \`exempt\` the app-access-rule
/// flag (\`1\`, \`0\`, or \`-\` when not given). Text, not a table of structs: 1.6 KB gzip less in the
/// browser validator's wasm (see \`super::operation\`).
pub static OPERATIONS: &str = "\\
${rows.join('\n')}
";
`;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dirAfter = (flag) => (args[args.indexOf(flag) + 1] && !args[args.indexOf(flag) + 1].startsWith('--') ? args[args.indexOf(flag) + 1] : DEFAULT_SPECS);
  if (args.includes('--check-specs')) {
    const fresh = factsFrom(dirAfter('--check-specs'));
    if (fresh !== readFileSync(FACTS, 'utf8')) {
      console.error('src/catalog/confluence-operations.json is not what the documents give: run with --specs and commit');
      process.exit(1);
    }
    console.log('src/catalog/confluence-operations.json matches the documents');
  } else {
    if (args.includes('--specs')) writeFileSync(FACTS, factsFrom(dirAfter('--specs')));
    const table = tableFrom(readFileSync(FACTS, 'utf8'));
    if (args.includes('--stdout')) process.stdout.write(table);
    else writeFileSync(TABLE, table);
  }
}
