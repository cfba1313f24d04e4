// Builds the JS objects of the browser validator's answers from their wire form (src/web/wire.rs):
// `text` holds every string end to end, `numbers` the counts, flags, spans and string lengths, in
// the order wire.rs writes them. One call per answer instead of one per property.

function reader(text, numbers) {
  let at = 0;
  let next = 0;
  return {
    number: () => numbers[next++],
    string: () => {
      const end = at + numbers[next++];
      const value = text.slice(at, end);
      at = end;
      return value;
    },
  };
}

export function decodeReport(text, numbers) {
  const read = reader(text, numbers);
  const findings = new Array(read.number());
  for (let i = 0; i < findings.length; i++) {
    const finding = { rule: read.string(), severity: read.string(), field: read.string() };
    if (read.number()) finding.span = { start: read.number(), end: read.number() };
    finding.message = read.string();
    finding.help = read.string();
    if (read.number()) finding.fix = { field: read.string(), replacement: read.string() };
    findings[i] = finding;
  }
  const summary = { errors: read.number(), warnings: read.number(), infos: read.number() };
  const omitted = read.number();
  if (omitted) summary.omitted = omitted;
  const scopes = new Array(read.number());
  for (let i = 0; i < scopes.length; i++) scopes[i] = read.string();
  const normalized = { scopes, scope: read.string() };
  if (read.number()) normalized.authorize_url = read.string();
  return { findings, summary, normalized };
}

export function decodeRules(text, numbers) {
  const read = reader(text, numbers);
  const rules = new Array(read.number());
  for (let i = 0; i < rules.length; i++) {
    rules[i] = {
      code: read.string(),
      severity: read.string(),
      field: read.string(),
      basis: read.string(),
      title: read.string(),
      explanation: read.string(),
    };
  }
  return rules;
}
