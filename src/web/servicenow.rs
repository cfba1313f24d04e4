//! What ServiceNow holds, for JavaScript (the `threelo_servicenow` module, feature
//! `web-servicenow`): `setupFromServiceNow(text)` reads a configuration template or an XML export
//! into a setup, with where each value came from and the `servicenow/*` findings; the validator
//! module's `check` then checks the setup. JSON is parsed by the browser's own `JSON.parse`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use js_sys::{Array, Object};

use super::convert::{json_value, to_utf16_spans, Utf16Offsets};
use crate::diagnostic::Field;
use crate::report::Finding;
use crate::servicenow::{read_servicenow_with, Form, Origin, ParseJson, HELD_FIELDS};
use crate::setup::Setup;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
import type { FieldName, Finding, Setup, Span } from "../threelo.js";

/** Where a field's value came from in what ServiceNow holds. */
export interface Origin {
  field: FieldName;
  origin: string;
  /**
   * The part of the field's text (UTF-16 offsets) that came from `origin`, when the field was put
   * together from several places (scopes from several entity scopes): a finding whose span starts
   * inside it came from there, any other from the field's `origin` without `within`.
   */
  within?: Span;
}
/** A configuration template or an XML export, read as a setup. */
export interface FromServiceNow {
  form: "template" | "export";
  setup: Setup;
  /** The fields ServiceNow speaks for, set in `setup` or not: fill these, leave the rest as they are. */
  fields: FieldName[];
  origins: Origin[];
  /** The `servicenow/*` findings, which only the records show (the setup's own come from `check`). */
  findings: Finding[];
}
"#;

#[derive(Serialize)]
struct FromServiceNow<'a> {
    form: Form,
    setup: &'a Setup,
    fields: &'static [Field],
    origins: Vec<Origin>,
    findings: Vec<Finding>,
}

/// Reads `text`; throws an `Error` saying why it cannot be read and what to do instead.
#[wasm_bindgen(js_name = setupFromServiceNow, unchecked_return_type = "FromServiceNow")]
pub fn setup_from_servicenow(text: &str) -> Result<JsValue, JsValue> {
    let imported = read_servicenow_with(text, &BrowserJson)
        .map_err(|error| JsValue::from(js_sys::Error::new(&error.to_string())))?;
    let mut findings = imported.servicenow_findings();
    to_utf16_spans(&imported.setup, &mut findings);
    let mut origins = imported.origins();
    for origin in &mut origins {
        if let Some(within) = origin.within.as_mut() {
            let mut offsets = Utf16Offsets::new(imported.setup.get(origin.field).unwrap_or(""));
            within.start = offsets.units_before(within.start);
            within.end = offsets.units_before(within.end);
        }
    }
    json_value(&FromServiceNow { form: imported.form, setup: &imported.setup, fields: &HELD_FIELDS, origins, findings })
}

/// JSON read by `JSON.parse`, then turned into a `serde_json::Value` for the template's derives.
struct BrowserJson;

/// A template is an object of objects a few levels deep; deeper is refused, not recursed into.
const MAX_DEPTH: usize = 32;

impl ParseJson for BrowserJson {
    fn parse(&self, text: &str) -> Result<serde_json::Value, String> {
        let value = js_sys::JSON::parse(text).map_err(|error| {
            let message = error.dyn_ref::<js_sys::Error>().map(|error| String::from(error.message()));
            where_it_breaks(message.as_deref().unwrap_or(""))
        })?;
        to_json(&value, 0)
    }
}

/// `JSON.parse`'s complaint, reduced to where the text breaks: V8 quotes the text around the
/// fault, which may be the secret, so only the line and column numbers are kept.
fn where_it_breaks(message: &str) -> String {
    let number_after = |word: &str| -> Option<&str> {
        let rest = &message[message.find(word)? + word.len()..];
        let digits = &rest[..rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len())];
        (!digits.is_empty()).then_some(digits)
    };
    match (number_after("line "), number_after("column ")) {
        (Some(line), Some(column)) => format!("it breaks off at line {line}, column {column}"),
        _ => "a quote, comma or brace is missing or extra".to_string(),
    }
}

fn to_json(value: &JsValue, depth: usize) -> Result<serde_json::Value, String> {
    use serde_json::Value as Json;
    if depth > MAX_DEPTH {
        return Err("it nests deeper than any configuration template".to_string());
    }
    if let Some(text) = value.as_string() {
        return Ok(Json::String(text));
    }
    if let Some(flag) = value.as_bool() {
        return Ok(Json::Bool(flag));
    }
    if let Some(number) = value.as_f64() {
        return Ok(serde_json::Number::from_f64(number).map_or(Json::Null, Json::Number));
    }
    if let Some(list) = value.dyn_ref::<Array>() {
        return list.iter().map(|item| to_json(&item, depth + 1)).collect::<Result<Vec<_>, _>>().map(Json::Array);
    }
    if let Some(object) = value.dyn_ref::<Object>() {
        let mut map = serde_json::Map::new();
        for entry in Object::entries(object).iter() {
            let pair = Array::from(&entry);
            if let Some(key) = pair.get(0).as_string() {
                map.insert(key, to_json(&pair.get(1), depth + 1)?);
            }
        }
        return Ok(Json::Object(map));
    }
    Ok(Json::Null)
}
