//! POST /oauth/token: the three grants, client authentication, and every refusal with its exact body.

mod common;

use base64::Engine as _;
use common::*;
use serde_json::{json, Value};

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
}

#[test]
fn code_exchange_succeeds_with_json_form_and_basic_auth() {
    let fake = Fake::start();
    enum Body {
        Json,
        Form,
        BasicForm,
        BasicJson,
    }
    for (name, body) in [
        ("JSON", Body::Json),
        ("form", Body::Form),
        ("Basic + form", Body::BasicForm),
        ("Basic + JSON", Body::BasicJson),
    ] {
        let code = fake.consent(FULL_SCOPES);
        let reply = match body {
            Body::Json => fake.exchange(&code),
            Body::Form => fake.post_form(
                "/oauth/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", CLIENT_ID),
                    ("client_secret", CLIENT_SECRET),
                    ("code", &code),
                    ("redirect_uri", CALLBACK),
                ],
            ),
            Body::BasicForm => fake.post(
                "/oauth/token",
                "application/x-www-form-urlencoded",
                &form(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", CALLBACK)]),
                &[("Authorization", &basic(CLIENT_ID, CLIENT_SECRET))],
            ),
            Body::BasicJson => fake.post(
                "/oauth/token",
                "application/json; charset=utf-8",
                &json!({"grant_type": "authorization_code", "client_id": CLIENT_ID, "code": code, "redirect_uri": CALLBACK})
                    .to_string(),
                &[("Authorization", &basic(CLIENT_ID, CLIENT_SECRET))],
            ),
        };
        assert_eq!(reply.status, 200, "{name}: {}", reply.body);
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{name}");
        let tokens = reply.json();
        assert_eq!(tokens["token_type"], "Bearer", "{name}");
        assert_eq!(tokens["expires_in"], 3600, "{name}");
        assert_eq!(tokens["scope"], FULL_SCOPES, "{name}");
        assert!(tokens["access_token"].as_str().unwrap().len() >= 32, "{name}");
        assert!(tokens["refresh_token"].is_string(), "{name}: offline_access was granted");
    }
}

#[test]
fn no_refresh_token_without_offline_access() {
    let fake = Fake::start();
    let tokens = fake.tokens("read:page:confluence read:me");
    assert_eq!(tokens["scope"], "read:page:confluence read:me");
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
}

