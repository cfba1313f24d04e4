// The popup: what this tab holds, what the cross-check remembers (with Forget), and a compact
// validator for values pasted by hand. It runs the validator itself (an extension page may load
// WebAssembly under the extension's CSP) and sends nothing anywhere.
import init, { check, fields, version } from './pkg/threelo.js';
import * as memory from './memory.js';

const FIELDS = ['client_id', 'grant_type', 'callback_url', 'redirect_url', 'scopes'];
const SIDES = {
  atlassian: { name: 'Developer console', fields: { callback_url: 'Callback URL', client_id: 'Client ID' } },
  servicenow: {
    name: 'ServiceNow',
    fields: { redirect_url: 'Redirect URL', client_id: 'Client ID', grant_type: 'Grant type' },
  },
};

// finding-view.js (the docs page's renderer, copied by the build), a classic script loaded before
// this module (popup.html).
const { findingView } = globalThis.threelo;
const { element } = findingView;
const $ = (id) => document.getElementById(id);
let validatorReady = false;
/** The core's field labels, for Apply fix's tooltip. */
let labels = {};

async function start() {
  $('setup').addEventListener('input', runCheck);
  $('setup').addEventListener('submit', (event) => event.preventDefault());
  $('forget').addEventListener('click', forget);
  $('use-remembered').addEventListener('click', useRemembered);
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'session') showRemembered();
  });
  showTabStatus();
  showRemembered();
  await init({ module_or_path: new URL('./pkg/threelo_bg.wasm', import.meta.url) });
  validatorReady = true;
  labels = Object.fromEntries(fields().map((field) => [field.key, field.label]));
  $('version').textContent = `Validator ${version()}`;
  runCheck();
}

// ---------------------------------------------------------------------------------------------
// This tab

async function showTabStatus() {
  const status = $('tab-status');
  let found = null;
  try {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    if (tab?.id !== undefined) found = await chrome.tabs.sendMessage(tab.id, { kind: 'status' });
  } catch {
    found = null; // no threelo content script in that tab, or none of its frames found fields
  }
  if (found && Array.isArray(found.fields) && found.fields.length > 0) {
    const where = found.site === 'atlassian' ? 'the Atlassian developer console' : 'ServiceNow';
    const findings = found.findings === 1 ? '1 finding' : `${found.findings} findings`;
    status.textContent = `Checking ${found.fields.join(', ')} on ${where}: ${findings} shown beside the fields.`;
    status.dataset.found = 'true';
  } else {
    status.textContent = 'The fields threelo checks were not found on this tab. It looks for them on the Atlassian '
      + "developer console (an OAuth 2.0 app's Authorization, Permissions and Settings pages) and on ServiceNow's "
      + 'Application Registry and OAuth Entity Scope forms for Atlassian.';
    status.dataset.found = 'false';
  }
}

// ---------------------------------------------------------------------------------------------
// Remembered values

async function showRemembered() {
  const remembered = await memory.read();
  const list = $('remembered');
  const rows = [];
  for (const [site, side] of Object.entries(SIDES)) {
    for (const [field, label] of Object.entries(side.fields)) {
      const entry = remembered[site]?.[field];
      if (!entry) continue;
      const term = element('dt', null, `${side.name} ${label}`);
      // Which ServiceNow instance it came from matters (there may be several); the console is one place.
      if (site === 'servicenow') term.append(' ', element('span', 'host', `on ${entry.host}`));
      const detail = element('dd', null, entry.value);
      detail.dataset.site = site;
      detail.dataset.field = field;
      rows.push(term, detail);
    }
  }
  list.replaceChildren(...rows);
  // The console borrows ServiceNow's values only from an instance confirmed here.
  const confirmed = memory.confirmedInstances(remembered);
  const hosts = [...new Set(Object.values(remembered.servicenow ?? {}).map((entry) => entry.host))];
  $('instances').replaceChildren(...hosts.filter((host) => !confirmed.includes(host)).map((host) => {
    const button = element('button', 'confirm-instance', `Check the console against ${host}`);
    button.type = 'button';
    // The list is drawn again from the memory's change event.
    button.addEventListener('click', () => memory.confirmInstance(host));
    return button;
  }));
  $('remembered-empty').hidden = rows.length > 0;
  $('forget').disabled = rows.length === 0;
  $('use-remembered').disabled = rows.length === 0;
}

async function forget() {
  await memory.forget();
  await showRemembered();
}

async function useRemembered() {
  const { atlassian = {}, servicenow = {} } = await memory.read();
  const values = {
    client_id: atlassian.client_id?.value ?? servicenow.client_id?.value,
    callback_url: atlassian.callback_url?.value,
    redirect_url: servicenow.redirect_url?.value,
    grant_type: servicenow.grant_type?.value,
  };
  for (const [field, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const input = $(field);
    if (input.tagName === 'SELECT' && ![...input.options].some((option) => option.value === value)) continue;
    input.value = value;
  }
  runCheck();
}

// ---------------------------------------------------------------------------------------------
// Checking

function readSetup() {
  const setup = {};
  for (const field of FIELDS) {
    const value = $(field).value;
    if (value !== '') setup[field] = value;
  }
  return setup;
}

function runCheck() {
  if (!validatorReady) return;
  const setup = readSetup();
  const report = check(setup);
  // Only what was typed is judged: a popup with one value pasted in is not an incomplete setup.
  const typed = (field) => field !== 'grant_type' && setup[field] !== undefined;
  const shown = report.findings.filter((finding) => typed(finding.field)
    || (finding.field === 'grant_type' && Object.keys(setup).length > 1));
  for (const field of FIELDS) {
    const findings = shown.filter((finding) => finding.field === field);
    $(`findings-${field}`).replaceChildren(...findings.map(renderFinding));
    if (findings.some((finding) => finding.severity === 'error')) $(field).setAttribute('aria-invalid', 'true');
    else $(field).removeAttribute('aria-invalid');
  }
  showSummary(shown, Object.keys(setup).some((field) => field !== 'grant_type'));
}

function showSummary(findings, anything) {
  const summary = $('summary');
  const count = (severity) => findings.filter((finding) => finding.severity === severity).length;
  const errors = count('error');
  const warnings = count('warning');
  summary.classList.toggle('ok', anything && errors + warnings === 0);
  if (!anything) summary.textContent = 'Paste values to check them.';
  else if (errors + warnings === 0) summary.textContent = 'No problems in what you entered.';
  else summary.textContent = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}.`;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function renderFinding(finding) {
  const fix = finding.fix && $(finding.fix.field) && {
    label: labels[finding.fix.field],
    apply: () => {
      const input = $(finding.fix.field);
      input.value = finding.fix.replacement;
      runCheck();
      input.focus();
    },
  };
  return findingView.item(finding, { fix });
}

start();
