// The browser validator's side of the wasm boundary: reads a setup into one string for Rust, and
// builds the JS objects of the answers from their wire form (src/web/wire.rs): `text` holds every
// string end to end, `numbers` the counts, flags, spans and string lengths, in the order wire.rs
// writes them. One crossing per direction instead of one per field or property.

// Field::ALL's keys, in its order (src/setup.rs): readSetup's answer lists values in this order.
const FIELDS = [
  'client_id', 'client_secret', 'callback_url', 'redirect_url', 'scopes',
  'grant_type', 'authorization_url', 'token_url', 'revocation_url', 'api_base_url',
];

function typeName(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

// The setup as `len,len,…;values`: each field's length in UTF-16 code units (-1 when absent),
// then the values end to end. Throws an Error naming the problem for input of the wrong shape.
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
    if (FIELDS[i] === 'scopes' && Array.isArray(value)) {
      for (const item of value) {
        if (typeof item !== 'string') throw new Error(`\`scopes\` must hold strings only, not ${typeName(item)}`);
      }
      value = value.join(' ');
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
    if (read.number()) finding.fix = { field: read.string(), applicability: read.string(), replacement: read.string() };
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
  const read = reader(text, numbers, null);
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
