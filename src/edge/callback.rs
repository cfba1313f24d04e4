//! `GET /callback`: what Atlassian's redirect back carries, checked before anything is sent
//! anywhere, and every way the exchange after it can fail, as the page that explains it. The
//! exchange itself (the network) is in `mod.rs`; everything here is plain values.

use super::config::Config;
use super::connect::bad_query;
use super::cookie::StateCookie;
use super::fetch::{FetchError, FetchedResponse};
use super::query::Query;
use super::respond::Problem;
use crate::explain::{explain, explain_with, Diagnosis, Incident, NativeBodies};
use crate::oauth::{open_any, ApiError, AuthorizationCode, OpenedState, StateError, TokenError};
use crate::redact::UpstreamRedactor;
use crate::setup::Setup;
use maud::{html, Markup};
use serde_json::Value;

/// A callback whose state is genuine, fresh and this browser's. It still has to be claimed (used
/// once) before anything else happens.
pub struct Verified {
    pub state: OpenedState,
    pub outcome: ConsentOutcome,
    /// Which of the cookie's bindings the state matched (see [`StateCookie::after_callback`]).
    pub binding: usize,
}

/// What Atlassian's redirect says about the consent.
pub enum ConsentOutcome {
    Granted(AuthorizationCode),
    /// `error=…`: declined, or refused by Atlassian; the texts are Atlassian's, to be escaped.
    Refused {
        error: String,
        description: Option<String>,
    },
    /// Neither a code nor an error.
    NoCode,
}

/// Checks the query and the state against this browser's cookie at Unix time `now`.
pub fn verify(config: &Config, query: &str, cookie_header: Option<&str>, now: u64) -> Result<Verified, Problem> {
    let query = Query::parse(query).map_err(|error| bad_query(&error))?;
    let key = config.state_key.as_ref().ok_or_else(|| state_problem(StateError::Forged))?;
    let bindings = StateCookie::for_config(config).bindings(cookie_header);
    let opened = query.get("state").ok_or(StateError::Missing).and_then(|state| open_any(key, state, &bindings, now));
    let (state, binding) = opened.map_err(state_problem)?;
    let outcome = match (query.get("code"), query.get("error")) {
        (_, Some(error)) => ConsentOutcome::Refused {
            error: shown_text(error, 64, config),
            description: query.get("error_description").map(|d| shown_text(d, 300, config)),
        },
        (Some(code), None) => ConsentOutcome::Granted(AuthorizationCode::new(code)),
        (None, None) => ConsentOutcome::NoCode,
    };
    Ok(Verified { state, outcome, binding })
}

/// Server text for a page: printable, bounded. (Escaping happens where it is written.)
/// Filtered like every answer from upstream (the redirect back is Atlassian's too), before it is cut.
fn shown_text(text: &str, max_chars: usize, config: &Config) -> String {
    let secret = config.setup.client_secret.as_deref().unwrap_or("");
    let known = [secret];
    let text = UpstreamRedactor::new(&known).redact(text);
    text.chars().filter(|c| !c.is_control()).take(max_chars).collect()
}

fn state_problem(error: StateError) -> Problem {
    let (code, title, next) = match error {
        StateError::Missing => ("state-missing", "This callback carries no state", "Start again from /connect."),
        StateError::Malformed => (
            "state-malformed",
            "This callback's state was not issued here",
            "Start again from /connect; a link edited by hand or copied from elsewhere cannot finish a sign-in.",
        ),
        StateError::Forged => (
            "state-forged",
            "This callback's state failed its integrity check",
            "It was altered, or issued before the Worker's STATE_KEY changed. Start again from /connect.",
        ),
        StateError::Expired => (
            "state-expired",
            "This sign-in took too long",
            "Consent must finish within 10 minutes of starting. Start again from /connect.",
        ),
        StateError::MissingCookie => (
            "state-cookie-missing",
            "This browser did not start this sign-in",
            "The cookie set by /connect is missing: cookies are blocked, the sign-in started in another browser, \
             or it was already used. Start again from /connect in this browser.",
        ),
        StateError::BrowserMismatch => (
            "state-browser-mismatch",
            "This sign-in was started in another browser",
            "The state belongs to another browser's /connect, so this one cannot finish it (this is what stops \
             someone from tricking you into finishing their sign-in). Start again from /connect.",
        ),
    };
    Problem::new(400, code, title, format!("{error}. {next} Nothing was exchanged or stored."))
}

/// A state used before: the first callback already consumed it.
pub fn replayed() -> Problem {
    Problem::new(
        400,
        "state-replayed",
        "This callback was already used",
        "Each sign-in's state is accepted once; this one has been. Reloading the callback page or reusing its \
         address cannot sign in again. Start again from /connect. Nothing was exchanged or stored.",
    )
}

