// The threelo docs page: a live validator form, the values to paste, share links and the rule
// reference. Everything runs here: the validator is WebAssembly from ./pkg, and this script never
// makes a request of its own. The client secret is read only to be checked; it is never written
// into the page (findings, highlights, outputs) nor into a share link.

// The page decides nothing about a setup: findings, fixes (and applying them), the grant, the
// cloud and its endpoints, the consent URL (or why there is none), field labels and what each rule
// rests on all come from the core; the page draws them. Each finding is drawn by finding-view.js,
// the renderer the browser extension uses too.
import './finding-view.js';
import { explainAgain, renderCauseReference, wireExplainPanel } from './explain-panel.js';
import { refreshOrigins, wireServiceNowImport } from './servicenow-import.js';

// The validator module is imported dynamically, so that a missing or blocked build still leaves a
// working page that says what went wrong. Its API: `init()`, `check(setup)`, `applyFixes(setup,
// report, options)`, `rules()`, `fields()`, `hiddenFields(setup)`, `version()`, and for the uses
// `scopesFor(uses)`, `operations()`, `spokeActions()`.
const VALIDATOR_MODULE = './pkg/threelo.js';
let validator = null;

const { findingView } = globalThis.threelo;
const { element, withCode } = findingView;

/** Setup fields, in the order of the form. */
const FIELDS = [
  'client_id', 'client_secret', 'grant_type', 'callback_url', 'redirect_url', 'scopes', 'app_scopes', 'uses',
  'authorization_url', 'token_url', 'revocation_url', 'api_base_url',
];
/** The password input with its Show/Hide toggle. */
const SECRET_INPUT = 'client_secret';

/**
 * The core's labels (`fields()`) and which fields hold a secret. Until the validator has loaded,
 * the labels are the form's own (index.html holds the same words) and only the secret input is one.
 */
let labels = {};
let secretFields = new Set([SECRET_INPUT]);

function labelOf(field) {
  return labels[field] ?? field;
}

/** Worst first: which severity a highlight shows where findings overlap. */
const SEVERITY_RANK = { error: 3, warning: 2, info: 1 };

const SERVICENOW_CLIENT_ID = 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';
const SERVICENOW_SECRET = 'ATOAxK7fQ2mZp9LrT4vW8yB1nC6hJ3sD5gF0aE2iU7oY9kM4qR8tX1zV6bN3wP5cLm7Q0A1B2C3D';
const SCOPE_NAMES = [
  'ace:confluence', 'read:page:confluence', 'search:confluence', 'read:confluence-groups',
  'write:confluence-groups', 'read:confluence-user', 'read:me', 'read:account', 'offline_access',
];

/** ServiceNow's documented values for the Confluence Cloud spoke, mistakes included (DOMAIN.md §1). */
const PRESETS = {
  'servicenow-authorization-code': {
    client_id: SERVICENOW_CLIENT_ID,
    client_secret: SERVICENOW_SECRET,
    grant_type: 'Authorization Code',
    callback_url: 'https://instance.service-now.com/oauth_redirect.do',
    redirect_url: 'https://instance.service-now.com/oauth_redirect.do',
    scopes: SCOPE_NAMES.join(','),
    authorization_url: 'https://auth.atlassian.com/authorize',
    token_url: 'https://auth.atlassian.com/oauth/token',
    revocation_url: 'https://auth.atlassian.com/oauth/token',
    api_base_url: 'https://api.atlassian.com/',
    // What the guide enables in the developer console (its labels), and what the spoke calls.
    app_scopes: [
      'Search Confluence content and space summaries', 'Read user groups',
      'Create, remove and update user groups', 'Read user',
    ].join('\n'),
    uses: 'servicenow',
  },
  'servicenow-client-credentials': {
    client_id: SERVICENOW_CLIENT_ID,
    client_secret: SERVICENOW_SECRET,
    grant_type: 'Client Credentials',
    scopes: SCOPE_NAMES.join(' '),
    token_url: 'https://auth.atlassian.com/oauth/token',
    revocation_url: 'https://auth.atlassian.com/oauth/token',
    api_base_url: 'https://api.atlassian.com/',
  },
  blank: {},
};

const SHARE_PREFIX = '#setup=';
const COPY_FEEDBACK_MS = 2500;

let validatorReady = false;

