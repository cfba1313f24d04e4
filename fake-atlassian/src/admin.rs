//! `/__admin/…`: how tests steer the stand-in (faults, auto-consent, clock, request log, reset).
//! Served to loopback peers only.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::{Endpoint, Fault, FaultSpec};
use crate::http::{json_response, oauth_error};
use crate::state::Shared;

/// Admin bodies are small JSON documents; a canned fault body is the largest.
const MAX_ADMIN_BODY: usize = 256 * 1024;
/// About ten years: more is surely a unit mistake, and keeps timestamps far from overflow.
const MAX_ADVANCE_SECONDS: u64 = 10 * 366 * 24 * 60 * 60;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__admin/state", get(state))
        .route("/__admin/faults", get(list_faults).delete(clear_faults))
        .route("/__admin/faults/{endpoint}", put(set_fault).delete(clear_fault))
        .route("/__admin/auto-consent", get(auto_consent).put(set_auto_consent))
        .route("/__admin/clock", get(clock))
        .route("/__admin/clock/advance", post(advance_clock))
        .route("/__admin/requests", get(requests).delete(clear_requests))
        .route("/__admin/reset", post(reset))
        .route_layer(axum::middleware::from_fn(loopback_only))
}

/// The admin API can rewrite the rules; if the server was bound to a public address, only this machine may use it.
async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if peer.is_some_and(|ip| ip.is_loopback()) {
        next.run(request).await
    } else {
        oauth_error(StatusCode::FORBIDDEN, "access_denied", "The admin API answers loopback clients only")
    }
}

fn invalid(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

async fn read_json<T: DeserializeOwned>(body: Body) -> Result<T, Response> {
    let bytes = to_bytes(body, MAX_ADMIN_BODY)
        .await
        .map_err(|_| oauth_error(StatusCode::PAYLOAD_TOO_LARGE, "invalid_request", "Request body too large"))?;
    serde_json::from_slice(&bytes).map_err(|e| invalid(&format!("Invalid JSON: {e}")))
}

fn faults_json(shared: &Shared) -> Value {
    let faults: BTreeMap<&str, FaultSpec> =
        shared.store().faults.iter().map(|(endpoint, fault)| (endpoint.name(), fault.spec.clone())).collect();
    json!(faults)
}

fn clock_json(shared: &Shared) -> Value {
    let store = shared.store();
    json!({"now_ms": store.now().0, "offset_seconds": store.clock.offset().as_secs()})
}

async fn state(State(shared): State<Arc<Shared>>) -> Response {
    let body = {
        let store = shared.store();
        json!({
            "auto_consent": store.auto_consent,
            "pending_consents": store.pending.len(),
            "codes": store.codes.len(),
            "access_tokens": store.access_tokens.len(),
            "refresh_tokens": store.refresh_tokens.len(),
            "requests_logged": store.log.len(),
        })
    };
    let mut body = body;
    body["clock"] = clock_json(&shared);
    body["faults"] = faults_json(&shared);
    json_response(StatusCode::OK, &body)
}

async fn list_faults(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &json!({"faults": faults_json(&shared)}))
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.store().faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

fn faultable(name: &str) -> Result<Endpoint, Response> {
    Endpoint::faultable_by_name(name).ok_or_else(|| {
        let names: Vec<&str> = Endpoint::FAULTABLE.iter().map(|e| e.name()).collect();
        oauth_error(
            StatusCode::NOT_FOUND,
            "invalid_request",
            &format!("Unknown endpoint; use one of {}", names.join(", ")),
        )
    })
}

async fn set_fault(State(shared): State<Arc<Shared>>, Path(endpoint): Path<String>, body: Body) -> Response {
    let endpoint = match faultable(&endpoint) {
        Ok(endpoint) => endpoint,
        Err(response) => return response,
    };
    let spec: FaultSpec = match read_json(body).await {
        Ok(spec) => spec,
        Err(response) => return response,
    };
    let fault = match Fault::from_spec(spec) {
        Ok(fault) => fault,
        Err(description) => return invalid(&description),
    };
    let spec = fault.spec.clone();
    shared.store().faults.insert(endpoint, fault);
    json_response(StatusCode::OK, &json!({"endpoint": endpoint.name(), "fault": spec}))
}

async fn clear_fault(State(shared): State<Arc<Shared>>, Path(endpoint): Path<String>) -> Response {
    match faultable(&endpoint) {
        Ok(endpoint) => {
            shared.store().faults.remove(&endpoint);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(response) => response,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AutoConsent {
    enabled: bool,
}

async fn auto_consent(State(shared): State<Arc<Shared>>) -> Response {
    let enabled = shared.store().auto_consent;
    json_response(StatusCode::OK, &json!({"enabled": enabled}))
}

async fn set_auto_consent(State(shared): State<Arc<Shared>>, body: Body) -> Response {
    match read_json::<AutoConsent>(body).await {
        Ok(AutoConsent { enabled }) => {
            shared.store().auto_consent = enabled;
            json_response(StatusCode::OK, &json!({"enabled": enabled}))
        }
        Err(response) => response,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: u64,
}

async fn clock(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &clock_json(&shared))
}

async fn advance_clock(State(shared): State<Arc<Shared>>, body: Body) -> Response {
    let Advance { seconds } = match read_json(body).await {
        Ok(advance) => advance,
        Err(response) => return response,
    };
    if seconds > MAX_ADVANCE_SECONDS {
        return invalid(&format!("seconds must be at most {MAX_ADVANCE_SECONDS}"));
    }
    shared.store().clock.advance(Duration::from_secs(seconds));
    json_response(StatusCode::OK, &clock_json(&shared))
}

async fn requests(State(shared): State<Arc<Shared>>) -> Response {
    let entries: Vec<Value> = shared.store().log.iter().map(|e| json!(e)).collect();
    json_response(StatusCode::OK, &json!({"requests": entries}))
}

async fn clear_requests(State(shared): State<Arc<Shared>>) -> Response {
    shared.store().clear_log();
    StatusCode::NO_CONTENT.into_response()
}

async fn reset(State(shared): State<Arc<Shared>>) -> Response {
    shared.reset();
    StatusCode::NO_CONTENT.into_response()
}