/// Atlassian's `error=…` redirect, explained by the core's [`explain`] as the address it is.
pub fn consent_refused(error: &str, description: Option<&str>, setup: &Setup) -> Problem {
    let (status, code, title) = match error {
        "access_denied" => (403, "consent-declined", "Consent was declined"),
        "invalid_scope" => (400, "consent-invalid-scope", "Atlassian refused the requested scopes"),
        _ => (400, "consent-error", "Atlassian did not grant access"),
    };
    let mut landed = url::form_urlencoded::Serializer::new(String::from("?"));
    landed.append_pair("error", error);
    if let Some(description) = description {
        landed.append_pair("error_description", description);
    }
    let diagnosis = explain(&Incident { url: Some(landed.finish()), ..Incident::default() }, Some(setup));
    let mut problem = Problem::new(status, code, title, diagnosis.summary.clone());
    problem.more = html! {
        p { "Atlassian said: " code { (error) } @if let Some(description) = description { " — " (description) } }
        (diagnosis_markup(&diagnosis))
        p { "Start again from " a href="/connect" { "/connect" } " once that is fixed. Nothing was exchanged or stored." }
    };
    problem.extensions.push(("atlassian_error".into(), error.into()));
    with_cause(problem, &diagnosis)
}

/// What a diagnosis adds to a page: what to change, the setup's findings that bear on it, and
/// the cause's section of the reference the docs page (served at `/`) holds.
fn diagnosis_markup(diagnosis: &Diagnosis) -> Markup {
    html! {
        p { (diagnosis.explanation) }
        p { strong { "What to change:" } }
        ul.fixes {
            @for remedy in &diagnosis.fixes {
                li { @if let Some(field) = remedy.field { strong { (field.label()) ": " } } (remedy.text) }
            }
        }
        @if !diagnosis.findings.is_empty() {
            p { strong { "In this Worker's configuration:" } }
            ul.findings { @for finding in &diagnosis.findings { li { code { (finding.rule.code()) } ": " (finding.message) } } }
        }
        p { a href={ "/#cause-" (diagnosis.cause.code()) } { "About " code { (diagnosis.cause.code()) } } }
    }
}

/// The problem details' members for a diagnosis: `cause` (a stable code `causes()` documents)
/// and `fixes`, the same words the page shows.
fn with_cause(mut problem: Problem, diagnosis: &Diagnosis) -> Problem {
    problem.extensions.push(("cause".into(), diagnosis.cause.code().into()));
    let fixes: Vec<Value> = diagnosis.fixes.iter().map(|remedy| Value::from(remedy.text.as_str())).collect();
    problem.extensions.push(("fixes".into(), Value::Array(fixes)));
    problem
}

pub fn code_missing() -> Problem {
    Problem::new(
        400,
        "code-missing",
        "This callback carries no authorization code",
        "Atlassian's redirect back brings either a code or an error; this one has neither. Start again from \
         /connect. Nothing was exchanged or stored.",
    )
}

/// The token exchange failed in Atlassian's answer; `diagnosis` is the core's reading of that
/// answer ([`explain_token_answer`]).
pub fn token_failed(error: &TokenError, diagnosis: &Diagnosis) -> Problem {
    let (status, code, title) = match error {
        TokenError::OAuth(_) => (400, "token-rejected", "Atlassian refused the code exchange"),
        TokenError::RateLimited { .. } => (503, "atlassian-rate-limited", "Atlassian asked to slow down"),
        TokenError::ServerError { .. } => (502, "atlassian-unavailable", "Atlassian's token endpoint failed"),
        TokenError::Redirected { .. } => (502, "atlassian-redirected", "The token endpoint answered with a redirect"),
        TokenError::Malformed(_) => {
            (502, "atlassian-malformed-response", "The token endpoint's answer was not a token response")
        }
        _ => (502, "atlassian-unexpected-status", "The token endpoint answered unexpectedly"),
    };
    let mut problem = Problem::new(status, code, title, format!("{error}"));
    problem.more = html! {
        @if let TokenError::OAuth(oauth) = error {
            p {
                "Atlassian said: " code { (oauth.error()) }
                @if let Some(description) = oauth.description() { " — " (description) }
                " (HTTP " (oauth.status()) ")"
            }
        }
        p { strong { (diagnosis.title) } ": " (diagnosis.summary) }
        (diagnosis_markup(diagnosis))
        p { "Nothing was stored." }
    };
    if let TokenError::OAuth(oauth) = error {
        problem.extensions.push(("atlassian_error".into(), oauth.error().into()));
    }
    with_cause(problem, diagnosis)
}

