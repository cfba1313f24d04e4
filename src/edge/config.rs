//! The Worker's configuration: `wrangler.toml` vars and `wrangler secret put` secrets, read into a
//! core [`Setup`] and checked by the same validator every other face uses. A Worker whose own
//! setup has errors starts no flow; it shows the findings instead.
//!
//! | variable | kind | what |
//! |---|---|---|
//! | `ATLASSIAN_CLIENT_ID` | var | the OAuth 2.0 (3LO) app's client ID |
//! | `ATLASSIAN_CLIENT_SECRET` | secret | its secret |
//! | `ATLASSIAN_SCOPES` | var | the scopes to request, space-separated |
//! | `ATLASSIAN_CALLBACK_URL` | var | this Worker's `/callback`, exactly as registered in the console |
//! | `ATLASSIAN_AUTH_BASE_URL` | var | default `https://auth.atlassian.com` |
//! | `ATLASSIAN_API_BASE_URL` | var | default `https://api.atlassian.com` |
//! | `STATE_KEY` | secret | 32 random bytes, base64 or hex: seals each sign-in's `state` |
//! | `ATLASSIAN_USES` | var | optional: what the integration will call, one a line (the validator's `uses`) |
//!
//! The two base URLs exist so that tests and local runs can point the Worker at a local stand-in
//! for Atlassian. Only loopback URLs are accepted as such a development override: they are left
//! out of the validator's setup (which would rightly call them wrong Atlassian endpoints), and the
//! report says the Worker is talking to a stand-in. Any other URL is checked as an Atlassian
//! endpoint, so a typo in production fails loudly instead of sending the secret elsewhere.

use serde::Serialize;
use std::cell::OnceCell;
use url::Url;

use crate::check::check;
use crate::diagnostic::Field;
use crate::oauth::{is_loopback, AtlassianCloud, ScopeList, StateKey};
use crate::report::{Finding, Report};
use crate::setup::Setup;

pub const CLIENT_ID: &str = "ATLASSIAN_CLIENT_ID";
pub const CLIENT_SECRET: &str = "ATLASSIAN_CLIENT_SECRET";
pub const SCOPES: &str = "ATLASSIAN_SCOPES";
pub const CALLBACK_URL: &str = "ATLASSIAN_CALLBACK_URL";
pub const AUTH_BASE_URL: &str = "ATLASSIAN_AUTH_BASE_URL";
pub const API_BASE_URL: &str = "ATLASSIAN_API_BASE_URL";
pub const STATE_KEY: &str = "STATE_KEY";
pub const USES: &str = "ATLASSIAN_USES";

/// Every variable the Worker reads, in the order the docs list them.
pub const VARIABLES: [&str; 8] =
    [CLIENT_ID, CLIENT_SECRET, SCOPES, CALLBACK_URL, AUTH_BASE_URL, API_BASE_URL, STATE_KEY, USES];

/// The path this Worker receives Atlassian's redirect on.
pub const CALLBACK_PATH: &str = "/callback";

/// The variable a field of the Worker's setup comes from.
pub fn variable_of(field: Field) -> &'static str {
    match field {
        Field::ClientId => CLIENT_ID,
        Field::ClientSecret => CLIENT_SECRET,
        Field::Scopes => SCOPES,
        Field::CallbackUrl | Field::RedirectUrl => CALLBACK_URL,
        Field::AuthorizationUrl | Field::TokenUrl | Field::RevocationUrl => AUTH_BASE_URL,
        Field::ApiBaseUrl => API_BASE_URL,
        Field::Uses => USES,
        // Grant type is fixed (authorization code), and the app's enabled scopes are seen only in
        // the console; a future field lands here until mapped.
        _ => "(fixed by the Worker)",
    }
}

/// Where the Worker sends its OAuth and API requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Atlassian {
    /// True when both base URLs are loopback: a local stand-in for Atlassian, never the real one.
    pub stand_in: bool,
    pub auth_base_url: String,
    pub api_base_url: String,
}

