// The Atlassian developer console (developer.atlassian.com/console/…): an OAuth 2.0 app's
// Authorization page (the Callback URL field), its Permissions pages (a table of the API's scopes
// with their codes, and Add/Remove buttons or an "Added" status), and its Settings page (Client ID
// and Secret, shown as text with copy buttons or as read-only fields). Any other console page has
// none of these, and gets nothing.
'use strict';

threelo.site = (() => {
  const { dom } = threelo;

  /** A value hidden behind bullets or asterisks is not the value: nothing to check. */
  const MASKED = /^[•●·*∙\u2022\s]+$/;

  function controlBinding(field, label, control) {
    return {
      field,
      label,
      control,
      where: { afterBox: control },
      value: () => dom.valueOf(control),
    };
  }

  /** A field that may be an input or a value shown as text, as the Settings page does it. */
  function fieldOrText(doc, controls, field, label, names) {
    const control = controls.find(names);
    if (control) return controlBinding(field, label, control);
    const shown = dom.findShownText(doc, names);
    if (!shown) return null;
    const text = dom.shownText(shown.element);
    if (text === '' || MASKED.test(text)) return null;
    return { field, label, shown: shown.element, where: { afterBox: shown.element }, value: () => dom.shownText(shown.element) };
  }

  /** "Remove" (or an "Added" status) means the scope is on the app; "Add" means it is only offered. */
  function addedState(row) {
    for (const button of row.querySelectorAll('button, [role="button"]')) {
      const words = dom.normalize(button.textContent || button.getAttribute('aria-label'));
      if (words === 'remove' || words.startsWith('remove ')) return true;
      if (words === 'add' || words.startsWith('add ')) return false;
    }
    for (const cell of row.children) {
      const words = dom.normalize(cell.textContent);
      if (words === 'added') return true;
      if (words === 'not added') return false;
    }
    return null;
  }

  const CELL = 'td, th, [role="cell"], [role="gridcell"], [role="rowheader"], [role="columnheader"]';
  const SCOPE_CODE = /^[a-z0-9_.:-]*[:_][a-z0-9_.:-]*$/i;

  /**
   * The scopes listed on a Permissions page: every table with a "Code" column. When the rows say
   * which scopes are added (Remove buttons, an Added status), only those; otherwise all of them.
   */
  function scopeRows(doc) {
    const rows = [];
    let firstTable = null;
    for (const table of doc.querySelectorAll('table, [role="table"], [role="grid"]')) {
      if (!dom.isShown(table)) continue;
      const headers = [...table.querySelectorAll('th, [role="columnheader"]')];
      const headerRow = headers[0]?.parentElement;
      const columns = headerRow ? [...headerRow.children].filter((cell) => cell.matches(CELL)) : [];
      const codeColumn = columns.findIndex((cell) => ['code', 'scope code'].includes(dom.normalize(cell.textContent)));
      if (codeColumn < 0) continue;
      for (const row of table.querySelectorAll('tr, [role="row"]')) {
        if (row === headerRow) continue;
        const cells = [...row.children].filter((cell) => cell.matches(CELL));
        const cell = cells[codeColumn];
        const code = cell?.textContent.trim() ?? '';
        if (!SCOPE_CODE.test(code)) continue;
        rows.push({ code, cell, added: addedState(row) });
      }
      if (rows.length > 0) firstTable ??= table;
    }
    const stated = rows.some((row) => row.added !== null);
    return {
      rows: stated ? rows.filter((row) => row.added === true) : rows,
      // Listed with Add or "Not added": what this page says is not on the app.
      offered: rows.filter((row) => row.added === false),
      firstTable,
    };
  }

  function scopesBinding(doc) {
    const { rows, offered, firstTable } = scopeRows(doc);
    if (rows.length === 0 && offered.length === 0) return null;
    // The scopes as one space-separated text, remembering where each row's code starts, so that a
    // finding's span leads back to its row.
    let text = '';
    const spans = rows.map((row) => {
      if (text) text += ' ';
      const start = text.length;
      text += row.code;
      return { start, end: text.length, cell: row.cell };
    });
    return {
      field: 'scopes',
      label: 'Scopes',
      rows: spans,
      offered: offered.map((row) => ({ code: row.code, cell: row.cell })),
      where: { before: firstTable },
      value: () => text,
    };
  }

  function read(doc) {
    const controls = dom.indexControls(doc);
    const bindings = [
      fieldOrText(doc, controls, 'callback_url', 'Callback URL', ['Callback URL', 'Callback URLs']),
      fieldOrText(doc, controls, 'client_id', 'Client ID', ['Client ID']),
      fieldOrText(doc, controls, 'client_secret', 'Secret', ['Secret', 'Client secret']),
      scopesBinding(doc),
    ].filter(Boolean);
    const page = bindings.some((binding) => binding.field === 'scopes') ? 'permissions' : 'app';
    return { page, bindings };
  }

  return { name: 'atlassian', theme: 'atlassian', read };
})();
