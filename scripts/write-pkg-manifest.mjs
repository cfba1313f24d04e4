#!/usr/bin/env node
// Writes pkg/package.json and pkg/README.md for the browser validator, taking name and version
// from Cargo.toml so the two never disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cargo = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const field = (name) => cargo.match(new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, 'm'))[1];

const manifest = {
  name: 'threelo',
  version: field('version'),
  description: field('description'),
  license: field('license'),
  type: 'module',
  main: './threelo.js',
  module: './threelo.js',
  types: './threelo.d.ts',
  exports: {
    '.': { types: './threelo.d.ts', default: './threelo.js' },
    './threelo_bg.wasm': './threelo_bg.wasm',
    './servicenow': { types: './servicenow/threelo_servicenow.d.ts', default: './servicenow/threelo_servicenow.js' },
    './servicenow/threelo_servicenow_bg.wasm': './servicenow/threelo_servicenow_bg.wasm',
  },
  files: [
    'threelo.js', 'threelo.d.ts', 'threelo_bg.wasm', 'threelo_bg.wasm.d.ts', 'snippets/',
    'servicenow/threelo_servicenow.js', 'servicenow/threelo_servicenow.d.ts', 'servicenow/threelo_servicenow_bg.wasm',
    'servicenow/threelo_servicenow_bg.wasm.d.ts', 'README.md',
  ],
  sideEffects: false,
  keywords: ['atlassian', 'confluence', 'oauth', 'servicenow', 'validator', 'wasm'],
};
writeFileSync(join(root, 'pkg', 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

writeFileSync(join(root, 'pkg', 'README.md'), `# threelo

Checks an Atlassian Confluence Cloud OAuth 2.0 setup (client ID, secret, callback URL, scopes,
endpoints) in the browser and says exactly what is wrong and how to fix it. Nothing leaves the page.

\`\`\`js
import init, { check } from 'threelo';
await init();
const report = check({ client_id: '…', callback_url: 'https://dev12345.service-now.com/oauth_redirect.do', scopes: 'read:page:confluence offline_access' });
\`\`\`

\`report.findings\` lists each problem with its rule code, severity, field, UTF-16 span, message,
help and fix; \`rules()\` documents every rule; \`version()\` is ${manifest.version}.

What ServiceNow holds (a configuration template's JSON, or an XML export of the Application
Registry) is read by a second module, so that a page that never reads one does not load it:

\`\`\`js
import initServiceNow, { setupFromServiceNow } from 'threelo/servicenow';
await initServiceNow();
const { setup, origins, findings } = setupFromServiceNow(text); // then check(setup)
\`\`\`
`);
