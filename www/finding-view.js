// One finding as a list item, the same wherever threelo shows one: on the docs page (www/), in the
// extension's panels beside a site's fields and in its popup. An icon of the severity's own shape,
// the severity as a word (never colour alone), the message and help with `backticked` parts as
// <code>, optionally the offending text, Apply fix when the caller offers one (marked as a guess
// when the core says the fix is unsafe), and the rule it came from. Everything is inserted as text
// nodes or textContent, never as markup; no style is set here (each place styles the classes).
//
// This file is the only copy in the repository: scripts/build-extension copies it into the
// extension, and a test fails if that copy differs. It is a plain script with no imports or
// exports, so that it runs as a classic script (the extension's content scripts cannot import
// modules without exposing files to pages; the popup loads it with a script tag) and as a module
// (the docs page imports it for its effect): either way it hangs its API off globalThis.threelo.
'use strict';

globalThis.threelo = globalThis.threelo ?? {};

globalThis.threelo.findingView = (() => {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const WORDS = { error: 'Error', warning: 'Warning', info: 'Info' };
  // ADS-like glyphs: a circle with ! for errors, a triangle with ! for warnings, a circle with i for info.
  const WARNING_SHAPE = 'M8 1.3c.4 0 .8.2 1 .6l6.2 11.2c.4.8-.1 1.6-1 1.6H1.8c-.9 0-1.4-.8-1-1.6L7 1.9c.2-.4.6-.6 1-.6Z';
  const MARKS = { error: 'M8 4.4v4.4M8 11.2v.2', warning: 'M8 5.6v3.8M8 11.6v.2', info: 'M8 7.3v4M8 4.6v.2' };
  /** Per drawn item: what it shows (its key), its Apply fix button, and what that button does now. */
  const drawn = new WeakMap();

  /**
   * The <li class="finding"> for `finding` (a Finding of the core's Report). Options:
   * - `fix`: { apply, label, showValue } when Apply fix is offered: `apply()` runs on click; the
   *   button's tooltip names `label` (the field) and, unless `showValue` is false (a field that
   *   must not be echoed), the field's text after the fix.
   * - `excerpt`: the offending text, when the caller may show it (never for a hidden field).
   * - `helpLabel`: words before the help ("How to fix: "), none by default.
   * - `source`: { prefix, href }: the small print naming the rule, `prefix` then the code; a link
   *   to `href` when given.
   */
  function item(finding, options = {}) {
    const { fix = null, excerpt = null, helpLabel = '', source = {} } = options;
    const state = { key: keyOf(finding, options), button: null, apply: fix?.apply };
    const li = element('li', 'finding');
    drawn.set(li, state);
    li.dataset.rule = finding.rule;
    li.dataset.severity = finding.severity;
    const body = element('div', 'body');

    const text = element('p', 'text');
    const message = element('span', 'message');
    message.append(...withCode(sentence(finding.message)));
    text.append(element('span', 'severity', `${severityWord(finding.severity)}:`), ' ', message);
    body.append(text);

    const shown = excerpt === null || excerpt === undefined ? '' : shorten(visibleWhitespace(String(excerpt)), 120);
    if (shown !== '') {
      const line = element('p', 'excerpt');
      line.append('In the field: ', element('mark', `sev-${finding.severity}`, shown));
      body.append(line);
    }

    // Read from ServiceNow (a template or an export): where in it the value is.
    if (finding.origin) body.append(element('p', 'origin', `In ServiceNow: ${finding.origin}`));

    if (finding.help) {
      const help = element('p', 'help');
      if (helpLabel) help.append(element('span', 'help-label', helpLabel));
      help.append(...withCode(sentence(finding.help)));
      body.append(help);
    }

    const actions = element('div', 'actions');
    if (fix && finding.fix) {
      state.button = fixButton(finding.fix, fix, () => state.apply?.());
      actions.append(state.button);
    }
    actions.append(sourceOf(finding.rule, source));
    body.append(actions);

    li.append(icon(finding.severity), body);
    return li;
  }

  /** Apply fix; for an unsafe fix (a guess, such as the closest scope to a typo) it says so. */
  function fixButton(coreFix, fix, onClick) {
    const guess = coreFix.applicability === 'unsafe';
    const button = element('button', 'apply-fix', 'Apply fix');
    button.type = 'button';
    button.dataset.applicability = guess ? 'unsafe' : 'safe';
    if (guess) button.append(element('span', 'fix-guess', ' (a guess)'));
    const title = fixTitle(coreFix, fix);
    if (title) button.title = title;
    button.addEventListener('click', onClick);
    return button;
  }

  /** "Set <label> to: <the field after the fix>", said to be a guess when it is one. */
  function fixTitle(coreFix, { label, showValue = true }) {
    const guess = coreFix.applicability === 'unsafe';
    const words = [guess ? 'A guess: set' : 'Set'];
    if (label) words.push(label);
    if (showValue) words.push(`to: ${shorten(String(coreFix.replacement ?? ''), 200)}`);
    if (words.length > 1) return words.join(' ');
    return guess ? 'A guess' : '';
  }

  /** Everything an item shows but its tooltip: two findings with one key look the same. */
  function keyOf(finding, { fix = null, excerpt = null, helpLabel = '', source = {} } = {}) {
    return JSON.stringify([finding.rule, finding.severity, finding.message, finding.origin ?? null, finding.help, excerpt ?? null, helpLabel,
      source.prefix ?? '', source.href ?? '',
      fix && finding.fix ? [finding.fix.applicability, fix.label ?? '', fix.showValue !== false] : null]);
  }

  /**
   * Makes `list` show `findings` (`optionsOf(finding)` gives each one's options, as for item()),
   * changing only what differs: an item that looks the same stays in place, with its tooltip and
   * its Apply fix brought up to date, so that a keystroke does not lay out and paint the findings
   * it did not change, and a focused button keeps its focus.
   */
  function fill(list, findings, optionsOf) {
    const wanted = findings.map((finding) => {
      const options = optionsOf(finding);
      return { finding, options, key: keyOf(finding, options) };
    });
    const left = new Map();
    for (const { key } of wanted) left.set(key, (left.get(key) ?? 0) + 1);
    let cursor = list.firstElementChild;
    const drop = () => {
      const next = cursor.nextElementSibling;
      cursor.remove();
      cursor = next;
    };
    for (const { finding, options, key } of wanted) {
      while (cursor && !(left.get(drawn.get(cursor)?.key) > 0)) drop();
      if (cursor && drawn.get(cursor).key === key) {
        const state = drawn.get(cursor);
        state.apply = options.fix?.apply;
        if (state.button && finding.fix) {
          const title = fixTitle(finding.fix, options.fix);
          if (state.button.title !== title) state.button.title = title;
        }
        cursor = cursor.nextElementSibling;
      } else {
        list.insertBefore(item(finding, options), cursor);
      }
      left.set(key, left.get(key) - 1);
    }
    while (cursor) drop();
  }

  function sourceOf(rule, { prefix = '', href }) {
    const node = href ? element('a', 'source rule-link') : element('span', 'source');
    if (href) node.href = href;
    if (prefix) node.append(prefix);
    node.append(element('code', null, rule));
    return node;
  }

  /** The severity's icon, decorative: the word beside it says the same. */
  function icon(severity) {
    const kind = WORDS[severity] ? severity : 'info';
    const svg = svgNode('svg', { viewBox: '0 0 16 16', class: 'icon', 'aria-hidden': 'true', focusable: 'false' });
    const shape = kind === 'warning'
      ? svgNode('path', { d: WARNING_SHAPE, class: `icon-shape icon-${kind}` })
      : svgNode('circle', { cx: '8', cy: '8', r: '7', class: `icon-shape icon-${kind}` });
    const mark = svgNode('path', {
      d: MARKS[kind], class: `icon-mark mark-${kind}`, fill: 'none', 'stroke-width': '1.8', 'stroke-linecap': 'round',
    });
    svg.append(shape, mark);
    return svg;
  }

  function severityWord(severity) {
    return WORDS[severity] ?? String(severity);
  }

  function svgNode(name, attributes) {
    const node = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    return node;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The validator writes messages to follow a label ("error: …"); shown on their own, they start a sentence. */
  function sentence(text) {
    const value = String(text ?? '');
    return /^[a-z]/.test(value) ? value[0].toUpperCase() + value.slice(1) : value;
  }

  /** Text with `backticked` parts as <code>, as text nodes only; an unpaired backtick stays text. */
  function withCode(text) {
    const parts = String(text ?? '').split('`');
    if (parts.length % 2 === 0) {
      const rest = parts.pop();
      parts[parts.length - 1] += `\`${rest}`;
    }
    return parts
      .map((part, i) => (i % 2 === 1 ? element('code', null, part) : document.createTextNode(part)))
      .filter((node) => node.textContent !== '');
  }

  /** Whitespace made visible: line breaks and tabs always, spaces when there is nothing else. */
  function visibleWhitespace(text) {
    const shown = text.replace(/\r?\n/g, '⏎').replace(/\t/g, '⇥');
    return shown.trim() === '' ? shown.replace(/ /g, '␣') : shown;
  }

  function shorten(text, max) {
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }

  return { item, fill, icon, severityWord, element, withCode, shorten };
})();
