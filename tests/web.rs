//! The wasm face, run by wasm-bindgen-test in Node and in headless Chromium (scripts/test runs
//! both): its Report equals the core's for every setup of the table, its spans are UTF-16
//! offsets, and bad input from JavaScript throws an Error instead of trapping.
#![cfg(all(target_arch = "wasm32", feature = "web"))]

use js_sys::{Error, JsString, Object, Reflect};
use serde::Deserialize;
use threelo::web::{apply_fixes, check_setup, field_list, rule_list};
use threelo::{check, Setup};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

#[derive(Deserialize)]
struct Table {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    setup: Setup,
}

fn to_js(setup: &Setup) -> JsValue {
    serde::Serialize::serialize(setup, &serde_wasm_bindgen::Serializer::json_compatible()).unwrap()
}

fn from_js(value: JsValue) -> serde_json::Value {
    serde_wasm_bindgen::from_value(value).unwrap()
}

fn thrown_message(result: Result<JsValue, JsValue>) -> String {
    let error: JsValue = result.expect_err("must throw");
    Error::from(error).message().into()
}

/// What the face must return: the core's report with spans counted in UTF-16 code units.
fn expected_report(setup: &Setup) -> serde_json::Value {
    let mut report = serde_json::to_value(check(setup)).unwrap();
    for finding in report["findings"].as_array_mut().unwrap() {
        let field = finding["field"].as_str().unwrap().to_string();
        let text = serde_json::to_value(setup).unwrap()[&field].as_str().unwrap_or("").to_string();
        let units = |chars: &serde_json::Value, text: &str| -> serde_json::Value {
            let chars = chars.as_u64().unwrap() as usize;
            text.chars().take(chars).collect::<String>().encode_utf16().count().into()
        };
        if let Some(span) = finding.get_mut("span") {
            for end in ["start", "end"] {
                span[end] = units(&span[end], &text);
            }
        }
        if let Some(fix) = finding.get_mut("fix") {
            let field = fix["field"].as_str().unwrap().to_string();
            let text = serde_json::to_value(setup).unwrap()[&field].as_str().unwrap_or("").to_string();
            for edit in fix["edits"].as_array_mut().unwrap() {
                for end in ["start", "end"] {
                    edit[end] = units(&edit[end], &text);
                }
            }
        }
    }
    report
}

fn json_to_js(value: &serde_json::Value) -> Result<JsValue, serde_wasm_bindgen::Error> {
    serde::Serialize::serialize(value, &serde_wasm_bindgen::Serializer::json_compatible())
}

fn options(unsafe_fixes: bool) -> JsValue {
    let object = Object::new();
    Reflect::set(&object, &"unsafe".into(), &unsafe_fixes.into()).unwrap();
    object.into()
}

#[wasm_bindgen_test]
fn apply_fixes_gives_the_cores_fixed_setup_for_every_table_setup() {
    let table: Table = toml::from_str(include_str!("setups.toml")).unwrap();
    for case in &table.case {
        let js = to_js(&case.setup);
        let report = check_setup(js.clone()).unwrap();
        for unsafe_fixes in [false, true] {
            let fixed: Setup =
                serde_wasm_bindgen::from_value(apply_fixes(js.clone(), report.clone(), options(unsafe_fixes)).unwrap())
                    .unwrap();
            let expected = threelo::apply_fixes(&case.setup, &check(&case.setup), unsafe_fixes).setup;
            assert_eq!(fixed, expected, "{} (unsafe: {unsafe_fixes})", case.name);
        }
    }
}

#[wasm_bindgen_test]
fn apply_fixes_counts_edits_in_utf16_like_spans() {
    let setup = Setup {
        scopes: Some("📄 réad:page:confluence,, read:me read:me offline_access".into()),
        ..Setup::default()
    };
    let js = to_js(&setup);
    let fixed: Setup =
        serde_wasm_bindgen::from_value(apply_fixes(js.clone(), check_setup(js).unwrap(), options(false)).unwrap())
            .unwrap();
    assert_eq!(fixed.scopes.as_deref(), Some("📄 réad:page:confluence read:me offline_access"));
}

