// "From ServiceNow": a configuration template's JSON or an XML export of the Application Registry
// record, read by the core's second module (pkg/servicenow/), which is loaded on the first read so
// that a visit that never reads one never downloads it. The page only presents: which fields
// ServiceNow speaks for, their values, where each came from and the findings only its records show
// are the core's answer (setupFromServiceNow).

const { element } = globalThis.threelo.findingView;

const READER_MODULE = './pkg/servicenow/threelo_servicenow.js';
/** A pasted document arrives in one input event; typing one by hand is read after a pause. */
const READ_AFTER_MS = 400;

/**
 * @type {{ fill: (values: object, fields: string[]) => void, labelOf: (field: string) => string,
 *          inputFor: (field: string) => HTMLElement, findingOptions: (finding: object) => object } | null}
 */
let page = null;
let reader = null;
/** What the last read filled: each field's value then and where it came from. */
let filled = new Map();
let timer = 0;

function loadReader() {
  reader ??= import(READER_MODULE).then(async (module) => {
    await module.default();
    return module;
  });
  // A failed load (offline on first use) is tried again on the next read.
  reader.catch(() => { reader = null; });
  return reader;
}

/**
 * Wires the box. `fill(values, fields)` writes `values` into the form's `fields` and checks again;
 * `findingOptions(finding)` draws a finding as the form draws its own.
 */
export function wireServiceNowImport(options) {
  page = options;
  const text = document.getElementById('servicenow-text');
  document.getElementById('servicenow-read').addEventListener('click', () => {
    clearTimeout(timer);
    readText(text.value, { typed: true });
  });
  // A paste is read at once; its own input event, which follows, is not read a second time.
  let pasted = false;
  text.addEventListener('paste', () => {
    pasted = true;
  });
  text.addEventListener('input', () => {
    clearTimeout(timer);
    const delay = pasted ? 0 : READ_AFTER_MS;
    pasted = false;
    timer = setTimeout(() => readText(text.value, { typed: false }), delay);
  });
  const file = document.getElementById('servicenow-file');
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    file.value = '';
    // A file's text is never put into the page: a template holds the client secret in clear.
    readText(await chosen.text(), { typed: true, name: chosen.name });
  });
}

/** The origin notes under the form's fields stay only while a field holds what was read into it. */
export function refreshOrigins() {
  for (const [field, { value, origin }] of filled) {
    const input = page.inputFor(field);
    const container = input?.closest('.field');
    if (!container) continue;
    let note = container.querySelector('.field-origin');
    const stands = input.value === value;
    if (!stands) {
      note?.remove();
      continue;
    }
    if (!note) {
      note = element('p', 'field-origin');
      container.querySelector('label').after(note);
    }
    const text = `From ServiceNow: ${origin}`;
    if (note.textContent !== text) note.textContent = text;
  }
}

async function readText(text, { typed, name = null }) {
  const status = document.getElementById('servicenow-status');
  const problem = document.getElementById('servicenow-error');
  if (!text.trim()) {
    if (typed) showProblem('There is nothing to read: paste a configuration template or choose an XML export.');
    return;
  }
  let module;
  try {
    status.textContent = 'Loading the ServiceNow reader…';
    module = await loadReader();
  } catch (error) {
    status.textContent = '';
    showProblem(`The ServiceNow reader could not be loaded (${error?.message ?? error}). Reload the page, or use `
      + 'the command-line validator: threelo check FILE.');
    return;
  }
  let answer;
  try {
    answer = module.setupFromServiceNow(text);
  } catch (error) {
    status.textContent = '';
    // The core's reason; it never quotes the text it could not read.
    showProblem(`${name ? `${name}: ` : ''}${sentenceCase(error?.message ?? String(error))}.`);
    return;
  }
  problem.hidden = true;
  problem.replaceChildren();
  // The values are in the form now (the secret in its masked field): the box does not keep a copy.
  if (!name) document.getElementById('servicenow-text').value = '';
  filled = new Map();
  for (const { field, origin } of answer.origins) {
    const value = answer.setup[field];
    if (answer.fields.includes(field) && typeof value === 'string') filled.set(field, { origin, value });
  }
  page.fill(answer.setup, answer.fields);
  refreshOrigins();
  renderResult(answer, name);
}

function renderResult(answer, name) {
  const read = answer.form === 'template' ? 'a configuration template' : 'an XML export';
  const set = answer.fields.filter((field) => typeof answer.setup[field] === 'string');
  const names = set.map((field) => page.labelOf(field)).join(', ');
  document.getElementById('servicenow-status').textContent = `Read ${read}${name ? ` (${name})` : ''}: `
    + `${set.length} field${set.length === 1 ? '' : 's'} filled (${names}). The findings below the fields are `
    + 'checked as usual; the ones only the records show are here.';
  const list = document.getElementById('servicenow-findings');
  globalThis.threelo.findingView.fill(list, answer.findings, (finding) => page.findingOptions(finding));
  document.getElementById('servicenow-findings-title').hidden = answer.findings.length === 0;
  const origins = document.getElementById('servicenow-origins');
  origins.replaceChildren(...answer.origins.flatMap(({ field, origin }) => [
    element('dt', null, page.labelOf(field)),
    element('dd', null, origin),
  ]));
  document.getElementById('servicenow-result').hidden = false;
}

function showProblem(text) {
  const problem = document.getElementById('servicenow-error');
  problem.replaceChildren(element('strong', null, 'Not read. '), element('span', null, text));
  problem.hidden = false;
  document.getElementById('servicenow-result').hidden = true;
}

function sentenceCase(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
