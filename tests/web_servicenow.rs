//! The ServiceNow module's face (`setupFromServiceNow`), run by wasm-bindgen-test in Node and in
//! headless Chromium with the validator's tests: for each of the seed's two options as a template
//! and as an export it answers the core's setup, origins and `servicenow/*` findings, JSON parsed
//! by the browser's `JSON.parse` reading like serde_json; spans count UTF-16 code units; what
//! cannot be read throws an Error saying why, as the CLI does.
#![cfg(all(target_arch = "wasm32", feature = "web-servicenow"))]

use js_sys::Error;
use threelo::servicenow::read_servicenow;
use threelo::web::setup_from_servicenow;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const EXAMPLES: [(&str, &str); 5] = [
    ("authorization code, template", include_str!("../examples/servicenow-authorization-code.template.json")),
    ("authorization code, export", include_str!("../examples/servicenow-authorization-code.export.xml")),
    ("client credentials, template", include_str!("../examples/servicenow-client-credentials.template.json")),
    ("client credentials, export", include_str!("../examples/servicenow-client-credentials.export.xml")),
    ("an update set", include_str!("servicenow/update-set.xml")),
];

fn from_js(value: JsValue) -> serde_json::Value {
    serde_wasm_bindgen::from_value(value).unwrap()
}

/// What the face must answer for `text`: the core's reading, spans and edits in UTF-16 units.
fn expected(text: &str) -> serde_json::Value {
    let imported = read_servicenow(text).unwrap();
    let setup = serde_json::to_value(&imported.setup).unwrap();
    // A range's `start` and `end` in `field`'s text, characters → UTF-16 units.
    let in_units = |range: &mut serde_json::Value, field: &serde_json::Value| {
        let text = setup[field.as_str().unwrap()].as_str().unwrap_or("");
        for end in ["start", "end"] {
            let chars = range[end].as_u64().unwrap() as usize;
            range[end] = text.chars().take(chars).collect::<String>().encode_utf16().count().into();
        }
    };
    let mut findings = serde_json::to_value(imported.servicenow_findings()).unwrap();
    for finding in findings.as_array_mut().unwrap() {
        let field = finding["field"].clone();
        if let Some(span) = finding.get_mut("span") {
            in_units(span, &field);
        }
        if let Some(fix) = finding.get_mut("fix") {
            let field = fix["field"].clone();
            fix["edits"].as_array_mut().unwrap().iter_mut().for_each(|edit| in_units(edit, &field));
        }
    }
    let mut origins = serde_json::to_value(imported.origins()).unwrap();
    for origin in origins.as_array_mut().unwrap() {
        let field = origin["field"].clone();
        if let Some(within) = origin.get_mut("within") {
            in_units(within, &field);
        }
    }
    serde_json::json!({
        "form": imported.form,
        "setup": setup,
        "fields": threelo::servicenow::HELD_FIELDS,
        "origins": origins,
        "findings": findings,
    })
}

fn thrown_message(result: Result<JsValue, JsValue>) -> String {
    let error: JsValue = result.expect_err("must throw");
    Error::from(error).message().into()
}

#[wasm_bindgen_test]
fn each_example_reads_as_the_core_reads_it() {
    for (name, text) in EXAMPLES {
        let answer = from_js(setup_from_servicenow(text).unwrap_or_else(|e| panic!("{name}: threw {e:?}")));
        assert_eq!(answer, expected(text), "{name}");
        assert!(!answer["origins"].as_array().unwrap().is_empty(), "{name}: origins");
    }
}

#[wasm_bindgen_test]
fn spans_count_utf16_units_past_a_non_ascii_scope() {
    // "é" and "😀" are one and two UTF-16 units; the unmatched profile scope comes after both.
    let text = r#"{"credential": {"oauth_entity": {
        "client_id": "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
        "default_grant_type": "authorization_code",
        "oauth_entity_scope": [{"name": "Ré😀", "oauth_entity_scope": "réad:page:confluence😀 offline_access"}],
        "oauth_entity_profile": [{"name": "p", "grant_type": "authorization_code", "default": true,
            "oauth_entity_profile_scope": ["Ré😀"]}]}}}"#;
    let answer = from_js(setup_from_servicenow(text).unwrap());
    assert_eq!(answer, expected(text));
    let codes: Vec<&str> = answer["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(codes.contains(&"servicenow/profile-scope-unmatched"), "{codes:?}");
}

#[wasm_bindgen_test]
fn what_cannot_be_read_throws_the_cores_reason() {
    let cases = [
        r#"<?xml version="1.0"?><!DOCTYPE unload [<!ENTITY a "aaaa">]><unload>&a;</unload>"#,
        "<unload><oauth_entity>",
        r#"{"credential": "#,
        r#"{"client_id": "a setup of threelo's own, not a template"}"#,
        "",
    ];
    for text in cases {
        let reason = read_servicenow(text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!reason.is_empty(), "the core reads {text:?}");
        let thrown = thrown_message(setup_from_servicenow(text));
        if text.starts_with('{') {
            // JSON.parse words its errors its own way; the rest of the reason is the core's.
            assert!(thrown.starts_with(reason.split(": ").next().unwrap()), "{text:?}: {thrown} vs {reason}");
        } else {
            assert_eq!(thrown, reason, "{text:?}");
        }
    }
}

#[wasm_bindgen_test]
fn broken_json_is_reported_without_quoting_it() {
    // V8's JSON.parse quotes the text near the fault; the secret must not reach the page that way.
    let secret = "ATOAxK7fQ2mZp9LrT4vW8yB1nC6hJ3sD5gF0aE2iU7oY9kM4qR8tX1zV6bN3wP5cLm7Q0A1B2C3D";
    for text in [
        format!(r#"{{"credential": {{"oauth_entity": {{"client_secret": {secret}}}}}}}"#),
        format!(r#"{{"credential": {{"oauth_entity": {{"client_secret": "{secret}" "client_id": "x"}}}}}}"#),
        format!("{{\"credential\": \"{secret}"),
    ] {
        let thrown = thrown_message(setup_from_servicenow(&text));
        assert!(thrown.starts_with("the configuration template cannot be read: it is not JSON: "), "{thrown}");
        for piece in secret.as_bytes().chunks(6) {
            assert!(!thrown.contains(std::str::from_utf8(piece).unwrap()), "{thrown}");
        }
    }
}

#[wasm_bindgen_test]
fn a_deep_template_is_refused_not_recursed_into() {
    let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let thrown = thrown_message(setup_from_servicenow(&format!(r#"{{"credential": {text}}}"#)));
    assert!(thrown.contains("deeper"), "{thrown}");
}

#[wasm_bindgen_test]
fn an_exported_secret_is_never_in_the_answer() {
    let text = include_str!("../examples/servicenow-authorization-code.export.xml");
    let answer = from_js(setup_from_servicenow(text).unwrap()).to_string();
    let secret_column = text.split("<client_secret").nth(1).unwrap();
    let secret = secret_column.split('>').nth(1).unwrap().split('<').next().unwrap();
    assert!(secret.len() > 8, "{secret:?}");
    assert!(!answer.contains(secret), "{answer}");
}
