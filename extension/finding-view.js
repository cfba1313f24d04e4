// One finding as a list item, the same in the pages' findings and in the popup: an icon of the
// severity's own shape, the severity as a word (never colour alone), the message and help with
// `backticked` parts as <code>, Apply fix when the caller offers one, and where it came from.
// Everything is inserted as text, never as markup. A classic script, not a module: content scripts
// cannot import modules without exposing files to pages, so it hangs off the `threelo` namespace
// that the content scripts share and that the popup loads before its module.
'use strict';

globalThis.threelo = globalThis.threelo ?? {};

threelo.findingView = (() => {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const WORDS = { error: 'Error', warning: 'Warning', info: 'Info' };
  // ADS-like glyphs: a circle with ! for errors, a triangle for warnings, a circle with i for info.
  const WARNING_SHAPE = 'M8 1.3c.4 0 .8.2 1 .6l6.2 11.2c.4.8-.1 1.6-1 1.6H1.8c-.9 0-1.4-.8-1-1.6L7 1.9c.2-.4.6-.6 1-.6Z';
  const MARKS = { error: 'M8 4.4v4.4M8 11.2v.2', warning: 'M8 5.6v3.8M8 11.6v.2', info: 'M8 7.3v4M8 4.6v.2' };

  /**
   * The <li> for `finding`. `fix`: { title, apply } when Apply fix is offered; `source`: the
   * small print naming the rule.
   */
  function item(finding, { fix, source }) {
    const li = element('li', 'finding');
    li.dataset.rule = finding.rule;
    li.dataset.severity = finding.severity;
    const body = element('div', 'body');
    const text = element('p', 'text');
    text.append(element('span', 'severity', `${WORDS[finding.severity] ?? finding.severity}:`), ' ',
      ...withCode(sentence(finding.message)));
    body.append(text);
    if (finding.help) {
      const help = element('p', 'help');
      help.append(...withCode(sentence(finding.help)));
      body.append(help);
    }
    const actions = element('div', 'actions');
    if (fix) {
      const button = element('button', 'apply-fix', 'Apply fix');
      button.type = 'button';
      if (fix.title) button.title = fix.title;
      button.addEventListener('click', fix.apply);
      actions.append(button);
    }
    actions.append(element('span', 'source', source));
    body.append(actions);
    li.append(icon(finding.severity), body);
    return li;
  }

  function icon(severity) {
    const kind = WORDS[severity] ? severity : 'info';
    const svg = svgNode('svg', { viewBox: '0 0 16 16', class: 'icon', 'aria-hidden': 'true', focusable: 'false' });
    const shape = kind === 'warning'
      ? svgNode('path', { d: WARNING_SHAPE, class: `icon-${kind}` })
      : svgNode('circle', { cx: '8', cy: '8', r: '7', class: `icon-${kind}` });
    const mark = svgNode('path', {
      d: MARKS[kind], class: `mark mark-${kind}`, fill: 'none', 'stroke-width': '1.8', 'stroke-linecap': 'round',
    });
    svg.append(shape, mark);
    return svg;
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

  /** Text with `backticked` parts as <code>, inserted as text nodes only. */
  function withCode(text) {
    return String(text).split('`').map((part, i) => (i % 2 === 1 ? element('code', null, part) : document.createTextNode(part)))
      .filter((node) => node.textContent !== '');
  }

  return { item, element };
})();
