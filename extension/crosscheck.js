// Turns what a page shows into a Setup for the validator, and its Report into what that page shows.
// A page holds part of a setup: the console's Authorization page only the Callback URL, ServiceNow's
// form no callback at all. So:
// - values remembered from the other side fill in the counterpart field (the console's Callback URL
//   becomes ServiceNow's `callback_url`, and the other way round), so that the validator's own
//   `callback/mismatch` fires;
// - only findings about fields the page has (and has a value in) are shown: an empty field on a
//   half-filled form is the site's own business, and findings about a remembered value belong to
//   the page it came from; `callback/mismatch` is shown on both sides;
// - the client ID has one field in a Setup, so comparing the two sides' client IDs is done here,
//   as the extension's own `cross-check/client-id`.

const SETUP_FIELDS = [
  'client_id', 'client_secret', 'callback_url', 'redirect_url', 'scopes',
  'grant_type', 'authorization_url', 'token_url', 'revocation_url', 'api_base_url',
];
const MAX_LENGTH = 100_000;

/**
 * On a Permissions page, which lists one API's scopes, only the rules about single scopes apply:
 * "no offline_access" or "no Confluence scope" would be wrong there (offline_access is never listed,
 * and the User identity API's page has no Confluence scope).
 */
const PER_SCOPE_RULES = new Set(['scope/unknown', 'scope/not-for-oauth-apps', 'scope/case', 'scope/duplicate', 'scope/openid']);

const SIDE_NAMES = { atlassian: 'the Atlassian developer console', servicenow: 'ServiceNow' };

/** The page's fields, as strings, known keys only: anything else a content script sent is dropped. */
export function cleanFields(fields) {
  const clean = {};
  if (!fields || typeof fields !== 'object') return clean;
  for (const field of SETUP_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string') clean[field] = value.slice(0, MAX_LENGTH);
  }
  return clean;
}

/** The setup to check: the page's fields plus the counterparts remembered from the other side. */
export function compose(site, fields, remembered) {
  const setup = { ...fields };
  const borrowed = {};
  const borrow = (field, from) => {
    if (from && !(field in fields)) {
      setup[field] = from.value;
      borrowed[field] = from;
    }
  };
  if (site === 'atlassian' && 'callback_url' in fields) borrow('redirect_url', remembered.servicenow?.redirect_url);
  if (site === 'servicenow' && 'redirect_url' in fields) borrow('callback_url', remembered.atlassian?.callback_url);
  // The scope form has no grant type: the one last seen on the registry form tells whether
  // offline_access belongs.
  if (site === 'servicenow' && 'scopes' in fields) borrow('grant_type', remembered.servicenow?.grant_type);
  return { setup, borrowed };
}

/** The findings this page shows, with the summary counted again. */
export function present(report, { site, page, fields, borrowed, remembered }) {
  const shown = [];
  for (const finding of report.findings) {
    if (finding.rule === 'callback/mismatch' && borrowed.redirect_url && site === 'atlassian') {
      if (!fields.callback_url) continue; // nothing typed yet: nothing to compare
      // Found on the remembered Redirect URL; shown beside this page's Callback URL. Its fix
      // edits ServiceNow's field, so it is not offered here.
      shown.push({
        ...finding,
        field: 'callback_url',
        span: undefined,
        fix: undefined,
        help: `${finding.help} (ServiceNow's Redirect URL as seen on ${borrowed.redirect_url.host} in this browser session).`,
      });
      continue;
    }
    const value = fields[finding.field];
    if (typeof value !== 'string' || value === '') continue;
    if (page === 'permissions' && finding.field === 'scopes' && !PER_SCOPE_RULES.has(finding.rule)) continue;
    shown.push(finding);
  }
  const mismatch = clientIdMismatch(site, fields, remembered);
  if (mismatch) shown.push(mismatch);
  const findings = shown.map((finding) => redacted(finding, fields.client_secret));
  return { findings, summary: count(findings) };
}

/** The extension's own check: the client ID on this side against the other side's. */
function clientIdMismatch(site, fields, remembered) {
  const here = (fields.client_id ?? '').trim();
  const otherSite = site === 'atlassian' ? 'servicenow' : 'atlassian';
  const there = remembered[otherSite]?.client_id;
  if (!here || !there || there.value.trim() === here) return null;
  const where = `${SIDE_NAMES[otherSite]} (${there.host}, this browser session)`;
  const finding = {
    rule: 'cross-check/client-id',
    severity: 'error',
    field: 'client_id',
    message: `this Client ID differs from \`${there.value.trim()}\`, the Client ID seen in ${where}`,
    help: site === 'servicenow'
      ? "copy the Client ID from the app's Settings page in the developer console; if that was another app, use Forget in threelo's popup"
      : "ServiceNow's Client ID must be this app's: correct it there; if that was another app, use Forget in threelo's popup",
  };
  if (site === 'servicenow') finding.fix = { field: 'client_id', replacement: there.value.trim() };
  return finding;
}

/** The secret never shows in a message, even if the validator's own redaction were to miss it. */
function redacted(finding, secret) {
  const hidden = typeof secret === 'string' ? secret.trim() : '';
  if (hidden.length < 6) return finding;
  const hide = (text) => (typeof text === 'string' ? text.split(hidden).join('[secret]') : text);
  return { ...finding, message: hide(finding.message), help: hide(finding.help) };
}

function count(findings) {
  const summary = { errors: 0, warnings: 0, infos: 0 };
  for (const finding of findings) {
    if (finding.severity === 'error') summary.errors += 1;
    else if (finding.severity === 'warning') summary.warnings += 1;
    else summary.infos += 1;
  }
  return summary;
}