#[wasm_bindgen_test]
fn apply_fixes_on_thousands_of_pasted_repeats_agrees_with_the_core() {
    // One fix with thousands of edits, in text that is not ASCII: offsets convert in one pass.
    let setup = Setup { scopes: Some("📄 openid email ".repeat(2_000)), ..Setup::default() };
    let js = to_js(&setup);
    let fixed: Setup =
        serde_wasm_bindgen::from_value(apply_fixes(js.clone(), check_setup(js).unwrap(), options(false)).unwrap())
            .unwrap();
    assert_eq!(fixed, threelo::apply_fixes(&setup, &check(&setup), false).setup);
    assert!(!fixed.scopes.as_deref().unwrap().contains("openid"));
}

#[wasm_bindgen_test]
fn apply_fixes_refuses_what_is_not_a_report() {
    let setup = to_js(&Setup { scopes: Some("read:me,offline_access".into()), ..Setup::default() });
    let message = thrown_message(apply_fixes(setup.clone(), JsValue::from(3), options(false)));
    assert!(message.contains("the report check() gave"), "{message}");
    let bad = json_to_js(&serde_json::json!({"findings": [{"rule": "scope/separator",
        "fix": {"field": "scopes", "applicability": "safe", "edits": [{"start": -1, "end": 2, "insert": ""}]}}]}))
    .unwrap();
    let message = thrown_message(apply_fixes(setup.clone(), bad, options(false)));
    assert!(message.contains("scope/separator"), "{message}");
    // Edits past the field's end are left out, never applied half.
    let far = json_to_js(&serde_json::json!({"findings": [{"rule": "scope/separator",
        "fix": {"field": "scopes", "applicability": "safe", "edits": [{"start": 90, "end": 95, "insert": "x"}]}}]}))
    .unwrap();
    let fixed: Setup = serde_wasm_bindgen::from_value(apply_fixes(setup, far, options(false)).unwrap()).unwrap();
    assert_eq!(fixed.scopes.as_deref(), Some("read:me,offline_access"));
}

#[wasm_bindgen_test]
fn fields_have_the_cores_keys_and_labels() {
    let fields = from_js(field_list());
    let fields = fields.as_array().unwrap();
    assert_eq!(fields.len(), threelo::Field::ALL.len());
    for (js, field) in fields.iter().zip(threelo::Field::ALL) {
        assert_eq!(js["key"], field.key());
        assert_eq!(js["label"], field.label());
        assert_eq!(js["secret"], field.is_secret());
    }
}

#[wasm_bindgen_test]
fn reports_equal_the_cores_for_every_table_setup() {
    let table: Table = toml::from_str(include_str!("setups.toml")).unwrap();
    assert!(table.case.len() >= 60);
    for case in &table.case {
        let report = from_js(check_setup(to_js(&case.setup)).unwrap());
        assert_eq!(report, expected_report(&case.setup), "{}", case.name);
    }
}

#[wasm_bindgen_test]
fn spans_cut_the_right_text_with_string_slice() {
    let scopes = "📄 réad:page:confluence, ofline_access";
    let setup = Setup {
        scopes: Some(scopes.into()),
        client_id: Some("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z😀".into()),
        ..Setup::default()
    };
    let report = from_js(check_setup(to_js(&setup)).unwrap());
    let slice = |text: &str, span: &serde_json::Value| -> String {
        let (start, end) = (span["start"].as_u64().unwrap() as u32, span["end"].as_u64().unwrap() as u32);
        JsString::from(text).slice(start, end).into()
    };
    let findings = report["findings"].as_array().unwrap();
    let cut = |rule: &str| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| {
                let text = if f["field"] == "scopes" { scopes } else { setup.client_id.as_deref().unwrap() };
                slice(text, &f["span"])
            })
            .collect()
    };
    let unknown = cut("scope/unknown");
    assert!(unknown.contains(&"réad:page:confluence".to_string()), "{unknown:?}");
    assert!(unknown.contains(&"ofline_access".to_string()), "{unknown:?}");
    assert!(unknown.contains(&"📄".to_string()), "{unknown:?}");
    assert_eq!(cut("client-id/shape"), vec!["Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z😀".to_string()]);
}

