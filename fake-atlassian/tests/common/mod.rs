//! Test harness: a stand-in on a free loopback port and a small blocking HTTP client that follows no redirects.
#![allow(dead_code)] // each test file uses a different part of the harness

use std::time::Duration;

use fake_atlassian::{Config, RunningServer};
use serde_json::{json, Value};

pub const DEFAULT_TOML: &str = include_str!("../../default.toml");
pub const CLIENT_ID: &str = "fakeClientIdForLocalTests0000001";
pub const CLIENT_SECRET: &str = "ATOAFakeSecretForLocalTestsOnly-NotARealAtlassianCredential-000000000BADF00D";
pub const CALLBACK: &str = "http://127.0.0.1:8787/callback";
pub const SA_ID: &str = "fakeServiceAccountClientId000001";
pub const SA_SECRET: &str = "ATOAFakeServiceAccountSecret-LocalTestsOnly-NotARealCredential-00000DEADBEEF";
pub const OWNER: &str = "5f00000000000000000fa4e1";
pub const SITE_DOCS: &str = "aaaaaaaa-0000-4000-8000-000000000001";
pub const SITE_ENG: &str = "aaaaaaaa-0000-4000-8000-000000000002";
/// Granular and classic Confluence scopes, identity, refresh: what the Worker asks for.
pub const FULL_SCOPES: &str = "read:page:confluence read:space:confluence search:confluence read:me offline_access";

/// A second user (not the owner) with one site, and a second app that is shared, account-level and has no
/// identity API: the configurations the default file does not cover.
pub const EXTRA_TOML: &str = r#"
[[users]]
account_id = "5f00000000000000000b0b02"
name = "Bob Other"
email = "bob.other@example.com"
sites = ["aaaaaaaa-0000-4000-8000-000000000002"]

[[apps]]
name = "shared account-level app"
client_id = "secondAppClientIdForLocalTests02"
client_secret = "ATOASecondAppSecretForLocalTestsOnly-NotARealAtlassianCredential-00C0FFEE"
callback_url = "https://example.test/oauth_redirect.do"
scopes = ["read:confluence-content.all", "read:confluence-space.summary"]
identity_api = false
sharing = true
owner = "5f00000000000000000fa4e1"
access = "account"
"#;
pub const OTHER_USER: &str = "5f00000000000000000b0b02";
pub const APP2_ID: &str = "secondAppClientIdForLocalTests02";
pub const APP2_SECRET: &str = "ATOASecondAppSecretForLocalTestsOnly-NotARealAtlassianCredential-00C0FFEE";
pub const APP2_CALLBACK: &str = "https://example.test/oauth_redirect.do";

/// Parameter edits for [`authorize_path`]: replace (Some), drop (None) or append.
pub type Changes<'a> = Vec<(&'a str, Option<&'a str>)>;
/// Form fields in order.
pub type Fields<'a> = Vec<(&'a str, &'a str)>;

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn location(&self) -> &str {
        self.header("location").unwrap_or_else(|| panic!("no Location on a {}: {}", self.status, self.body))
    }

    /// A decoded query parameter of the Location header.
    pub fn location_param(&self, name: &str) -> Option<String> {
        query_param(self.location(), name)
    }
}

pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes()).find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
}

pub struct Fake {
    pub server: RunningServer,
    pub base: String,
    agent: ureq::Agent,
}

impl Fake {
    /// The shipped default configuration on a free port.
    pub fn start() -> Fake {
        Fake::start_toml(DEFAULT_TOML)
    }

    /// The default configuration plus [`EXTRA_TOML`], after `edit` (for one-line rule changes).
    pub fn start_extended(edit: impl Fn(String) -> String) -> Fake {
        Fake::start_toml(&edit(format!("{DEFAULT_TOML}\n{EXTRA_TOML}")))
    }

    pub fn start_toml(toml: &str) -> Fake {
        let mut config = Config::from_toml(toml).expect("test configuration is valid");
        config.server.port = 0;
        config.server.auto_consent = false;
        let server = fake_atlassian::start(config).expect("stand-in starts");
        let base = server.base_url();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Fake { server, base, agent }
    }

