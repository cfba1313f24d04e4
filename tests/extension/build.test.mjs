// The browser extension's build (dist/, by scripts/build-extension): its manifest, the store zip,
// the shared renderer, what its code may not do, and how the test build differs from the shipped
// one. The extension at work in the two browsers is in chromium.test.mjs and firefox.test.mjs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../browser/harness.mjs';
import { EXTENSION, TEST_EXTENSION } from './harness.mjs';

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the build', () => {
  test('the manifest asks for storage only, on the console and ServiceNow hosts only', () => {
    const manifest = JSON.parse(readFileSync(join(EXTENSION, 'manifest.json'), 'utf8'));
    assert.equal(manifest.manifest_version, 3);
    assert.deepEqual(manifest.permissions, ['storage']);
    assert.equal(manifest.host_permissions, undefined);
    assert.equal(manifest.optional_permissions, undefined);
    assert.equal(manifest.optional_host_permissions, undefined);
    assert.equal(manifest.web_accessible_resources, undefined, 'pages must not be able to load the extension\'s files');
    assert.equal(manifest.externally_connectable, undefined);
    assert.deepEqual(
      [...new Set(manifest.content_scripts.flatMap((script) => script.matches))].sort(),
      ['https://*.service-now.com/*', 'https://*.servicenowcloud.com/*', 'https://*.servicenowservices.com/*',
        'https://developer.atlassian.com/console/*'],
    );
    assert.equal(manifest.content_security_policy.extension_pages, "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'");
    const cargoVersion = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/^\[package\][^[]*?^version\s*=\s*"([^"]+)"/m)[1];
    assert.equal(manifest.version, cargoVersion);
  });

  test('the store zip holds exactly the unpacked build, with its manifest', () => {
    const cargoVersion = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/^\[package\][^[]*?^version\s*=\s*"([^"]+)"/m)[1];
    const zip = join(ROOT, 'dist', `threelo-extension-${cargoVersion}.zip`);
    const unzip = (...args) => execFileSync('unzip', [...args, zip], { encoding: 'utf8' });
    const entries = unzip('-Z1').split('\n').filter(Boolean).sort();
    const unpacked = filesUnder(EXTENSION).map((path) => relative(EXTENSION, path)).sort();
    assert.deepEqual(entries, unpacked);
    const zipped = JSON.parse(execFileSync('unzip', ['-p', zip, 'manifest.json'], { encoding: 'utf8' }));
    assert.deepEqual(zipped, JSON.parse(readFileSync(join(EXTENSION, 'manifest.json'), 'utf8')));
    assert.equal(zipped.version, cargoVersion);
    assert.deepEqual(zipped.permissions, ['storage']);
  });

  test('findings are drawn by the docs page\'s renderer: the build\'s copy of www/finding-view.js, unchanged', () => {
    const copy = readFileSync(join(EXTENSION, 'finding-view.js'), 'utf8');
    const source = readFileSync(join(ROOT, 'www', 'finding-view.js'), 'utf8');
    assert.ok(copy === source, 'dist/extension/finding-view.js differs from www/finding-view.js: run scripts/build-extension');
    assert.ok(!existsSync(join(ROOT, 'extension', 'finding-view.js')), 'a second copy of the renderer in extension/');
    const manifest = JSON.parse(readFileSync(join(EXTENSION, 'manifest.json'), 'utf8'));
    for (const script of manifest.content_scripts) assert.ok(script.js.includes('finding-view.js'), script.matches.join(' '));
    assert.match(readFileSync(join(EXTENSION, 'popup.html'), 'utf8'), /<script src="finding-view\.js"><\/script>/);
  });

  test('the extension\'s own code makes no request and logs nothing', () => {
    const own = filesUnder(EXTENSION).filter((path) => path.endsWith('.js') && !path.includes(`${join(EXTENSION, 'pkg')}`));
    assert.ok(own.length >= 8, `only ${own.length} scripts`);
    for (const path of own) {
      // Comments aside, and the SVG namespace (a name, not an address anything is fetched from).
      const code = readFileSync(path, 'utf8').replace(/^\s*\/\/.*$/gm, '').replaceAll("'http://www.w3.org/2000/svg'", '');
      for (const word of ['fetch(', 'XMLHttpRequest', 'WebSocket', 'sendBeacon', 'EventSource', 'importScripts', 'eval(',
        'console.', 'storage.sync', 'storage.local', 'innerHTML', 'http://', 'https://']) {
        assert.ok(!code.includes(word), `${path} uses ${word}`);
      }
    }
  });

  test('differs from the test build only in opening the findings\' shadow roots', () => {
    const files = (dir) => filesUnder(dir).map((path) => relative(dir, path)).sort();
    assert.deepEqual(files(TEST_EXTENSION), files(EXTENSION));
    for (const file of files(EXTENSION)) {
      const a = readFileSync(join(EXTENSION, file));
      const b = readFileSync(join(TEST_EXTENSION, file));
      if (file === join('content', 'findings-ui.js')) {
        assert.equal(b.toString().replace("SHADOW_MODE = 'open'", "SHADOW_MODE = 'closed'"), a.toString());
      } else {
        assert.ok(a.equals(b), `${file} differs between the builds`);
      }
    }
  });
});