#[wasm_bindgen_test]
fn bad_input_throws_errors_that_name_the_problem() {
    assert!(thrown_message(check_setup(JsValue::from(5))).contains("setup object"));
    assert!(thrown_message(check_setup(js_sys::Array::new().into())).contains("not an array"));

    let with = |key: &str, value: JsValue| {
        let object = Object::new();
        Reflect::set(&object, &key.into(), &value).unwrap();
        check_setup(object.into())
    };
    let message = thrown_message(with("client_id", JsValue::from(5)));
    assert!(message.contains("`client_id` must be a string, not a number"), "{message}");
    let message = thrown_message(with("clientId", JsValue::from_str("x")));
    assert!(message.contains("unknown setup field `clientId`"), "{message}");
    let list = js_sys::Array::of2(&"read:me".into(), &JsValue::from(1));
    assert!(thrown_message(with("scopes", list.into())).contains("`scopes` must hold strings only"));

    // null and undefined are "nothing typed yet", a list of scopes is fine.
    assert!(check_setup(JsValue::NULL).is_ok());
    assert!(with("client_id", JsValue::NULL).is_ok());
    let list = js_sys::Array::of2(&"read:page:confluence".into(), &"offline_access".into());
    let report = from_js(with("scopes", list.into()).unwrap());
    assert_eq!(report["normalized"]["scope"], "read:page:confluence offline_access");

    // A huge value is checked, not refused, and answers in bounded time.
    let huge = "read:confluence-space, ".repeat(40_000);
    let report = from_js(with("scopes", JsValue::from_str(&huge)).unwrap());
    assert!(report["summary"]["omitted"].as_u64().unwrap() > 0);
}

// `version()` is `env!("CARGO_PKG_VERSION")`, so comparing the two here could not fail. What can go
// wrong is the built package disagreeing with it: tests/browser/page.test.mjs checks that the page
// shows the version of pkg/package.json (written by scripts/write-pkg-manifest.mjs).
#[wasm_bindgen_test]
fn rules_are_exposed() {
    let rules = from_js(rule_list());
    assert_eq!(rules.as_array().unwrap().len(), threelo::Rule::ALL.len());
    assert_eq!(rules[0]["code"], "client-id/missing");
    // The whole answer, every rule's every property, as the core gives it.
    assert_eq!(rules, serde_json::to_value(threelo::rules()).unwrap());
}

/// The docs page leaves these fields out of share links and excerpts: the core's predicate decides.
#[wasm_bindgen_test]
fn hidden_fields_are_those_the_core_redacts() {
    let secret = "ATOAxK7fQ2mZp9LrT4vW8yB1nC6hJ3sD5gF0aE2iU7oY9kM4qR8tX1zV6bN3wP5cLm7Q0A1B2C3D";
    let setup = Setup {
        client_id: Some(secret.into()),
        client_secret: Some("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z".into()),
        callback_url: Some(format!("https://app.acme.io/cb?k={secret}")),
        scopes: Some("read:page:confluence offline_access".into()),
        ..Setup::default()
    };
    let hidden = from_js(threelo::web::hidden_fields(to_js(&setup)).unwrap());
    assert_eq!(hidden, serde_json::json!(["client_id", "client_secret", "callback_url"]));
    let nothing = from_js(threelo::web::hidden_fields(to_js(&Setup::default())).unwrap());
    assert_eq!(nothing, serde_json::json!([]));
}

/// `scopesFor` answers the core's plan, whole, for text (one use a line) and for a list alike.
#[wasm_bindgen_test]
fn scopes_for_is_the_cores_plan() {
    use threelo::web::scopes_for_uses;
    let cases: [&[&str]; 4] = [
        &["servicenow"],
        &["getPages", "GET https://api.atlassian.com/ex/confluence/abc/wiki/api/v2/spaces/7?x=1", "noSuchThing"],
        &["getContent", "servicenow: Look up Groups", ""],
        &[],
    ];
    for uses in cases {
        let expected = serde_json::to_value(threelo::uses::scopes_for(uses.iter().copied())).unwrap();
        let list: js_sys::Array = uses.iter().map(|item| JsValue::from_str(item)).collect();
        assert_eq!(from_js(scopes_for_uses(list.into()).unwrap()), expected, "{uses:?}");
        let text = JsValue::from_str(&uses.join("\n"));
        assert_eq!(from_js(scopes_for_uses(text).unwrap()), expected, "{uses:?} as text");
    }
    let message = thrown_message(scopes_for_uses(JsValue::from_f64(3.0)));
    assert!(message.contains("scopesFor() takes"), "{message}");
    let list: js_sys::Array = [JsValue::from_str("getPages"), JsValue::NULL].into_iter().collect();
    assert!(thrown_message(scopes_for_uses(list.into())).contains("strings only"));
}

