//! The browser face (feature `web`): `check`, `crossCheck`, `applyFixes`, `rules`, `fields`,
//! `hiddenFields`, `version`, and what a setup is for (`scopesFor`, `operations`, `spokeActions`:
//! see `uses`) for JavaScript. It only converts: JS values to a [`Setup`], the [`Report`](crate::Report) to plain
//! JS objects, and spans and edits between characters and UTF-16 code units, so that
//! `String.prototype.slice` cuts the right text.

mod explain;
mod uses;
mod wire;

use wasm_bindgen::prelude::*;

use super::convert::{to_utf16_spans, Utf16Offsets};
use crate::diagnostic::{Applicability, Edit, Field, Fix};
use crate::setup::Setup;
pub use explain::{cause_list, explain_incident};
pub use uses::{operation_list, scopes_for_uses, spoke_action_list};
use wire::Wire;

// Building the answer object by object from Rust costs a boundary crossing per property, which
// was most of a keystroke's time; instead the answer crosses once, as one string and one array
// of numbers (see `wire`), and `decode.js` builds the objects on the JS side.
#[wasm_bindgen(module = "/src/web/validator/decode.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = readSetup)]
    fn read_setup(setup: &JsValue) -> Result<String, JsValue>;
    #[wasm_bindgen(js_name = decodeReport)]
    fn decode_report(text: &str, numbers: &[u32], memory: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = decodeRules)]
    fn decode_rules(text: &str, numbers: &[u32]) -> JsValue;
    #[wasm_bindgen(js_name = decodeFields)]
    fn decode_fields(text: &str, numbers: &[u32]) -> JsValue;
    #[wasm_bindgen(js_name = decodeSetup)]
    fn decode_setup(text: &str, numbers: &[u32]) -> JsValue;
    #[wasm_bindgen(catch, js_name = packFixes)]
    fn pack_fixes(report: &JsValue) -> Result<PackedFixes, JsValue>;

    type PackedFixes;
    #[wasm_bindgen(method, getter)]
    fn text(this: &PackedFixes) -> String;
    #[wasm_bindgen(method, getter)]
    fn numbers(this: &PackedFixes) -> Vec<u32>;
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A field of a setup, as named in JSON. */
export type FieldName =
  | "client_id" | "client_secret" | "callback_url" | "redirect_url" | "scopes"
  | "grant_type" | "authorization_url" | "token_url" | "revocation_url" | "api_base_url"
  | "app_scopes" | "uses";

/** An Atlassian OAuth setup as typed; every field optional. */
export interface Setup {
  client_id?: string | null;
  client_secret?: string | null;
  /** As registered in the Atlassian developer console. */
  callback_url?: string | null;
  /** As set on the client (ServiceNow: Redirect URL). */
  redirect_url?: string | null;
  /** As pasted; a list is joined with spaces. */
  scopes?: string | string[] | null;
  /** `authorization_code` (default) or `client_credentials`. */
  grant_type?: string | null;
  authorization_url?: string | null;
  token_url?: string | null;
  revocation_url?: string | null;
  /** ServiceNow's Connection URL. */
  api_base_url?: string | null;
  /** The scopes enabled on the app in the developer console: names or the console's labels, one a line; a list is joined with newlines. */
  app_scopes?: string | string[] | null;
  /** What the client calls, one a line: `METHOD /path` or a URL, an operationId, `servicenow: <action>`, or `servicenow`; a list is joined with newlines. */
  uses?: string | string[] | null;
}

export type Severity = "error" | "warning" | "info";

/** UTF-16 offsets into the field's text: `text.slice(start, end)` is the offending part. */
export interface Span { start: number; end: number; }

/** Put `insert` in place of the UTF-16 code units `start..end` of the field's text as checked. */
export interface Edit { start: number; end: number; insert: string; }

/**
 * What resolves the finding: edits of the field's text (the fixes of several findings on one
 * field compose where their edits do not overlap), and `replacement`, the field's whole text
 * after this fix alone. `safe` when it is what the user meant (a face may apply it unasked),
 * `unsafe` when it is a guess. A fix that would carry a secret is never offered.
 */
export interface Fix { field: FieldName; applicability: "safe" | "unsafe"; edits: Edit[]; replacement: string; }

