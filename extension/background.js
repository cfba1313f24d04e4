// The extension's background: the validator (WebAssembly, loaded from the extension's own files,
// never exposed to pages) and the session memory of the cross-check. Content scripts send the
// fields their page shows; the answer is the findings that page should show. Nothing here makes a
// request (the .wasm is read from the extension itself) or logs a value.
import init, { applyFixes, check, crossCheck, hiddenFields, rules } from './pkg/threelo.js';
import initServiceNow, { setupFromServiceNow } from './pkg/servicenow/threelo_servicenow.js';
import {
  cleanFields, cleanOffered, compose, pair, present, requestedOnPermissions, withOrigins,
} from './crosscheck.js';
import * as memory from './memory.js';

const ready = init({ module_or_path: new URL('./pkg/threelo_bg.wasm', import.meta.url) });
/** The ServiceNow reader, instantiated on the first configuration template: most pages never need it. */
let serviceNowReady = null;

/** What a configuration template's form holds, read by the core; null when it cannot be read. */
async function readTemplate(text) {
  // The core refuses what is too large to be a template, as it does on the CLI.
  if (typeof text !== 'string') return null;
  serviceNowReady ??= initServiceNow({
    module_or_path: new URL('./pkg/servicenow/threelo_servicenow_bg.wasm', import.meta.url),
  });
  await serviceNowReady;
  try {
    return setupFromServiceNow(text);
  } catch {
    // Half-typed JSON, or not a template: the form is ServiceNow's to validate; nothing is shown.
    return null;
  }
}
memory.restrictAccess();

/** Which side a content script is on, from the address its frame really has (not from what it says). */
function siteOf(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:') return null;
  if (parsed.hostname === 'developer.atlassian.com' && parsed.pathname.startsWith('/console/')) return 'atlassian';
  if (/(^|\.)(service-now|servicenowservices|servicenowcloud)\.com$/.test(parsed.hostname)) return 'servicenow';
  return null;
}

/** The codes of the rules that judge one scope on its own (the core's `per_scope`). */
let perScope = null;

async function answer(message, sender) {
  const site = siteOf(sender.url);
  if (!site) return null;
  const host = new URL(sender.url).hostname;
  const page = typeof message.page === 'string' ? message.page : '';
  const template = site === 'servicenow' && page === 'template' ? await readTemplate(message.fields?.template) : null;
  if (page === 'template' && !template) return { findings: [], summary: { errors: 0, warnings: 0, infos: 0 } };
  const fields = cleanFields(template ? template.setup : message.fields);
  let remembered;
  if (message.remember === false) {
    remembered = await memory.read(); // asked again only because the memory changed
  } else {
    const hidden = new Set(hiddenFields(fields));
    const update = await memory.remember(site, fields, { host, at: Date.now(), hidden });
    remembered = update.memory;
    if (update.changed) memory.tellTabs(sender.tab.id);
  }
  const { setup, borrowed } = compose(site, fields, remembered, host);
  await ready;
  perScope ??= new Set(rules().filter((rule) => rule.per_scope).map((rule) => rule.code));
  const report = check(setup);
  const sides = pair(site, fields, remembered, host);
  const crossReport = sides ? crossCheck(sides.console, sides.client) : null;
  const offered = cleanOffered(message.offered);
  const onPermissions = requestedOnPermissions(site, page, fields, offered, remembered, host);
  const requested = onPermissions && { ...onPermissions, offered, report: check(onPermissions.setup) };
  const shown = present(report, { site, page, fields, borrowed, remembered, crossReport, perScope, requested });
  if (template) return withOrigins(shown, template, fields.client_secret);
  if (message.kind !== 'apply-all') return shown;
  // Apply all safe fixes: the core's applyFixes, from the fixes this page shows; the answer is the
  // page's own fields it changed (a borrowed field is the other side's to fix).
  const fixed = applyFixes(setup, { ...report, findings: shown.findings }, { unsafe: false });
  const changed = {};
  for (const [field, value] of Object.entries(fields)) {
    if (typeof fixed[field] === 'string' && fixed[field] !== value) changed[field] = fixed[field];
  }
  return { fields: changed };
}

// An instance confirmed in the popup changes what the console may borrow: the tabs check again.
chrome.storage.onChanged.addListener((changes, area) => {
  if (memory.confirmationsChanged(changes, area)) memory.askTabsAgain().catch(() => {});
});

// Registered synchronously at start, as a service worker that was stopped is woken by the message.
chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  // Only this extension's content scripts, in a tab: pages cannot reach this (no externally_connectable).
  if (sender.id !== chrome.runtime.id || !sender.tab || !['check', 'apply-all'].includes(message?.kind)) return false;
  answer(message, sender).then(sendResponse, () => sendResponse(null));
  return true;
});
