// The JS side of the wasm boundary: the wire form of setups and answers, as src/web/wire.rs says
// (kept short: this file ships as it is, and counts toward the page's 100 KB).

// Field::ALL's keys, in its order (src/setup.rs): readSetup's answer lists values in this order.
const FIELDS = [
  'client_id', 'client_secret', 'callback_url', 'redirect_url', 'scopes',
  'grant_type', 'authorization_url', 'token_url', 'revocation_url', 'api_base_url', 'app_scopes', 'uses',
];

// The fields that take a list too, and what joins its items (as src/setup.rs joins them).
const LISTS = { scopes: ' ', app_scopes: '\n', uses: '\n' };

function joined(list, i, separator) {
  for (const item of list) {
    if (typeof item !== 'string') throw new Error(`\`${FIELDS[i]}\` must hold strings only, not ${typeName(item)}`);
  }
  return list.join(separator);
}

function typeName(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

// The setup as `len,len,…;values` (UTF-16 lengths, -1 absent); an Error names a wrong shape.
export function readSetup(setup) {
  if (setup === null || setup === undefined) return `${FIELDS.map(() => -1).join(',')};`;
  if (typeof setup !== 'object' || Array.isArray(setup)) {
    throw new Error(`check() takes a setup object, not ${typeName(setup)}`);
  }
  for (const key of Object.keys(setup)) {
    if (!FIELDS.includes(key)) {
      throw new Error(`unknown setup field \`${key}\`: expected one of ${FIELDS.join(', ')}`);
    }
  }
  const lengths = new Array(FIELDS.length);
  let values = '';
  for (let i = 0; i < FIELDS.length; i++) {
    let value = setup[FIELDS[i]];
    if (value === null || value === undefined) {
      lengths[i] = -1;
      continue;
    }
    if (Array.isArray(value) && FIELDS[i] in LISTS) {
      value = joined(value, i, LISTS[FIELDS[i]]);
    } else if (typeof value !== 'string') {
      throw new Error(`\`${FIELDS[i]}\` must be a string, not ${typeName(value)}`);
    }
    lengths[i] = value.length;
    values += value;
  }
  return `${lengths.join(',')};${values}`;
}

// wire.rs FIXED: a string passed by its address in wasm memory, decoded once and kept here.
const FIXED = 0xffffffff;
const fixedStrings = new Map();
const utf8 = new TextDecoder();

function reader(text, numbers, memory) {
  let at = 0;
  let next = 0;
  const fixed = (address, bytes) => {
    const key = address * 1e6 + bytes; // distinct even where one fixed string begins another
    let value = fixedStrings.get(key);
    if (value === undefined) {
      value = utf8.decode(new Uint8Array(memory.buffer, address, bytes));
      fixedStrings.set(key, value);
    }
    return value;
  };
  return {
    number: () => numbers[next++],
    string: () => {
      const length = numbers[next++];
      if (length === FIXED) {
        next += 2;
        return fixed(numbers[next - 2], numbers[next - 1]);
      }
      const end = at + length;
      const value = text.slice(at, end);
      at = end;
      return value;
    },
  };
}

export function decodeReport(text, numbers, memory) {
  const read = reader(text, numbers, memory);
  const findings = new Array(read.number());
  for (let i = 0; i < findings.length; i++) {
    const finding = { rule: read.string(), severity: read.string(), field: read.string() };
    if (read.number()) finding.span = { start: read.number(), end: read.number() };
    finding.message = read.string();
    finding.help = read.string();
    if (read.number()) {
      const fix = { field: read.string(), applicability: read.string(), edits: new Array(read.number()) };
      for (let e = 0; e < fix.edits.length; e++) fix.edits[e] = { start: read.number(), end: read.number(), insert: read.string() };
      fix.replacement = read.string();
      finding.fix = fix;
    }
    findings[i] = finding;
  }
  const summary = { errors: read.number(), warnings: read.number(), infos: read.number() };
  const omitted = read.number();
  if (omitted) summary.omitted = omitted;
  const scopes = new Array(read.number());
  for (let i = 0; i < scopes.length; i++) scopes[i] = read.string();
  const normalized = { scopes, scope: read.string() };
  if (read.number()) normalized.authorize_url = read.string();
  if (read.number()) normalized.authorize_url_unavailable = read.string();
  normalized.grant = read.string();
  normalized.cloud = read.string();
  const endpoints = {};
  if (read.number()) endpoints.authorization_url = read.string();
  endpoints.token_url = read.string();
  endpoints.api_base_url = read.string();
  normalized.endpoints = endpoints;
  return { findings, summary, normalized };
}

export function decodeRules(text, numbers) {
  const read = reader(text, numbers, null);
  const rules = new Array(read.number());
  for (let i = 0; i < rules.length; i++) {
    rules[i] = {
      code: read.string(),
      severity: read.string(),
      field: read.string(),
      basis: read.string(),
      basis_text: read.string(),
      title: read.string(),
      explanation: read.string(),
      fixes: read.string(),
      per_scope: read.number() === 1,
    };
  }
  return rules;
}

export function decodeSetup(text, numbers) {
  const read = reader(text, numbers, null);
  const setup = {};
  for (const field of FIELDS) if (read.number()) setup[field] = read.string();
  return setup;
}

export function decodeFields(text, numbers) {
  const read = reader(text, numbers, null);
  const fields = new Array(read.number());
  for (let i = 0; i < fields.length; i++) fields[i] = { key: read.string(), label: read.string(), secret: read.number() === 1 };
  return fields;
}

// A report's fixes for applyFixes, laid out as `fixes_from_wire` (src/web/mod.rs) reads them.
export function packFixes(report) {
  if (!report || !Array.isArray(report.findings)) throw new Error('applyFixes() takes the report check() gave for the setup');
  const numbers = [];
  let text = '';
  for (const finding of report.findings) {
    const fix = finding?.fix;
    if (!fix) continue;
    const field = FIELDS.indexOf(fix.field);
    if (field < 0 || !Array.isArray(fix.edits)) throw new Error(`a fix of \`${finding.rule}\` is not one check() gave`);
    numbers.push(field, fix.applicability === 'safe' ? 0 : 1, fix.edits.length);
    for (const edit of fix.edits) {
      const { start, end, insert } = edit ?? {};
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || typeof insert !== 'string') {
        throw new Error(`an edit of \`${finding.rule}\`'s fix is not one check() gave`);
      }
      numbers.push(start, end, insert.length);
      text += insert;
    }
  }
  return { text, numbers: Uint32Array.from(numbers) };
}