impl Atlassian {
    /// The consent page.
    pub fn authorization_url(&self) -> String {
        format!("{}authorize", self.auth_base_url)
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}oauth/token", self.auth_base_url)
    }

    /// A URL the core built for real Atlassian (its fixed endpoints), sent to the configured
    /// service instead: unchanged unless a stand-in is configured.
    pub fn rebase(&self, url: &str) -> String {
        for cloud in [AtlassianCloud::Commercial, AtlassianCloud::Government] {
            let auth_origin = cloud.authorization_url().trim_end_matches("/authorize");
            for (origin, base) in [(auth_origin, &self.auth_base_url), (cloud.api_base_url(), &self.api_base_url)] {
                let origin = origin.trim_end_matches('/');
                if let Some(rest) =
                    url.strip_prefix(origin).filter(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
                {
                    return format!("{}{}", base.trim_end_matches('/'), rest);
                }
            }
        }
        url.to_string()
    }
}

/// A configuration mistake the validator has no rule for (it checks OAuth setups, not Workers).
/// Names the variable, never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub variable: &'static str,
    pub message: String,
}

/// The configuration, read and checked once per isolate.
#[derive(Debug)]
pub struct Config {
    /// What the validator checked. `Debug` hides the secret.
    pub setup: Setup,
    pub atlassian: Atlassian,
    pub state_key: Option<StateKey>,
    /// The validator's report on [`Config::setup`], redacted: it is shown on pages and `/healthz`.
    pub report: Report,
    pub problems: Vec<Problem>,
    /// `/healthz`'s body, made on its first request: what it shows is fixed for the isolate's
    /// life (a change through [`Config::missing_binding`] makes it again). Together with reading
    /// the request URL for the flows only, this took `/healthz` from 0.68 to 0.74 of the floor's
    /// requests per second (median of 3 runs, benches/README.md).
    pub(crate) health_body: OnceCell<Vec<u8>>,
}

impl Config {
    /// Reads every variable through `lookup` (the Worker's `env`; a map in tests) and checks it.
    pub fn load(lookup: impl Fn(&str) -> Option<String>) -> Config {
        let mut problems = Vec::new();
        let auth = base_url(AUTH_BASE_URL, lookup(AUTH_BASE_URL), "https://auth.atlassian.com", &mut problems);
        let api = base_url(API_BASE_URL, lookup(API_BASE_URL), "https://api.atlassian.com", &mut problems);
        let stand_in = match (&auth, &api) {
            (Some(auth), Some(api)) if auth.loopback != api.loopback => {
                let (local, remote) =
                    if auth.loopback { (AUTH_BASE_URL, API_BASE_URL) } else { (API_BASE_URL, AUTH_BASE_URL) };
                problems.push(Problem {
                    variable: remote,
                    message: format!(
                        "{local} points at a local stand-in but {remote} does not: tokens from one are worthless at \
                         the other; point both at the stand-in or both at Atlassian"
                    ),
                });
                false
            }
            (Some(auth), _) => auth.loopback,
            (None, Some(api)) => api.loopback,
            (None, None) => false,
        };

        let callback_url = lookup(CALLBACK_URL);
        if let Some(url) = callback_url.as_deref().and_then(|text| Url::parse(text.trim()).ok()) {
            if url.path() != CALLBACK_PATH {
                problems.push(Problem {
                    variable: CALLBACK_URL,
                    message: format!(
                        "the callback URL's path is `{}`, but this Worker receives Atlassian's redirect on \
                         `{CALLBACK_PATH}`: register `{}` in the Atlassian console and set it here",
                        url.path(),
                        with_path(&url, CALLBACK_PATH)
                    ),
                });
            }
        }

        let state_key = match lookup(STATE_KEY) {
            None => {
                problems.push(Problem {
                    variable: STATE_KEY,
                    message: "STATE_KEY is not set: it seals each sign-in's state. Make one with \
                              `openssl rand -base64 32` and store it with `wrangler secret put STATE_KEY` \
                              (locally, scripts/dev-vars writes it to .dev.vars)"
                        .to_string(),
                });
                None
            }
            Some(text) => match StateKey::parse(&text) {
                Ok(key) => Some(key),
                Err(error) => {
                    problems.push(Problem { variable: STATE_KEY, message: error.to_string() });
                    None
                }
            },
        };

        let mut setup = Setup {
            client_id: lookup(CLIENT_ID),
            client_secret: lookup(CLIENT_SECRET),
            callback_url,
            scopes: lookup(SCOPES),
            // Unset and empty are the same: no uses to hold the scopes against.
            uses: lookup(USES).filter(|uses| !uses.trim().is_empty()),
            ..Setup::default()
        };
        // A stand-in's loopback URLs are not Atlassian endpoints and the validator would say so;
        // real (or mistyped) ones are checked like any client's.
        let atlassian = match (auth, api) {
            (Some(auth), Some(api)) => {
                let atlassian =
                    Atlassian { stand_in, auth_base_url: auth.url.to_string(), api_base_url: api.url.to_string() };
                if !auth.loopback {
                    setup.authorization_url = Some(atlassian.authorization_url());
                    setup.token_url = Some(atlassian.token_url());
                }
                if !api.loopback {
                    setup.api_base_url = Some(atlassian.api_base_url.clone());
                }
                atlassian
            }
            (auth, api) => Atlassian {
                stand_in,
                auth_base_url: auth.map_or_else(String::new, |base| base.url.to_string()),
                api_base_url: api.map_or_else(String::new, |base| base.url.to_string()),
            },
        };

        let report = check(&setup);
        Config { setup, atlassian, state_key, report, problems, health_body: OnceCell::new() }
    }

