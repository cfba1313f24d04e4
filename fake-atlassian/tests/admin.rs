//! The admin API, the request log (and that it holds no secrets), and the binary's start-up contract.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use common::*;
use serde_json::json;

/// Runs every kind of request that carries a secret, a code or a token, and returns all of those values.
fn full_flow(fake: &Fake) -> Vec<String> {
    let state = "state-value-4f1d9c";
    fake.set_auto_consent(true);
    let code = fake.get(&fake.authorize_path(&[("state", Some(state))])).location_param("code").unwrap();
    let tokens = fake.exchange(&code).json();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let rotated = fake.refresh(&refresh).json();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{SA_ID}:{SA_SECRET}"));
    let service = fake.post(
        "/oauth/token",
        "application/x-www-form-urlencoded",
        "grant_type=client_credentials",
        &[("Authorization", &format!("Basic {basic}"))],
    );
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    fake.get_bearer("/oauth/token/accessible-resources", &access);
    fake.get_bearer("/me", &access);
    fake.get_bearer(&format!("/ex/confluence/{SITE_DOCS}/wiki/api/v2/spaces"), &access);
    // A failed exchange echoes nothing either.
    fake.post_form("/oauth/token", &[("grant_type", "authorization_code"), ("client_id", CLIENT_ID), ("code", &code)]);
    // A secret pasted where a parameter name belongs.
    fake.get(&format!("/authorize?{CLIENT_SECRET}"));
    vec![
        CLIENT_SECRET.to_owned(),
        SA_SECRET.to_owned(),
        basic,
        state.to_owned(),
        code,
        access,
        refresh,
        rotated["access_token"].as_str().unwrap().to_owned(),
        rotated["refresh_token"].as_str().unwrap().to_owned(),
        service.json()["access_token"].as_str().unwrap().to_owned(),
    ]
}

#[test]
fn request_log_records_requests_without_secrets() {
    let fake = Fake::start();
    let secrets = full_flow(&fake);
    let log = fake.requests();
    let text = serde_json::to_string(&log).unwrap();
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "the log holds a secret, code or token: {secret}");
    }
    assert!(!text.contains("__admin"), "admin calls are not in the log");

    let authorize = &log[0];
    assert_eq!(authorize["method"], "GET");
    assert_eq!(authorize["path"], "/authorize");
    assert_eq!(authorize["endpoint"], "authorize");
    assert_eq!(authorize["status"], 302);
    assert_eq!(
        authorize["query_params"],
        json!(["audience", "client_id", "scope", "redirect_uri", "state", "response_type", "prompt"])
    );
    assert!(authorize["timestamp_ms"].as_u64().unwrap() > 1_600_000_000_000);
    let exchange = &log[1];
    assert_eq!(exchange["endpoint"], "token");
    // In the order sent.
    assert_eq!(exchange["body_params"], json!(["client_id", "client_secret", "code", "grant_type", "redirect_uri"]));
    let failed = log.iter().find(|r| r["status"] == 401).expect("the failed exchange is logged");
    assert_eq!(failed["error"], "access_denied");
    let pasted = log.last().unwrap();
    assert_eq!(pasted["query_params"], json!(["?"]), "a name that is not a name is masked");

    assert_eq!(fake.admin("DELETE", "/__admin/requests", None).status, 204);
    assert_eq!(fake.requests(), Vec::<serde_json::Value>::new());
}

/// Each entry's duration is that request's own time: one held back by a delay fault takes at least the delay,
/// the same request without it far less.
#[test]
fn request_log_times_each_request() {
    const DELAY_MS: u64 = 400;
    let fake = Fake::start();
    let token = fake.tokens(FULL_SCOPES)["access_token"].as_str().unwrap().to_owned();
    fake.set_fault("me", json!({"kind": "delay", "ms": DELAY_MS, "once": true}));
    assert_eq!(fake.get_bearer("/me", &token).status, 200);
    assert_eq!(fake.get_bearer("/me", &token).status, 200);
    let me: Vec<_> = fake.requests().into_iter().filter(|r| r["endpoint"] == "me").collect();
    let [slow, fast] = me.as_slice() else { panic!("two /me requests in the log: {me:?}") };
    assert_eq!((&slow["fault"], &fast["fault"]), (&json!("delay"), &json!(null)));
    let (slow_ms, fast_ms) = (slow["duration_ms"].as_f64().unwrap(), fast["duration_ms"].as_f64().unwrap());
    assert!(slow_ms >= DELAY_MS as f64, "the delayed request is logged as {slow_ms} ms");
    assert!(fast_ms < DELAY_MS as f64 / 2.0, "the plain request is logged as {fast_ms} ms");
}