async function start() {
  wireForm();
  wirePresets();
  wireSecretToggle();
  wireCopyButtons(document);
  wireShare();
  wireFixes();
  buildServiceNowRows();
  renderHighlightsOnly();

  try {
    const module = await import(VALIDATOR_MODULE);
    await module.default();
    validator = module;
    validatorReady = true;
  } catch (error) {
    showLoadError(error);
    return;
  }
  document.getElementById('load-status').hidden = true;
  showVersion();
  useCoreFields();
  wireUsePicker();
  renderRuleReference();
  renderCauseReference(validator);
  wireExplainPanel(validator, readSetup, labelOf);
  wireServiceNowImport({
    fill: fillFromServiceNow,
    labelOf,
    inputFor,
    // A ServiceNow-only finding is about the records, not the form: its fix is for the template
    // (`threelo check --fix`), so it has no button here.
    findingOptions: (finding) => ({ helpLabel: 'How to fix: ', source: { prefix: 'Rule ', href: `#rule-${finding.rule}` } }),
  });
  // After the validator: what a link may fill in is decided by its redaction predicate.
  restoreFromFragment();
  window.addEventListener('hashchange', restoreFromFragment);
  runCheck();
  scrollToRuleInFragment();
}

// ---------------------------------------------------------------------------------------------
// Reading and writing the form

function inputFor(field) {
  return document.getElementById(field);
}

/** The setup as typed; empty fields are left out, whitespace-only ones are kept (they are findings). */
function readSetup() {
  const setup = {};
  for (const field of FIELDS) {
    const value = inputFor(field).value;
    if (value !== '') setup[field] = value;
  }
  return setup;
}

/** Every field's text as it stands, empty ones included: what Undo puts back. */
function formValues() {
  return Object.fromEntries(FIELDS.map((field) => [field, inputFor(field).value]));
}

function fillForm(values, { keepSecret = false } = {}) {
  for (const field of FIELDS) {
    if (keepSecret && secretFields.has(field)) continue;
    const value = values[field];
    inputFor(field).value = typeof value === 'string' ? value : '';
  }
}

/**
 * Writes what ServiceNow holds into `fields` (those it speaks for) and checks again. A secret it
 * does not give (an export's is encrypted) leaves the one typed as it is.
 */
function fillFromServiceNow(values, fields) {
  for (const field of fields) {
    const input = inputFor(field);
    if (!input) continue;
    const value = typeof values[field] === 'string' ? values[field] : '';
    if (secretFields.has(field) && value === '') continue;
    input.value = value;
  }
  forgetUndo();
  clearShareOutput();
  runCheck();
}

/** The core's labels on the form's fields, so that the page and the core's messages use the same words. */
function useCoreFields() {
  const all = validator.fields();
  labels = Object.fromEntries(all.map((field) => [field.key, field.label]));
  secretFields = new Set(all.filter((field) => field.secret).map((field) => field.key));
  for (const field of all) {
    const label = document.querySelector(`label[for="${field.key}"]`);
    if (label) label.textContent = field.label;
  }
}

function wireForm() {
  const form = document.getElementById('setup-form');
  form.addEventListener('submit', (event) => event.preventDefault());
  // Only typing fires `input` (the page's own writes do not): the last Apply no longer stands alone.
  form.addEventListener('input', () => {
    forgetUndo();
    runCheck();
  });
  for (const field of FIELDS) {
    const input = inputFor(field);
    for (const type of ['scroll', 'keyup', 'click', 'focus', 'select']) {
      input.addEventListener(type, () => syncBackdropScroll(field));
    }
  }
  document.addEventListener('selectionchange', () => {
    const active = document.activeElement;
    if (active && FIELDS.includes(active.id)) syncBackdropScroll(active.id);
  });
  window.addEventListener('resize', () => FIELDS.forEach(syncBackdropScroll));
}

