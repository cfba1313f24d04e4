//! The request log: one entry per request, kept for `GET /__admin/requests` and printed on stdout.
//!
//! It records what helps debugging and nothing that grants access: method, path, status, endpoint family,
//! parameter *names*, the OAuth error code and fault, if any. Never a query value, a body, a code, a token or
//! a secret.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use crate::faults::Endpoint;
use crate::http::loggable_names;
use crate::state::Shared;

/// Paths are logged up to this length: a real client's path is short, and a huge one is noise.
const MAX_LOGGED_PATH: usize = 200;

/// Set on a response by a handler that answered with an error, for the log.
#[derive(Debug, Clone, Copy)]
pub struct ErrorCode(pub &'static str);

/// Set on a response by a handler that parsed a body, for the log: the body's parameter names.
#[derive(Debug, Clone)]
pub struct BodyParams(pub Vec<String>);

/// Set by the fault middleware when a fault answered (or delayed) the request.
#[derive(Debug, Clone, Copy)]
pub struct FaultApplied(pub &'static str);

#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub seq: u64,
    /// On the stand-in's clock (milliseconds since the Unix epoch), so it follows `clock/advance`.
    pub timestamp_ms: u64,
    pub method: String,
    pub path: String,
    pub endpoint: Endpoint,
    pub status: u16,
    pub duration_ms: f64,
    pub query_params: Vec<String>,
    pub body_params: Vec<String>,
    pub error: Option<&'static str>,
    pub fault: Option<&'static str>,
}

impl LogEntry {
    /// `POST /oauth/token {client_id,code,grant_type} -> 403 invalid_grant (0.4 ms)`
    pub fn line(&self) -> String {
        let mut line = format!("{} {}", self.method, self.path);
        if !self.query_params.is_empty() {
            line.push('?');
            line.push_str(&self.query_params.join("&"));
        }
        if !self.body_params.is_empty() {
            line.push_str(&format!(" {{{}}}", self.body_params.join(",")));
        }
        line.push_str(&format!(" -> {}", self.status));
        if let Some(error) = self.error {
            line.push_str(&format!(" {error}"));
        }
        if let Some(fault) = self.fault {
            line.push_str(&format!(" [fault: {fault}]"));
        }
        line.push_str(&format!(" ({:.1} ms)", self.duration_ms));
        line
    }
}

fn loggable_path(path: &str) -> String {
    match path.char_indices().nth(MAX_LOGGED_PATH) {
        Some((cut, _)) => format!("{}…", &path[..cut]),
        None => path.to_owned(),
    }
}

/// Middleware, outermost: times the request and records it. Admin requests are printed but not kept, so a
/// test reading the log sees only the traffic under test.
pub async fn record_requests(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let path = loggable_path(request.uri().path());
    let endpoint = Endpoint::of_path(request.uri().path());
    let names: Vec<_> =
        form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes()).map(|(n, _)| n).collect();
    let query_params = loggable_names(names.iter().map(|n| n.as_ref()));
    let response = next.run(request).await;
    let mut entry = LogEntry {
        seq: 0,
        timestamp_ms: 0,
        method,
        path,
        endpoint,
        status: response.status().as_u16(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        query_params,
        body_params: response.extensions().get::<BodyParams>().map(|b| b.0.clone()).unwrap_or_default(),
        error: response.extensions().get::<ErrorCode>().map(|e| e.0),
        fault: response.extensions().get::<FaultApplied>().map(|f| f.0),
    };
    if shared.echo_log {
        println!("{}", entry.line());
    }
    if endpoint != Endpoint::Admin {
        let mut store = shared.store();
        entry.timestamp_ms = store.now().0;
        store.push_log(entry);
    }
    response
}