#[test]
fn clock_auto_consent_state_and_reset() {
    let fake = Fake::start();
    let clock = fake.admin("GET", "/__admin/clock", None).json();
    assert_eq!(clock["offset_seconds"], 0);
    let advanced = fake.admin("POST", "/__admin/clock/advance", Some(json!({"seconds": 120}))).json();
    assert_eq!(advanced["offset_seconds"], 120);
    assert!(advanced["now_ms"].as_u64().unwrap() >= clock["now_ms"].as_u64().unwrap() + 120_000);
    for bad in [json!({"seconds": -1}), json!({"minutes": 1}), json!({"seconds": 999_999_999_999u64})] {
        assert_eq!(fake.admin("POST", "/__admin/clock/advance", Some(bad.clone())).status, 400, "{bad}");
    }

    assert_eq!(fake.admin("GET", "/__admin/auto-consent", None).json(), json!({"enabled": false}));
    assert_eq!(fake.get(&fake.authorize_path(&[])).status, 200, "consent page while auto-consent is off");
    fake.set_auto_consent(true);
    assert_eq!(fake.get(&fake.authorize_path(&[])).status, 302);
    assert_eq!(fake.admin("PUT", "/__admin/auto-consent", Some(json!({"enabled": "yes"}))).status, 400);

    let token = fake.tokens(FULL_SCOPES)["access_token"].as_str().unwrap().to_owned();
    fake.set_fault("me", json!({"kind": "html"}));
    let state = fake.admin("GET", "/__admin/state", None).json();
    assert_eq!(state["auto_consent"], true);
    assert_eq!(state["access_tokens"], 1);
    assert_eq!(state["refresh_tokens"], 1);
    assert_eq!(state["faults"]["me"]["kind"], "html");

    assert_eq!(fake.admin("POST", "/__admin/reset", None).status, 204);
    let state = fake.admin("GET", "/__admin/state", None).json();
    assert_eq!(state["auto_consent"], false, "back to the configured value");
    assert_eq!(state["access_tokens"], 0);
    assert_eq!(state["clock"]["offset_seconds"], 0);
    assert_eq!(state["faults"], json!({}));
    assert_eq!(state["requests_logged"], 0);
    assert_eq!(fake.get_bearer("/oauth/token/accessible-resources", &token).status, 401, "tokens are gone");
}

/// The binary prints exactly one ready line with the port it got, then one line per request — with no secrets.
#[test]
fn binary_prints_its_address_then_a_line_per_request() {
    let mut child = Stopper(
        Command::new(env!("CARGO_BIN_EXE_fake-atlassian"))
            .args(["--port", "0", "--auto-consent"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("binary starts"),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut ready = String::new();
    stdout.read_line(&mut ready).unwrap();
    {
        let base = ready.trim_end().strip_prefix("fake-atlassian listening on ").expect("the ready line").to_owned();
        let port: u16 = base.strip_prefix("http://127.0.0.1:").expect("loopback URL").parse().expect("a port");
        assert_ne!(port, 0);

        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).proxy(None).build().into();
        let authorize = format!("{base}{}", authorize_path(CLIENT_ID, CALLBACK, &[]));
        let reply = agent.get(&authorize).call().unwrap();
        assert_eq!(reply.status(), 302, "--auto-consent answers with the code");
        let location = reply.headers()["location"].to_str().unwrap().to_owned();
        let code = query_param(&location, "code").unwrap();
        let exchange = agent
            .post(format!("{base}/oauth/token"))
            .content_type("application/x-www-form-urlencoded")
            .send(form(&[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("code", &code),
                ("redirect_uri", CALLBACK),
            ]))
            .unwrap();
        assert_eq!(exchange.status(), 200);

        let mut lines = [String::new(), String::new()];
        for line in &mut lines {
            stdout.read_line(line).unwrap();
        }
        assert!(lines[0].starts_with("GET /authorize?audience&client_id&"), "{}", lines[0]);
        assert!(lines[0].contains(" -> 302 ("), "{}", lines[0]);
        assert!(lines[1].starts_with("POST /oauth/token {grant_type,client_id,client_secret,code,redirect_uri} -> 200"));
        assert!(lines[1].trim_end().ends_with(" ms)"), "{}", lines[1]);
        for line in &lines {
            assert!(!line.contains(&code) && !line.contains(CLIENT_SECRET), "{line}");
        }
    }
}

/// Stops the server this test started, also when an assertion fails.
struct Stopper(Child);

impl Drop for Stopper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn binary_rejects_a_bad_configuration_without_echoing_secrets() {
    let dir = std::env::temp_dir().join(format!("fake-atlassian-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    std::fs::write(&path, DEFAULT_TOML.replace("owner = \"5f00000000000000000fa4e1\"", "owner = \"nobody\"")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_fake-atlassian")).arg("--config").arg(&path).output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("owner nobody is not a configured user"), "{stderr}");
    assert!(!stderr.contains(CLIENT_SECRET));
    assert!(output.stdout.is_empty(), "no ready line for a bad configuration");
}