export interface Finding {
  /** Stable rule code, e.g. "scope/unknown". */
  rule: string;
  severity: Severity;
  field: FieldName;
  span?: Span;
  message: string;
  help: string;
  fix?: Fix;
  /** Where the field's value came from, for a setup read from ServiceNow (`setupFromServiceNow`). */
  origin?: string;
}

export interface Summary { errors: number; warnings: number; infos: number; omitted?: number; }

export interface Normalized {
  scopes: string[];
  /** Space-joined: the OAuth `scope` value and ServiceNow's OAuth Entity Scope. */
  scope: string;
  /** The consent URL with a `{state}` placeholder, when client ID, callback and scopes are sound. */
  authorize_url?: string;
  /** Why there is no `authorize_url`, when there is none: what to do first. */
  authorize_url_unavailable?: string;
  grant: "authorization_code" | "client_credentials" | "unsupported";
  /** The Atlassian cloud of the setup's endpoints. */
  cloud: "commercial" | "government";
  /** What the endpoint fields should hold for this grant and cloud. */
  endpoints: { authorization_url?: string; token_url: string; api_base_url: string };
}

export interface Report { findings: Finding[]; summary: Summary; normalized: Normalized; }

export interface Rule {
  code: string;
  severity: Severity;
  field: FieldName;
  basis: "documented" | "atlassian-staff" | "standard" | "observed";
  /** What the basis means, in words. */
  basis_text: string;
  title: string;
  explanation: string;
  /** Which fixes it offers, and why each is safe or unsafe. */
  fixes: string;
  /** Judges one scope on its own: applies to a page that lists only some scopes. */
  per_scope: boolean;
}

export interface FieldInfo { key: FieldName; label: string; secret: boolean; }
"#;

/// Checks a setup. Throws an `Error` naming the field when a value has the wrong type.
#[wasm_bindgen(js_name = check, unchecked_return_type = "Report")]
pub fn check_setup(#[wasm_bindgen(unchecked_param_type = "Setup")] setup: JsValue) -> Result<JsValue, JsValue> {
    let setup = setup_from_js(&setup)?;
    let mut report = crate::check(&setup);
    to_utf16_spans(&setup, &mut report.findings);
    let wire = Wire::report(&report);
    Ok(MEMORY.with(|memory| decode_report(wire.text(), wire.numbers(), memory)))
}

thread_local! {
    /// The module's memory, where the report's fixed strings are read from.
    static MEMORY: JsValue = wasm_bindgen::memory();
}

/// What only the pair shows, the Atlassian console's setup and the client's (ServiceNow's):
/// `cross-check/*` findings, their spans and fixes in `client`'s fields.
#[wasm_bindgen(js_name = crossCheck, unchecked_return_type = "Report")]
pub fn cross_check(
    #[wasm_bindgen(unchecked_param_type = "Setup")] console: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Setup")] client: JsValue,
) -> Result<JsValue, JsValue> {
    let (console, client) = (setup_from_js(&console)?, setup_from_js(&client)?);
    let mut report = crate::check::cross_check(&console, &client);
    to_utf16_spans(&client, &mut report.findings);
    let wire = Wire::report(&report);
    Ok(MEMORY.with(|memory| decode_report(wire.text(), wire.numbers(), memory)))
}

/// The setup with the report's fixes applied: the safe ones, and the unsafe ones too when
/// `options.unsafe`; where two fixes overlap, one is applied, the setup checked again and the
/// new report's fixes applied, until none applies. `report` is what `check(setup)` returned.
#[wasm_bindgen(js_name = applyFixes, unchecked_return_type = "Setup")]
pub fn apply_fixes(
    #[wasm_bindgen(unchecked_param_type = "Setup")] setup: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Report")] report: JsValue,
    #[wasm_bindgen(unchecked_param_type = "{ unsafe?: boolean }")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let setup = setup_from_js(&setup)?;
    let packed = pack_fixes(&report)?;
    let unsafe_fixes = js_sys::Reflect::get(&options, &JsValue::from_str("unsafe")).is_ok_and(|v| v.is_truthy());
    let fixes = fixes_from_wire(&setup, &packed.text(), &packed.numbers())
        .ok_or_else(|| JsValue::from(js_sys::Error::new("applyFixes() takes the report check() gave for the setup")))?;
    let fixed = crate::check::apply_fix_list(&setup, &fixes.iter().collect::<Vec<_>>(), unsafe_fixes);
    let wire = Wire::setup(&fixed.setup);
    Ok(decode_setup(wire.text(), wire.numbers()))
}

