// "Paste the error you got": what Atlassian (or ServiceNow) answered, explained by the core's
// explain() against the setup on the page, and the cause reference below the rules. The page only
// presents: which cause, what to change and what is shown is the core's to say, and nothing of the
// pasted text is drawn unless the core returned it (redacted).

const { element, withCode } = globalThis.threelo.findingView;

/** @type {{ validator: any, readSetup: () => object, labelOf: (field: string) => string } | null} */
let page = null;

/** Wires the panel; `readSetup` gives the form's setup, `labelOf` a field's label. */
export function wireExplainPanel(validator, readSetup, labelOf) {
  page = { validator, readSetup, labelOf };
  for (const id of ['incident-text', 'incident-status', 'incident-method', 'incident-url']) {
    document.getElementById(id).addEventListener('input', explainAgain);
  }
  document.getElementById('incident-clear').addEventListener('click', () => {
    for (const id of ['incident-text', 'incident-status', 'incident-url']) document.getElementById(id).value = '';
    document.getElementById('incident-method').value = '';
    explainAgain();
    document.getElementById('incident-text').focus();
  });
}

/** The incident as typed, or null when nothing is. */
function readIncident() {
  const incident = {};
  const text = document.getElementById('incident-text').value;
  const status = document.getElementById('incident-status').value.trim();
  const method = document.getElementById('incident-method').value;
  const url = document.getElementById('incident-url').value.trim();
  if (text.trim()) incident.text = text;
  if (url) incident.url = url;
  if (method) incident.method = method;
  const problem = document.getElementById('incident-status-problem');
  problem.hidden = true;
  if (status) {
    const number = Number(status);
    if (Number.isInteger(number) && number >= 100 && number <= 599) {
      incident.status = number;
    } else {
      problem.hidden = false;
    }
  }
  return Object.keys(incident).length ? incident : null;
}

/** Diagnoses what is pasted again: on every edit of the panel, and when the setup changes. */
export function explainAgain() {
  if (!page) return;
  const incident = readIncident();
  const box = document.getElementById('diagnosis');
  if (!incident) {
    // Runs on every keystroke in the form: an empty panel is left untouched, not redrawn.
    if (!box.hidden) {
      box.hidden = true;
      box.replaceChildren();
    }
    return;
  }
  const diagnosis = page.validator.explain(incident, page.readSetup());
  box.replaceChildren(...diagnosisNodes(diagnosis));
  box.dataset.cause = diagnosis.cause;
  box.hidden = false;
}

function diagnosisNodes(diagnosis) {
  const heading = element('h3', 'diagnosis-heading');
  heading.append(element('code', 'diagnosis-cause', diagnosis.cause), ' ', element('span', null, diagnosis.title));
  const summary = element('p', 'diagnosis-summary');
  summary.append(...withCode(diagnosis.summary));
  const nodes = [heading, summary];

  const fixes = element('ul', 'diagnosis-fixes');
  fixes.setAttribute('aria-label', 'What to change');
  for (const remedy of diagnosis.fixes) {
    const item = element('li');
    if (remedy.field) {
      item.dataset.field = remedy.field;
      item.append(element('strong', 'diagnosis-field', `${page.labelOf(remedy.field)}: `));
    }
    item.append(...withCode(remedy.text));
    fixes.append(item);
  }
  nodes.push(element('h4', 'diagnosis-subheading', 'What to change'), fixes);

  if (diagnosis.operation) {
    const { operation, operation_id: id, needs } = diagnosis.operation;
    const sets = needs.map((set) => set.join(' + ')).join(', or ');
    const line = element('p', 'diagnosis-operation');
    line.append(...withCode(`The call is \`${operation}\` (${id}); it needs ${sets ? `\`${sets}\`` : 'no scope'}.`));
    nodes.push(line);
  }
  if (diagnosis.also_possible?.length) {
    const also = element('p', 'diagnosis-also');
    also.append('The same answer can also mean: ');
    diagnosis.also_possible.forEach((code, at) => {
      if (at) also.append(', ');
      also.append(causeLink(code));
    });
    also.append('.');
    nodes.push(also);
  }
  if (diagnosis.findings.length) {
    const findings = element('ul', 'diagnosis-findings');
    findings.setAttribute('aria-label', 'Findings of the setup above that bear on it');
    for (const finding of diagnosis.findings) {
      const item = element('li');
      item.dataset.rule = finding.rule;
      item.dataset.severity = finding.severity;
      const link = element('a', 'rule-link');
      link.href = `#rule-${finding.rule}`;
      link.append(element('code', null, finding.rule));
      item.append(link, ': ', ...withCode(finding.message));
      findings.append(item);
    }
    nodes.push(element('h4', 'diagnosis-subheading', 'In the setup above'), findings);
  }
  const seen = seenText(diagnosis.seen);
  if (seen) nodes.push(element('p', 'diagnosis-seen', seen));
  const more = element('p', 'diagnosis-more');
  more.append(causeLink(diagnosis.cause, 'About this cause'), ` · Basis: ${basisWord(diagnosis.basis)}`);
  nodes.push(more);
  return nodes;
}

function seenText(seen) {
  const told = [];
  if (seen.status) told.push(`status ${seen.status}`);
  if (seen.endpoint) told.push(`from ${seen.endpoint}`);
  if (seen.html) told.push('an HTML page');
  if (seen.error) told.push(`error ${seen.error}`);
  if (seen.message) told.push(`“${seen.message}”`);
  return told.length ? `Seen: ${told.join('; ')}.` : '';
}

const BASIS_WORDS = {
  documented: 'documented by Atlassian or ServiceNow',
  'atlassian-staff': 'said by Atlassian staff',
  standard: 'the OAuth standards',
  observed: 'observed, not documented',
};

function basisWord(basis) {
  return BASIS_WORDS[basis] ?? basis;
}

function causeLink(code, text) {
  const link = element('a', 'cause-link');
  link.href = `#cause-${code}`;
  if (text) link.append(text);
  else link.append(element('code', null, code));
  return link;
}

/** The cause reference below the rules, from causes(). */
export function renderCauseReference(validator) {
  const list = document.getElementById('causes-list');
  for (const cause of validator.causes()) {
    const section = element('section', 'cause');
    section.id = `cause-${cause.code}`;
    const heading = element('h3', 'rule-heading');
    heading.append(element('code', 'rule-code', cause.code), ' ', element('span', 'rule-title', cause.title));
    const meta = element('p', 'rule-meta');
    meta.append(element('span', 'rule-basis', `Basis: ${cause.basis_text}`));
    const explanation = element('p', 'rule-explanation');
    explanation.append(...withCode(cause.explanation));
    const change = element('p', 'rule-fixes');
    change.append(element('strong', null, 'What to change: '), ...withCode(cause.change));
    section.append(heading, meta, explanation, change);
    list.append(section);
  }
}
