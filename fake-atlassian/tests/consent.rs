//! GET /authorize and the consent page: what is refused on a page, what goes back to the callback, and consent.

mod common;

use common::*;
use serde_json::json;

/// Errors that must never be redirected: without a known client and its exact callback there is no safe place
/// to send them (RFC 6749 §4.1.2.1).
#[test]
fn bad_client_or_redirect_uri_shows_a_page_and_never_redirects() {
    let fake = Fake::start();
    let cases: &[(&str, Changes, u16, &str)] = &[
        ("missing client_id", vec![("client_id", None)], 400, "Missing required parameter: client_id"),
        ("unknown client_id", vec![("client_id", Some("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"))], 400, "Unknown client"),
        ("secret pasted as client_id", vec![("client_id", Some(CLIENT_SECRET))], 400, "looks like a client secret"),
        ("service-account client_id", vec![("client_id", Some(SA_ID))], 400, "service-account credentials"),
        ("missing redirect_uri", vec![("redirect_uri", None)], 400, "Missing required parameter: redirect_uri"),
        (
            "trailing slash",
            vec![("redirect_uri", Some("http://127.0.0.1:8787/callback/"))],
            400,
            "redirect_uri is not registered for client: http://127.0.0.1:8787/callback/",
        ),
        (
            "https instead of http",
            vec![("redirect_uri", Some("https://127.0.0.1:8787/callback"))],
            400,
            "scheme differs",
        ),
        ("other port", vec![("redirect_uri", Some("http://127.0.0.1:8788/callback"))], 400, "port differs"),
        (
            "localhost for 127.0.0.1",
            vec![("redirect_uri", Some("http://localhost:8787/callback"))],
            400,
            "host differs",
        ),
        (
            "upper case path",
            vec![("redirect_uri", Some("http://127.0.0.1:8787/Callback"))],
            400,
            "upper and lower case",
        ),
        ("other path", vec![("redirect_uri", Some("http://127.0.0.1:8787/oauth_redirect.do"))], 400, "path differs"),
    ];
    for (name, changes, status, needle) in cases {
        let reply = fake.get(&fake.authorize_path(changes));
        assert_eq!(reply.status, *status, "{name}: {}", reply.body);
        assert!(reply.header("location").is_none(), "{name}: must not redirect");
        assert!(reply.header("content-type").unwrap().starts_with("text/html"), "{name}");
        assert!(reply.body.contains(&escape(needle)), "{name}: {needle:?} not in {}", reply.body);
        assert!(!reply.body.contains(CLIENT_SECRET), "{name}: a pasted secret is never shown");
    }
    for repeated in ["client_id", "redirect_uri", "state"] {
        let path = format!("{}&{repeated}=again", fake.authorize_path(&[]));
        let reply = fake.get(&path);
        assert_eq!(reply.status, 400, "{repeated}");
        assert!(reply.header("location").is_none(), "{repeated}");
        assert!(reply.body.contains(&format!("Duplicate parameter: {repeated}")), "{}", reply.body);
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Errors after the client and callback check out go back to the callback with the state (RFC 6749 §4.1.2.1).
#[test]
fn request_errors_redirect_to_the_callback_with_error_and_state() {
    let fake = Fake::start();
    let cases: &[(&str, Changes, &str, &str)] = &[
        (
            "openid",
            vec![("scope", Some("openid read:page:confluence"))],
            "invalid_scope",
            "OpenID Connect scopes are not supported for OAuth 2.0 (3LO) apps: openid",
        ),
        (
            "profile and email",
            vec![("scope", Some("read:page:confluence profile email"))],
            "invalid_scope",
            "profile, email",
        ),
        (
            "scope not added to the app",
            vec![("scope", Some("read:page:confluence write:confluence-content"))],
            "invalid_scope",
            "The app requested scopes that have not been added to the app: write:confluence-content",
        ),
        (
            "ServiceNow's ace:confluence",
            vec![("scope", Some("ace:confluence read:page:confluence"))],
            "invalid_scope",
            "have not been added to the app: ace:confluence",
        ),
        (
            "comma-separated",
            vec![("scope", Some("read:page:confluence,search:confluence"))],
            "invalid_scope",
            "have not been added to the app: read:page:confluence,search:confluence",
        ),
        ("case matters", vec![("scope", Some("Read:Page:Confluence"))], "invalid_scope", "Read:Page:Confluence"),
        ("empty scope", vec![("scope", Some(""))], "invalid_scope", "No scopes were requested"),
        ("missing scope", vec![("scope", None)], "invalid_scope", "No scopes were requested"),
        (
            "implicit grant",
            vec![("response_type", Some("token"))],
            "unsupported_response_type",
            "Unsupported response type: token",
        ),
        (
            "no response_type",
            vec![("response_type", None)],
            "invalid_request",
            "Missing required parameter: response_type",
        ),
        ("no audience", vec![("audience", None)], "invalid_request", "Missing required parameter: audience"),
        (
            "Government Cloud audience",
            vec![("audience", Some("api.atlassian-us-gov-mod.com"))],
            "access_denied",
            "Service not found: api.atlassian-us-gov-mod.com",
        ),
    ];
    for (name, changes, error, description) in cases {
        let reply = fake.get(&fake.authorize_path(changes));
        assert_eq!(reply.status, 302, "{name}: {}", reply.body);
        assert!(reply.location().starts_with(&format!("{CALLBACK}?")), "{name}: {}", reply.location());
        assert_eq!(reply.location_param("error").as_deref(), Some(*error), "{name}");
        let got = reply.location_param("error_description").unwrap();
        assert!(got.contains(description), "{name}: {got:?} lacks {description:?}");
        assert_eq!(reply.location_param("state").as_deref(), Some("st-123"), "{name}");
        assert_eq!(reply.location_param("code"), None, "{name}");
    }
    let repeated = fake.get(&format!("{}&scope=search:confluence", fake.authorize_path(&[])));
    assert_eq!(repeated.location_param("error").as_deref(), Some("invalid_request"));
    assert_eq!(repeated.location_param("error_description").as_deref(), Some("Duplicate parameter: scope"));
}

#[test]
fn identity_scopes_need_the_identity_api() {
    let fake = Fake::start_extended(|t| t.replace("identity_api = true", "identity_api = false"));
    for scope in ["read:me", "read:account"] {
        let reply = fake.get(&fake.authorize_path(&[("scope", Some(&format!("read:page:confluence {scope}")))]));
        assert_eq!(reply.location_param("error").as_deref(), Some("invalid_scope"));
        let description = reply.location_param("error_description").unwrap();
        assert!(description.contains(&format!("not been added to the app: {scope}")), "{description}");
        assert!(description.contains("User identity API"), "{description}");
    }
}

#[test]
fn auto_consent_redirects_with_a_code_and_the_state_verbatim() {
    let fake = Fake::start();
    fake.set_auto_consent(true);
    let state = "a b+c/d?e=f&g#h é%20";
    // offline_access is never added in the console, and read:me is allowed by the identity API.
    let reply = fake.get(&fake.authorize_path(&[("state", Some(state)), ("scope", Some(FULL_SCOPES))]));
    assert_eq!(reply.status, 302, "{}", reply.body);
    assert!(reply.location().starts_with(&format!("{CALLBACK}?code=")), "{}", reply.location());
    assert_eq!(reply.location_param("state").as_deref(), Some(state));
    // Strict encoding: spaces as %20, never a raw '+', '&' or '#' that a client could misread.
    let raw_state = reply.location().split("state=").nth(1).unwrap();
    assert_eq!(raw_state, "a%20b%2Bc%2Fd%3Fe%3Df%26g%23h%20%C3%A9%2520");
    let code = reply.location_param("code").unwrap();
    assert!(code.len() >= 32, "{code}");
    assert_eq!(reply.header("cache-control"), Some("no-store"));

    let no_state = fake.get(&fake.authorize_path(&[("state", None)]));
    assert_eq!(no_state.status, 302);
    assert_eq!(no_state.location_param("state"), None);

    // %20 and + both separate scopes.
    let path = fake.authorize_path(&[]).replace('+', "%20");
    assert_eq!(fake.get(&path).status, 302);
}

#[test]
fn consent_page_accept_issues_a_code_for_the_chosen_site() {
    let fake = Fake::start();
    let page = fake.get(&fake.authorize_path(&[("scope", Some("read:page:confluence offline_access"))]));
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    for needle in [
        "threelo (local)",
        "<code>read:page:confluence</code>",
        "<code>offline_access</code>",
        "action=\"/authorize/decision\"",
        "name=\"account_id\"",
        "Fay Fake",
        "name=\"site\"",
        "fake-eng",
        "value=\"accept\"",
        "value=\"decline\"",
    ] {
        assert!(page.body.contains(needle), "{needle} not in consent page");
    }
    // The form carries an opaque ID, not the request's parameters.
    assert!(!page.body.contains("st-123"));
    let request = consent_request_id(&page.body);

    let reply = fake.post_form(
        "/authorize/decision",
        &[("request", &request), ("account_id", OWNER), ("site", SITE_ENG), ("decision", "accept")],
    );
    assert_eq!(reply.status, 302, "{}", reply.body);
    assert_eq!(reply.location_param("state").as_deref(), Some("st-123"));
    let tokens = fake.exchange(&reply.location_param("code").unwrap()).json();
    assert_eq!(tokens["scope"], "read:page:confluence offline_access");
    let resources = fake.get_bearer("/oauth/token/accessible-resources", tokens["access_token"].as_str().unwrap());
    let ids: Vec<_> = resources.json().as_array().unwrap().iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, [json!(SITE_ENG)], "resource-level access covers the chosen site only");

    // A consent request is answered once.
    let again = fake.post_form(
        "/authorize/decision",
        &[("request", &request), ("account_id", OWNER), ("site", SITE_ENG), ("decision", "accept")],
    );
    assert_eq!(again.status, 400);
    assert!(again.body.contains("expired or was already answered"));
}

#[test]
fn consent_page_decline_redirects_access_denied() {
    let fake = Fake::start();
    let page = fake.get(&fake.authorize_path(&[]));
    let request = consent_request_id(&page.body);
    let reply = fake.post_form("/authorize/decision", &[("request", &request), ("decision", "decline")]);
    assert_eq!(reply.status, 302);
    assert_eq!(reply.location_param("error").as_deref(), Some("access_denied"));
    assert_eq!(reply.location_param("error_description").as_deref(), Some("User did not authorize the request"));
    assert_eq!(reply.location_param("state").as_deref(), Some("st-123"));
}

#[test]
fn consent_form_errors_are_pages() {
    let fake = Fake::start_extended(|t| t);
    let cases: &[(&str, Fields, &str)] = &[
        ("no request", vec![("decision", "accept")], "Missing required parameter: request"),
        ("unknown request", vec![("request", "nope"), ("decision", "accept")], "expired or was already answered"),
        ("bad decision", vec![("request", "REQ"), ("decision", "maybe")], "decision must be accept or decline"),
        ("no account", vec![("request", "REQ"), ("decision", "accept"), ("site", SITE_DOCS)], "Choose an account"),
        ("no site", vec![("request", "REQ"), ("decision", "accept"), ("account_id", OWNER)], "Choose a site"),
        (
            "site the user cannot access",
            vec![("request", "REQ"), ("decision", "accept"), ("account_id", OTHER_USER), ("site", SITE_DOCS)],
            "Bob Other cannot access the chosen site",
        ),
        (
            "repeated field",
            vec![("request", "REQ"), ("decision", "accept"), ("decision", "decline")],
            "Duplicate parameter",
        ),
    ];
    for (name, fields, needle) in cases {
        let request = consent_request_id(&fake.get(&fake.authorize_path(&[])).body);
        let fields: Vec<(&str, &str)> =
            fields.iter().map(|(n, v)| (*n, if *v == "REQ" { request.as_str() } else { *v })).collect();
        let reply = fake.post_form("/authorize/decision", &fields);
        assert_eq!(reply.status, 400, "{name}: {}", reply.body);
        assert!(reply.header("location").is_none(), "{name}");
        assert!(reply.body.contains(needle), "{name}: {needle:?} not in {}", reply.body);
    }
    let huge = "x".repeat(20_000);
    let reply = fake.post_form("/authorize/decision", &[("request", &huge)]);
    assert_eq!(reply.status, 413);
}

#[test]
fn unshared_app_accepts_only_its_owner() {
    let fake = Fake::start_extended(|t| t);
    let request = consent_request_id(&fake.get(&fake.authorize_path(&[])).body);
    let reply = fake.post_form(
        "/authorize/decision",
        &[("request", &request), ("account_id", OTHER_USER), ("site", SITE_ENG), ("decision", "accept")],
    );
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert!(reply.header("location").is_none());
    assert!(reply.body.contains("sharing"), "{}", reply.body);

    // Auto-consent acts as the first user; when that is not the owner, the same page.
    let fake = Fake::start_toml(&format!("{EXTRA_TOML}\n{DEFAULT_TOML}"));
    fake.set_auto_consent(true);
    let reply = fake.get(&fake.authorize_path(&[]));
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert!(reply.header("location").is_none());

    // With sharing on, anyone may consent.
    let fake = Fake::start_extended(|t| t.replace("sharing = false", "sharing = true"));
    let request = consent_request_id(&fake.get(&fake.authorize_path(&[])).body);
    let reply = fake.post_form(
        "/authorize/decision",
        &[("request", &request), ("account_id", OTHER_USER), ("site", SITE_ENG), ("decision", "accept")],
    );
    assert_eq!(reply.status, 302, "{}", reply.body);
    assert!(reply.location_param("code").is_some());
}

#[test]
fn account_level_app_covers_every_site_of_the_user() {
    let fake = Fake::start_extended(|t| t);
    let path = authorize_path(APP2_ID, APP2_CALLBACK, &[("scope", Some("read:confluence-content.all"))]);
    let page = fake.get(&path);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("name=\"site\""), "account-level consent has no site choice");
    let request = consent_request_id(&page.body);
    let reply =
        fake.post_form("/authorize/decision", &[("request", &request), ("account_id", OWNER), ("decision", "accept")]);
    assert!(reply.location().starts_with(&format!("{APP2_CALLBACK}?code=")));
    let tokens = fake.post_form(
        "/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", APP2_ID),
            ("client_secret", APP2_SECRET),
            ("code", &reply.location_param("code").unwrap()),
            ("redirect_uri", APP2_CALLBACK),
        ],
    );
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    let token = tokens.json()["access_token"].as_str().unwrap().to_owned();
    let resources = fake.get_bearer("/oauth/token/accessible-resources", &token).json();
    let mut ids: Vec<&str> = resources.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, [SITE_DOCS, SITE_ENG]);
}