/// The fixes `packFixes` (decode.js) laid out, with their UTF-16 offsets turned into
/// characters of the setup's fields; `None` when the layout is broken. `numbers` holds per fix
/// its field's index in `Field::ALL`, 1 when unsafe, the count of edits and each edit's start,
/// end (UTF-16 code units) and insert's length; `text` the inserts end to end.
fn fixes_from_wire(setup: &Setup, text: &str, numbers: &[u32]) -> Option<Vec<Fix>> {
    let mut numbers = numbers.iter().map(|n| *n as usize);
    let mut inserts = text;
    let mut fixes = Vec::new();
    while let Some(field) = numbers.next() {
        let field = *Field::ALL.get(field)?;
        let applicability = if numbers.next()? == 0 { Applicability::Safe } else { Applicability::Unsafe };
        let mut offsets = Utf16Offsets::new(setup.get(field).unwrap_or(""));
        let mut edits = Vec::new();
        for _ in 0..numbers.next()? {
            let start = offsets.chars_at(numbers.next()?);
            let end = offsets.chars_at(numbers.next()?);
            let (insert, rest) = split_utf16(inserts, numbers.next()?)?;
            inserts = rest;
            edits.push(Edit { start, end, insert: insert.to_string() });
        }
        // Only the edits are applied; the replacement is not needed here.
        fixes.push(Fix { field, applicability, edits, replacement: String::new() });
    }
    Some(fixes)
}

/// Every field with its JSON key, the label a person sees, and whether it holds a secret.
#[wasm_bindgen(js_name = fields, unchecked_return_type = "FieldInfo[]")]
pub fn field_list() -> JsValue {
    let wire = Wire::fields();
    decode_fields(wire.text(), wire.numbers())
}

/// Every rule with its code, severity, title and explanation.
#[wasm_bindgen(js_name = rules, unchecked_return_type = "Rule[]")]
pub fn rule_list() -> JsValue {
    let wire = Wire::rules(&crate::rules());
    decode_rules(wire.text(), wire.numbers())
}

/// The fields of `setup` that must not be shown or shared: the secret, and any field holding a
/// secret or secret-shaped text. The core's one redaction predicate decides; the docs page
/// leaves these out of share links and excerpts.
#[wasm_bindgen(js_name = hiddenFields, unchecked_return_type = "FieldName[]")]
pub fn hidden_fields(#[wasm_bindgen(unchecked_param_type = "Setup")] setup: JsValue) -> Result<JsValue, JsValue> {
    let setup = setup_from_js(&setup)?;
    let keys = js_sys::Array::new();
    for field in setup.hidden_fields() {
        keys.push(&JsValue::from_str(field.key()));
    }
    Ok(keys.into())
}

/// The version of threelo, as in Cargo.toml.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Reads a setup through `readSetup` (decode.js), which checks the types in JS and hands over
/// every value in one string: reading the fields one by one crossed the boundary some forty
/// times per keystroke.
fn setup_from_js(value: &JsValue) -> Result<Setup, JsValue> {
    let packed = read_setup(value)?;
    let unreadable = || JsValue::from(js_sys::Error::new("threelo could not read the setup"));
    let (header, mut values) = packed.split_once(';').ok_or_else(unreadable)?;
    let mut setup = Setup::default();
    let mut lengths = header.split(',');
    for field in Field::ALL {
        let units: i64 = lengths.next().and_then(|n| n.parse().ok()).ok_or_else(unreadable)?;
        let Ok(units) = usize::try_from(units) else { continue }; // -1: absent
        let (text, rest) = split_utf16(values, units).ok_or_else(unreadable)?;
        setup.set(field, Some(text.to_string()));
        values = rest;
    }
    Ok(setup)
}

/// `text` cut after `units` UTF-16 code units.
fn split_utf16(text: &str, units: usize) -> Option<(&str, &str)> {
    if text.is_char_boundary(units) && text[..units].is_ascii() {
        return Some(text.split_at(units));
    }
    let mut counted = 0;
    for (at, c) in text.char_indices() {
        if counted == units {
            return Some(text.split_at(at));
        }
        counted += c.len_utf16();
    }
    (counted == units).then_some((text, ""))
}
