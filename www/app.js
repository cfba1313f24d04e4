// The threelo docs page: a live validator form, the values to paste, share links and the rule
// reference. Everything runs here: the validator is WebAssembly from ./pkg, and this script never
// makes a request of its own. The client secret is read only to be checked; it is never written
// into the page (findings, highlights, outputs) nor into a share link.

// The validator module is imported dynamically, so that a missing or blocked build still leaves a
// working page that says what went wrong. Its API: `init()`, `check(setup)`, `rules()`, `hiddenFields(setup)`,
// `version()`.
const VALIDATOR_MODULE = './pkg/threelo.js';
let validator = null;

/** Setup fields, in the order of the form. */
const FIELDS = [
  'client_id', 'client_secret', 'grant_type', 'callback_url', 'redirect_url', 'scopes',
  'authorization_url', 'token_url', 'revocation_url', 'api_base_url',
];
const SECRET_FIELD = 'client_secret';

/** Labels as the Atlassian console and ServiceNow show them (also used in the rule reference). */
const FIELD_LABELS = {
  client_id: 'Client ID',
  client_secret: 'Secret / Client Secret',
  grant_type: 'Grant type',
  callback_url: 'Callback URL (Atlassian console)',
  redirect_url: 'Redirect URL (ServiceNow)',
  scopes: 'Scopes (OAuth Entity Scope)',
  authorization_url: 'Authorization URL',
  token_url: 'Token URL',
  revocation_url: 'Token Revocation URL',
  api_base_url: 'Connection URL (API base)',
};

const SEVERITIES = {
  error: { label: 'Error', rank: 3 },
  warning: { label: 'Warning', rank: 2 },
  info: { label: 'Info', rank: 1 },
};

const BASIS_WORDS = {
  documented: 'documented by Atlassian or ServiceNow',
  'atlassian-staff': 'stated by Atlassian staff on the developer community, not in the reference docs',
  standard: 'required by the OAuth 2.0 standards (RFC 6749, RFC 9700)',
  observed: 'observed behaviour, not documented by Atlassian',
};

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

const CLOUDS = {
  commercial: {
    authorize: 'https://auth.atlassian.com/authorize',
    token: 'https://auth.atlassian.com/oauth/token',
    api: 'https://api.atlassian.com/',
  },
  government: {
    authorize: 'https://auth.atlassian-us-gov-mod.com/authorize',
    token: 'https://auth.atlassian-us-gov-mod.com/oauth/token',
    api: 'https://api.atlassian-us-gov-mod.com/',
  },
};

const SVG_NS = 'http://www.w3.org/2000/svg';
const SHARE_PREFIX = '#setup=';
const COPY_FEEDBACK_MS = 2500;

let validatorReady = false;

async function start() {
  wireForm();
  wirePresets();
  wireSecretToggle();
  wireCopyButtons(document);
  wireShare();
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
  renderRuleReference();
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

function fillForm(values, { keepSecret = false } = {}) {
  for (const field of FIELDS) {
    if (keepSecret && field === SECRET_FIELD) continue;
    const value = values[field];
    inputFor(field).value = typeof value === 'string' ? value : '';
  }
}

function wireForm() {
  const form = document.getElementById('setup-form');
  form.addEventListener('submit', (event) => event.preventDefault());
  form.addEventListener('input', runCheck);
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
      clearShareOutput();
      runCheck();
    });
  }
}

