//! Switchable failures per endpoint family, so clients can be tested against a misbehaving Atlassian.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::http::{api_error, html_page, oauth_error};
use crate::log::FaultApplied;
use crate::state::Shared;

/// A delay fault longer than this is almost certainly a unit mistake (seconds for milliseconds).
pub const MAX_DELAY_MS: u64 = 120_000;

/// The endpoint families, by path; faults and the request log use these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Endpoint {
    /// `GET /authorize` and the consent form's `POST /authorize/decision`.
    Authorize,
    Token,
    AccessibleResources,
    Me,
    /// Everything under `/ex/confluence/`.
    Confluence,
    Admin,
    Other,
}

impl Endpoint {
    /// The families a fault can be set on.
    pub const FAULTABLE: [Endpoint; 5] =
        [Endpoint::Authorize, Endpoint::Token, Endpoint::AccessibleResources, Endpoint::Me, Endpoint::Confluence];

    pub fn of_path(path: &str) -> Endpoint {
        match path {
            "/authorize" | "/authorize/decision" => Endpoint::Authorize,
            "/oauth/token" => Endpoint::Token,
            "/oauth/token/accessible-resources" => Endpoint::AccessibleResources,
            "/me" => Endpoint::Me,
            _ if path.starts_with("/ex/confluence/") => Endpoint::Confluence,
            _ if path == "/__admin" || path.starts_with("/__admin/") => Endpoint::Admin,
            _ => Endpoint::Other,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Authorize => "authorize",
            Endpoint::Token => "token",
            Endpoint::AccessibleResources => "accessible-resources",
            Endpoint::Me => "me",
            Endpoint::Confluence => "confluence",
            Endpoint::Admin => "admin",
            Endpoint::Other => "other",
        }
    }

    pub fn faultable_by_name(name: &str) -> Option<Endpoint> {
        Endpoint::FAULTABLE.into_iter().find(|e| e.name() == name)
    }
}

/// A fault as set through the admin API: `{"kind": "...", ..., "once": false}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// `oversized`: the body's length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// `oversized`: sent in chunks with no `Content-Length`, as a stream of unknown length is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunked: Option<bool>,
    /// Fire on the next request only, then clear itself; otherwise stay until cleared.
    #[serde(default)]
    pub once: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// A 5xx with the endpoint's usual error body.
    ServerError { status: StatusCode },
    /// `429` with `Retry-After: N` (seconds).
    RateLimit { retry_after: u64 },
    /// Wait, then answer normally.
    Delay { ms: u64 },
    /// `200` with an HTML page, as a captive portal or proxy error page would answer.
    Html,
    /// `200` with `application/json` that stops mid-document.
    TruncatedJson,
    /// Any status with a given JSON body (and headers): replays a recorded Atlassian answer. Its
    /// strings may hold `{{client_secret}}`, `{{code}}`, `{{refresh_token}}` (from the request's
    /// JSON or form body) and `{{access_token}}` (its bearer token): replaced by the request's own values, as a
    /// proxy or a server that echoes the request would answer.
    Canned { status: StatusCode, body: serde_json::Value, headers: Vec<(HeaderName, HeaderValue)> },
    /// `200` with a JSON body of `bytes` bytes (the endpoint's answer, padded), with its
    /// `Content-Length` or, `chunked`, without one.
    Oversized { bytes: u64, chunked: bool },
}

/// The most an `oversized` fault sends: enough to pass any client's cap, not to fill a disk.
pub const MAX_OVERSIZED_BYTES: u64 = 64 << 20;
/// The placeholders a canned body may hold, and the request value each stands for.
const ECHOES: [(&str, Echo); 4] = [
    ("{{client_secret}}", Echo::Form("client_secret")),
    ("{{code}}", Echo::Form("code")),
    ("{{refresh_token}}", Echo::Form("refresh_token")),
    ("{{access_token}}", Echo::Bearer),
];