    fn finish(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let mut response = result.expect("request reaches the stand-in");
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().expect("body reads");
        Reply { status, headers, body }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base)
    }

    pub fn get(&self, path_and_query: &str) -> Reply {
        Fake::finish(self.agent.get(self.url(path_and_query)).call())
    }

    pub fn get_bearer(&self, path: &str, token: &str) -> Reply {
        Fake::finish(self.agent.get(self.url(path)).header("Authorization", format!("Bearer {token}")).call())
    }

    pub fn post(&self, path: &str, content_type: &str, body: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.agent.post(self.url(path)).content_type(content_type);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Fake::finish(request.send(body))
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.post(path, "application/json", &body.to_string(), &[])
    }

    pub fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        self.post(path, "application/x-www-form-urlencoded", &form(pairs), &[])
    }

    pub fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let url = self.url(path);
        let result = match (method, body) {
            ("GET", _) => self.agent.get(url).call(),
            ("DELETE", _) => self.agent.delete(url).call(),
            ("PUT", Some(body)) => self.agent.put(url).content_type("application/json").send(body.to_string()),
            ("POST", Some(body)) => self.agent.post(url).content_type("application/json").send(body.to_string()),
            ("POST", None) => self.agent.post(url).send_empty(),
            other => panic!("unsupported admin call {other:?}"),
        };
        Fake::finish(result)
    }

    pub fn set_fault(&self, endpoint: &str, spec: Value) {
        let reply = self.admin("PUT", &format!("/__admin/faults/{endpoint}"), Some(spec));
        assert_eq!(reply.status, 200, "{}", reply.body);
    }

    pub fn advance(&self, seconds: u64) {
        let reply = self.admin("POST", "/__admin/clock/advance", Some(json!({ "seconds": seconds })));
        assert_eq!(reply.status, 200, "{}", reply.body);
    }

    pub fn set_auto_consent(&self, enabled: bool) {
        let reply = self.admin("PUT", "/__admin/auto-consent", Some(json!({ "enabled": enabled })));
        assert_eq!(reply.json(), json!({ "enabled": enabled }));
    }

    pub fn requests(&self) -> Vec<Value> {
        self.admin("GET", "/__admin/requests", None).json()["requests"].as_array().expect("a list").clone()
    }

    /// A valid authorize URL for the default app; `changes` replace (Some) or drop (None) parameters, or append
    /// new ones.
    pub fn authorize_path(&self, changes: &[(&str, Option<&str>)]) -> String {
        authorize_path(CLIENT_ID, CALLBACK, changes)
    }

    /// Consent through auto-consent; returns the code.
    pub fn consent(&self, scope: &str) -> String {
        self.set_auto_consent(true);
        let reply = self.get(&self.authorize_path(&[("scope", Some(scope))]));
        assert_eq!(reply.status, 302, "{}", reply.body);
        reply.location_param("code").unwrap_or_else(|| panic!("no code in {}", reply.location()))
    }

    pub fn exchange(&self, code: &str) -> Reply {
        self.post_json(
            "/oauth/token",
            // Keys in sorted order, so the body is the same whether or not serde_json keeps insertion
            // order (threelo's `cli` feature turns `preserve_order` on across the workspace).
            &json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": code,
                    "grant_type": "authorization_code", "redirect_uri": CALLBACK}),
        )
    }

    /// Consent plus code exchange; returns the token response.
    pub fn tokens(&self, scope: &str) -> Value {
        let code = self.consent(scope);
        let reply = self.exchange(&code);
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()
    }

    pub fn refresh(&self, refresh_token: &str) -> Reply {
        self.post_json(
            "/oauth/token",
            &json!({"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                    "refresh_token": refresh_token}),
        )
    }

    pub fn client_credentials(&self) -> Reply {
        self.post_form(
            "/oauth/token",
            &[("grant_type", "client_credentials"), ("client_id", SA_ID), ("client_secret", SA_SECRET)],
        )
    }
}

pub fn authorize_path(client_id: &str, callback: &str, changes: &[(&str, Option<&str>)]) -> String {
    let mut params: Vec<(String, String)> = [
        ("audience", "api.atlassian.com"),
        ("client_id", client_id),
        ("scope", FULL_SCOPES),
        ("redirect_uri", callback),
        ("state", "st-123"),
        ("response_type", "code"),
        ("prompt", "consent"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    for (name, value) in changes {
        match (params.iter().position(|(n, _)| n == name), value) {
            (Some(i), Some(v)) => params[i].1 = v.to_string(),
            (Some(i), None) => {
                params.remove(i);
            }
            (None, Some(v)) => params.push((name.to_string(), v.to_string())),
            (None, None) => {}
        }
    }
    let pairs: Vec<(&str, &str)> = params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    format!("/authorize?{}", form(&pairs))
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

pub fn oauth_error(error: &str, description: &str) -> Value {
    json!({ "error": error, "error_description": description })
}

/// The hidden consent-request ID in a consent page.
pub fn consent_request_id(page: &str) -> String {
    let marker = "name=\"request\" value=\"";
    let start = page.find(marker).expect("consent page has a request field") + marker.len();
    page[start..].split('"').next().expect("closing quote").to_owned()
}
