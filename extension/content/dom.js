// Finding form fields the way a person does: by the words on the screen. Both sites change their
// markup (the Atlassian console is a React app whose class names are generated on every release;
// ServiceNow varies between UI16, Next Experience and versions), but a field labelled "Callback URL"
// stays labelled "Callback URL". So fields are found by their accessible name (aria-labelledby,
// aria-label, <label for>, a wrapping <label>) or, for values shown as text, by the element that
// names them, and never by class names or generated ids.
//
// Content scripts are classic scripts that share one isolated world: each file adds its part to
// the `threelo` namespace.
'use strict';

globalThis.threelo = globalThis.threelo ?? {};

threelo.dom = (() => {
  /** Text as a person reads a label: collapsed whitespace, no trailing `*` or `:`, any case. */
  function normalize(text) {
    return String(text ?? '')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/(\s*[*:])+$/, '')
      .replace(/\s*\((required|optional)\)$/i, '')
      .trim()
      .toLowerCase();
  }

  function byIds(root, ids) {
    const doc = root.ownerDocument ?? root;
    return String(ids).split(/\s+/).filter(Boolean).map((id) => doc.getElementById(id)).filter(Boolean);
  }

  /**
   * Every name a control is given: a match on any of them counts. Besides a labelling element's
   * whole text, each piece of text in it counts on its own, so that a label that also holds a
   * marker or a hint for screen readers ("Mandatory", "required", "*") still matches its words.
   */
  function namesOf(control) {
    const names = [];
    const labels = [...(control.labels ?? [])];
    const labelledBy = control.getAttribute('aria-labelledby');
    if (labelledBy) {
      const nodes = byIds(control, labelledBy);
      names.push(nodes.map((node) => node.textContent).join(' '));
      labels.push(...nodes);
    }
    for (const label of labels) {
      names.push(label.textContent);
      const walker = label.ownerDocument.createTreeWalker(label, NodeFilter.SHOW_TEXT);
      for (let text = walker.nextNode(); text; text = walker.nextNode()) names.push(text.data);
    }
    const ariaLabel = control.getAttribute('aria-label');
    if (ariaLabel) names.push(ariaLabel);
    const placeholder = control.getAttribute('placeholder');
    if (placeholder && names.length === 0) names.push(placeholder);
    return [...new Set(names.map(normalize).filter(Boolean))];
  }

  /** Whether the element takes up space on the screen (hidden fields are not the user's to fix). */
  function isShown(element) {
    if (!element.isConnected) return false;
    if (element.getClientRects().length === 0) return false;
    const style = getComputedStyle(element);
    return style.visibility !== 'hidden' && style.display !== 'none';
  }

  const CONTROLS = 'input:not([type="hidden"]):not([type="checkbox"]):not([type="radio"]):not([type="button"])'
    + ':not([type="submit"]), textarea, select, [role="textbox"], [role="combobox"]';

  /**
   * The page's shown controls by every name they have, worked out once per reading of the page:
   * `find(labels)` is then a lookup, however many fields a site asks for.
   */
  function indexControls(root) {
    const byName = new Map();
    for (const control of root.querySelectorAll(CONTROLS)) {
      if (!isShown(control)) continue;
      for (const name of namesOf(control)) if (!byName.has(name)) byName.set(name, control);
    }
    return {
      find: (labels) => labels.map(normalize).map((name) => byName.get(name)).find(Boolean) ?? null,
    };
  }

  const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA', 'OPTION', 'BUTTON']);

  /**
   * A value the page shows as text rather than in a field (the console's Settings page shows the
   * client ID like that, with a copy button). Found from the element that names it, and only where
   * the markup ties the two: whatever points back at it with aria-labelledby, or the <dd> after its
   * <dt>. Text that merely follows a label is not taken for its value (a page could put anything
   * there). Returns { element, label } or null. Walks the text nodes once, so a large page costs
   * one pass, not one per element.
   */
  function findShownText(root, labels) {
    const wanted = new Set(labels.map(normalize));
    const walker = (root.ownerDocument ?? root).createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const label = text.parentElement;
      if (!label || SKIPPED.has(label.tagName) || !wanted.has(normalize(text.data))) continue;
      // The whole element must say it (a "*" marker aside), not just one of its words.
      if (!wanted.has(normalize(label.textContent)) || !isShown(label)) continue;
      const value = valueNamedBy(root, label);
      if (value) return { element: value, label };
    }
    return null;
  }

  function valueNamedBy(root, label) {
    if (label.id) {
      const doc = root.ownerDocument ?? root;
      for (const candidate of doc.querySelectorAll('[aria-labelledby]')) {
        if (candidate.getAttribute('aria-labelledby').split(/\s+/).includes(label.id)) return candidate;
      }
    }
    if (label.tagName === 'DT') {
      const dd = label.nextElementSibling;
      return dd && dd.tagName === 'DD' && isShown(dd) ? dd : null;
    }
    return null;
  }

  /**
   * The text of a value shown as text: the part a copy button would copy. Buttons ("Copy",
   * "Show") inside the element are not part of it.
   */
  function shownText(element) {
    const copy = element.cloneNode(true);
    for (const button of copy.querySelectorAll('button, [role="button"], [aria-hidden="true"]')) button.remove();
    const input = element.matches('input, textarea') ? element : element.querySelector('input, textarea');
    if (input) return input.value;
    return copy.textContent.replace(/\s+/g, ' ').trim();
  }

  function valueOf(control) {
    if (control.tagName === 'SELECT') {
      const option = control.selectedOptions[0];
      if (!option) return '';
      return option.value !== '' ? option.value : option.textContent.trim();
    }
    if ('value' in control) return control.value;
    return control.textContent;
  }

  function isEditable(control) {
    if (!('value' in control)) return control.isContentEditable;
    return !control.disabled && !control.readOnly;
  }

  /**
   * Sets a control's value the way typing would, so that the page's own code notices: the native
   * setter (React keeps a copy of the value and compares it with what the native setter stored),
   * then `input` and `change` events (ServiceNow's forms listen to `change`).
   */
  function setValue(control, value) {
    if (control.tagName === 'SELECT' && ![...control.options].some((option) => option.value === value)) return false;
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(control), 'value')?.set;
    if (setter) setter.call(control, value);
    else control.value = value;
    control.dispatchEvent(new Event('input', { bubbles: true }));
    control.dispatchEvent(new Event('change', { bubbles: true }));
    return true;
  }

  return { normalize, namesOf, isShown, indexControls, findShownText, shownText, valueOf, isEditable, setValue };
})();
