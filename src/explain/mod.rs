//! What Atlassian answered, explained: [`explain`] reads what a user saw (an HTTP answer, a
//! consent page's message, ServiceNow's error text, the address the browser landed on) and says
//! which [`Cause`] it shows, what that means and what to change, tied to the setup when one is
//! given. Pure: no I/O, nothing remembered.
//!
//! - [`incident`]: the input, and what can be read from it; `json_body`: an error body's JSON.
//! - `recognize`: the evidence → the cause.
//! - [`cause`]: the stable cause codes and their documentation ([`causes`]).
//!
//! Nothing of the pasted text is shown unless it went through the upstream redaction predicate
//! (the same as the token exchange's): a secret, token or code pasted with an error stays hidden.

pub mod cause;
pub mod incident;
mod json_body;
mod recognize;

use serde::Serialize;

pub use cause::{causes, Cause, CauseInfo};
pub use incident::{ErrorBody, Incident, ReadBodies};
pub use json_body::{read_error_body, NativeBodies};

use crate::catalog::{Method, Operation};
use crate::diagnostic::{Basis, Field, Rule};
use crate::oauth::server_text;
use crate::redact::UpstreamRedactor;
use crate::report::Finding;
use crate::setup::Setup;
use crate::uses::match_call;
use incident::{Endpoint, Evidence};

/// What an incident shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub cause: Cause,
    pub title: &'static str,
    /// One sentence: what happened here.
    pub summary: String,
    /// The cause's paragraph, as [`causes`] documents it.
    pub explanation: &'static str,
    pub basis: Basis,
    /// What to change, most useful first.
    pub fixes: Vec<Remedy>,
    /// Other causes the same answer can mean, when the evidence does not tell them apart.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_possible: Vec<Cause>,
    /// The setup's findings that bear on the cause (only when a setup was given).
    pub findings: Vec<Finding>,
    /// Seconds to wait, from the answer's `Retry-After`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// For an API call: the operation it names and the scopes it needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<OperationNeeds>,
    /// What could be told about the answer, whatever the cause.
    pub seen: Seen,
}

/// One thing to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remedy {
    /// The setup field it is changed in, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<Field>,
    pub text: String,
}

/// The operation an API call names, from the operations catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationNeeds {
    /// `GET /wiki/api/v2/pages`.
    pub operation: String,
    pub operation_id: &'static str,
    /// Each set of scopes that allows the operation (one per documented state); any one will do.
    pub needs: Vec<Vec<&'static str>>,
    /// Of the first set the setup does not fully hold, the scopes it lacks; empty when it holds
    /// one, or when no scopes were given.
    pub lacking: Vec<&'static str>,
    /// Whether the scopes of the setup were known to compare with.
    pub compared: bool,
}

/// What the answer itself showed, shown safely: Atlassian's words went through redaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Seen {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `4xx`, `5xx`, ….
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_class: Option<String>,
    /// Where the request went, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<&'static str>,
    /// Atlassian's `error` code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Atlassian's `error_description` or `message`, cleaned and capped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The answer was an HTML page.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub html: bool,
    /// The request URL ended in `/?`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub slash_query: bool,
}

/// What `incident` shows, tied to `setup` when one is given.
pub fn explain(incident: &Incident, setup: Option<&Setup>) -> Diagnosis {
    explain_with(incident, setup, &NativeBodies, &[])
}

