//! Every error the stand-in can answer, explained by threelo: each is provoked over HTTP as a
//! client would meet it, handed to `threelo::explain` as the user would paste it (the answer, or
//! the address the browser landed on), and must be diagnosed as the cause it plays. A new error
//! in the stand-in belongs here with the cause it stands for; where none fits, threelo gains one.

mod common;

use common::*;
use serde_json::json;
use threelo::explain::Cause;
use threelo::{explain, Incident};

/// The Atlassian address the stand-in plays for `path`.
fn atlassian_url(path: &str) -> String {
    let host = if path.starts_with("/authorize") || path == "/oauth/token" { "auth" } else { "api" };
    format!("https://{host}.atlassian.com{path}")
}

/// What a user would paste: a redirect's target (where the browser lands), or the answer with its
/// request.
fn incident(reply: &Reply, method: &str, path: &str) -> Incident {
    if reply.status == 302 {
        return Incident { url: Some(reply.location().to_string()), ..Incident::default() };
    }
    Incident {
        status: Some(reply.status),
        headers: reply.headers.iter().cloned().collect(),
        body: Some(reply.body.clone()),
        method: Some(method.to_string()),
        url: Some(atlassian_url(path.split('?').next().unwrap_or(path))),
        text: None,
    }
}

struct Walk {
    failures: Vec<String>,
    walked: usize,
}

impl Walk {
    fn expect(&mut self, name: &str, reply: Reply, method: &str, path: &str, cause: Cause) {
        assert!(reply.status >= 300 || reply.status == 200, "{name}: not an error but {}", reply.status);
        self.walked += 1;
        let diagnosis = explain(&incident(&reply, method, path), None);
        if diagnosis.cause != cause {
            self.failures.push(format!(
                "{name}: {} (expected {}) for {} {}",
                diagnosis.cause.code(),
                cause.code(),
                reply.status,
                if reply.status == 302 { reply.location() } else { &reply.body }
            ));
        }
    }
}