/// The picker's lists: every operation of the catalog, and the spoke's nine actions.
#[wasm_bindgen_test]
fn operations_and_spoke_actions_are_the_catalogs() {
    let operations = from_js(threelo::web::operation_list());
    let catalog: Vec<_> = threelo::catalog::confluence_operations().collect();
    assert_eq!(operations.as_array().unwrap().len(), catalog.len());
    let pages = operations.as_array().unwrap().iter().find(|op| op["operation_id"] == "getPageById").unwrap();
    assert_eq!(
        pages,
        &serde_json::json!({"use": "GET /wiki/api/v2/pages/{id}", "method": "GET", "path": "/wiki/api/v2/pages/{id}", "operation_id": "getPageById", "api": "v2"})
    );
    let actions = from_js(threelo::web::spoke_action_list());
    assert_eq!(actions.as_array().unwrap().len(), threelo::uses::SPOKE_ACTIONS.len());
    assert_eq!(
        actions[2],
        serde_json::json!({"name": "Look up Spaces Stream", "use": "servicenow: Look up Spaces Stream", "operation": "GET /wiki/api/v2/spaces"})
    );
}

#[derive(Deserialize)]
struct IncidentTable {
    case: Vec<IncidentCase>,
}

#[derive(Deserialize)]
struct IncidentCase {
    name: String,
    #[serde(default)]
    incident: threelo::Incident,
    setup: Option<Setup>,
}

/// An incident as a page would pass it: its keys, headers as an object.
fn incident_to_js(incident: &threelo::Incident) -> JsValue {
    let object = Object::new();
    let set = |key: &str, value: JsValue| Reflect::set(&object, &key.into(), &value).unwrap();
    if let Some(status) = incident.status {
        set("status", JsValue::from(status));
    }
    let headers = Object::new();
    for (name, value) in &incident.headers {
        Reflect::set(&headers, &name.as_str().into(), &value.as_str().into()).unwrap();
    }
    set("headers", headers.into());
    for (key, value) in
        [("body", &incident.body), ("method", &incident.method), ("url", &incident.url), ("text", &incident.text)]
    {
        if let Some(value) = value {
            set(key, JsValue::from_str(value));
        }
    }
    object.into()
}

/// The browser's JSON.parse reads bodies where the core's native faces use serde_json: every
/// diagnosis of the incidents table must be the core's, whole.
#[wasm_bindgen_test]
fn explain_gives_the_cores_diagnosis_for_every_table_incident() {
    use threelo::web::explain_incident;
    let table: IncidentTable = toml::from_str(include_str!("incidents.toml")).unwrap();
    for case in &table.case {
        let expected = serde_json::to_value(threelo::explain(&case.incident, case.setup.as_ref())).unwrap();
        let setup = case.setup.as_ref().map_or(JsValue::UNDEFINED, to_js);
        let got = from_js(explain_incident(incident_to_js(&case.incident), setup).unwrap());
        assert_eq!(got, expected, "{}", case.name);
    }
}

#[wasm_bindgen_test]
fn explain_refuses_what_is_not_an_incident_by_name() {
    use threelo::web::explain_incident;
    assert!(thrown_message(explain_incident(JsValue::from_str("401"), JsValue::UNDEFINED)).contains("incident object"));
    let with = |key: &str, value: JsValue| {
        let object = Object::new();
        Reflect::set(&object, &key.into(), &value).unwrap();
        explain_incident(object.into(), JsValue::UNDEFINED)
    };
    assert!(thrown_message(with("statusCode", JsValue::from(401))).contains("no key `statusCode`"));
    assert!(thrown_message(with("status", JsValue::from_str("401"))).contains("`status` must be an HTTP status"));
    assert!(thrown_message(with("status", JsValue::from(4010))).contains("`status` must be an HTTP status"));
    assert!(thrown_message(with("body", JsValue::from(1))).contains("`body` must be a string"));
    assert!(
        thrown_message(with("headers", JsValue::from_str("Retry-After: 3"))).contains("`headers` must be an object")
    );
    let diagnosis = from_js(with("text", JsValue::from_str("Unauthorized; scope does not match")).unwrap());
    assert_eq!(diagnosis["cause"], "api/scope-does-not-match");
}

#[wasm_bindgen_test]
fn causes_are_the_cores() {
    let causes = from_js(threelo::web::cause_list().unwrap());
    assert_eq!(causes, serde_json::to_value(threelo::explain::causes()).unwrap());
}
