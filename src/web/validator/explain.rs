//! What Atlassian answered, explained, for JavaScript: `explain(incident, setup?)` and
//! `causes()`. The incident is read from its object and its body parsed by the browser's own
//! `JSON.parse` (serde_json's deserializer would be 43 KB of gzip); the diagnosis crosses as
//! JSON text, one call per paste.

use wasm_bindgen::prelude::*;

use super::setup_from_js;
use crate::web::convert::{json_value, to_utf16_spans};
use js_sys::{Array, Object, Reflect};

use crate::explain::{causes, explain_with, ErrorBody, Incident, ReadBodies};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** What a user saw: an HTTP answer (status, headers, body) and its request, or any text; every key optional. */
export interface Incident {
  status?: number;
  /** Response headers; names in any case. `Retry-After` is read. */
  headers?: Record<string, string>;
  body?: string;
  /** The request's method, for an API call. */
  method?: string;
  /** The request's URL, or the address the browser landed on. */
  url?: string;
  /** Anything else: a consent page's message, ServiceNow's error, a landed-on address. */
  text?: string;
}
/** One thing to change; `field` names the setup field it is changed in. */
export interface Remedy { field?: FieldName; text: string; }
/** The operation an API call names, and the scopes it needs (any one set will do). */
export interface OperationNeeds {
  operation: string;
  operation_id: string;
  needs: string[][];
  /** What the setup lacks of the first set it does not hold; empty when it holds one or had no scopes. */
  lacking: string[];
  /** Whether the setup's scopes were known to compare with. */
  compared: boolean;
}
/** What the answer showed, Atlassian's words redacted. */
export interface Seen {
  status?: number;
  status_class?: string;
  endpoint?: string;
  host?: string;
  error?: string;
  message?: string;
  html?: boolean;
  slash_query?: boolean;
}
export interface Diagnosis {
  /** A stable cause code, documented by `causes()`; `unknown` when nothing matched. */
  cause: string;
  title: string;
  summary: string;
  explanation: string;
  basis: "documented" | "atlassian-staff" | "standard" | "observed";
  fixes: Remedy[];
  /** Other causes the same answer can mean. */
  also_possible?: string[];
  /** The setup's findings that bear on the cause (spans in UTF-16 units). */
  findings: Finding[];
  retry_after?: number;
  operation?: OperationNeeds;
  seen: Seen;
}
export interface CauseInfo {
  code: string;
  title: string;
  explanation: string;
  /** What to change, in general. */
  change: string;
  basis: "documented" | "atlassian-staff" | "standard" | "observed";
  basis_text: string;
}
"#;

/// What `incident` shows, tied to `setup` when one is given. Throws a `TypeError` naming the
/// key when the incident has an unknown key or a value of the wrong type.
#[wasm_bindgen(js_name = explain, unchecked_return_type = "Diagnosis")]
pub fn explain_incident(
    #[wasm_bindgen(unchecked_param_type = "Incident")] incident: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Setup | undefined")] setup: JsValue,
) -> Result<JsValue, JsValue> {
    let incident = incident_from_js(&incident)?;
    let setup = if setup.is_undefined() || setup.is_null() { None } else { Some(setup_from_js(&setup)?) };
    let mut diagnosis = explain_with(&incident, setup.as_ref(), &BrowserBodies, &[]);
    if let Some(setup) = &setup {
        to_utf16_spans(setup, &mut diagnosis.findings);
    }
    json_value(&diagnosis)
}

const INCIDENT_KEYS: [&str; 6] = ["status", "headers", "body", "method", "url", "text"];

fn incident_from_js(value: &JsValue) -> Result<Incident, JsValue> {
    let Some(object) = value.dyn_ref::<Object>() else {
        return Err(type_error("explain() takes an incident object: { status, headers, body, method, url, text }"));
    };
    for key in Object::keys(object).iter().filter_map(|key| key.as_string()) {
        if !INCIDENT_KEYS.contains(&key.as_str()) {
            let shown: String = key.chars().take(40).collect();
            return Err(type_error(&format!(
                "explain(): the incident has no key `{shown}` (it has {})",
                INCIDENT_KEYS.join(", ")
            )));
        }
    }
    let text = |key: &str| -> Result<Option<String>, JsValue> {
        match get(object, key) {
            value if value.is_undefined() || value.is_null() => Ok(None),
            value => value
                .as_string()
                .map(Some)
                .ok_or_else(|| type_error(&format!("explain(): the incident's `{key}` must be a string"))),
        }
    };
    let status = match get(object, "status") {
        value if value.is_undefined() || value.is_null() => None,
        value => Some(
            value
                .as_f64()
                .filter(|n| n.fract() == 0.0 && (100.0..=599.0).contains(n))
                .map(|n| n as u16)
                .ok_or_else(|| type_error("explain(): the incident's `status` must be an HTTP status, 100 to 599"))?,
        ),
    };
    let mut headers = std::collections::BTreeMap::new();
    match get(object, "headers") {
        value if value.is_undefined() || value.is_null() => {}
        value => {
            let invalid = || type_error("explain(): the incident's `headers` must be an object of strings");
            let headers_object = value.dyn_into::<Object>().map_err(|_| invalid())?;
            for entry in Object::entries(&headers_object).iter() {
                let pair = Array::from(&entry);
                let (name, value) = (pair.get(0).as_string(), pair.get(1).as_string());
                headers.insert(name.ok_or_else(invalid)?, value.ok_or_else(invalid)?);
            }
        }
    }
    Ok(Incident {
        status,
        headers,
        body: text("body")?,
        method: text("method")?,
        url: text("url")?,
        text: text("text")?,
    })
}

/// Bodies read by the browser's own `JSON.parse`.
struct BrowserBodies;

impl ReadBodies for BrowserBodies {
    fn error_body(&self, text: &str) -> Option<ErrorBody> {
        let value = js_sys::JSON::parse(text).ok()?;
        let Some(object) = value.dyn_ref::<Object>() else {
            return Some(ErrorBody::default()); // JSON, but no object: nothing of either shape.
        };
        let string = |object: &Object, key: &str| get(object, key).as_string();
        let status = |key: &str| {
            get(object, key).as_f64().filter(|n| n.fract() == 0.0 && (100.0..600.0).contains(n)).map(|n| n as u16)
        };
        let first_error = get(object, "errors").dyn_into::<Array>().ok().map(|errors| errors.get(0));
        let v2_message = first_error
            .and_then(|error| error.dyn_into::<Object>().ok())
            .and_then(|error| string(&error, "title").or_else(|| string(&error, "detail")));
        Some(ErrorBody {
            error: string(object, "error"),
            error_description: string(object, "error_description"),
            status: status("code").or_else(|| status("statusCode")),
            message: string(object, "message").or(v2_message),
        })
    }

    /// A JSON object with a non-empty `access_token`: the part of the token parser's judgement a
    /// pasted answer needs (the Worker and the CLI use the parser itself).
    fn is_token_response(&self, _status: u16, _content_type: Option<&str>, body: &str) -> bool {
        let Ok(value) = js_sys::JSON::parse(body) else { return false };
        value
            .dyn_ref::<Object>()
            .is_some_and(|object| get(object, "access_token").as_string().is_some_and(|t| !t.is_empty()))
    }
}

fn get(object: &Object, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Every cause `explain` can name, with its explanation: what the docs page's reference renders.
#[wasm_bindgen(js_name = causes, unchecked_return_type = "CauseInfo[]")]
pub fn cause_list() -> Result<JsValue, JsValue> {
    json_value(&causes())
}

fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}