#[test]
fn oversized_or_malformed_authorize_requests_get_pages() {
    let fake = Fake::start();
    let long = fake.get(&format!("{}&x={}", fake.authorize_path(&[]), "a".repeat(9000)));
    assert_eq!(long.status, 414);
    assert!(long.header("location").is_none());

    let too_many: String = (0..70).map(|i| format!("&p{i}=1")).collect();
    let reply = fake.get(&format!("{}{too_many}", fake.authorize_path(&[])));
    assert_eq!(reply.status, 400);
    assert!(reply.body.contains("Too many parameters"));

    let long_value = fake.get(&fake.authorize_path(&[("scope", Some(&"s".repeat(5000)))]));
    assert_eq!(long_value.status, 400);
    assert!(long_value.body.contains("Parameter too long: scope"));

    let bad_utf8 = fake.get("/authorize?client_id=%FF%FE&redirect_uri=x");
    assert_eq!(bad_utf8.status, 400);
    assert!(bad_utf8.body.contains("Unknown client"));

    // An unknown client_id is not repeated at all: a swapped ID and secret would put the secret on screen.
    let unknown = fake.get(&fake.authorize_path(&[("client_id", Some("<script>alert(1)</script>"))]));
    assert_eq!(unknown.status, 400);
    assert!(!unknown.body.contains("alert(1)"), "the client_id is repeated: {}", unknown.body);
    // A redirect_uri that is not the app's is quoted, escaped.
    let markup = "http://127.0.0.1:8787/<script>alert(1)</script>";
    let mismatch = fake.get(&fake.authorize_path(&[("redirect_uri", Some(markup))]));
    assert_eq!(mismatch.status, 400);
    assert!(mismatch.body.contains(&format!("registered for client: {}", escape(markup))), "{}", mismatch.body);
    assert!(!mismatch.body.contains("<script>"), "client input is echoed raw: {}", mismatch.body);
}
