//! Switchable faults: every kind on every endpoint family, once or until cleared.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

/// One request per endpoint family that succeeds when no fault is set.
fn call(fake: &Fake, endpoint: &str, token: &str) -> Reply {
    match endpoint {
        "authorize" => fake.get(&fake.authorize_path(&[])),
        "token" => fake.client_credentials(),
        "accessible-resources" => fake.get_bearer("/oauth/token/accessible-resources", token),
        "me" => fake.get_bearer("/me", token),
        "confluence" => fake.get_bearer(&format!("/ex/confluence/{SITE_DOCS}/wiki/api/v2/spaces"), token),
        other => panic!("no endpoint {other}"),
    }
}

const ENDPOINTS: [&str; 5] = ["authorize", "token", "accessible-resources", "me", "confluence"];

fn healthy_status(endpoint: &str) -> u16 {
    // Auto-consent is on, so a healthy authorize answers with the redirect.
    if endpoint == "authorize" {
        302
    } else {
        200
    }
}

#[test]
fn every_fault_kind_on_every_endpoint() {
    let fake = Fake::start();
    let token = fake.tokens(FULL_SCOPES)["access_token"].as_str().unwrap().to_owned();
    fake.set_auto_consent(true);
    for endpoint in ENDPOINTS {
        let html_family = endpoint == "authorize";
        let json_family = !html_family;
        let cases: Vec<(&str, Value, u16)> = vec![
            ("500", json!({"kind": "server_error"}), 500),
            ("503", json!({"kind": "server_error", "status": 503}), 503),
            ("429", json!({"kind": "rate_limit", "retry_after": 7}), 429),
            ("html", json!({"kind": "html"}), 200),
            ("truncated", json!({"kind": "truncated_json"}), 200),
            (
                "canned",
                json!({"kind": "canned", "status": 418, "body": {"error": "recorded", "detail": [1, 2]},
                       "headers": {"x-recorded": "yes"}}),
                418,
            ),
        ];
        for (name, spec, status) in cases {
            fake.set_fault(endpoint, spec);
            let reply = call(&fake, endpoint, &token);
            assert_eq!(reply.status, status, "{endpoint} {name}: {}", reply.body);
            let content_type = reply.header("content-type").unwrap_or("").to_owned();
            match name {
                "500" | "503" if json_family => {
                    let body = reply.json();
                    if endpoint == "token" {
                        assert!(body["error"].is_string(), "{endpoint} {name}: {body}");
                    } else {
                        assert_eq!(body["code"], status, "{endpoint} {name}");
                    }
                }
                "500" | "503" => assert!(content_type.starts_with("text/html"), "{endpoint} {name}"),
                "429" => assert_eq!(reply.header("retry-after"), Some("7"), "{endpoint}"),
                "html" => {
                    assert!(content_type.starts_with("text/html"), "{endpoint}");
                    assert!(reply.body.contains("502 Bad Gateway"), "{endpoint}");
                }
                "truncated" => {
                    assert_eq!(content_type, "application/json", "{endpoint}");
                    assert!(serde_json::from_str::<Value>(&reply.body).is_err(), "{endpoint}: {}", reply.body);
                }
                "canned" => {
                    assert_eq!(reply.json(), json!({"error": "recorded", "detail": [1, 2]}), "{endpoint}");
                    assert_eq!(reply.header("x-recorded"), Some("yes"), "{endpoint}");
                }
                _ => unreachable!(),
            }
        }
        // Until cleared: the last fault is still there.
        assert_eq!(call(&fake, endpoint, &token).status, 418, "{endpoint}: fault stays until cleared");
        let cleared = fake.admin("DELETE", &format!("/__admin/faults/{endpoint}"), None);
        assert_eq!(cleared.status, 204);
        assert_eq!(call(&fake, endpoint, &token).status, healthy_status(endpoint), "{endpoint}: healthy again");
    }
    let logged: Vec<Value> = fake.requests().into_iter().filter(|r| r["fault"].is_string()).collect();
    assert_eq!(logged.len(), ENDPOINTS.len() * 7, "each faulted request is logged with its fault");
}

#[test]
fn once_faults_fire_once() {
    let fake = Fake::start();
    let token = fake.tokens(FULL_SCOPES)["access_token"].as_str().unwrap().to_owned();
    fake.set_auto_consent(true);
    for endpoint in ENDPOINTS {
        fake.set_fault(endpoint, json!({"kind": "server_error", "status": 503, "once": true}));
        assert_eq!(call(&fake, endpoint, &token).status, 503, "{endpoint}");
        assert_eq!(call(&fake, endpoint, &token).status, healthy_status(endpoint), "{endpoint}: only once");
    }
    assert_eq!(fake.admin("GET", "/__admin/faults", None).json(), json!({"faults": {}}));
}

#[test]
fn delay_postpones_a_normal_answer() {
    let fake = Fake::start();
    let token = fake.tokens(FULL_SCOPES)["access_token"].as_str().unwrap().to_owned();
    fake.set_auto_consent(true);
    for endpoint in ENDPOINTS {
        fake.set_fault(endpoint, json!({"kind": "delay", "ms": 250, "once": true}));
        let started = Instant::now();
        let reply = call(&fake, endpoint, &token);
        assert!(started.elapsed() >= Duration::from_millis(250), "{endpoint}: answered too soon");
        assert_eq!(reply.status, healthy_status(endpoint), "{endpoint}: {}", reply.body);
    }
}

#[test]
fn fault_admin_validates_and_lists() {
    let fake = Fake::start();
    let unknown = fake.admin("PUT", "/__admin/faults/jira", Some(json!({"kind": "html"})));
    assert_eq!(unknown.status, 404);
    assert!(unknown.json()["error_description"].as_str().unwrap().contains("authorize, token"));
    for (spec, needle) in [
        (json!({"kind": "explode"}), "unknown fault kind"),
        (json!({"kind": "server_error", "status": 404}), "5xx"),
        (json!({"kind": "delay"}), "delay needs ms"),
        (json!({"kind": "delay", "ms": 999_999}), "at most"),
        (json!({"kind": "canned", "status": 400}), "canned needs body"),
        (json!({"kind": "html", "retry_after": 3}), "does not take retry_after"),
        (json!({"kind": "html", "typo": 1}), "unknown field"),
        (json!("html"), "Invalid JSON"),
    ] {
        let reply = fake.admin("PUT", "/__admin/faults/token", Some(spec.clone()));
        assert_eq!(reply.status, 400, "{spec}");
        let description = reply.json()["error_description"].as_str().unwrap().to_owned();
        assert!(description.contains(needle), "{spec}: {description}");
    }
    fake.set_fault("token", json!({"kind": "rate_limit", "retry_after": 5}));
    fake.set_fault("me", json!({"kind": "delay", "ms": 10, "once": true}));
    assert_eq!(
        fake.admin("GET", "/__admin/faults", None).json(),
        json!({"faults": {"token": {"kind": "rate_limit", "retry_after": 5, "once": false},
                          "me": {"kind": "delay", "ms": 10, "once": true}}})
    );
    assert_eq!(fake.admin("DELETE", "/__admin/faults", None).status, 204);
    assert_eq!(fake.admin("GET", "/__admin/faults", None).json(), json!({"faults": {}}));
}
