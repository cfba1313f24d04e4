//! The browser face (feature `web`): `check`, `rules` and `version` for JavaScript. It only
//! converts: JS values to a [`Setup`], the [`Report`] to plain JS objects, and spans from
//! characters to UTF-16 code units so that `String.prototype.slice` cuts the right text.

mod wire;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::report::Report;
use crate::setup::{Field, Setup};
use wire::Wire;

// Building the answer object by object from Rust costs a boundary crossing per property, which
// was most of a keystroke's time; instead the answer crosses once, as one string and one array
// of numbers (see `wire`), and `decode.js` builds the objects on the JS side.
#[wasm_bindgen(module = "/src/web/decode.js")]
extern "C" {
    #[wasm_bindgen(js_name = decodeReport)]
    fn decode_report(text: &str, numbers: &[u32]) -> JsValue;
    #[wasm_bindgen(js_name = decodeRules)]
    fn decode_rules(text: &str, numbers: &[u32]) -> JsValue;
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A field of a setup, as named in JSON. */
export type FieldName =
  | "client_id" | "client_secret" | "callback_url" | "redirect_url" | "scopes"
  | "grant_type" | "authorization_url" | "token_url" | "revocation_url" | "api_base_url";

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
}

export type Severity = "error" | "warning" | "info";

/** UTF-16 offsets into the field's text: `text.slice(start, end)` is the offending part. */
export interface Span { start: number; end: number; }

/** One edit that resolves the finding: the field's whole new text. */
export interface Fix { field: FieldName; replacement: string; }

export interface Finding {
  /** Stable rule code, e.g. "scope/unknown". */
  rule: string;
  severity: Severity;
  field: FieldName;
  span?: Span;
  message: string;
  help: string;
  fix?: Fix;
}

export interface Summary { errors: number; warnings: number; infos: number; omitted?: number; }

export interface Normalized {
  scopes: string[];
  /** Space-joined: the OAuth `scope` value and ServiceNow's OAuth Entity Scope. */
  scope: string;
  /** The consent URL with a `{state}` placeholder, when client ID, callback and scopes are sound. */
  authorize_url?: string;
}

export interface Report { findings: Finding[]; summary: Summary; normalized: Normalized; }

export interface Rule {
  code: string;
  severity: Severity;
  field: FieldName;
  basis: "documented" | "atlassian-staff" | "standard" | "observed";
  title: string;
  explanation: string;
}
"#;

/// Checks a setup. Throws an `Error` naming the field when a value has the wrong type.
#[wasm_bindgen(js_name = check, unchecked_return_type = "Report")]
pub fn check_setup(#[wasm_bindgen(unchecked_param_type = "Setup")] setup: JsValue) -> Result<JsValue, JsError> {
    let setup = setup_from_js(&setup)?;
    let mut report = crate::check(&setup);
    to_utf16_spans(&setup, &mut report);
    let wire = Wire::report(&report);
    Ok(decode_report(wire.text(), wire.numbers()))
}

/// Every rule with its code, severity, title and explanation.
#[wasm_bindgen(js_name = rules, unchecked_return_type = "Rule[]")]
pub fn rule_list() -> JsValue {
    let wire = Wire::rules(&crate::rules());
    decode_rules(wire.text(), wire.numbers())
}

/// The version of threelo, as in Cargo.toml.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

thread_local! {
    /// The field names as JS strings, made once: decoding them on every keystroke cost more than
    /// checking the setup.
    static FIELD_KEYS: Vec<JsValue> = Field::ALL.iter().map(|f| JsValue::from_str(f.key())).collect();
}

/// Reads a setup field by field, so that a wrong type is reported with the field's name.
fn setup_from_js(value: &JsValue) -> Result<Setup, JsError> {
    if value.is_null() || value.is_undefined() {
        return Ok(Setup::default());
    }
    let Some(object) = value.dyn_ref::<Object>().filter(|_| !Array::is_array(value)) else {
        return Err(JsError::new(&format!("check() takes a setup object, not {}", type_name(value))));
    };
    FIELD_KEYS.with(|keys| {
        let values: Vec<JsValue> =
            keys.iter().map(|key| Reflect::get(object, key).unwrap_or(JsValue::UNDEFINED)).collect();
        // Every own key must be a field. When the object has exactly as many keys as fields
        // with a value, it has no other key; only otherwise are the keys compared one by one
        // (each comparison crosses into JS, and this runs on every keystroke).
        let own_keys = Object::keys(object);
        if own_keys.length() as usize != values.iter().filter(|v| !v.is_undefined()).count() {
            if let Some(key) = own_keys.iter().find(|key| !keys.contains(key)) {
                let known: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
                let key = key.as_string().unwrap_or_default();
                return Err(JsError::new(&format!(
                    "unknown setup field `{key}`: expected one of {}",
                    known.join(", ")
                )));
            }
        }
        let mut setup = Setup::default();
        for (field, value) in Field::ALL.into_iter().zip(&values) {
            field.set(&mut setup, field_text(field, value)?);
        }
        Ok(setup)
    })
}

fn field_text(field: Field, value: &JsValue) -> Result<Option<String>, JsError> {
    if value.is_null() || value.is_undefined() {
        Ok(None)
    } else if let Some(text) = value.as_string() {
        Ok(Some(text))
    } else if field == Field::Scopes && Array::is_array(value) {
        let mut parts = Vec::new();
        for item in Array::from(value).iter() {
            parts.push(
                item.as_string().ok_or_else(|| {
                    JsError::new(&format!("`scopes` must hold strings only, not {}", type_name(&item)))
                })?,
            );
        }
        Ok(Some(parts.join(" ")))
    } else {
        Err(JsError::new(&format!("`{}` must be a string, not {}", field.key(), type_name(value))))
    }
}

fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        "null".to_string()
    } else if Array::is_array(value) {
        "an array".to_string()
    } else {
        format!("a {}", value.js_typeof().as_string().unwrap_or_default())
    }
}

/// Character offsets → UTF-16 offsets, for every span.
fn to_utf16_spans(setup: &Setup, report: &mut Report) {
    for finding in &mut report.findings {
        let (Some(span), Some(text)) = (finding.span.as_mut(), finding.field.get(setup)) else { continue };
        if text.is_ascii() {
            continue;
        }
        let units = |chars: usize| text.chars().take(chars).map(char::len_utf16).sum();
        span.start = units(span.start);
        span.end = units(span.end);
    }
}