#[derive(Debug, Clone, Copy)]
enum Echo {
    Form(&'static str),
    Bearer,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    pub once: bool,
    /// As set, for `GET /__admin/faults`.
    pub spec: FaultSpec,
}

impl Fault {
    pub fn from_spec(spec: FaultSpec) -> Result<Fault, String> {
        let only = |allowed: &[&str]| -> Result<(), String> {
            let given = [
                ("status", spec.status.is_some()),
                ("retry_after", spec.retry_after.is_some()),
                ("ms", spec.ms.is_some()),
                ("body", spec.body.is_some()),
                ("headers", spec.headers.is_some()),
                ("bytes", spec.bytes.is_some()),
                ("chunked", spec.chunked.is_some()),
            ];
            match given.iter().find(|(name, set)| *set && !allowed.contains(name)) {
                Some((name, _)) => Err(format!("fault kind {} does not take {name}", spec.kind)),
                None => Ok(()),
            }
        };
        let kind = match spec.kind.as_str() {
            "server_error" => {
                only(&["status"])?;
                let status = status_code(spec.status.unwrap_or(500))?;
                if !status.is_server_error() {
                    return Err("server_error needs a 5xx status".into());
                }
                FaultKind::ServerError { status }
            }
            "rate_limit" => {
                only(&["retry_after"])?;
                FaultKind::RateLimit { retry_after: spec.retry_after.unwrap_or(30) }
            }
            "delay" => {
                only(&["ms"])?;
                let ms = spec.ms.ok_or("delay needs ms")?;
                if ms > MAX_DELAY_MS {
                    return Err(format!("delay ms must be at most {MAX_DELAY_MS}"));
                }
                FaultKind::Delay { ms }
            }
            "html" => {
                only(&[])?;
                FaultKind::Html
            }
            "truncated_json" => {
                only(&[])?;
                FaultKind::TruncatedJson
            }
            "canned" => {
                only(&["status", "body", "headers"])?;
                let status = status_code(spec.status.ok_or("canned needs status")?)?;
                let body = spec.body.clone().ok_or("canned needs body")?;
                let mut headers = Vec::new();
                for (name, value) in spec.headers.iter().flatten() {
                    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| "invalid header name")?;
                    let value = HeaderValue::from_str(value).map_err(|_| "invalid header value")?;
                    headers.push((name, value));
                }
                FaultKind::Canned { status, body, headers }
            }
            "oversized" => {
                only(&["bytes", "chunked"])?;
                let bytes = spec.bytes.ok_or("oversized needs bytes")?;
                if bytes > MAX_OVERSIZED_BYTES {
                    return Err(format!("oversized bytes must be at most {MAX_OVERSIZED_BYTES}"));
                }
                FaultKind::Oversized { bytes, chunked: spec.chunked.unwrap_or(false) }
            }
            other => {
                return Err(format!(
                    "unknown fault kind {other:?}; use server_error, rate_limit, delay, html, truncated_json, canned \
                     or oversized"
                ))
            }
        };
        Ok(Fault { kind, once: spec.once, spec })
    }

    /// The answer this fault gives instead of the endpoint's own; none for a delay, which only
    /// postpones it. `echoed` are the request's values a canned body's placeholders stand for.
    fn replacement(&self, endpoint: Endpoint, echoed: &[(&str, String)]) -> Option<Response> {
        let response = match &self.kind {
            FaultKind::ServerError { status } => failure_body(endpoint, *status, None),
            FaultKind::RateLimit { retry_after } => {
                let mut response = failure_body(endpoint, StatusCode::TOO_MANY_REQUESTS, Some("Rate limit exceeded"));
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
                response
            }
            FaultKind::Delay { .. } => return None,
            FaultKind::Html => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>\
                 <p>The proxy server received an invalid response from an upstream server.</p></body></html>\n",
            )
                .into_response(),
            FaultKind::TruncatedJson => {
                (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], truncated_json(endpoint)).into_response()
            }
            FaultKind::Canned { status, body, headers } => {
                let mut text = body.to_string();
                for (placeholder, value) in echoed {
                    // As a JSON string's content: the value quoted, then the quotes dropped.
                    let quoted = serde_json::Value::from(value.as_str()).to_string();
                    text = text.replace(placeholder, &quoted[1..quoted.len() - 1]);
                }
                let mut response = (*status, [(header::CONTENT_TYPE, "application/json")], text).into_response();
                for (name, value) in headers {
                    response.headers_mut().insert(name.clone(), value.clone());
                }
                response
            }
            FaultKind::Oversized { bytes, chunked } => oversized(endpoint, *bytes, *chunked),
        };
        Some(response)
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            FaultKind::ServerError { .. } => "server_error",
            FaultKind::RateLimit { .. } => "rate_limit",
            FaultKind::Delay { .. } => "delay",
            FaultKind::Html => "html",
            FaultKind::TruncatedJson => "truncated_json",
            FaultKind::Canned { .. } => "canned",
            FaultKind::Oversized { .. } => "oversized",
        }
    }
}

