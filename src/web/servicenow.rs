//! What ServiceNow holds, for JavaScript (the `threelo_servicenow` module, feature
//! `web-servicenow`): `setupFromServiceNow(text)` reads a configuration template or an XML export
//! into a setup, with where each value came from and the `servicenow/*` findings; the validator
//! module's `check` then checks the setup. JSON is parsed by the browser's own `JSON.parse`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use js_sys::{Array, Object};

use super::convert::{json_value, to_utf16_spans};
use crate::report::Finding;
use crate::servicenow::{read_servicenow_with, Form, Origin, ParseJson};
use crate::setup::Setup;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
import type { FieldName, Finding, Setup } from "../threelo.js";

/** Where a field's value came from in what ServiceNow holds. */
export interface Origin { field: FieldName; origin: string; }
/** A configuration template or an XML export, read as a setup. */
export interface FromServiceNow {
  form: "template" | "export";
  setup: Setup;
  origins: Origin[];
  /** The `servicenow/*` findings, which only the records show (the setup's own come from `check`). */
  findings: Finding[];
}
"#;

#[derive(Serialize)]
struct FromServiceNow<'a> {
    form: Form,
    setup: &'a Setup,
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
    json_value(&FromServiceNow { form: imported.form, setup: &imported.setup, origins: imported.origins(), findings })
}

/// JSON read by `JSON.parse`, then turned into a `serde_json::Value` for the template's derives.
struct BrowserJson;

/// A template is an object of objects a few levels deep; deeper is refused, not recursed into.
const MAX_DEPTH: usize = 32;

impl ParseJson for BrowserJson {
    fn parse(&self, text: &str) -> Result<serde_json::Value, String> {
        let value = js_sys::JSON::parse(text).map_err(|error| {
            error.dyn_ref::<js_sys::Error>().map_or("not JSON".to_string(), |error| String::from(error.message()))
        })?;
        to_json(&value, 0)
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
