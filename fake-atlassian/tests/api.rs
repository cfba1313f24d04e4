//! api.atlassian.com: accessible-resources, /me, and Confluence's "scope does not match".

mod common;

use common::*;
use serde_json::json;

fn unauthorized() -> serde_json::Value {
    json!({"code": 401, "message": "Unauthorized"})
}

fn scope_mismatch() -> serde_json::Value {
    json!({"code": 401, "message": "Unauthorized; scope does not match"})
}

#[test]
fn accessible_resources_lists_the_granted_site() {
    let fake = Fake::start();
    let tokens = fake.tokens(FULL_SCOPES);
    let reply = fake.get_bearer("/oauth/token/accessible-resources", tokens["access_token"].as_str().unwrap());
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!([{
            "id": SITE_DOCS,
            "name": "fake-docs",
            "url": "https://fake-docs.atlassian.net",
            "scopes": ["read:page:confluence", "read:space:confluence", "search:confluence"],
            "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png",
        }])
    );
}

#[test]
fn api_calls_without_a_valid_token_get_401() {
    let fake = Fake::start();
    let token = fake.tokens(FULL_SCOPES)["access_token"].as_str().unwrap().to_owned();
    let paths = [
        "/oauth/token/accessible-resources".to_owned(),
        "/me".to_owned(),
        format!("/ex/confluence/{SITE_DOCS}/wiki/api/v2/spaces"),
        format!("/ex/confluence/{SITE_DOCS}/wiki/rest/api/space"),
    ];
    for path in &paths {
        assert_eq!(fake.get(path).status, 401, "{path}: no Authorization header");
        assert_eq!(fake.get(path).json(), unauthorized(), "{path}");
        assert_eq!(fake.get_bearer(path, "made-up").json(), unauthorized(), "{path}: unknown token");
        assert_eq!(fake.get_bearer(path, &token).status, 200, "{path}: the real token works");
    }
    fake.advance(3601);
    for path in &paths {
        let reply = fake.get_bearer(path, &token);
        assert_eq!(reply.status, 401, "{path}: expired after an hour");
        assert_eq!(reply.json(), unauthorized(), "{path}");
    }
}

#[test]
fn me_needs_read_me() {
    let fake = Fake::start();
    let with = fake.tokens(FULL_SCOPES)["access_token"].as_str().unwrap().to_owned();
    let profile = fake.get_bearer("/me", &with);
    assert_eq!(profile.status, 200);
    let profile = profile.json();
    for (field, value) in [
        ("account_id", json!(OWNER)),
        ("email", json!("fay.fake@example.com")),
        ("name", json!("Fay Fake")),
        ("account_status", json!("active")),
        ("email_verified", json!(true)),
        ("account_type", json!("atlassian")),
    ] {
        assert_eq!(profile[field], value, "{field}");
    }
    assert!(profile["picture"].as_str().unwrap().starts_with("https://"));

    let without = fake.tokens("read:page:confluence")["access_token"].as_str().unwrap().to_owned();
    let reply = fake.get_bearer("/me", &without);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json(), scope_mismatch());

    // A service account has no user behind its token.
    let service = fake.client_credentials().json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(fake.get_bearer("/me", &service).json(), scope_mismatch());
}

#[test]
fn v2_needs_granular_scopes_and_v1_takes_classic_ones() {
    let fake = Fake::start();
    let v2 = format!("/ex/confluence/{SITE_DOCS}/wiki/api/v2/spaces");
    let v1 = format!("/ex/confluence/{SITE_DOCS}/wiki/rest/api/space");
    let classic = fake.tokens("read:confluence-content.all read:confluence-space.summary")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = fake.get_bearer(&v2, &classic);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json(), scope_mismatch());

    let v1_reply = fake.get_bearer(&v1, &classic);
    assert_eq!(v1_reply.status, 200, "{}", v1_reply.body);
    let v1_body = v1_reply.json();
    assert_eq!(v1_body["size"], 2);
    assert_eq!(v1_body["results"][0]["key"], "DOCS");
    assert_eq!(v1_body["_links"]["base"], "https://fake-docs.atlassian.net/wiki");

    let granular = fake.tokens("read:space:confluence")["access_token"].as_str().unwrap().to_owned();
    let v2_reply = fake.get_bearer(&v2, &granular);
    assert_eq!(v2_reply.status, 200);
    let keys: Vec<_> = v2_reply.json()["results"].as_array().unwrap().iter().map(|s| s["key"].clone()).collect();
    assert_eq!(keys, [json!("DOCS"), json!("DEV")]);

    let page_only = fake.tokens("read:page:confluence")["access_token"].as_str().unwrap().to_owned();
    assert_eq!(fake.get_bearer(&v2, &page_only).json(), scope_mismatch());
    assert_eq!(fake.get_bearer(&v1, &page_only).json(), scope_mismatch());
}

#[test]
fn confluence_refuses_sites_outside_the_grant() {
    let fake = Fake::start();
    // Auto-consent picks the user's first site; the second is not covered.
    let token = fake.tokens("read:space:confluence")["access_token"].as_str().unwrap().to_owned();
    let other_site = fake.get_bearer(&format!("/ex/confluence/{SITE_ENG}/wiki/api/v2/spaces"), &token);
    assert_eq!(other_site.status, 401);
    assert_eq!(other_site.json(), unauthorized());
    for cloud_id in ["not-a-cloud-id", "%FF%FE"] {
        let unknown = fake.get_bearer(&format!("/ex/confluence/{cloud_id}/wiki/api/v2/spaces"), &token);
        assert_eq!(unknown.json(), unauthorized(), "{cloud_id}");
    }

    // Service accounts reach every configured site by default.
    let service = fake.client_credentials().json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(fake.get_bearer(&format!("/ex/confluence/{SITE_ENG}/wiki/api/v2/spaces"), &service).status, 200);
    assert_eq!(fake.get_bearer("/oauth/token/accessible-resources", &service).json().as_array().unwrap().len(), 2);
}

#[test]
fn unknown_paths_get_404() {
    let fake = Fake::start();
    for path in ["/oauth/token/", "/wiki/rest/api/space", "/ex/jira/x/rest/api/3/myself", "/authorize/"] {
        let reply = fake.get(path);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.json(), json!({"code": 404, "message": "Not Found"}), "{path}");
    }
    assert_eq!(fake.get("/oauth/token").status, 405, "the token endpoint takes POST only");
}