function wirePresets() {
  for (const button of document.querySelectorAll('[data-preset]')) {
    button.addEventListener('click', () => {
      const preset = PRESETS[button.dataset.preset];
      if (!preset) return;
      fillForm(preset);
      forgetUndo();
      clearShareOutput();
      runCheck();
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The "I will call…" picker: the spoke's actions and the operations of Atlassian's specs, from
// the core, searched by words; a pick is added to the uses field as a line of its own.

const MAX_USE_RESULTS = 8;
let knownUses = [];

function wireUsePicker() {
  knownUses = [
    ...validator.spokeActions().map((action) => ({
      use: action.use, label: `ServiceNow: ${action.name}`, detail: action.operation,
    })),
    ...validator.operations().map((operation) => ({
      use: operation.use, label: operation.use,
      detail: `${operation.operation_id} · REST ${operation.api}`,
    })),
  ];
  for (const known of knownUses) known.words = `${known.label} ${known.detail}`.toLowerCase();
  const search = document.getElementById('use-search');
  search.addEventListener('input', () => renderUseResults(search.value));
  document.getElementById('pick-servicenow').addEventListener('click', () => addUse('servicenow'));
  renderUseResults('');
}

/** The known uses every word of `query` is in (the spoke's actions when it is empty), first few. */
function matchingUses(query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return knownUses.filter((known) => known.use.startsWith('servicenow:'));
  return knownUses.filter((known) => words.every((word) => known.words.includes(word))).slice(0, MAX_USE_RESULTS);
}

function renderUseResults(query) {
  const list = document.getElementById('use-results');
  const items = matchingUses(query).map((known) => {
    const button = element('button', 'use-pick');
    button.type = 'button';
    button.dataset.use = known.use;
    button.append(element('span', 'use-label', known.label), element('span', 'use-detail', known.detail));
    button.addEventListener('click', () => addUse(known.use));
    const item = element('li');
    item.append(button);
    return item;
  });
  if (items.length === 0) items.push(element('li', 'use-none', 'No operation or spoke action matches.'));
  list.replaceChildren(...items);
}

/** Adds a use as its own line, unless it is there already; checked as typing would be. */
function addUse(use) {
  const input = inputFor('uses');
  const lines = input.value.split('\n').map((line) => line.trim());
  if (!lines.includes(use)) {
    const text = input.value.replace(/\s+$/, '');
    input.value = text ? `${text}\n${use}` : use;
  }
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function wireSecretToggle() {
  const toggle = document.getElementById('toggle-secret');
  const input = inputFor(SECRET_INPUT);
  toggle.addEventListener('click', () => {
    const show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    toggle.textContent = show ? 'Hide' : 'Show';
    toggle.setAttribute('aria-label', show ? 'Hide secret' : 'Show secret');
  });
  toggle.setAttribute('aria-label', 'Show secret');
}

// ---------------------------------------------------------------------------------------------
// Checking

/** The last report, and the setup it is for: what Apply all fixes hands back to the core. */
let current = null;

function runCheck() {
  if (!validatorReady) {
    renderHighlightsOnly();
    return null;
  }
  const setup = readSetup();
  let report;
  try {
    report = validator.check(setup);
    hiddenNow = new Set(validator.hiddenFields(setup));
  } catch (error) {
    showLoadError(error, 'The validator failed on this input');
    return null;
  }
  current = { setup, report };
  renderFindings(report, setup);
  renderHighlights(report, setup);
  renderSummary(report.summary);
  renderFixControls(report);
  renderOutput(report);
  explainAgain();
  refreshOrigins();
  return report;
}

/**
 * The fields whose text must not be echoed anywhere in the page: the secret, and any field that
 * holds a secret or secret-shaped text, as the core's redaction predicate (`hiddenFields`)
 * decides on each check. Every field, until the validator has answered once.
 */
let hiddenNow = new Set(FIELDS);

function mustHide(field) {
  return hiddenNow.has(field);
}

function worstSeverity(findings) {
  let worst = null;
  for (const finding of findings) {
    if (!worst || (SEVERITY_RANK[finding.severity] ?? 0) > (SEVERITY_RANK[worst] ?? 0)) worst = finding.severity;
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// Findings

/** Each field's findings; an unchanged finding is left as it is drawn (findingView.fill). */
function renderFindings(report, setup) {
  for (const field of FIELDS) {
    const findings = report.findings.filter((finding) => finding.field === field);
    const list = document.querySelector(`[data-findings-for="${field}"]`);
    findingView.fill(list, findings, (finding) => findingOptions(finding, setup));
    markFieldState(field, findings);
  }
}

function markFieldState(field, findings) {
  const container = document.querySelector(`.field[data-field="${field}"]`);
  const worst = worstSeverity(findings);
  if (worst) {
    if (container.dataset.worst !== worst) container.dataset.worst = worst;
  } else if ('worst' in container.dataset) {
    delete container.dataset.worst;
  }
  const input = inputFor(field);
  const invalid = findings.some((finding) => finding.severity === 'error');
  if (invalid && input.getAttribute('aria-invalid') !== 'true') input.setAttribute('aria-invalid', 'true');
  else if (!invalid && input.hasAttribute('aria-invalid')) input.removeAttribute('aria-invalid');
}

function findingOptions(finding, setup) {
  const fix = finding.fix && inputFor(finding.fix.field) && {
    apply: () => applyOneFix(finding),
    label: labelOf(finding.fix.field),
    // The secret (or a field holding one) is never written into the page, not even in a tooltip.
    showValue: !secretFields.has(finding.fix.field) && !mustHide(finding.fix.field),
  };
  return {
    fix,
    excerpt: offendingExcerpt(finding, setup),
    helpLabel: 'How to fix: ',
    source: { prefix: 'Rule ', href: `#rule-${finding.rule}` },
  };
}

/** The offending text; null when there is none to show, and always for a hidden field. */
function offendingExcerpt(finding, setup) {
  if (!finding.span || mustHide(finding.field)) return null;
  const text = setup[finding.field] ?? '';
  return text.slice(finding.span.start, finding.span.end) || null;
}

// ---------------------------------------------------------------------------------------------
// Applying fixes: one finding's (its own button), or every safe one at once (Apply all fixes).
// Which fixes exist, which are safe, and what the fields become is the core's to say:
// `applyFixes` applies them, repeating rounds until none applies. Either kind of Apply can be
// undone until the form is edited again.

/** The form before the last Apply, while nothing has been typed since: { values }. */
let undoState = null;

function wireFixes() {
  document.getElementById('apply-all').addEventListener('click', applyAllFixes);
  document.getElementById('undo-fixes').addEventListener('click', undoFixes);
  document.addEventListener('keydown', (event) => {
    if (!undoState || event.defaultPrevented || event.altKey || event.shiftKey) return;
    if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'z') return;
    // In a text field, Ctrl/Cmd+Z is the field's own undo.
    if (isTextEntry(document.activeElement)) return;
    event.preventDefault();
    undoFixes();
  });
}

function isTextEntry(node) {
  if (!node) return false;
  if (node.isContentEditable || node.tagName === 'TEXTAREA' || node.tagName === 'SELECT') return true;
  return node.tagName === 'INPUT' && !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(node.type);
}

function sameSetup(a, b) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

function safeFixes(report) {
  return report.findings.filter((finding) => finding.fix?.applicability === 'safe');
}

function applyAllFixes() {
  if (!validatorReady) return;
  // Every change of the form is checked as it happens, so the last report is the form's.
  const setup = readSetup();
  const report = current && sameSetup(current.setup, setup) ? current.report : runCheck();
  if (!report || safeFixes(report).length === 0) return;
  const fixed = validator.applyFixes(setup, report, { unsafe: false });
  // Undo takes the focus (the button, with no safe fix left, is disabled). Before the page
  // changes, so that focusing costs no restyle of it; beside the button, so nothing scrolls.
  const undo = document.getElementById('undo-fixes');
  setHidden(undo, false);
  undo.focus({ preventScroll: true });
  applyValues(fixed, safeFixes(report), { all: true });
}

function applyOneFix(finding) {
  const { field, replacement } = finding.fix;
  if (!current || !inputFor(field)) return;
  applyValues({ ...readSetup(), [field]: replacement }, [finding], { all: false });
  // The finding (and its button) is gone: continue where the change happened.
  const input = inputFor(field);
  input.focus();
  const end = input.value.length;
  input.setSelectionRange(end, end);
  syncBackdropScroll(field);
}

/**
 * Writes `setup`'s values into the form (never the secret field: the core offers no fix of it),
 * checks again, and says how many of `applied` (the findings whose fixes these are) are gone;
 * after Apply all fixes, also how many guesses are left.
 */
function applyValues(setup, applied, { all }) {
  const values = formValues();
  for (const field of FIELDS) {
    if (secretFields.has(field)) continue;
    const value = typeof setup[field] === 'string' ? setup[field] : '';
    if (inputFor(field).value !== value) inputFor(field).value = value;
  }
  undoState = { values };
  clearShareOutput();
  const after = runCheck();
  if (!after) return;
  const fixed = countGone(applied, after.findings);
  const guesses = after.findings.filter((finding) => finding.fix?.applicability === 'unsafe').length;
  let text = fixed === 0 ? 'Nothing changed.' : `Fixed ${plural(fixed, 'finding', 'findings')}.`;
  if (all && guesses > 0) {
    text += guesses === 1 ? ' 1 guess is left for you, on its finding.' : ` ${guesses} guesses are left for you, on their findings.`;
  }
  showFixStatus(text, { undo: true });
}

/** How many of `findings` no longer appear in `now` (same rule, field and message). */
function countGone(findings, now) {
  const key = (finding) => `${finding.rule}\u0000${finding.field}\u0000${finding.message}`;
  const left = new Map();
  for (const finding of now) left.set(key(finding), (left.get(key(finding)) ?? 0) + 1);
  let gone = 0;
  for (const finding of findings) {
    const count = left.get(key(finding)) ?? 0;
    if (count > 0) left.set(key(finding), count - 1);
    else gone += 1;
  }
  return gone;
}

function undoFixes() {
  if (!undoState) return;
  fillForm(undoState.values, { keepSecret: true });
  undoState = null;
  clearShareOutput();
  runCheck();
  showFixStatus('Undone: the fields are as they were before.', { undo: false });
  const applyAll = document.getElementById('apply-all');
  if (!applyAll.disabled) applyAll.focus({ preventScroll: true });
}

function forgetUndo() {
  if (!undoState && document.getElementById('fix-status').textContent === '') return;
  undoState = null;
  showFixStatus('', { undo: false });
}

function showFixStatus(text, { undo }) {
  setText(document.getElementById('fix-status'), text);
  const button = document.getElementById('undo-fixes');
  const hadFocus = document.activeElement === button;
  setHidden(button, !undo);
  if (hadFocus && !undo) document.getElementById('apply-all').focus({ preventScroll: true });
}

/** Apply all fixes is offered when the core offers a safe fix. */
function renderFixControls(report) {
  const button = document.getElementById('apply-all');
  const count = safeFixes(report).length;
  if (button.disabled !== (count === 0)) button.disabled = count === 0;
  const title = count === 0 ? 'No finding has a safe fix.'
    : `Applies the ${plural(count, 'safe fix', 'safe fixes')} the validator offers; guesses are left for you.`;
  if (button.title !== title) button.title = title;
}

// ---------------------------------------------------------------------------------------------
// Highlights: a mirror of each field's text behind the (transparent) input, with <mark>s

const backdrops = new Map();

function backdropText(field) {
  if (!backdrops.has(field)) backdrops.set(field, document.querySelector(`.field[data-field="${field}"] .hl-text`));
  return backdrops.get(field);
}

function renderHighlights(report, setup) {
  for (const field of FIELDS) {
    if (secretFields.has(field) || !backdropText(field)) continue;
    const text = setup[field] ?? '';
    if (mustHide(field)) {
      renderBackdrop(field, '', []);
      continue;
    }
    const spans = report.findings
      .filter((finding) => finding.field === field && finding.span && finding.span.end > finding.span.start)
      .map((finding) => ({ ...finding.span, severity: finding.severity }));
    renderBackdrop(field, text, spans);
  }
}

/** Before the validator has loaded (or if it failed): keep the mirrors in step without marks. */
function renderHighlightsOnly() {
  for (const field of FIELDS) {
    if (secretFields.has(field) || !backdropText(field)) continue;
    const text = inputFor(field).value;
    renderBackdrop(field, mustHide(field) ? '' : text, []);
  }
}

/** What each mirror shows now: a mirror whose text and marks have not changed is left alone. */
const drawnBackdrops = new Map();

function renderBackdrop(field, text, spans) {
  const signature = JSON.stringify([text, spans]);
  if (drawnBackdrops.get(field) === signature) return;
  drawnBackdrops.set(field, signature);
  const mirror = backdropText(field);
  const nodes = [];
  for (const segment of highlightSegments(text, spans)) {
    const piece = text.slice(segment.start, segment.end);
    nodes.push(segment.severity ? element('mark', `sev-${segment.severity}`, piece) : document.createTextNode(piece));
  }
  // A trailing newline needs a character after it to take up a line; the spaces give inputs room
  // to scroll as far as the input itself does.
  nodes.push(document.createTextNode(inputFor(field).tagName === 'TEXTAREA' ? ' ' : '   '));
  mirror.replaceChildren(...nodes);
  syncBackdropScroll(field);
}

/** Cuts text at every span boundary; each piece carries the worst severity of the spans over it. */
function highlightSegments(text, spans) {
  const clamp = (n) => Math.max(0, Math.min(text.length, n));
  const cuts = new Set([0, text.length]);
  for (const span of spans) {
    cuts.add(clamp(span.start));
    cuts.add(clamp(span.end));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const segments = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [start, end] = [points[i], points[i + 1]];
    const covering = spans.filter((span) => clamp(span.start) <= start && clamp(span.end) >= end);
    segments.push({ start, end, severity: worstSeverity(covering) });
  }
  return segments;
}

/**
 * Scrolls each mirror as its field is scrolled, in the next frame before it is painted: reading a
 * field's scroll position right after the page changed would lay the whole page out again, once
 * per field and keystroke. All reads first, then all writes: one layout at most.
 */
const scrollsToSync = new Set();

function syncBackdropScroll(field) {
  if (!backdropText(field)) return;
  if (scrollsToSync.size === 0) requestAnimationFrame(flushBackdropScroll);
  scrollsToSync.add(field);
}

function flushBackdropScroll() {
  const positions = [...scrollsToSync].map((field) => {
    const input = inputFor(field);
    return [backdropText(field).parentElement, input.scrollLeft, input.scrollTop];
  });
  scrollsToSync.clear();
  for (const [backdrop, left, top] of positions) {
    if (backdrop.scrollLeft !== left) backdrop.scrollLeft = left;
    if (backdrop.scrollTop !== top) backdrop.scrollTop = top;
  }
}

// ---------------------------------------------------------------------------------------------
// Summary and outputs

function renderSummary(summary) {
  const line = document.getElementById('summary');
  const total = summary.errors + summary.warnings + summary.infos;
  let text = total === 0
    ? 'No problems found'
    : [
      plural(summary.errors, 'error', 'errors'),
      plural(summary.warnings, 'warning', 'warnings'),
      plural(summary.infos, 'info', 'infos'),
    ].join(', ');
  if (summary.omitted) text += ` (${summary.omitted} more of the same rules not listed)`;
  setText(line, text);
  const state = summary.errors ? 'error' : summary.warnings ? 'warning' : 'ok';
  if (line.dataset.state !== state) line.dataset.state = state;
}

/** Changes a node's text only when it differs: an unchanged value is not laid out and painted again. */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function setHidden(node, hidden) {
  if (node.hidden !== hidden) node.hidden = hidden;
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function renderOutput(report) {
  const { normalized } = report;
  setCopyValue('out-scope', normalized.scope);
  const authorize = document.getElementById('out-authorize-url');
  if (normalized.authorize_url) {
    setCopyValue('out-authorize-url', normalized.authorize_url);
  } else {
    setCopyValue('out-authorize-url', '', normalized.authorize_url_unavailable ?? '');
  }
  authorize.classList.toggle('unavailable', !normalized.authorize_url);
  setHidden(document.getElementById('authorize-url-note'), !normalized.authorize_url);
  renderLeastPrivilege(current?.setup.uses ?? '');
  renderServiceNowValues(report);
}

/** The scopes the uses need (the core's `scopesFor`), each with the calls that need it. */
let drawnUses = null;

function renderLeastPrivilege(uses) {
  // Drawn again when the uses field becomes hidden too: a secret typed elsewhere can make it so.
  const drawing = JSON.stringify([uses, mustHide('uses')]);
  if (drawing === drawnUses) return;
  drawnUses = drawing;
  const row = document.getElementById('least-privilege');
  const plan = uses.trim() ? validator.scopesFor(uses) : null;
  setHidden(row, !plan || plan.scopes.length === 0);
  if (!plan) return;
  setCopyValue('out-least-scope', plan.scope);
  document.getElementById('least-scopes').replaceChildren(...plan.scopes.map((planned) => {
    const item = element('li');
    item.dataset.scope = planned.scope;
    item.dataset.basis = planned.basis;
    // The calls as typed, unless the field holds secret-shaped text: then only the scope.
    const needs = mustHide('uses') ? '' : ` — ${planned.basis === 'doc' ? 'documented for' : 'inferred for'} `
      + planned.needed_by.join(', ');
    item.append(element('code', null, planned.scope), needs);
    return item;
  }));
}

/** Puts a value to copy into an <output>; `note` is shown instead when there is nothing to copy. */
function setCopyValue(id, value, note = '') {
  const output = document.getElementById(id);
  setText(output, value || note);
  if (output.dataset.copyValue !== value) output.dataset.copyValue = value;
  const button = document.querySelector(`[data-copy="${id}"]`);
  if (button && button.disabled !== !value) button.disabled = !value;
}

/** ServiceNow's names for the grants the core knows. */
const SERVICENOW_GRANTS = { authorization_code: 'Authorization Code', client_credentials: 'Client Credentials' };
const LEAVE_EMPTY_FOR_CLIENT_CREDENTIALS = 'Leave empty: not used by client credentials.';

/**
 * The Application Registry and connection fields: label, id of the output, the setup fields the
 * value comes from (a hidden one hides it), and the value: the grant, the endpoints and the scope
 * are the core's (`report.normalized`), for the setup's grant and cloud.
 */
const SERVICENOW_ROWS = [
  { id: 'out-sn-client-id', label: 'Client ID', sources: ['client_id'],
    value: ({ setup }) => (setup.client_id ?? '').trim(), empty: () => `Enter the ${labelOf('client_id')} above.` },
  { id: 'out-sn-client-secret', label: 'Client Secret', sources: ['client_secret'],
    value: () => '', empty: () => 'Paste it from the Atlassian console (never shown here).' },
  { id: 'out-sn-grant-type', label: 'Default Grant type', sources: ['grant_type'],
    value: ({ normalized }) => SERVICENOW_GRANTS[normalized.grant] ?? '',
    empty: () => `Not a grant Atlassian offers: see the findings on ${labelOf('grant_type')}.` },
  { id: 'out-sn-redirect-url', label: 'Redirect URL', sources: ['callback_url', 'redirect_url'],
    value: ({ setup, normalized }) => (normalized.grant === 'client_credentials'
      ? '' : ((setup.callback_url ?? '').trim() || (setup.redirect_url ?? '').trim())),
    empty: ({ normalized }) => (normalized.grant === 'client_credentials' ? LEAVE_EMPTY_FOR_CLIENT_CREDENTIALS
      : `Enter the ${labelOf('callback_url')} above; the Redirect URL must equal it.`) },
  { id: 'out-sn-token-url', label: 'Token URL', sources: [],
    value: ({ normalized }) => normalized.endpoints.token_url },
  { id: 'out-sn-authorization-url', label: 'Authorization URL', sources: [],
    value: ({ normalized }) => normalized.endpoints.authorization_url ?? '',
    empty: ({ normalized }) => (normalized.grant === 'client_credentials' ? LEAVE_EMPTY_FOR_CLIENT_CREDENTIALS
      : 'Not used by this grant.') },
  { id: 'out-sn-revocation-url', label: 'Token Revocation URL', sources: [],
    value: () => '', empty: () => 'Leave empty: Atlassian documents no revocation endpoint for OAuth apps.' },
  { id: 'out-sn-scope', label: 'OAuth Entity Scope', sources: ['scopes'],
    value: ({ normalized }) => normalized.scope, empty: () => `Enter the ${labelOf('scopes')} above.` },
  { id: 'out-sn-connection-url', label: 'Connection URL', sources: [],
    value: ({ normalized }) => normalized.endpoints.api_base_url },
];

function buildServiceNowRows() {
  const list = document.getElementById('servicenow-values');
  for (const row of SERVICENOW_ROWS) {
    const term = element('dt', null, row.label);
    term.id = `${row.id}-label`;
    const detail = element('dd');
    const output = element('output', 'copy-value');
    output.id = row.id;
    output.setAttribute('aria-labelledby', term.id);
    output.setAttribute('aria-live', 'off');
    const button = element('button', 'copy', 'Copy');
    button.type = 'button';
    button.dataset.copy = row.id;
    button.setAttribute('aria-label', `Copy ${row.label}`);
    const warning = element('p', 'copy-warning');
    warning.id = `${row.id}-warning`;
    warning.hidden = true;
    detail.append(output, button, warning);
    list.append(term, detail);
    wireCopyButtons(detail);
  }
}

function renderServiceNowValues(report) {
  const context = { setup: current?.setup ?? readSetup(), normalized: report.normalized };
  const list = document.getElementById('servicenow-values');
  if (list.dataset.cloud !== report.normalized.cloud) list.dataset.cloud = report.normalized.cloud;
  for (const row of SERVICENOW_ROWS) {
    const hidden = row.sources.some((field) => mustHide(field));
    const value = hidden ? '' : (row.value(context) ?? '');
    const empty = hidden ? 'Hidden: this looks like a client secret, not a value to paste here.'
      : (row.empty?.(context) ?? '');
    setCopyValue(row.id, value, empty);
    const output = document.getElementById(row.id);
    output.classList.toggle('unavailable', !value);
    const button = document.querySelector(`[data-copy="${row.id}"]`);
    setHidden(button, !value);
    const broken = row.sources.filter((field) => !secretFields.has(field)
      && report.findings.some((finding) => finding.field === field && finding.severity === 'error'));
    const warning = document.getElementById(`${row.id}-warning`);
    setHidden(warning, !value || broken.length === 0);
    setText(warning, broken.length ? `Fix the errors in ${broken.map(labelOf).join(' and ')} first.` : '');
  }
}

// ---------------------------------------------------------------------------------------------
// Copying

function wireCopyButtons(root) {
  for (const button of root.querySelectorAll('button[data-copy]')) {
    button.addEventListener('click', () => {
      const source = document.getElementById(button.dataset.copy);
      copyText(source.dataset.copyValue ?? source.textContent, source, button);
    });
  }
}

async function copyText(text, source, button) {
  if (!text) return;
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
    flashButton(button, 'Copied');
    announce('Copied to the clipboard.');
  } catch {
    selectContents(source);
    flashButton(button, 'Selected');
    announce('Copying is not available here: the text is selected, press Ctrl+C (⌘C) to copy it.');
  }
}

function selectContents(node) {
  const selection = window.getSelection();
  if (!selection) return;
  const range = document.createRange();
  range.selectNodeContents(node);
  selection.removeAllRanges();
  selection.addRange(range);
}

function flashButton(button, text) {
  if (!button) return;
  const original = button.dataset.label ?? button.textContent;
  button.dataset.label = original;
  button.textContent = text;
  clearTimeout(Number(button.dataset.timer));
  button.dataset.timer = String(setTimeout(() => { button.textContent = original; }, COPY_FEEDBACK_MS));
}

function announce(text) {
  const status = document.getElementById('copy-status');
  status.textContent = '';
  status.textContent = text;
}

// ---------------------------------------------------------------------------------------------
// Share links: the setup (never the secret) in the URL fragment, as base64url-encoded JSON

function wireShare() {
  const button = document.getElementById('share');
  button.addEventListener('click', () => {
    const url = shareUrl();
    const output = document.getElementById('share-url');
    output.textContent = url;
    output.dataset.copyValue = url;
    copyText(url, output, button);
  });
}

function clearShareOutput() {
  const output = document.getElementById('share-url');
  output.textContent = '';
  delete output.dataset.copyValue;
}

function shareUrl() {
  const setup = withoutHiddenFields(readSetup()).setup;
  const url = new URL(window.location.href);
  url.hash = SHARE_PREFIX.slice(1) + encodeSetup(setup);
  return url.href;
}

function encodeSetup(setup) {
  const bytes = new TextEncoder().encode(JSON.stringify(setup));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The setup in a fragment, or null when it cannot be read. Accepts base64url or URI-encoded JSON. */
function decodeSetup(encoded) {
  try {
    let json;
    const raw = encoded.trim();
    if (raw.startsWith('{') || raw.startsWith('%7B') || raw.startsWith('%7b')) {
      json = decodeURIComponent(raw);
    } else {
      const base64 = raw.replace(/-/g, '+').replace(/_/g, '/');
      const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
      json = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    }
    const value = JSON.parse(json);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
    const setup = {};
    for (const field of FIELDS) {
      if (typeof value[field] === 'string') setup[field] = value[field];
    }
    return setup;
  } catch {
    return null;
  }
}

/**
 * The setup less every field the core's redaction predicate hides (the secret, a secret pasted
 * into the client ID, a callback carrying one), with the names of the fields dropped.
 */
function withoutHiddenFields(setup) {
  const dropped = validator.hiddenFields(setup);
  const kept = { ...setup };
  for (const field of dropped) delete kept[field];
  return { setup: kept, dropped };
}

function restoreFromFragment() {
  const hash = window.location.hash;
  if (!hash.startsWith(SHARE_PREFIX)) return;
  const decoded = decodeSetup(hash.slice(SHARE_PREFIX.length));
  // The setup is in the form now: the address keeps no copy of it, in the bar or in history.
  history.replaceState(null, '', window.location.pathname + window.location.search);
  const status = document.getElementById('share-status');
  if (!decoded) {
    status.textContent = 'The setup in this link could not be read, so the form was left as it was.';
    return;
  }
  const { setup, dropped } = withoutHiddenFields(decoded);
  fillForm(setup, { keepSecret: true });
  forgetUndo();
  status.textContent = dropped.length
    ? `The link held a secret (in ${dropped.map(labelOf).join(', ')}): ignored; the other fields were filled in.`
    : 'The fields were filled in from the link.';
  runCheck();
}

// ---------------------------------------------------------------------------------------------
// Rule reference (rendered once)

function renderRuleReference() {
  const all = validator.rules();
  const index = document.getElementById('rules-index');
  const list = document.getElementById('rules-list');
  const indexList = element('ul', 'rules-index-list');
  for (const rule of all) {
    const link = element('a', null);
    link.href = `#rule-${rule.code}`;
    link.append(element('code', null, rule.code));
    const entry = element('li');
    entry.append(link);
    indexList.append(entry);
    list.append(renderRule(rule));
  }
  index.append(indexList);
}

function renderRule(rule) {
  const section = element('section', 'rule');
  section.id = `rule-${rule.code}`;
  section.dataset.severity = rule.severity;
  const heading = element('h3', 'rule-heading');
  heading.append(element('code', 'rule-code', rule.code), ' ', element('span', 'rule-title', rule.title));
  const meta = element('p', 'rule-meta');
  meta.append(
    element('span', 'visually-hidden', 'Default severity: '),
    severityBadge(rule.severity),
    element('span', 'rule-field', `Field: ${labelOf(rule.field)}`),
    element('span', 'rule-basis', `Basis: ${rule.basis_text}`),
  );
  const explanation = element('p', 'rule-explanation');
  explanation.append(...withCode(rule.explanation));
  section.append(heading, meta, explanation);
  if (rule.fixes) {
    const fixes = element('p', 'rule-fixes');
    fixes.append(...withCode(rule.fixes));
    section.append(fixes);
  }
  return section;
}

/** A rule's default severity: the findings' icon and word. */
function severityBadge(severity) {
  const badge = element('span', 'severity-badge');
  badge.dataset.severity = severity;
  badge.append(findingView.icon(severity), element('span', 'severity-label', findingView.severityWord(severity)));
  return badge;
}

function scrollToRuleInFragment() {
  const hash = window.location.hash;
  if (!hash.startsWith('#rule-') && !hash.startsWith('#cause-')) return;
  let id = hash.slice(1);
  try { id = decodeURIComponent(id); } catch { /* keep it as it is */ }
  document.getElementById(id)?.scrollIntoView();
}

// ---------------------------------------------------------------------------------------------
// Version and load errors

function showVersion() {
  document.getElementById('version').textContent = validator.version();
}

function showLoadError(error, title = 'The validator could not be loaded') {
  document.getElementById('load-status').hidden = true;
  const box = document.getElementById('load-error');
  const detail = error && error.message ? error.message : String(error);
  box.replaceChildren(
    element('strong', null, `${title}.`),
    ' ',
    element('span', null, 'This page checks setups with WebAssembly, which this browser did not run: it may '
      + 'be turned off, blocked by a policy or an extension, or the page may not have loaded completely. '
      + 'Reload the page, or use the command-line validator (threelo check). '),
    element('span', 'load-error-detail', `Details: ${detail}`),
  );
  box.hidden = false;
}

// Last, so that every constant above is initialised.
start();