    /// Whether the Worker may start flows: no validator error and no problem of its own.
    pub fn is_sound(&self) -> bool {
        !self.report.has_errors() && self.problems.is_empty()
    }

    /// Whether this Worker is reached over https: its callback URL is not plain http (which only
    /// loopback development uses). Decides the cookie's `Secure` and `Strict-Transport-Security`.
    pub fn serves_https(&self) -> bool {
        let callback = self.setup.callback_url.as_deref().unwrap_or("");
        !callback.trim_start().to_ascii_lowercase().starts_with("http:")
    }

    /// A binding `wrangler.toml` should declare is missing from this environment: flows are
    /// refused until it is there (bindings are not inherited by environments).
    pub fn missing_binding(&mut self, binding: &'static str, kind: &str) {
        self.health_body = OnceCell::new();
        self.problems.push(Problem {
            variable: binding,
            message: format!(
                "the {kind} binding {binding} is missing from this environment; declare it in wrangler.toml for \
                 this environment (bindings are not inherited from the top level) and deploy again"
            ),
        });
    }

    /// The scopes to request, as the validator normalized them (split, deduplicated).
    pub fn requested_scopes(&self) -> ScopeList {
        ScopeList::new(self.report.normalized.scopes.iter().cloned())
    }

    /// The cloud the auth base URL belongs to: its `audience` goes in the consent URL. A stand-in
    /// plays the commercial cloud.
    pub fn cloud(&self) -> AtlassianCloud {
        Url::parse(&self.atlassian.auth_base_url)
            .ok()
            .and_then(|url| url.host_str().and_then(AtlassianCloud::of_host))
            .unwrap_or(AtlassianCloud::Commercial)
    }

    /// How many things must be fixed before a flow can start.
    pub fn error_count(&self) -> usize {
        self.report.summary.errors + self.problems.len()
    }

    /// The findings as `/healthz` and the problem details show them: each with the variable to fix.
    pub fn findings(&self) -> Vec<ConfigFinding<'_>> {
        self.report
            .findings
            .iter()
            .map(|finding| ConfigFinding { variable: variable_of(finding.field), finding })
            .collect()
    }
}

/// A validator finding about the Worker's own setup, with the variable it came from.
#[derive(Debug, Serialize)]
pub struct ConfigFinding<'a> {
    pub variable: &'static str,
    #[serde(flatten)]
    pub finding: &'a Finding,
}

struct BaseUrl {
    url: Url,
    loopback: bool,
}

/// Reads a base URL variable; `None` (with a problem) when it is not a usable http(s) URL.
fn base_url(name: &'static str, value: Option<String>, default: &str, problems: &mut Vec<Problem>) -> Option<BaseUrl> {
    let text = value.unwrap_or_else(|| default.to_string());
    if text.trim() != text {
        problems.push(Problem { variable: name, message: format!("{name} has whitespace around it; remove it") });
        return None;
    }
    let Ok(mut url) = Url::parse(&text) else {
        problems.push(Problem {
            variable: name,
            message: format!("{name} is not an absolute URL; the default is `{default}`"),
        });
        return None;
    };
    if !matches!(url.scheme(), "http" | "https") || url.query().is_some() || url.fragment().is_some() {
        problems.push(Problem {
            variable: name,
            message: format!("{name} must be an http(s) URL without query or fragment, like `{default}`"),
        });
        return None;
    }
    // A base with a path prefix keeps it: endpoints are joined below it.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    let loopback = is_loopback(&url);
    if url.scheme() == "http" && !loopback {
        // Not left to the validator alone: this is where the client secret would travel in clear.
        problems.push(Problem {
            variable: name,
            message: format!("{name} uses plain http on a host other than loopback; Atlassian is reached over https"),
        });
        return None;
    }
    Some(BaseUrl { url, loopback })
}