#[test]
fn code_exchange_refusals_have_atlassians_bodies() {
    let fake = Fake::start_extended(|t| t);
    let used = fake.consent(FULL_SCOPES);
    assert_eq!(fake.exchange(&used).status, 200);
    let fresh = fake.consent(FULL_SCOPES);
    let other_apps = {
        fake.set_auto_consent(true);
        let reply =
            fake.get(&authorize_path(APP2_ID, APP2_CALLBACK, &[("scope", Some("read:confluence-content.all"))]));
        reply.location_param("code").unwrap()
    };
    let exchange = |fields: Value| fake.post_json("/oauth/token", &fields);
    let with = |changes: &[(&str, Option<&str>)]| {
        let mut body = json!({"grant_type": "authorization_code", "client_id": CLIENT_ID,
                              "client_secret": CLIENT_SECRET, "code": fresh, "redirect_uri": CALLBACK});
        for (name, value) in changes {
            match value {
                Some(v) => body[*name] = json!(v),
                None => {
                    body.as_object_mut().unwrap().remove(*name);
                }
            }
        }
        body
    };
    let cases: Vec<(&str, Value, u16, Value)> = vec![
        ("no secret (PKCE-style)", with(&[("client_secret", None)]), 401, oauth_error("access_denied", "Unauthorized")),
        (
            "wrong secret",
            with(&[("client_secret", Some("ATOAnope"))]),
            401,
            oauth_error("access_denied", "Unauthorized"),
        ),
        (
            "secret of another app",
            with(&[("client_secret", Some(APP2_SECRET))]),
            401,
            oauth_error("access_denied", "Unauthorized"),
        ),
        ("unknown client", with(&[("client_id", Some("nobody"))]), 401, oauth_error("access_denied", "Unauthorized")),
        ("no client_id", with(&[("client_id", None)]), 401, oauth_error("access_denied", "Unauthorized")),
        (
            "service-account credentials",
            with(&[("client_id", Some(SA_ID)), ("client_secret", Some(SA_SECRET))]),
            403,
            oauth_error("unauthorized_client", "Grant type 'authorization_code' not allowed for the client."),
        ),
        (
            "unknown code",
            with(&[("code", Some("made-up"))]),
            403,
            oauth_error("invalid_grant", "Invalid authorization code"),
        ),
        ("used code", with(&[("code", Some(&used))]), 403, oauth_error("invalid_grant", "Invalid authorization code")),
        (
            "another app's code",
            with(&[("code", Some(&other_apps))]),
            403,
            oauth_error("invalid_grant", "Invalid authorization code"),
        ),
        ("no code", with(&[("code", None)]), 400, oauth_error("invalid_request", "Missing required parameter: code")),
        (
            "redirect_uri with trailing slash",
            with(&[("redirect_uri", Some("http://127.0.0.1:8787/callback/"))]),
            403,
            oauth_error(
                "unauthorized_client",
                "redirect_uri is not registered for client: http://127.0.0.1:8787/callback/",
            ),
        ),
        (
            "no redirect_uri",
            with(&[("redirect_uri", None)]),
            403,
            oauth_error("unauthorized_client", "redirect_uri is not registered for client: "),
        ),
        (
            "no grant_type",
            with(&[("grant_type", None)]),
            400,
            oauth_error("invalid_request", "Missing required parameter: grant_type"),
        ),
        (
            "password grant",
            with(&[("grant_type", Some("password"))]),
            400,
            oauth_error("unsupported_grant_type", "Unsupported grant type: password"),
        ),
        (
            "number instead of string",
            json!({"grant_type": "authorization_code", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": 42}),
            400,
            oauth_error("invalid_request", "Parameter code must be a string"),
        ),
    ];
    for (name, body, status, expected) in cases {
        let reply = exchange(body);
        assert_eq!(reply.status, status, "{name}: {}", reply.body);
        assert_eq!(reply.json(), expected, "{name}");
        assert!(!reply.body.contains(CLIENT_SECRET), "{name}: errors never carry a secret");
    }
    // None of the refusals used up the code.
    assert_eq!(fake.exchange(&fresh).status, 200);
}

#[test]
fn codes_go_stale_after_ten_minutes() {
    let fake = Fake::start();
    let within = fake.consent(FULL_SCOPES);
    let stale = fake.consent(FULL_SCOPES);
    fake.advance(9 * 60);
    assert_eq!(fake.exchange(&within).status, 200, "a 9-minute-old code still works");
    fake.advance(2 * 60);
    let reply = fake.exchange(&stale);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json(), oauth_error("invalid_request", "authorization_code is invalid"));
}

/// name, content type, body, extra headers, expected status, expected error_description
type BadBody<'a> = (&'a str, &'a str, String, &'a [(&'a str, &'a str)], u16, &'a str);

/// name, form fields, expected status, expected body
type FormCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, u16, Value);

#[test]
fn malformed_bodies_get_invalid_request() {
    let fake = Fake::start();
    let form_code = form(&[("grant_type", "authorization_code"), ("code", "a"), ("code", "b")]);
    let long_code = form(&[("grant_type", "authorization_code"), ("code", &"c".repeat(5000))]);
    let cases: Vec<BadBody> = vec![
        ("broken JSON", "application/json", "{\"grant_type\":".into(), &[], 400, "Malformed JSON body"),
        ("JSON array", "application/json", "[1,2]".into(), &[], 400, "Malformed JSON body"),
        ("binary", "application/json", "\u{0}\u{1}\u{2}".into(), &[], 400, "Malformed JSON body"),
        (
            "repeated JSON key",
            "application/json",
            r#"{"grant_type":"a","grant_type":"b"}"#.into(),
            &[],
            400,
            "Duplicate parameter: grant_type",
        ),
        ("repeated form field", "application/x-www-form-urlencoded", form_code, &[], 400, "Duplicate parameter: code"),
        (
            "oversized value",
            "application/x-www-form-urlencoded",
            long_code,
            &[],
            400,
            "Parameter too long: code (at most 4096 characters)",
        ),
        (
            "plain text",
            "text/plain",
            "grant_type=client_credentials".into(),
            &[],
            400,
            "Content-Type must be application/json or application/x-www-form-urlencoded",
        ),
        (
            "Basic and a body secret",
            "application/x-www-form-urlencoded",
            form(&[("grant_type", "client_credentials"), ("client_secret", SA_SECRET)]),
            &[("Authorization", "Basic Zm9vOmJhcg==")],
            400,
            "Use one client authentication method: HTTP Basic or client_secret in the body",
        ),
        (
            "Basic and another body client_id",
            "application/x-www-form-urlencoded",
            form(&[("grant_type", "client_credentials"), ("client_id", "other")]),
            &[("Authorization", "Basic Zm9vOmJhcg==")],
            400,
            "client_id in the body does not match the HTTP Basic credentials",
        ),
        (
            "Basic that is not base64",
            "application/x-www-form-urlencoded",
            form(&[("grant_type", "client_credentials")]),
            &[("Authorization", "Basic !!!")],
            401,
            "Unauthorized",
        ),
    ];
    for (name, content_type, body, headers, status, description) in cases {
        let reply = fake.post("/oauth/token", content_type, &body, headers);
        assert_eq!(reply.status, status, "{name}: {}", reply.body);
        assert_eq!(reply.json()["error_description"], description, "{name}");
    }
    let huge = fake.post("/oauth/token", "application/json", &format!("{{\"a\":\"{}\"}}", "x".repeat(20_000)), &[]);
    assert_eq!(huge.status, 413);
    assert_eq!(huge.json(), oauth_error("invalid_request", "Request body too large"));
}