/// [`explain`], with the caller's readers of bodies (see [`ReadBodies`]) and the values the
/// caller knows were sent or received (an authorization code, tokens): hidden wherever they
/// stand in Atlassian's words, like the setup's client secret always is.
pub fn explain_with(incident: &Incident, setup: Option<&Setup>, bodies: &dyn ReadBodies, known: &[&str]) -> Diagnosis {
    let evidence = Evidence::read(incident, bodies);
    let report = setup.map(crate::check);
    let grant = report.as_ref().filter(|_| setup.is_some_and(|s| s.grant_type.is_some())).map(|r| r.normalized.grant);
    let (cause, also_possible) = recognize::recognize(&evidence, grant);
    let secret = setup.and_then(|s| s.client_secret.as_deref()).unwrap_or_default();
    let known: Vec<&str> = known.iter().copied().chain([secret]).collect();
    let redactor = UpstreamRedactor::new(&known);
    let scopes: Option<&[String]> =
        report.as_ref().filter(|_| setup.is_some_and(|s| s.scopes.is_some())).map(|r| &r.normalized.scopes[..]);
    let operation = evidence.request.as_ref().and_then(|request| operation_needs(request, scopes));

    let mut fixes = Vec::new();
    if let Some(needs) = operation.as_ref().filter(|_| cause == Cause::ApiScopeDoesNotMatch) {
        fixes.push(scope_remedy(needs));
    }
    if cause == Cause::ApiScopeDoesNotMatch && evidence.request.as_ref().is_some_and(|r| r.ends_in_slash_query) {
        fixes.push(Remedy {
            field: None,
            text: "The request URL ends in `/?`, which Atlassian answers \"scope does not match\" whatever the \
                   token holds: call the path without the trailing `/?`."
                .into(),
        });
    }
    if let (Some(seconds), Cause::ApiRateLimited) = (evidence.retry_after, cause) {
        fixes.push(Remedy {
            field: None,
            text: format!("Wait {seconds} seconds (the answer's Retry-After) before the next call."),
        });
    }
    if let (Cause::ConsentScopeNotOnApp, Some(setup), Some(report)) = (cause, setup, report.as_ref()) {
        fixes.extend(scopes_not_on_app(setup, report));
    }
    // The cause's general advice, unless the operation's own scopes already said it better.
    if fixes.is_empty() || cause != Cause::ApiScopeDoesNotMatch {
        fixes.push(Remedy { field: cause.field(), text: cause.change().into() });
    }

    let findings = match (setup, report) {
        (Some(setup), Some(report)) => bearing_findings(cause, setup, report.findings),
        _ => Vec::new(),
    };
    let seen = seen(&evidence, &redactor);
    Diagnosis {
        cause,
        title: cause.title(),
        summary: summary(cause, &seen, operation.as_ref()),
        explanation: cause.explanation(),
        basis: cause.basis(),
        fixes,
        also_possible,
        findings,
        retry_after: evidence.retry_after,
        operation,
        seen,
    }
}

/// For a consent refused over scopes: the requested ones the setup's `app_scopes` lack, and the
/// ones that are no scope at all, as the setup's own findings found them.
fn scopes_not_on_app(setup: &Setup, report: &crate::Report) -> Option<Remedy> {
    let scopes = setup.scopes.as_deref()?;
    let named = |rule: Rule| -> Vec<String> {
        let spans =
            report.findings.iter().filter(|f| f.rule == rule && f.field == Field::Scopes).filter_map(|f| f.span);
        // A secret pasted among the scopes is a scope/unknown finding too: shown as the report would.
        let redactor = crate::redact::Redactor::new(setup);
        let text = |span: crate::Span| scopes.chars().skip(span.start).take(span.end - span.start).collect::<String>();
        spans.map(|span| redactor.redact(&text(span)).into_owned()).collect()
    };
    let (not_on_app, unknown) = (named(Rule::ScopeNotOnApp), named(Rule::ScopeUnknown));
    if not_on_app.is_empty() && unknown.is_empty() {
        return None;
    }
    let mut text = String::new();
    if !not_on_app.is_empty() {
        text.push_str(&format!("Not enabled on the app (its `app_scopes`): `{}`.", not_on_app.join("`, `")));
    }
    if !unknown.is_empty() {
        let separator = if text.is_empty() { "" } else { " " };
        text.push_str(&format!("{separator}Not an Atlassian scope at all: `{}`: remove it.", unknown.join("`, `")));
    }
    Some(Remedy { field: Some(Field::Scopes), text })
}

fn operation_needs(request: &incident::Request, scopes: Option<&[String]>) -> Option<OperationNeeds> {
    if !matches!(request.endpoint, Endpoint::Gateway { .. } | Endpoint::Site { .. }) {
        return None;
    }
    let (operation, _) = match_call(request.method.unwrap_or(Method::Get), &request.url).ok()?;
    let has = |scope: &str| scopes.is_some_and(|scopes| scopes.iter().any(|s| s == scope));
    let lacking = if operation.allowed_by(has) || scopes.is_none() { Vec::new() } else { operation.missing_from(has) };
    Some(OperationNeeds {
        operation: operation.label(),
        operation_id: operation.operation_id,
        needs: needs_of(&operation),
        lacking,
        compared: scopes.is_some(),
    })
}

fn needs_of(operation: &Operation) -> Vec<Vec<&'static str>> {
    operation.scope_sets().map(|set| set.iter().collect()).collect()
}

