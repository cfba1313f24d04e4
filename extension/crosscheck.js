// Turns what a page shows into setups for the validator, and its reports into what that page shows.
// A page holds part of a setup: the console's Authorization page only the Callback URL, ServiceNow's
// form no callback at all. So:
// - values remembered from the other side fill in the counterpart field (the console's Callback URL
//   becomes ServiceNow's `callback_url`, and the other way round), so that the validator's own
//   `callback/mismatch` fires;
// - the console's and ServiceNow's client IDs are compared by the core's `crossCheck` (rules
//   `cross-check/*`), over the pair of setups `pair()` builds;
// - only findings about fields the page has (and has a value in) are shown: an empty field on a
//   half-filled form is the site's own business, and findings about a remembered value belong to
//   the page it came from; `callback/mismatch` and `cross-check/*` are shown on both sides;
// - on a Permissions page, which lists one API's scopes, only the rules the core marks `per_scope`;
//   and the scopes ServiceNow requests (remembered from a confirmed instance) are checked with
//   this page's added scopes as the app's (`app_scopes`), so the core's `scope/not-on-app` names
//   each one the page lists as not added. A requested scope this page does not list is another
//   tab's or API's: the page says nothing about it.

import { confirmedInstances } from './memory.js';

const SETUP_FIELDS = [
  'client_id', 'client_secret', 'callback_url', 'redirect_url', 'scopes',
  'grant_type', 'authorization_url', 'token_url', 'revocation_url', 'api_base_url',
];
const MAX_LENGTH = 100_000;

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

/**
 * A value remembered from a ServiceNow page, if this page may use it: any `*.service-now.com`
 * instance can be a stranger's free developer instance, so another ServiceNow page uses it only
 * when both are the same instance, and the console only when the user confirmed that instance in
 * the popup (`remembered.confirmed`). `host` is this page's own host.
 */
function fromInstance(from, site, host, remembered) {
  if (!from) return undefined;
  if (site === 'servicenow') return from.host === host ? from : undefined;
  return confirmedInstances(remembered).includes(from.host) ? from : undefined;
}

/** The setup to check: the page's fields plus the counterparts remembered from the other side. */
export function compose(site, fields, remembered, host) {
  const setup = { ...fields };
  const borrowed = {};
  const borrow = (field, from) => {
    if (from && !(field in fields)) {
      setup[field] = from.value;
      borrowed[field] = from;
    }
  };
  const instance = (field) => fromInstance(remembered.servicenow?.[field], site, host, remembered);
  if (site === 'atlassian' && 'callback_url' in fields) borrow('redirect_url', instance('redirect_url'));
  if (site === 'servicenow' && 'redirect_url' in fields) borrow('callback_url', remembered.atlassian?.callback_url);
  // The scope form has no grant type: the one last seen on the registry form tells whether
  // offline_access belongs.
  if (site === 'servicenow' && 'scopes' in fields) borrow('grant_type', instance('grant_type'));
  return { setup, borrowed };
}

/** The scope codes a content script says its Permissions page lists as not added, cleaned. */
export function cleanOffered(offered) {
  if (!Array.isArray(offered)) return [];
  return offered.filter((code) => typeof code === 'string' && code.length <= 200).slice(0, 500);
}

/**
 * On a Permissions page, the setup that holds ServiceNow's requested scopes against the app's
 * (this page's added ones): `{ setup, from }`, or null when no confirmed instance's scopes are
 * remembered or the page lists nothing as not added.
 */
export function requestedOnPermissions(site, page, fields, offered, remembered, host) {
  if (site !== 'atlassian' || page !== 'permissions' || offered.length === 0) return null;
  const from = fromInstance(remembered.servicenow?.scopes, site, host, remembered);
  if (!from) return null;
  const grant = fromInstance(remembered.servicenow?.grant_type, site, host, remembered);
  const setup = { scopes: from.value, app_scopes: fields.scopes ?? '' };
  if (grant) setup.grant_type = grant.value;
  return { setup, from };
}