/// The token endpoint's failed answer as the core's [`explain`] reads it: the answer itself,
/// against the Worker's own setup, with what was sent (`sent`: the secret, the code) hidden.
pub fn explain_token_answer(answer: &FetchedResponse, token_url: &str, setup: &Setup, sent: &[&str]) -> Diagnosis {
    let headers = answer.headers.iter().filter(|(name, _)| name.eq_ignore_ascii_case("retry-after")).cloned().collect();
    let incident = Incident {
        status: Some(answer.status),
        headers,
        body: Some(String::from_utf8_lossy(&answer.body).into_owned()),
        method: Some("POST".into()),
        url: Some(token_url.into()),
        text: None,
    };
    explain_with(&incident, Some(setup), &NativeBodies, sent)
}

/// The token endpoint could not be reached, or its answer not read.
pub fn fetch_failed(error: &FetchError) -> Problem {
    let (status, code, title, next) = match error {
        FetchError::Timeout { .. } => (504, "atlassian-timeout", "Atlassian did not answer in time", TRY_AGAIN),
        FetchError::Redirected { .. } => (
            502,
            "atlassian-redirected",
            "The token endpoint answered with a redirect",
            "The code and the client secret were not sent on to where it pointed. The token URL \
             (ATLASSIAN_AUTH_BASE_URL) is probably wrong, or a proxy is in the way.",
        ),
        FetchError::TooLarge { .. } => (
            502,
            "atlassian-answer-too-large",
            "The token endpoint's answer was far too large",
            "It was refused unread: a token answer is a few KB. The token URL (ATLASSIAN_AUTH_BASE_URL) probably \
             points at something other than Atlassian.",
        ),
        FetchError::Network { .. } | FetchError::InvalidRequest { .. } => {
            (502, "atlassian-unreachable", "Atlassian could not be reached", TRY_AGAIN)
        }
    };
    Problem::new(status, code, title, format!("{error}. {next} Nothing was stored."))
}

const TRY_AGAIN: &str = "Try again from /connect in a minute.";