#[test]
fn refresh_tokens_rotate() {
    let fake = Fake::start();
    let first = fake.tokens(FULL_SCOPES);
    let r1 = first["refresh_token"].as_str().unwrap();
    let reply = fake.refresh(r1);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let second = reply.json();
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2, "each refresh returns a new refresh token");
    assert_ne!(first["access_token"], second["access_token"]);
    assert_eq!(second["scope"], FULL_SCOPES);
    assert_eq!(second["expires_in"], 3600);
    let resources = fake.get_bearer("/oauth/token/accessible-resources", second["access_token"].as_str().unwrap());
    assert_eq!(resources.status, 200);
    assert_eq!(fake.refresh(r2).status, 200, "the new one works");
}

#[test]
fn a_used_refresh_token_works_within_the_leeway_and_revokes_the_family_after() {
    let fake = Fake::start();
    let first = fake.tokens(FULL_SCOPES);
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();
    let second = fake.refresh(&r1).json();
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();

    // Two racing refreshes, or a retry after a lost response: still fine within 10 minutes of the first use.
    fake.advance(9 * 60);
    let retry = fake.refresh(&r1);
    assert_eq!(retry.status, 200, "{}", retry.body);
    let r3 = retry.json()["refresh_token"].as_str().unwrap().to_owned();
    let access = retry.json()["access_token"].as_str().unwrap().to_owned();

    // After the leeway, a replay looks like theft: the whole family goes.
    fake.advance(2 * 60);
    let replay = fake.refresh(&r1);
    assert_eq!(replay.status, 403);
    assert_eq!(replay.json(), oauth_error("invalid_grant", "Unknown or invalid refresh token."));
    for (name, token) in [("r2", &r2), ("r3", &r3)] {
        let reply = fake.refresh(token);
        assert_eq!(reply.status, 403, "{name} is revoked with its family");
        assert_eq!(reply.json(), oauth_error("invalid_grant", "Unknown or invalid refresh token."));
    }
    let api = fake.get_bearer("/oauth/token/accessible-resources", &access);
    assert_eq!(api.status, 401, "access tokens of a revoked family stop working");

    // A new consent starts a new family.
    let fresh = fake.tokens(FULL_SCOPES);
    assert_eq!(fake.refresh(fresh["refresh_token"].as_str().unwrap()).status, 200);
}

#[test]
fn refresh_tokens_expire_after_90_idle_days_and_365_days_in_all() {
    let day = 24 * 60 * 60;
    let fake = Fake::start();
    let idle = fake.tokens(FULL_SCOPES)["refresh_token"].as_str().unwrap().to_owned();
    let mut active = fake.tokens(FULL_SCOPES)["refresh_token"].as_str().unwrap().to_owned();
    fake.advance(89 * day);
    // Each use resets the inactivity clock.
    active = fake.refresh(&active).json()["refresh_token"].as_str().unwrap().to_owned();
    fake.advance(2 * day);
    let reply = fake.refresh(&idle);
    assert_eq!(reply.status, 403, "91 idle days");
    assert_eq!(reply.json(), oauth_error("invalid_grant", "Unknown or invalid refresh token."));
    for _ in 0..3 {
        fake.advance(80 * day);
        let reply = fake.refresh(&active);
        assert_eq!(reply.status, 200, "{}", reply.body);
        active = reply.json()["refresh_token"].as_str().unwrap().to_owned();
    }
    // 91 + 240 = 331 days since consent; 35 more passes the absolute limit though the token is fresh.
    fake.advance(35 * day);
    let reply = fake.refresh(&active);
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.json(), oauth_error("invalid_grant", "Unknown or invalid refresh token."));
}