#[test]
fn every_error_of_the_stand_in_has_its_cause() {
    // The service account also holds read:me, so that /me reaches the question of who the user is.
    let fake = Fake::start_extended(|toml| {
        toml.replace(
            r#"scopes = ["read:page:confluence", "read:space:confluence", "search:confluence"]"#,
            r#"scopes = ["read:page:confluence", "read:space:confluence", "search:confluence", "read:me"]"#,
        )
    });
    let mut walk = Walk { failures: Vec::new(), walked: 0 };
    let get = |path: &str| fake.get(path);

    // The authorization endpoint: errors shown on its own page, then errors sent to the callback.
    let authorize = |changes: &[(&str, Option<&str>)]| fake.authorize_path(changes);
    let long = "x".repeat(20_000);
    for (name, path, cause) in [
        ("authorize: too long", authorize(&[("scope", Some(&long))]), Cause::ConsentInvalidRequest),
        ("authorize: no client_id", authorize(&[("client_id", None)]), Cause::ConsentInvalidRequest),
        (
            "authorize: unknown client",
            authorize(&[("client_id", Some("unknownClientId0000000000000000001"))]),
            Cause::ConsentUnknownClient,
        ),
        (
            "authorize: secret as client_id",
            authorize(&[("client_id", Some(CLIENT_SECRET))]),
            Cause::ConsentUnknownClient,
        ),
        ("authorize: a service account's ID", authorize(&[("client_id", Some(SA_ID))]), Cause::TokenGrantNotAllowed),
        ("authorize: no redirect_uri", authorize(&[("redirect_uri", None)]), Cause::ConsentInvalidRequest),
        (
            "authorize: redirect_uri mismatch",
            authorize(&[("redirect_uri", Some("http://127.0.0.1:8787/callback/"))]),
            Cause::TokenRedirectUriMismatch,
        ),
        ("authorize: duplicate state", format!("{}&state=again", authorize(&[])), Cause::ConsentInvalidRequest),
        ("authorize: duplicate scope", format!("{}&scope=read:me", authorize(&[])), Cause::ConsentInvalidRequest),
        ("authorize: no response_type", authorize(&[("response_type", None)]), Cause::ConsentInvalidRequest),
        (
            "authorize: response_type token",
            authorize(&[("response_type", Some("token"))]),
            Cause::ConsentInvalidRequest,
        ),
        ("authorize: no audience", authorize(&[("audience", None)]), Cause::ConsentInvalidRequest),
        (
            "authorize: wrong audience",
            authorize(&[("audience", Some("api.atlassian.net"))]),
            Cause::ConsentInvalidRequest,
        ),
        ("authorize: no scopes", authorize(&[("scope", Some(""))]), Cause::ConsentNoScopes),
        ("authorize: openid", authorize(&[("scope", Some("openid read:page:confluence"))]), Cause::ConsentOpenid),
        (
            "authorize: scope not on the app",
            authorize(&[("scope", Some("delete:attachment:confluence"))]),
            Cause::ConsentScopeNotOnApp,
        ),
    ] {
        walk.expect(name, get(&path), "GET", &path, cause);
    }
    let no_identity = authorize_path(APP2_ID, APP2_CALLBACK, &[("scope", Some("read:me read:confluence-content.all"))]);
    walk.expect(
        "authorize: identity API not added",
        get(&no_identity),
        "GET",
        &no_identity,
        Cause::ConsentScopeNotOnApp,
    );

    // The consent page's answers.
    let page = get(&fake.authorize_path(&[]));
    let request = consent_request_id(&page.body);
    let decide = |fields: &[(&str, &str)]| fake.post_form("/authorize/decision", fields);
    walk.expect(
        "consent: declined",
        decide(&[("request", &request), ("decision", "decline")]),
        "POST",
        "/authorize/decision",
        Cause::ConsentDeclined,
    );
    walk.expect(
        "consent: answered twice",
        decide(&[("request", &request), ("decision", "accept")]),
        "POST",
        "/authorize/decision",
        Cause::ConsentInvalidRequest,
    );
    walk.expect(
        "consent: no request",
        decide(&[("decision", "accept")]),
        "POST",
        "/authorize/decision",
        Cause::ConsentInvalidRequest,
    );
    walk.expect(
        "consent: bad decision",
        decide(&[("request", "r"), ("decision", "maybe")]),
        "POST",
        "/authorize/decision",
        Cause::ConsentInvalidRequest,
    );
    let page = get(&fake.authorize_path(&[]));
    let request = consent_request_id(&page.body);
    walk.expect(
        "consent: no account",
        decide(&[("request", &request), ("decision", "accept")]),
        "POST",
        "/authorize/decision",
        Cause::ConsentInvalidRequest,
    );
    let not_shared = get(&fake.authorize_path(&[]));
    let request = consent_request_id(&not_shared.body);
    walk.expect(
        "consent: not the owner of an unshared app",
        decide(&[("request", &request), ("decision", "accept"), ("account_id", OTHER_USER), ("site", SITE_ENG)]),
        "POST",
        "/authorize/decision",
        Cause::ConsentAppNotShared,
    );

    // The token endpoint.
    let token = |body: serde_json::Value| fake.post_json("/oauth/token", &body);
    let code_grant = |code: &str, secret: &str, redirect: &str| json!({"grant_type": "authorization_code", "client_id": CLIENT_ID, "client_secret": secret, "code": code, "redirect_uri": redirect});
    walk.expect(
        "token: body too large",
        fake.post("/oauth/token", "application/json", &"x".repeat(70_000), &[]),
        "POST",
        "/oauth/token",
        Cause::TokenInvalidRequest,
    );
    walk.expect(
        "token: not JSON",
        fake.post("/oauth/token", "application/json", "{", &[]),
        "POST",
        "/oauth/token",
        Cause::TokenInvalidRequest,
    );
    walk.expect(
        "token: no grant_type",
        token(json!({"client_id": CLIENT_ID})),
        "POST",
        "/oauth/token",
        Cause::TokenInvalidRequest,
    );
    walk.expect(
        "token: a number for a string",
        token(json!({"grant_type": 1})),
        "POST",
        "/oauth/token",
        Cause::TokenInvalidRequest,
    );
    walk.expect(
        "token: duplicate parameter",
        fake.post("/oauth/token", "application/x-www-form-urlencoded", "grant_type=a&grant_type=b", &[]),
        "POST",
        "/oauth/token",
        Cause::TokenInvalidRequest,
    );
    walk.expect(
        "token: unknown grant",
        token(json!({"grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})),
        "POST",
        "/oauth/token",
        Cause::TokenUnsupportedGrant,
    );
    walk.expect(
        "token: wrong secret",
        token(code_grant("c", "ATOAwrong", CALLBACK)),
        "POST",
        "/oauth/token",
        Cause::TokenClientAuthFailed,
    );
    walk.expect(
        "token: no secret",
        token(
            json!({"grant_type": "authorization_code", "client_id": CLIENT_ID, "code": "c", "redirect_uri": CALLBACK}),
        ),
        "POST",
        "/oauth/token",
        Cause::TokenClientAuthFailed,
    );
    walk.expect(
        "token: client credentials with a console app",
        token(json!({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})),
        "POST",
        "/oauth/token",
        Cause::TokenGrantNotAllowed,
    );
    walk.expect("token: a code grant with a service account", token(json!({"grant_type": "authorization_code", "client_id": SA_ID, "client_secret": SA_SECRET, "code": "c", "redirect_uri": CALLBACK})), "POST", "/oauth/token", Cause::TokenGrantNotAllowed);
    walk.expect(
        "token: unknown code",
        token(code_grant("never-issued", CLIENT_SECRET, CALLBACK)),
        "POST",
        "/oauth/token",
        Cause::TokenCodeInvalid,
    );
    let code = fake.consent(FULL_SCOPES);
    walk.expect(
        "token: redirect_uri differs",
        token(code_grant(&code, CLIENT_SECRET, "http://127.0.0.1:8787/other")),
        "POST",
        "/oauth/token",
        Cause::TokenRedirectUriMismatch,
    );
    assert_eq!(fake.exchange(&code).status, 200);
    walk.expect("token: code used twice", fake.exchange(&code), "POST", "/oauth/token", Cause::TokenCodeInvalid);
    let stale = fake.consent(FULL_SCOPES);
    fake.advance(11 * 60);
    walk.expect("token: stale code", fake.exchange(&stale), "POST", "/oauth/token", Cause::TokenCodeInvalid);
    walk.expect(
        "token: unknown refresh token",
        fake.refresh("never-issued"),
        "POST",
        "/oauth/token",
        Cause::TokenRefreshTokenInvalid,
    );
    walk.expect(
        "token: wrong audience",
        fake.post_form(
            "/oauth/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", SA_ID),
                ("client_secret", SA_SECRET),
                ("audience", "api.atlassian.net"),
            ],
        ),
        "POST",
        "/oauth/token",
        Cause::TokenInvalidRequest,
    );

    // The APIs.
    let tokens = fake.tokens("read:page:confluence offline_access");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let spaces = format!("/ex/confluence/{SITE_DOCS}/wiki/api/v2/spaces");
    walk.expect(
        "api: no token",
        fake.get("/oauth/token/accessible-resources"),
        "GET",
        "/oauth/token/accessible-resources",
        Cause::ApiTokenExpired,
    );
    walk.expect("api: unknown token", fake.get_bearer(&spaces, "not-a-token"), "GET", &spaces, Cause::ApiTokenExpired);
    walk.expect(
        "api: v2 without its scope",
        fake.get_bearer(&spaces, &access),
        "GET",
        &spaces,
        Cause::ApiScopeDoesNotMatch,
    );
    let v1 = format!("/ex/confluence/{SITE_DOCS}/wiki/rest/api/space");
    walk.expect("api: v1 without its scope", fake.get_bearer(&v1, &access), "GET", &v1, Cause::ApiScopeDoesNotMatch);
    walk.expect("api: /me without read:me", fake.get_bearer("/me", &access), "GET", "/me", Cause::ApiScopeDoesNotMatch);
    let service = fake.client_credentials().json()["access_token"].as_str().unwrap().to_owned();
    walk.expect(
        "api: /me with a service account's token",
        fake.get_bearer("/me", &service),
        "GET",
        "/me",
        Cause::ApiNoUser,
    );
    walk.expect(
        "api: no such path",
        fake.get_bearer("/ex/confluence/x/wiki/api/v2/pagez", &access),
        "GET",
        "/ex/confluence/x/wiki/api/v2/pagez",
        Cause::ApiNotFound,
    );
    fake.advance(2 * 3600);
    walk.expect("api: expired token", fake.get_bearer(&spaces, &access), "GET", &spaces, Cause::ApiTokenExpired);

    // Every fault, on the token endpoint (JSON errors) and the consent (HTML).
    fake.set_auto_consent(true);
    for (endpoint, method, path) in
        [("token", "POST", "/oauth/token"), ("authorize", "GET", "/authorize"), ("confluence", "GET", spaces.as_str())]
    {
        for (name, spec, cause) in [
            ("500", json!({"kind": "server_error"}), Cause::UpstreamServerError),
            ("503", json!({"kind": "server_error", "status": 503}), Cause::UpstreamServerError),
            ("429", json!({"kind": "rate_limit", "retry_after": 7}), Cause::ApiRateLimited),
            ("html", json!({"kind": "html"}), Cause::UpstreamNotAtlassian),
            ("truncated", json!({"kind": "truncated_json"}), Cause::UpstreamNotAtlassian),
            ("oversized", json!({"kind": "oversized", "bytes": 200_000}), Cause::UpstreamNotAtlassian),
        ] {
            fake.set_fault(endpoint, spec);
            let reply = match endpoint {
                "token" => fake.client_credentials(),
                "authorize" => fake.get(&fake.authorize_path(&[])),
                _ => fake.get_bearer(path, &service),
            };
            walk.expect(&format!("fault {name} on {endpoint}"), reply, method, path, cause);
        }
        fake.admin("DELETE", &format!("/__admin/faults/{endpoint}"), None);
    }

    assert!(
        walk.failures.is_empty(),
        "{} of {} errors misread:\n{}",
        walk.failures.len(),
        walk.walked,
        walk.failures.join("\n")
    );
}