/// Why a part of the report is missing, for the report page.
pub fn api_failure_text(error: &Result<ApiError, FetchError>) -> String {
    match error {
        Ok(api) => format!("{api} — {} {}", api.explanation(), api.next_step()),
        Err(fetch) => fetch.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::edge::config::*;
    use crate::edge::connect::{connect, ConnectRandom};
    use crate::edge::respond::Wants;

    const NOW: u64 = 1_795_824_000;

    fn config(callback: &str) -> Config {
        let vars: HashMap<&str, &str> = HashMap::from([
            (CLIENT_ID, "fakeClientIdForLocalTests0000001"),
            (CLIENT_SECRET, "ATOAFakeSecretForLocalTestsOnly-NotARealAtlassianCredential-000000000BADF00D"),
            (SCOPES, "read:page:confluence read:me offline_access"),
            (CALLBACK_URL, callback),
            (STATE_KEY, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
        ]);
        Config::load(|name| vars.get(name).map(|v| v.to_string()))
    }

    /// `/connect` as a browser sees it: the state in the consent URL, and the cookie to send back.
    fn start(config: &Config, seed: u8) -> (String, String) {
        start_with(config, seed, None)
    }

    /// The same, from a browser that sends `cookie` (sign-ins it already has under way).
    fn start_with(config: &Config, seed: u8, cookie: Option<&str>) -> (String, String) {
        let random = ConnectRandom::from_bytes(&[seed; 44]);
        let reply = connect(config, "return_to=/done", cookie, Wants::Html, &random, NOW);
        assert_eq!(reply.status, 302);
        let location = url::Url::parse(reply.header("location").unwrap()).unwrap();
        let state = location.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
        let cookie = reply.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
        (state, cookie)
    }

    fn refusal(config: &Config, query: &str, cookie: Option<&str>, now: u64) -> (u16, &'static str) {
        match verify(config, query, cookie, now) {
            Ok(_) => panic!("{query} was accepted"),
            Err(problem) => (problem.status, problem.code),
        }
    }

    #[test]
    fn a_callback_from_the_browser_that_connected_is_verified() {
        let config = config("https://connect.threelo.dev/callback");
        assert!(config.is_sound(), "{:?}", config.problems);
        let (state, cookie) = start(&config, 1);
        assert!(cookie.starts_with("__Host-threelo_state="), "{cookie}");
        let query = format!("code=abc&state={state}");
        let verified = verify(&config, &query, Some(&cookie), NOW + 30).unwrap();
        assert_eq!(verified.state.return_path.as_str(), "/done");
        assert!(matches!(verified.outcome, ConsentOutcome::Granted(code) if code.secret() == "abc"));
    }

    #[test]
    fn a_second_connect_in_the_same_browser_leaves_the_first_sign_in_working() {
        let config = config("https://connect.threelo.dev/callback");
        let cookie_for = StateCookie::for_config(&config);
        let (first, cookie) = start(&config, 1);
        let (second, cookie) = start_with(&config, 2, Some(&cookie));
        for (state, binding) in [(&first, 1), (&second, 0)] {
            let verified = verify(&config, &format!("code=abc&state={state}"), Some(&cookie), NOW + 30).unwrap();
            assert_eq!(verified.binding, binding);
        }
        // The first tab's callback leaves only the second's binding behind, and that one works.
        let verified = verify(&config, &format!("code=abc&state={first}"), Some(&cookie), NOW + 30).unwrap();
        let left = cookie_for.after_callback(Some(&cookie), verified.binding);
        let left = left.split(';').next().unwrap();
        assert_eq!(
            refusal(&config, &format!("code=abc&state={first}"), Some(left), NOW + 30),
            (400, "state-browser-mismatch")
        );
        assert!(verify(&config, &format!("code=abc&state={second}"), Some(left), NOW + 30).is_ok());
    }

    /// A callback's query, its cookie, the time it arrives, and the refusal expected.
    type Case<'a> = (String, Option<&'a str>, u64, (u16, &'static str));

    #[test]
    fn every_forged_stale_or_foreign_callback_is_refused_with_its_reason() {
        let config = config("http://127.0.0.1:8787/callback");
        let (state, cookie) = start(&config, 1);
        let (_, other_cookie) = start(&config, 2);
        let mut altered = state.clone().into_bytes();
        altered[state.len() / 2] = if altered[state.len() / 2] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        let with = |state: &str| format!("code=abc&state={state}");
        let cases: [Case; 8] = [
            ("code=abc".into(), Some(&cookie), NOW, (400, "state-missing")),
            (with("not-a-state"), Some(&cookie), NOW, (400, "state-malformed")),
            (with(&altered), Some(&cookie), NOW, (400, "state-forged")),
            (with(&state), Some(&cookie), NOW + 601, (400, "state-expired")),
            (with(&state), None, NOW, (400, "state-cookie-missing")),
            (with(&state), Some(&other_cookie), NOW, (400, "state-browser-mismatch")),
            (format!("{}&state={state}", with(&state)), Some(&cookie), NOW, (400, "bad-query")),
            (format!("{}&pad={}", with(&state), "x".repeat(9000)), Some(&cookie), NOW, (414, "query-too-long")),
        ];
        for (query, cookie, now, expected) in cases {
            assert_eq!(refusal(&config, &query, cookie, now), expected, "{}", &query[..query.len().min(60)]);
        }
    }

    #[test]
    fn atlassians_error_redirect_is_explained_and_its_text_escaped() {
        let config = config("http://127.0.0.1:8787/callback");
        let (state, cookie) = start(&config, 1);
        let query = format!("error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state={state}");
        let verified = verify(&config, &query, Some(&cookie), NOW).unwrap();
        let ConsentOutcome::Refused { error, description } = verified.outcome else { panic!("not a refusal") };
        let reply = consent_refused(&error, description.as_deref(), &config.setup).reply(Wants::Html);
        let page = String::from_utf8(reply.body).unwrap();
        assert_eq!(reply.status, 403);
        assert!(page.contains("data-code=\"consent-declined\"") && page.contains("&lt;script&gt;"), "{page}");
        assert!(!page.contains("<script>"), "{page}");
    }

    #[test]
    fn atlassians_error_redirect_shows_no_secret_and_no_token() {
        let config = config("http://127.0.0.1:8787/callback");
        let (state, cookie) = start(&config, 1);
        let secret = config.setup.client_secret.clone().unwrap();
        let token = "t".repeat(40);
        let query = format!("error={secret}&error_description=secret%20{secret}%20token%20{token}&state={state}");
        let verified = verify(&config, &query, Some(&cookie), NOW).unwrap();
        let ConsentOutcome::Refused { error, description } = verified.outcome else { panic!("not a refusal") };
        assert_eq!(error, "ATOA… (76 characters)");
        assert_eq!(description.as_deref(), Some("secret ATOA… (76 characters) token tttt… (40 characters)"));
    }

    #[test]
    fn bad_return_addresses_start_nothing() {
        let config = config("http://127.0.0.1:8787/callback");
        for query in ["return_to=//evil.example", "return_to=https://evil.example/", "return_to=/a&return_to=/b"] {
            let reply = connect(&config, query, None, Wants::Html, &ConnectRandom::from_bytes(&[1; 44]), NOW);
            assert_eq!(reply.status, 400, "{query}");
            assert!(reply.header("set-cookie").is_none() && reply.header("location").is_none(), "{query}");
        }
    }
}