fn with_path(url: &Url, path: &str) -> String {
    let mut url = url.clone();
    url.set_path(path);
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const SECRET: &str = "ATOAFakeSecretForLocalTestsOnly-NotARealAtlassianCredential-000000000BADF00D";

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        let mut vars: HashMap<String, String> = [
            (CLIENT_ID, "fakeClientIdForLocalTests0000001"),
            (CLIENT_SECRET, SECRET),
            (SCOPES, "read:page:confluence read:space:confluence search:confluence read:me offline_access"),
            (CALLBACK_URL, "https://connect.threelo.dev/callback"),
            (STATE_KEY, KEY),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (key, value) in pairs {
            if value.is_empty() {
                vars.remove(*key);
            } else {
                vars.insert(key.to_string(), value.to_string());
            }
        }
        vars
    }

    fn load(pairs: &[(&str, &str)]) -> Config {
        let vars = vars(pairs);
        Config::load(|name| vars.get(name).cloned())
    }

    fn codes(config: &Config) -> Vec<&'static str> {
        config.report.findings.iter().map(|f| f.rule.code()).collect()
    }

    #[test]
    fn a_sound_setup_against_real_atlassian() {
        let config = load(&[]);
        assert!(config.is_sound(), "{:?} {:?}", config.report.findings, config.problems);
        assert!(!config.atlassian.stand_in);
        assert_eq!(config.atlassian.authorization_url(), "https://auth.atlassian.com/authorize");
        assert_eq!(config.atlassian.token_url(), "https://auth.atlassian.com/oauth/token");
        assert_eq!(config.atlassian.api_base_url, "https://api.atlassian.com/");
        assert_eq!(config.setup.token_url.as_deref(), Some("https://auth.atlassian.com/oauth/token"));
    }

    #[test]
    fn a_loopback_stand_in_is_a_development_override_not_an_endpoint_error() {
        let config = load(&[
            (AUTH_BASE_URL, "http://127.0.0.1:8789"),
            (API_BASE_URL, "http://127.0.0.1:8789"),
            (CALLBACK_URL, "http://127.0.0.1:8787/callback"),
        ]);
        assert!(config.is_sound(), "{:?} {:?}", config.report.findings, config.problems);
        assert!(config.atlassian.stand_in);
        assert_eq!(config.atlassian.token_url(), "http://127.0.0.1:8789/oauth/token");
        assert_eq!(config.setup.authorization_url, None);
        assert_eq!(config.setup.api_base_url, None);
        assert!(codes(&config).contains(&"callback/localhost"));
    }

    #[test]
    fn a_stand_in_on_any_other_host_is_an_endpoint_error() {
        let config = load(&[(AUTH_BASE_URL, "https://auth.example.org"), (API_BASE_URL, "https://api.example.org")]);
        assert!(!config.is_sound());
        let codes = codes(&config);
        for code in ["endpoint/authorization-url", "endpoint/token-url", "endpoint/api-base"] {
            assert!(codes.contains(&code), "{code} missing from {codes:?}");
        }
        assert!(config.findings().iter().any(|f| f.variable == AUTH_BASE_URL));
    }

    #[test]
    fn plain_http_elsewhere_and_half_a_stand_in_are_refused() {
        let config = load(&[(AUTH_BASE_URL, "http://auth.atlassian.com")]);
        assert_eq!(config.problems[0].variable, AUTH_BASE_URL);
        let config = load(&[(AUTH_BASE_URL, "http://localhost:8789")]);
        assert!(config.problems.iter().any(|p| p.variable == API_BASE_URL && p.message.contains("stand-in")));
        assert!(!config.is_sound());
    }

    #[test]
    fn the_servicenow_scopes_are_refused_with_findings() {
        let config = load(&[(SCOPES, "ace:confluence,read:page:confluence,offline_access")]);
        assert!(!config.is_sound());
        let findings = config.findings();
        let unknown = findings.iter().find(|f| f.finding.rule.code() == "scope/unknown").unwrap();
        assert_eq!(unknown.variable, SCOPES);
    }

    #[test]
    fn a_missing_or_malformed_state_key_is_a_problem_that_never_repeats_the_key() {
        let config = load(&[(STATE_KEY, "")]);
        assert_eq!(config.problems.len(), 1);
        assert_eq!(config.problems[0].variable, STATE_KEY);
        let config = load(&[(STATE_KEY, "not-a-key-but-a-secretive-word")]);
        assert!(!config.problems[0].message.contains("secretive"), "{:?}", config.problems);
        assert!(config.state_key.is_none());
    }

    #[test]
    fn the_callback_must_be_this_workers_callback_path() {
        let config = load(&[(CALLBACK_URL, "https://connect.threelo.dev/oauth/callback")]);
        assert_eq!(config.problems.len(), 1, "{:?}", config.problems);
        assert!(config.problems[0].message.contains("`https://connect.threelo.dev/callback`"));
    }

    #[test]
    fn missing_values_are_the_validators_findings() {
        let config = load(&[(CLIENT_ID, ""), (SCOPES, ""), (CALLBACK_URL, "")]);
        let codes = codes(&config);
        for code in ["client-id/missing", "scope/missing", "callback/missing"] {
            assert!(codes.contains(&code), "{code} missing from {codes:?}");
        }
    }

    #[test]
    fn the_secret_shows_nowhere_in_the_report_even_with_a_fix() {
        // A trailing newline from `wrangler secret put`: the fix is the trimmed secret.
        let config = load(&[(CLIENT_SECRET, &format!("{SECRET}\n"))]);
        assert!(codes(&config).contains(&"client-secret/whitespace"));
        let shown = serde_json::to_string(&config.findings()).unwrap() + &format!("{config:?}");
        assert!(!shown.contains(&SECRET[8..]), "{shown}");
        assert!(!shown.contains(&KEY[4..]), "{shown}");
    }

    #[test]
    fn uses_are_checked_against_the_scopes_requested() {
        // A call the scopes cannot make is an error: no flow starts until the scopes allow it.
        let config = load(&[(USES, "GET /wiki/rest/api/group")]);
        assert!(!config.is_sound());
        let findings = config.findings();
        let insufficient = findings.iter().find(|f| f.finding.rule.code() == "scope/insufficient").unwrap();
        assert_eq!(insufficient.variable, SCOPES);
        // A spoke action's call is inferred: a warning, and the flow may start.
        let config = load(&[(USES, "getPages\nservicenow: Look up Groups")]);
        assert!(config.is_sound(), "{:?}", config.report.findings);
        let insufficient = config.report.findings.iter().find(|f| f.rule.code() == "scope/insufficient").unwrap();
        assert_eq!(insufficient.severity, crate::diagnostic::Severity::Warning);
        // Scopes no use needs are told (info), never refused.
        assert!(codes(&config).contains(&"scope/unneeded"));
        let config = load(&[(USES, "noSuchOperation")]);
        assert_eq!(config.findings()[0].variable, USES);
        assert_eq!(load(&[(USES, " \n ")]).setup.uses, None);
    }

    #[test]
    fn rebase_sends_real_endpoints_to_the_stand_in() {
        let config = load(&[(AUTH_BASE_URL, "http://127.0.0.1:9000"), (API_BASE_URL, "http://127.0.0.1:9001/api")]);
        let atlassian = &config.atlassian;
        assert_eq!(atlassian.rebase("https://auth.atlassian.com/authorize?a=b"), "http://127.0.0.1:9000/authorize?a=b");
        assert_eq!(
            atlassian.rebase("https://api.atlassian.com/oauth/token/accessible-resources"),
            "http://127.0.0.1:9001/api/oauth/token/accessible-resources"
        );
        assert_eq!(atlassian.rebase("https://auth.atlassian.com.evil/x"), "https://auth.atlassian.com.evil/x");
        let real = load(&[]);
        assert_eq!(
            real.atlassian.rebase("https://auth.atlassian.com/authorize"),
            "https://auth.atlassian.com/authorize"
        );
    }

    #[test]
    fn every_setup_field_maps_to_a_variable() {
        // Grant type is fixed, and what the app enables is seen only in the console.
        for field in Field::ALL {
            if !matches!(field, Field::GrantType | Field::AppScopes) {
                assert!(VARIABLES.contains(&variable_of(field)), "{field}");
            }
        }
    }
}