/**
 * The two sides for the core's `crossCheck(console, client)`: this page's fields on its side, the
 * remembered client ID on the other. `null` when one side has no client ID.
 */
export function pair(site, fields, remembered, host) {
  const there = site === 'atlassian'
    ? fromInstance(remembered.servicenow?.client_id, site, host, remembered)
    : remembered.atlassian?.client_id;
  if (!there || typeof fields.client_id !== 'string') return null;
  const other = { client_id: there.value };
  return site === 'atlassian' ? { console: fields, client: other } : { console: other, client: fields };
}

/**
 * The findings this page shows, with the summary counted again. `crossReport` is the core's
 * `crossCheck` of `pair()`, `perScope` the codes of the rules the core marks `per_scope`.
 */
export function present(report, { site, page, fields, borrowed, remembered, crossReport, perScope, requested }) {
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
    if (page === 'permissions' && finding.field === 'scopes' && !perScope?.has(finding.rule)) continue;
    shown.push(finding);
  }
  for (const finding of crossReport?.findings ?? []) shown.push(crossFinding(finding, site, remembered));
  if (requested) shown.push(...notOnThisPage(requested));
  const findings = shown.map((finding) => redacted(finding, fields.client_secret));
  return { findings, summary: count(findings) };
}

/**
 * A `cross-check/*` finding as this side shows it: it is about ServiceNow's value, so the console
 * shows it without span or fix; both say where the other value was seen.
 */
function crossFinding(finding, site, remembered) {
  const otherSite = site === 'atlassian' ? 'servicenow' : 'atlassian';
  const there = remembered[otherSite]?.client_id;
  const where = there ? ` (the other value as seen in ${SIDE_NAMES[otherSite]}, ${there.host}, this browser session)` : '';
  const help = site === 'servicenow'
    ? `${finding.help}${where}; if that was another app, use Forget in threelo's popup`
    : `correct it in ServiceNow${where}; if that was another app, use Forget in threelo's popup`;
  if (site === 'servicenow') return { ...finding, help };
  return { ...finding, span: undefined, fix: undefined, help };
}

/**
 * The core's `scope/not-on-app` findings on ServiceNow's scopes, for the scopes this page lists
 * as not added: shown in that scope's row (`scope`), without span or fix (the scope list is
 * ServiceNow's), saying where the requested list was seen.
 */
function notOnThisPage({ report, setup, from, offered }) {
  const shown = [];
  for (const finding of report.findings) {
    if (finding.rule !== 'scope/not-on-app' || !finding.span) continue;
    const scope = setup.scopes.slice(finding.span.start, finding.span.end);
    if (!offered.includes(scope)) continue;
    shown.push({
      ...finding,
      field: 'scopes',
      scope,
      span: undefined,
      fix: undefined,
      help: `${finding.help} (ServiceNow's OAuth scope as seen on ${from.host} in this browser session)`,
    });
  }
  return shown;
}

/**
 * A configuration template's findings as its form shows them (`read` is the core's
 * setupFromServiceNow answer): each of the setup's own findings says where in the template its
 * value is, the entry of `read.origins` whose `within` holds the finding's span or else the
 * field's own, as the core's `origin_of` does; the findings only the records show follow, with
 * their own origins. No fix is offered: the template's text is not the setup's (threelo check --fix
 * rewrites a template file).
 */
export function withOrigins(shown, read, secret) {
  const originOf = (finding) => {
    const ofField = read.origins.filter((origin) => origin.field === finding.field);
    const start = finding.span?.start;
    const inside = ofField.find((origin) => origin.within && start !== undefined
      && origin.within.start <= start && start < origin.within.end);
    return (inside ?? ofField.find((origin) => !origin.within))?.origin;
  };
  const findings = [
    ...shown.findings.map((finding) => ({ ...finding, origin: finding.origin ?? originOf(finding), fix: undefined })),
    ...read.findings.map((finding) => redacted({ ...finding, fix: undefined }, secret)),
  ];
  return { findings, summary: count(findings) };
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