function wireSecretToggle() {
  const toggle = document.getElementById('toggle-secret');
  const input = inputFor(SECRET_FIELD);
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

function runCheck() {
  if (!validatorReady) {
    renderHighlightsOnly();
    return;
  }
  const setup = readSetup();
  let report;
  try {
    report = validator.check(setup);
    hiddenNow = new Set(validator.hiddenFields(setup));
  } catch (error) {
    showLoadError(error, 'The validator failed on this input');
    return;
  }
  renderFindings(report, setup);
  renderHighlights(report, setup);
  renderSummary(report.summary);
  renderOutput(report, setup);
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
    if (!worst || SEVERITIES[finding.severity].rank > SEVERITIES[worst].rank) worst = finding.severity;
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// Findings

function renderFindings(report, setup) {
  for (const field of FIELDS) {
    const findings = report.findings.filter((finding) => finding.field === field);
    const list = document.querySelector(`[data-findings-for="${field}"]`);
    list.replaceChildren(...findings.map((finding) => renderFinding(finding, setup)));
    markFieldState(field, findings);
  }
}

function markFieldState(field, findings) {
  const container = document.querySelector(`.field[data-field="${field}"]`);
  const worst = worstSeverity(findings);
  if (worst) container.dataset.worst = worst;
  else delete container.dataset.worst;
  const input = inputFor(field);
  if (findings.some((finding) => finding.severity === 'error')) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function renderFinding(finding, setup) {
  const item = element('li', 'finding');
  item.dataset.rule = finding.rule;
  item.dataset.severity = finding.severity;

  const head = element('p', 'finding-head');
  head.append(severityBadge(finding.severity), ' ');
  const message = element('span', 'finding-message');
  message.append(...withCodeSpans(finding.message));
  head.append(message);
  item.append(head);

  const excerpt = offendingExcerpt(finding, setup);
  if (excerpt !== null) {
    const line = element('p', 'finding-excerpt');
    line.append('In the field: ', element('mark', `sev-${finding.severity}`, excerpt));
    item.append(line);
  }

  if (finding.help) {
    const help = element('p', 'finding-help');
    help.append(element('span', 'finding-help-label', 'How to fix: '), ...withCodeSpans(finding.help));
    item.append(help);
  }

  const actions = element('p', 'finding-actions');
  if (finding.fix) actions.append(applyFixButton(finding.fix), ' ');
  const link = element('a', 'rule-link');
  link.href = `#rule-${finding.rule}`;
  link.append('Rule ', element('code', null, finding.rule));
  actions.append(link);
  item.append(actions);
  return item;
}

/** The offending text, made readable; null when there is none to show, and always for the secret. */
function offendingExcerpt(finding, setup) {
  const text = setup[finding.field] ?? '';
  if (!finding.span || mustHide(finding.field)) return null;
  const excerpt = text.slice(finding.span.start, finding.span.end);
  if (excerpt === '') return null;
  return shorten(visibleWhitespace(excerpt), 120);
}

function visibleWhitespace(text) {
  const shown = text.replace(/\r?\n/g, '⏎').replace(/\t/g, '⇥');
  return shown.trim() === '' ? shown.replace(/ /g, '␣') : shown;
}

function shorten(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function applyFixButton(fix) {
  const button = element('button', 'apply-fix', 'Apply fix');
  button.type = 'button';
  if (fix.field !== SECRET_FIELD) {
    button.title = `Set ${FIELD_LABELS[fix.field] ?? fix.field} to: ${shorten(fix.replacement, 200)}`;
  }
  button.addEventListener('click', () => applyFix(fix));
  return button;
}

function applyFix(fix) {
  const input = inputFor(fix.field);
  if (!input) return;
  input.value = fix.replacement;
  runCheck();
  // The finding (and this button) is gone: continue where the change happened.
  input.focus();
  const end = input.value.length;
  input.setSelectionRange(end, end);
  syncBackdropScroll(fix.field);
}

function severityBadge(severity) {
  const badge = element('span', 'severity');
  badge.dataset.severity = severity;
  badge.append(severityIcon(severity), element('span', 'severity-label', SEVERITIES[severity]?.label ?? severity));
  return badge;
}

/** A distinct shape per severity (circle ×, triangle !, circle i), so colour is never the only cue. */
function severityIcon(severity) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', 'severity-icon');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const shape = severity === 'warning'
    ? svgNode('path', { d: 'M8 1.2 15.2 14.4H.8Z', class: 'icon-shape' })
    : svgNode('circle', { cx: '8', cy: '8', r: '7.2', class: 'icon-shape' });
  const marks = {
    error: svgNode('path', { d: 'M5.2 5.2l5.6 5.6M10.8 5.2l-5.6 5.6', class: 'icon-mark' }),
    warning: svgNode('path', { d: 'M8 5.6v4.2M8 11.6v1.2', class: 'icon-mark' }),
    info: svgNode('path', { d: 'M8 7.2v4.8M8 4.2v1.2', class: 'icon-mark' }),
  };
  svg.append(shape, marks[severity] ?? marks.info);
  return svg;
}

function svgNode(name, attributes) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

// ---------------------------------------------------------------------------------------------
// Highlights: a mirror of each field's text behind the (transparent) input, with <mark>s

function backdropText(field) {
  return document.querySelector(`.field[data-field="${field}"] .hl-text`);
}

function renderHighlights(report, setup) {
  for (const field of FIELDS) {
    if (field === SECRET_FIELD || !backdropText(field)) continue;
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
    if (field === SECRET_FIELD || !backdropText(field)) continue;
    const text = inputFor(field).value;
    renderBackdrop(field, mustHide(field) ? '' : text, []);
  }
}

function renderBackdrop(field, text, spans) {
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
  requestAnimationFrame(() => syncBackdropScroll(field));
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

function syncBackdropScroll(field) {
  const mirror = backdropText(field);
  if (!mirror) return;
  const input = inputFor(field);
  const backdrop = mirror.parentElement;
  backdrop.scrollLeft = input.scrollLeft;
  backdrop.scrollTop = input.scrollTop;
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
  line.textContent = text;
  line.dataset.state = summary.errors ? 'error' : summary.warnings ? 'warning' : 'ok';
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function renderOutput(report, setup) {
  const { normalized } = report;
  setCopyValue('out-scope', normalized.scope);
  const authorize = document.getElementById('out-authorize-url');
  if (normalized.authorize_url) {
    setCopyValue('out-authorize-url', normalized.authorize_url);
    authorize.classList.remove('unavailable');
  } else {
    setCopyValue('out-authorize-url', '', whyNoAuthorizeUrl(report, setup));
    authorize.classList.add('unavailable');
  }
  document.getElementById('authorize-url-note').hidden = !normalized.authorize_url;
  renderServiceNowValues(report, setup);
}

/** Puts a value to copy into an <output>; `note` is shown instead when there is nothing to copy. */
function setCopyValue(id, value, note = '') {
  const output = document.getElementById(id);
  output.textContent = value || note;
  output.dataset.copyValue = value;
  const button = document.querySelector(`[data-copy="${id}"]`);
  if (button) button.disabled = !value;
}

function grantOf(setup) {
  const key = (setup.grant_type ?? '').trim().toLowerCase().replace(/[ -]/g, '_');
  if (['', 'authorization_code', 'code', '3lo'].includes(key)) return 'authorization_code';
  if (key === 'client_credentials') return 'client_credentials';
  return 'unsupported';
}

function whyNoAuthorizeUrl(report, setup) {
  const grant = grantOf(setup);
  if (grant === 'client_credentials') return 'None: the client-credentials grant has no user consent, so no authorize URL.';
  if (grant === 'unsupported') return 'Not available: choose the authorization_code grant first.';
  const missing = [];
  if (!(setup.client_id ?? '').trim()) missing.push(FIELD_LABELS.client_id);
  if (!(setup.callback_url ?? '').trim() && !(setup.redirect_url ?? '').trim()) missing.push('a callback URL');
  if (report.normalized.scopes.length === 0) missing.push('scopes');
  if (missing.length) return `Not available yet: enter ${missing.join(', ')}.`;
  const broken = ['client_id', 'callback_url', 'redirect_url', 'scopes'].filter((field) =>
    report.findings.some((finding) => finding.field === field && finding.severity === 'error'));
  if (broken.length) {
    return `Not available yet: fix the errors in ${broken.map((field) => FIELD_LABELS[field]).join(', ')}.`;
  }
  return 'Not available yet: fix the errors above.';
}

function cloudOf(setup) {
  const urls = ['authorization_url', 'token_url', 'api_base_url'].map((field) => setup[field] ?? '');
  return urls.some((url) => url.includes('atlassian-us-gov-mod.com')) ? CLOUDS.government : CLOUDS.commercial;
}

/** The Application Registry and connection fields: label, id of the output, and how to get the value. */
const SERVICENOW_ROWS = [
  { id: 'out-sn-client-id', label: 'Client ID', sources: ['client_id'],
    value: (setup) => (setup.client_id ?? '').trim() || '', empty: 'Enter the Client ID above.' },
  { id: 'out-sn-client-secret', label: 'Client Secret', sources: ['client_secret'],
    value: () => '', empty: 'Paste it from the Atlassian console (never shown here).' },
  { id: 'out-sn-grant-type', label: 'Default Grant type', sources: ['grant_type'],
    value: (setup) => ({ authorization_code: 'Authorization Code', client_credentials: 'Client Credentials' })[grantOf(setup)] ?? '',
    empty: 'Not a grant Atlassian offers: see the findings on Grant type.' },
  { id: 'out-sn-redirect-url', label: 'Redirect URL', sources: ['callback_url', 'redirect_url'],
    value: (setup) => (grantOf(setup) === 'client_credentials'
      ? '' : ((setup.callback_url ?? '').trim() || (setup.redirect_url ?? '').trim())),
    empty: (setup) => (grantOf(setup) === 'client_credentials'
      ? 'Leave empty: not used by client credentials.' : 'Enter the Callback URL above; the Redirect URL must equal it.') },
  { id: 'out-sn-token-url', label: 'Token URL', sources: [],
    value: (setup) => cloudOf(setup).token },
  { id: 'out-sn-authorization-url', label: 'Authorization URL', sources: [],
    value: (setup) => (grantOf(setup) === 'client_credentials' ? '' : cloudOf(setup).authorize),
    empty: 'Leave empty: not used by client credentials.' },
  { id: 'out-sn-revocation-url', label: 'Token Revocation URL', sources: [],
    value: () => '', empty: 'Leave empty: Atlassian documents no revocation endpoint for OAuth apps.' },
  { id: 'out-sn-scope', label: 'OAuth Entity Scope', sources: ['scopes'],
    value: (setup, report) => report.normalized.scope, empty: 'Enter the scopes above.' },
  { id: 'out-sn-connection-url', label: 'Connection URL', sources: [],
    value: (setup) => cloudOf(setup).api },
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

function renderServiceNowValues(report, setup) {
  for (const row of SERVICENOW_ROWS) {
    const hidden = row.sources.some((field) => mustHide(field));
    const value = hidden ? '' : row.value(setup, report);
    const empty = hidden ? 'Hidden: this looks like a client secret, not a value to paste here.'
      : typeof row.empty === 'function' ? row.empty(setup) : (row.empty ?? '');
    setCopyValue(row.id, value, empty);
    const output = document.getElementById(row.id);
    output.classList.toggle('unavailable', !value);
    const button = document.querySelector(`[data-copy="${row.id}"]`);
    button.hidden = !value;
    const broken = row.sources.filter((field) => field !== SECRET_FIELD
      && report.findings.some((finding) => finding.field === field && finding.severity === 'error'));
    const warning = document.getElementById(`${row.id}-warning`);
    warning.hidden = !value || broken.length === 0;
    warning.textContent = broken.length
      ? `Fix the errors in ${broken.map((field) => FIELD_LABELS[field]).join(' and ')} first.` : '';
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
  status.textContent = dropped.length
    ? `The link held a secret (in ${dropped.map((f) => FIELD_LABELS[f] ?? f).join(', ')}): ignored; the other fields were filled in.`
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
    element('span', 'rule-field', `Field: ${FIELD_LABELS[rule.field] ?? rule.field}`),
    element('span', 'rule-basis', `Basis: ${BASIS_WORDS[rule.basis] ?? rule.basis}`),
  );
  const explanation = element('p', 'rule-explanation');
  explanation.append(...withCodeSpans(rule.explanation));
  section.append(heading, meta, explanation);
  return section;
}

function scrollToRuleInFragment() {
  const hash = window.location.hash;
  if (!hash.startsWith('#rule-')) return;
  let id = hash.slice(1);
  try { id = decodeURIComponent(id); } catch { /* keep it as it is */ }
  document.getElementById(id)?.scrollIntoView();
}

// ---------------------------------------------------------------------------------------------
// Small DOM helpers

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Text with `backticked` parts as <code>; everything is inserted as text, never as markup. */
function withCodeSpans(text) {
  const parts = String(text).split('`');
  if (parts.length % 2 === 0) {
    const rest = parts.pop(); // after an unpaired backtick: text, backtick included
    parts[parts.length - 1] += `\`${rest}`;
  }
  return parts
    .map((part, i) => (i % 2 === 1 ? element('code', null, part) : document.createTextNode(part)))
    .filter((node) => node.textContent !== '');
}

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