fn status_code(code: u16) -> Result<StatusCode, String> {
    StatusCode::from_u16(code).ok().filter(|s| s.as_u16() >= 200).ok_or_else(|| format!("invalid status {code}"))
}

/// An error in the shape the endpoint family normally uses: HTML for the browser-facing consent pages,
/// RFC 6749 JSON for the token endpoint, the gateway's `{"code","message"}` for the APIs.
fn failure_body(endpoint: Endpoint, status: StatusCode, message: Option<&str>) -> Response {
    let message = message.unwrap_or(status.canonical_reason().unwrap_or("Error"));
    match endpoint {
        Endpoint::Authorize => html_page(status, "Something went wrong", &crate::http::escape_html(message)),
        Endpoint::Token => {
            let error = match status {
                StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
                StatusCode::SERVICE_UNAVAILABLE => "temporarily_unavailable",
                _ => "server_error",
            };
            oauth_error(status, error, message)
        }
        _ => api_error(status, message),
    }
}

/// The start of a plausible answer, cut off where a dropped connection would cut it.
fn truncated_json(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Token => r#"{"access_token":"eyJraWQiOiJmYWtlIiwiYWxnIjoiUlMyNTYifQ.eyJzdWIi"#,
        Endpoint::AccessibleResources => r#"[{"id":"aaaaaaaa-0000-4000-8000-0000"#,
        Endpoint::Me => r#"{"account_type":"atlassian","account_id":"5f00"#,
        Endpoint::Confluence => r#"{"results":[{"id":"98306","key":"DO"#,
        _ => r#"{"error":"#,
    }
}