fn scope_remedy(needs: &OperationNeeds) -> Remedy {
    let any = needs.needs.iter().map(|set| set.join(" + ")).collect::<Vec<_>>().join(", or ");
    let text = if needs.needs.is_empty() {
        format!("{} documents no scope: any valid token may call it, so look at the URL.", needs.operation)
    } else if !needs.lacking.is_empty() {
        format!(
            "{} needs {any}; the setup lacks {}. Add {} to the scopes (and enable {} on the app), then consent again.",
            needs.operation,
            needs.lacking.join(", "),
            if needs.lacking.len() == 1 { "it" } else { "them" },
            if needs.lacking.len() == 1 { "it" } else { "them" },
        )
    } else if needs.compared {
        format!(
            "{} needs {any}, and the setup requests it: the token was issued before, or without, those scopes. \
             Consent again so a new token carries them.",
            needs.operation
        )
    } else {
        format!("{} needs {any}: request it and consent again.", needs.operation)
    };
    Remedy { field: Some(Field::Scopes), text }
}

/// The setup's findings whose rules bear on `cause`, on fields the setup gave (even empty): a
/// setup made of two CLI flags is not reported for the fields it never had.
fn bearing_findings(cause: Cause, setup: &Setup, findings: Vec<Finding>) -> Vec<Finding> {
    let bears = |finding: &Finding| {
        let code = finding.rule.code();
        cause
            .bearing_rules()
            .iter()
            .any(|rule| if rule.ends_with('/') { code.starts_with(rule) } else { code == *rule })
    };
    findings.into_iter().filter(|f| bears(f) && setup.get(f.field).is_some()).collect()
}

fn seen(evidence: &Evidence, redactor: &UpstreamRedactor) -> Seen {
    let status = evidence.status;
    let (error, message) = match (&evidence.oauth, &evidence.landed, &evidence.api) {
        (Some(body), _, _) | (None, Some(body), _) => (Some(body.error.as_str()), Some(body.description.as_str())),
        (None, None, Some(api)) => (None, Some(api.message.as_str())),
        (None, None, None) => (None, None),
    };
    let shown = |text: &str| Some(server_text(text, redactor)).filter(|t| !t.is_empty());
    Seen {
        status,
        status_class: status.map(|s| format!("{}xx", s / 100)),
        endpoint: evidence.endpoint().map(Endpoint::describe),
        host: evidence.endpoint().and_then(Endpoint::host),
        // A code is a short word: anything else in its place is not shown as one.
        error: error
            .filter(|e| e.len() <= 64 && e.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .and_then(shown),
        message: message.and_then(shown),
        html: evidence.html,
        slash_query: evidence.request.as_ref().is_some_and(|r| r.ends_in_slash_query),
    }
}

/// One sentence for the cause, with what this incident adds.
fn summary(cause: Cause, seen: &Seen, operation: Option<&OperationNeeds>) -> String {
    let from = seen.endpoint.as_deref().map(|endpoint| format!(" (from {endpoint})")).unwrap_or_default();
    match (cause, operation) {
        (Cause::ApiScopeDoesNotMatch, Some(needs)) if !needs.lacking.is_empty() => {
            format!("{} needs {}, which the setup does not request.", needs.operation, needs.lacking.join(", "))
        }
        (Cause::ApiScopeDoesNotMatch, Some(needs)) => format!("The token lacks a scope {} needs.", needs.operation),
        (Cause::Unknown, _) => {
            let mut told = Vec::new();
            if let Some(status) = seen.status {
                told.push(format!("status {status}"));
            }
            if let Some(endpoint) = &seen.endpoint {
                told.push(format!("from {endpoint}"));
            }
            if let Some(error) = &seen.error {
                told.push(format!("error `{error}`"));
            }
            if told.is_empty() {
                "Nothing in this matches an answer Atlassian is known to send.".into()
            } else {
                format!("Not recognised: {}.", told.join(", "))
            }
        }
        _ => match said(seen) {
            Some(said) => format!("{}: {said}.", cause.title()),
            None => format!("{}{from}.", cause.title()),
        },
    }
}

/// What Atlassian said, as the diagnosis shows it: `403 unauthorized_client "refresh_token is
/// invalid"` (only redacted words; none when it said nothing).
fn said(seen: &Seen) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(status) = seen.status {
        parts.push(status.to_string());
    }
    if let Some(error) = &seen.error {
        parts.push(error.clone());
    }
    if let Some(message) = &seen.message {
        parts.push(format!("\"{message}\""));
    }
    if seen.error.is_none() && seen.message.is_none() {
        return None;
    }
    let from = seen.endpoint.as_deref().unwrap_or("Atlassian");
    Some(format!("{from} answered {}", parts.join(" ")))
}
