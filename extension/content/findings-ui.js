// The findings shown beside a field. Each field's findings live in a shadow root under a
// <threelo-findings> element, so the page's CSS cannot restyle them and their CSS cannot leak
// into the page; the host is a block placed after the field's box, where the site shows its own
// field messages. Two looks: the Atlassian console's (ADS error and warning messages) and
// ServiceNow's (its field message boxes). Each finding is drawn by finding-view.js, the renderer the
// popup and the docs page use too (the build copies it from www/).
'use strict';

threelo.ui = (() => {
  const HOST_TAG = 'threelo-findings';
  // Closed, so that the page's scripts cannot read what is shown (a field's value, and for a
  // mismatch the other side's). scripts/build-extension writes 'open' here in the test build only
  // (dist/extension-test/), which the tests' locators read; a test checks the shipped one is closed.
  const SHADOW_MODE = 'closed';
  /** Each host's panel: with a closed root, host.shadowRoot is null even for us. */
  const panels = new WeakMap();

  const STYLE = `
    :host { all: initial; display: block; }
    .panel { box-sizing: border-box; max-width: 100%; }
    ul { list-style: none; margin: 0; padding: 0; }
    .finding { display: flex; align-items: flex-start; gap: 6px; }
    .icon { flex: none; width: 16px; height: 16px; }
    .body { min-width: 0; flex: 1; overflow-wrap: anywhere; }
    .text { margin: 0; }
    .severity { font-weight: 600; }
    .help { margin: 2px 0 0; }
    .origin { margin: 2px 0 0; opacity: 0.8; font-size: 0.92em; overflow-wrap: anywhere; }
    .actions { display: flex; align-items: center; flex-wrap: wrap; gap: 8px; margin-top: 4px; }
    .source { opacity: .8; font-size: 11px; }
    .panel .source code { background: none; padding: 0; font: inherit; color: inherit; }
    .fix-guess { font-style: italic; }
    code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92em;
           overflow-wrap: anywhere; }
    button { cursor: pointer; font: inherit; }
    .apply-all { margin: 0 0 6px; }
    button:focus-visible { outline: 2px solid #388BFF; outline-offset: 1px; }

    /* Atlassian Design System: 12px messages under the field, icon and text in the severity's colour. */
    .atlassian { margin-top: 4px; font: 12px/16px "Atlassian Sans", ui-sans-serif, -apple-system, BlinkMacSystemFont,
                 "Segoe UI", Ubuntu, "Helvetica Neue", sans-serif; color: #44546F; }
    .atlassian .finding + .finding { margin-top: 6px; }
    .atlassian [data-severity="error"] .text { color: #AE2E24; }
    .atlassian [data-severity="warning"] .text { color: #A54800; }
    .atlassian [data-severity="info"] .text { color: #0055CC; }
    .atlassian .icon-error { fill: #C9372C; } .atlassian .icon-warning { fill: #E2B203; }
    .atlassian .icon-info { fill: #1D7AFC; }
    .atlassian .mark-error, .atlassian .mark-info { stroke: #FFFFFF; }
    .atlassian .mark-warning { stroke: #172B4D; }
    .atlassian code { background: #091E420F; border-radius: 3px; padding: 0 2px; color: #172B4D; }
    .atlassian button { height: 24px; padding: 0 8px; border: 0; border-radius: 3px; background: #091E420F;
                        color: #44546F; font-weight: 500; font-size: 14px; line-height: 24px; }
    .atlassian button:hover { background: #091E4224; color: #172B4D; }
    .atlassian .source { color: #626F86; }

    /* ServiceNow: field messages are tinted boxes under the field, 13px, the severity's colour at the left. */
    .servicenow { margin-top: 4px; font: 13px/1.4 SourceSansPro, "Source Sans Pro", "Helvetica Neue", Helvetica,
                  Arial, sans-serif; color: #2E2E2E; }
    .servicenow .finding { padding: 5px 8px; border-left: 4px solid; border-radius: 3px; }
    .servicenow .finding + .finding { margin-top: 3px; }
    .servicenow [data-severity="error"] { background: #FCE4E3; border-color: #C83C36; }
    .servicenow [data-severity="warning"] { background: #FFF2D6; border-color: #E5A02E; }
    .servicenow [data-severity="info"] { background: #E5F1FC; border-color: #278EFC; }
    .servicenow .icon-error { fill: #C83C36; } .servicenow .icon-warning { fill: #E5A02E; }
    .servicenow .icon-info { fill: #278EFC; }
    .servicenow .mark-error, .servicenow .mark-info { stroke: #FFFFFF; } .servicenow .mark-warning { stroke: #2E2E2E; }
    .servicenow code { background: rgba(0,0,0,.06); border-radius: 2px; padding: 0 2px; }
    .servicenow button { padding: 2px 10px; border: 1px solid #BDC0C4; border-radius: 3px; background: #FFFFFF;
                         color: #2E2E2E; font-size: 13px; }
    .servicenow button:hover { background: #E6E9EB; }
    .servicenow .source { color: #6B6E70; }
  `;

  /** Hosts by key (the field), so each field has at most one. */
  const hosts = new Map();
  const signatures = new WeakMap();

  function isOurs(node) {
    return node?.nodeType === Node.ELEMENT_NODE && node.localName === HOST_TAG;
  }

  /**
   * Where a block can go "under the field" without breaking the page's layout: after the field's
   * box. Climbs out of inline boxes and row-wise flex or grid containers (ADS wraps an input in a
   * flex row with its icons; a block inside that would sit beside the input, squeezing it).
   */
  function boxOf(control) {
    let node = control;
    for (let depth = 0; depth < 4 && node.parentElement && node.parentElement !== node.ownerDocument.body; depth += 1) {
      const parent = node.parentElement;
      const style = getComputedStyle(parent);
      const rowFlex = style.display.includes('flex') && !style.flexDirection.startsWith('column');
      const inline = style.display.startsWith('inline') || style.display.includes('grid') || parent.tagName === 'LABEL';
      if (!rowFlex && !inline) break;
      node = parent;
    }
    return node;
  }

  function createHost(key) {
    const host = document.createElement(HOST_TAG);
    host.dataset.threeloField = key;
    const shadow = host.attachShadow({ mode: SHADOW_MODE });
    const style = document.createElement('style');
    style.textContent = STYLE;
    const panel = document.createElement('div');
    panel.className = 'panel';
    panel.setAttribute('role', 'group');
    shadow.append(style, panel);
    panels.set(host, panel);
    return host;
  }

  /** Puts the host at its place, moving it only when it is not there already (no needless mutations). */
  function place(host, where) {
    if (where.append) {
      if (host.parentNode !== where.append || host.nextSibling !== null) where.append.append(host);
    } else if (where.before) {
      if (host.nextSibling !== where.before) where.before.before(host);
    } else {
      const box = where.afterBox ? boxOf(where.afterBox) : where.after;
      if (box.nextSibling !== host) box.after(host);
    }
  }

  /**
   * Shows `findings` for `key` at `where` ({afterBox: control} | {after: el} | {append: el} |
   * {before: el}) in `theme`; no findings removes the host. `onFix(fix)` is called by Apply fix,
   * offered only when `canFix(fix)` says so.
   */
  function render(key, where, findings, { theme, label, onFix, canFix, applyAll = null }) {
    let host = hosts.get(key);
    if (findings.length === 0) {
      host?.remove();
      hosts.delete(key);
      return;
    }
    if (!host) {
      host = createHost(key);
      hosts.set(key, host);
    }
    place(host, where);
    // Re-reading an unchanged page must not rebuild the findings (a focused button would lose focus).
    const signature = JSON.stringify([theme, label, findings, findings.map((finding) => Boolean(finding.fix && canFix(finding.fix))),
      applyAll?.count ?? 0]);
    if (signatures.get(host) === signature) return;
    signatures.set(host, signature);
    const panel = panels.get(host);
    panel.className = `panel ${theme}`;
    panel.setAttribute('aria-label', `threelo: ${findings.length === 1 ? '1 finding' : `${findings.length} findings`} for ${label}`);
    const list = document.createElement('ul');
    list.append(...findings.map((finding) => renderFinding(finding, { label, onFix, canFix })));
    panel.replaceChildren(...(applyAll ? [applyAllButton(applyAll)] : []), list);
  }

  /** "Apply all safe fixes (N)": every fix the core calls safe, on every field of the page. */
  function applyAllButton({ count, apply }) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'apply-all';
    button.textContent = `Apply all safe fixes (${count})`;
    button.addEventListener('click', () => apply());
    return button;
  }

  function renderFinding(finding, { label, onFix, canFix }) {
    const offered = finding.fix && canFix(finding.fix);
    const fix = offered && {
      apply: () => onFix(finding.fix),
      label,
      // The secret is never written into the page, not even in a tooltip.
      showValue: finding.fix.field !== 'client_secret',
    };
    return threelo.findingView.item(finding, { fix, source: { prefix: 'threelo · ' } });
  }

  function clear(key) {
    hosts.get(key)?.remove();
    hosts.delete(key);
  }

  function clearAll() {
    for (const key of [...hosts.keys()]) clear(key);
  }

  function keys() {
    return [...hosts.keys()];
  }

  return { render, clear, clearAll, keys, isOurs };
})();