/// A JSON answer of `bytes` bytes: a plausible start, padding, a proper end.
fn oversized(endpoint: Endpoint, bytes: u64, chunked: bool) -> Response {
    let (head, tail) = match endpoint {
        Endpoint::Token => (r#"{"access_token":"oversized","token_type":"Bearer","expires_in":3600,"pad":""#, r#""}"#),
        Endpoint::AccessibleResources => {
            (r#"[{"id":"aaaaaaaa-0000-4000-8000-000000000001","name":""#, r#"","url":"https://x"}]"#)
        }
        _ => (r#"{"pad":""#, r#""}"#),
    };
    let padding = usize::try_from(bytes).unwrap_or(usize::MAX).saturating_sub(head.len() + tail.len());
    let body = format!("{head}{}{tail}", "x".repeat(padding));
    let content_type = [(header::CONTENT_TYPE, "application/json")];
    if !chunked {
        return (StatusCode::OK, content_type, body).into_response();
    }
    let chunks: Vec<Result<axum::body::Bytes, std::convert::Infallible>> =
        body.into_bytes().chunks(64 * 1024).map(|chunk| Ok(axum::body::Bytes::copy_from_slice(chunk))).collect();
    let stream = axum::body::Body::from_stream(futures_util::stream::iter(chunks));
    (StatusCode::OK, content_type, stream).into_response()
}

/// The request's values a canned body's placeholders ask for (the request body is read only then).
///
/// A fault that answers in the handler's place reads the request's body first, whether it needs
/// it or not: a server that answers before reading it may have its connection closed under the
/// answer (seen as "Network connection lost" in workerd, for chunked answers).
async fn echoed_values(fault: &Fault, request: Request) -> (Vec<(&'static str, String)>, Request) {
    if matches!(fault.kind, FaultKind::Delay { .. }) {
        return (Vec::new(), request);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let text = match &fault.kind {
        FaultKind::Canned { body, .. } => body.to_string(),
        _ => String::new(),
    };
    let wanted: Vec<(&str, Echo)> = ECHOES.into_iter().filter(|(placeholder, _)| text.contains(placeholder)).collect();
    if wanted.is_empty() {
        return (Vec::new(), Request::from_parts(parts, axum::body::Body::from(bytes)));
    }
    // The request's parameters, from a JSON body (as threelo's token requests send them) or a form.
    let form: Vec<(String, String)> = match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes)
    {
        Ok(object) => {
            object.into_iter().filter_map(|(key, value)| value.as_str().map(|v| (key.clone(), v.to_string()))).collect()
        }
        Err(_) => form_urlencoded::parse(&bytes).into_owned().collect(),
    };
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string();
    let values = wanted
        .into_iter()
        .map(|(placeholder, echo)| {
            let value = match echo {
                Echo::Form(name) => {
                    form.iter().find(|(key, _)| key == name).map(|(_, v)| v.clone()).unwrap_or_default()
                }
                Echo::Bearer => bearer.clone(),
            };
            (placeholder, value)
        })
        .collect();
    (values, Request::from_parts(parts, axum::body::Body::from(bytes)))
}

/// Middleware: answers with the endpoint's fault, if one is set, instead of (or, for a delay, before) the handler.
pub async fn apply_faults(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let endpoint = Endpoint::of_path(request.uri().path());
    let fault = {
        let mut store = shared.store();
        match store.faults.get(&endpoint) {
            Some(fault) if fault.once => store.faults.remove(&endpoint),
            Some(fault) => Some(fault.clone()),
            None => None,
        }
    };
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    let (echoed, request) = echoed_values(&fault, request).await;
    let mut response = match fault.replacement(endpoint, &echoed) {
        Some(response) => response,
        None => {
            if let FaultKind::Delay { ms } = fault.kind {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            next.run(request).await
        }
    };
    response.extensions_mut().insert(FaultApplied(fault.kind_name()));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> Result<Fault, String> {
        Fault::from_spec(serde_json::from_str(json).map_err(|e| e.to_string())?)
    }

    #[test]
    fn specs_are_checked() {
        assert_eq!(
            spec(r#"{"kind":"server_error"}"#).unwrap().kind,
            FaultKind::ServerError { status: StatusCode::INTERNAL_SERVER_ERROR }
        );
        assert!(spec(r#"{"kind":"server_error","status":404}"#).is_err());
        assert!(spec(r#"{"kind":"delay"}"#).is_err());
        assert!(spec(r#"{"kind":"delay","ms":999999}"#).is_err());
        assert!(spec(r#"{"kind":"html","status":500}"#).is_err());
        assert!(spec(r#"{"kind":"canned","status":403}"#).is_err());
        assert!(spec(r#"{"kind":"canned","status":1000,"body":{}}"#).is_err());
        assert!(spec(r#"{"kind":"nope"}"#).is_err());
        assert!(spec(r#"{"kind":"html","surprise":1}"#).is_err());
        assert!(spec(r#"{"kind":"rate_limit","retry_after":7,"once":true}"#).unwrap().once);
        assert_eq!(
            spec(r#"{"kind":"oversized","bytes":2097152,"chunked":true}"#).unwrap().kind,
            FaultKind::Oversized { bytes: 2 << 20, chunked: true }
        );
        assert!(spec(r#"{"kind":"oversized"}"#).is_err());
        assert!(spec(r#"{"kind":"oversized","bytes":999999999999}"#).is_err());
        assert!(spec(r#"{"kind":"canned","status":200,"body":{},"bytes":1}"#).is_err());
    }

    #[test]
    fn endpoints_by_path() {
        assert_eq!(Endpoint::of_path("/authorize/decision"), Endpoint::Authorize);
        assert_eq!(Endpoint::of_path("/oauth/token/accessible-resources"), Endpoint::AccessibleResources);
        assert_eq!(Endpoint::of_path("/ex/confluence/x/wiki/api/v2/spaces"), Endpoint::Confluence);
        assert_eq!(Endpoint::of_path("/__admin/faults"), Endpoint::Admin);
        assert_eq!(Endpoint::of_path("/oauth/token/"), Endpoint::Other);
    }
}