#[test]
fn refresh_refusals() {
    let fake = Fake::start_extended(|t| t);
    let token = fake.tokens(FULL_SCOPES)["refresh_token"].as_str().unwrap().to_owned();
    let cases: Vec<(&str, Value, u16, Value)> = vec![
        (
            "unknown token",
            json!({"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": "nope"}),
            403,
            oauth_error("invalid_grant", "Unknown or invalid refresh token."),
        ),
        (
            "another app's credentials",
            json!({"grant_type": "refresh_token", "client_id": APP2_ID, "client_secret": APP2_SECRET, "refresh_token": token}),
            403,
            oauth_error("invalid_grant", "Unknown or invalid refresh token."),
        ),
        (
            "no secret",
            json!({"grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": token}),
            401,
            oauth_error("access_denied", "Unauthorized"),
        ),
        (
            "no refresh_token",
            json!({"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}),
            400,
            oauth_error("invalid_request", "Missing required parameter: refresh_token"),
        ),
        (
            "service account",
            json!({"grant_type": "refresh_token", "client_id": SA_ID, "client_secret": SA_SECRET, "refresh_token": token}),
            403,
            oauth_error("unauthorized_client", "Grant type 'refresh_token' not allowed for the client."),
        ),
    ];
    for (name, body, status, expected) in cases {
        let reply = fake.post_json("/oauth/token", &body);
        assert_eq!(reply.status, status, "{name}: {}", reply.body);
        assert_eq!(reply.json(), expected, "{name}");
    }
    assert_eq!(fake.refresh(&token).status, 200, "refusals leave the token usable");
}

#[test]
fn client_credentials_for_service_accounts_only() {
    let fake = Fake::start();
    let reply = fake.client_credentials();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let tokens = reply.json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], "read:page:confluence read:space:confluence search:confluence");
    assert!(tokens.get("refresh_token").is_none(), "no refresh token for client credentials");

    let json_with_audience = fake.post_json(
        "/oauth/token",
        &json!({"grant_type": "client_credentials", "client_id": SA_ID, "client_secret": SA_SECRET,
                "audience": "api.atlassian.com", "scope": "write:page:confluence"}),
    );
    assert_eq!(json_with_audience.status, 200);
    assert_eq!(json_with_audience.json()["scope"], tokens["scope"], "scopes are fixed on the credential");

    let basic_auth = fake.post(
        "/oauth/token",
        "application/x-www-form-urlencoded",
        "grant_type=client_credentials",
        &[("Authorization", &basic(SA_ID, SA_SECRET))],
    );
    assert_eq!(basic_auth.status, 200, "{}", basic_auth.body);

    let cases: Vec<FormCase> = vec![
        (
            "developer-console app",
            vec![("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)],
            403,
            oauth_error("unauthorized_client", "Grant type 'client_credentials' not allowed for the client."),
        ),
        (
            "wrong secret",
            vec![("client_id", SA_ID), ("client_secret", CLIENT_SECRET)],
            401,
            oauth_error("access_denied", "Unauthorized"),
        ),
        ("no secret", vec![("client_id", SA_ID)], 401, oauth_error("access_denied", "Unauthorized")),
        (
            "other audience",
            vec![("client_id", SA_ID), ("client_secret", SA_SECRET), ("audience", "api.atlassian-us-gov-mod.com")],
            403,
            oauth_error("access_denied", "Service not found: api.atlassian-us-gov-mod.com"),
        ),
    ];
    for (name, mut fields, status, expected) in cases {
        fields.insert(0, ("grant_type", "client_credentials"));
        let reply = fake.post_form("/oauth/token", &fields);
        assert_eq!(reply.status, status, "{name}: {}", reply.body);
        assert_eq!(reply.json(), expected, "{name}");
    }

    // 60-minute tokens.
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(fake.get_bearer("/oauth/token/accessible-resources", access).status, 200);
    fake.advance(3601);
    assert_eq!(fake.get_bearer("/oauth/token/accessible-resources", access).status, 401);
}
