//! `POST /oauth/token`: the authorization-code, refresh-token and client-credentials grants (DOMAIN.md §3).
//!
//! Bodies may be JSON (Atlassian's documented form) or form-encoded; the client authenticates in the body or with
//! HTTP Basic, never both (RFC 6749 §2.3). Error bodies are Atlassian's observed ones.

use std::fmt;
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::authorize::AUDIENCE;
use crate::config::{App, Config, ServiceAccount};
use crate::http::{json_response, oauth_error, quote_limited, secrets_equal, Params, MAX_BODY};
use crate::log::BodyParams;
use crate::state::{
    Grant, IssuedTokens, Shared, Subject, ACCESS_TOKEN_LIFETIME, CODE_LIFETIME, REFRESH_ABSOLUTE_LIMIT,
    REFRESH_INACTIVITY_LIMIT, REFRESH_REUSE_LEEWAY,
};

const INVALID_CODE: &str = "Invalid authorization code";
const STALE_CODE: &str = "authorization_code is invalid";
const INVALID_REFRESH_TOKEN: &str = "Unknown or invalid refresh token.";

pub async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> Response {
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return oauth_error(StatusCode::PAYLOAD_TOO_LARGE, "invalid_request", "Request body too large");
    };
    let params = match parse_body(&headers, &bytes) {
        Ok(params) => params,
        Err(response) => return response,
    };
    let mut response = grant(&shared, &headers, &params);
    response.extensions_mut().insert(BodyParams(params.names()));
    response
}

/// An early answer from a step of the exchange.
type Refusal = Response;

fn bad_request(description: &str) -> Refusal {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn parse_body(headers: &HeaderMap, bytes: &[u8]) -> Result<Params, Refusal> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let params = match media_type.as_str() {
        "application/json" => {
            let fields: JsonFields = serde_json::from_slice(bytes).map_err(|_| bad_request("Malformed JSON body"))?;
            let mut pairs = Vec::with_capacity(fields.0.len());
            for (name, value) in fields.0 {
                match value {
                    serde_json::Value::String(text) => pairs.push((name, text)),
                    serde_json::Value::Null => {}
                    _ => return Err(bad_request(&format!("Parameter {} must be a string", quote_limited(&name)))),
                }
            }
            Params::from_pairs(pairs)
        }
        "application/x-www-form-urlencoded" => Params::parse_urlencoded(bytes),
        _ => return Err(bad_request("Content-Type must be application/json or application/x-www-form-urlencoded")),
    };
    let params = params.map_err(|e| bad_request(&e.description()))?;
    if let Some(name) = params.repeated() {
        return Err(bad_request(&format!("Duplicate parameter: {name}")));
    }
    Ok(params)
}

/// A JSON object's members in order, repeats kept: `serde_json::Map` would silently keep the last one.
struct JsonFields(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for JsonFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = JsonFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonFields, A::Error> {
                let mut fields = Vec::new();
                while let Some(field) = map.next_entry()? {
                    fields.push(field);
                }
                Ok(JsonFields(fields))
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}

/// Client credentials as presented, from HTTP Basic or the body.
struct ClientAuth {
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// Which registered client authenticated.
enum Client<'c> {
    App(&'c App),
    ServiceAccount(&'c ServiceAccount),
}

fn unauthorized() -> Refusal {
    oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized")
}

fn grant_not_allowed(grant_type: &str) -> Refusal {
    let description = format!("Grant type '{grant_type}' not allowed for the client.");
    oauth_error(StatusCode::FORBIDDEN, "unauthorized_client", &description)
}

fn client_auth(headers: &HeaderMap, params: &Params) -> Result<ClientAuth, Refusal> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, encoded)| encoded.trim());
    let Some(encoded) = basic else {
        return Ok(ClientAuth {
            client_id: params.get("client_id").map(str::to_owned),
            client_secret: params.get("client_secret").map(str::to_owned),
        });
    };
    // RFC 6749 §2.3.1: Basic credentials are form-encoded before base64.
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| unauthorized())?;
    let decoded = String::from_utf8(decoded).map_err(|_| unauthorized())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(unauthorized)?;
    let form_decode = |s: &str| form_urlencoded::parse(format!("v={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    let (client_id, client_secret) = (form_decode(id), form_decode(secret));
    if params.get("client_secret").is_some() {
        return Err(bad_request("Use one client authentication method: HTTP Basic or client_secret in the body"));
    }
    if params.get("client_id").is_some_and(|body_id| Some(body_id) != client_id.as_deref()) {
        return Err(bad_request("client_id in the body does not match the HTTP Basic credentials"));
    }
    Ok(ClientAuth { client_id, client_secret })
}

/// Finds the client and checks its secret. Unknown clients, missing and wrong secrets all get the same answer,
/// as Atlassian gives (no PKCE: the secret is always required, DOMAIN.md §2).
fn authenticate<'c>(config: &'c Config, auth: &ClientAuth) -> Result<Client<'c>, Refusal> {
    let (Some(id), Some(secret)) = (auth.client_id.as_deref(), auth.client_secret.as_deref()) else {
        return Err(unauthorized());
    };
    if let Some(app) = config.app(id).filter(|app| secrets_equal(secret, &app.client_secret)) {
        return Ok(Client::App(app));
    }
    if let Some(account) = config.service_account(id).filter(|a| secrets_equal(secret, &a.client_secret)) {
        return Ok(Client::ServiceAccount(account));
    }
    Err(unauthorized())
}

fn grant(shared: &Shared, headers: &HeaderMap, params: &Params) -> Response {
    let result = match params.get("grant_type") {
        None => Err(bad_request("Missing required parameter: grant_type")),
        Some(grant_type @ ("authorization_code" | "refresh_token" | "client_credentials")) => {
            client_auth(headers, params).and_then(|auth| {
                let client = authenticate(&shared.config, &auth)?;
                match (grant_type, client) {
                    ("authorization_code", Client::App(app)) => authorization_code(shared, app, params),
                    ("refresh_token", Client::App(app)) => refresh(shared, app, params),
                    ("client_credentials", Client::ServiceAccount(account)) => {
                        client_credentials(shared, account, params)
                    }
                    // Developer-console apps cannot use client credentials, and service accounts have no user to
                    // consent (DOMAIN.md §1).
                    (grant_type, _) => Err(grant_not_allowed(grant_type)),
                }
            })
        }
        Some(other) => Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("Unsupported grant type: {}", quote_limited(other)),
        )),
    };
    match result {
        Ok(response) | Err(response) => response,
    }
}

fn authorization_code(shared: &Shared, app: &App, params: &Params) -> Result<Response, Refusal> {
    let Some(code) = params.get("code") else {
        return Err(bad_request("Missing required parameter: code"));
    };
    let mut store = shared.store();
    let now = store.now();
    let grant = match store.codes.get(code) {
        None => return Err(oauth_error(StatusCode::FORBIDDEN, "invalid_grant", INVALID_CODE)),
        Some(issued) if issued.used || issued.grant.client_id != app.client_id => {
            return Err(oauth_error(StatusCode::FORBIDDEN, "invalid_grant", INVALID_CODE))
        }
        Some(issued) if now.since(issued.issued) > CODE_LIFETIME => {
            return Err(oauth_error(StatusCode::BAD_REQUEST, "invalid_request", STALE_CODE))
        }
        Some(issued) => issued.grant.clone(),
    };
    // The authorize step only accepts the registered callback, so "the same redirect_uri as at authorize"
    // (RFC 6749 §4.1.3) and "the registered one" are the same test. Atlassian quotes the URI it was sent.
    let redirect_uri = params.get("redirect_uri").unwrap_or("");
    if redirect_uri != app.callback_url {
        let description = format!("redirect_uri is not registered for client: {}", quote_limited(redirect_uri));
        return Err(oauth_error(StatusCode::FORBIDDEN, "unauthorized_client", &description));
    }
    if let Some(issued) = store.codes.get_mut(code) {
        issued.used = true;
    }
    let scope = grant.scopes.join(" ");
    let tokens = store.issue_tokens_for_consent(grant);
    Ok(token_response(tokens, &scope))
}

fn refresh(shared: &Shared, app: &App, params: &Params) -> Result<Response, Refusal> {
    let Some(presented) = params.get("refresh_token") else {
        return Err(bad_request("Missing required parameter: refresh_token"));
    };
    let invalid = || oauth_error(StatusCode::FORBIDDEN, "invalid_grant", INVALID_REFRESH_TOKEN);
    let mut store = shared.store();
    let now = store.now();
    let Some(entry) = store.refresh_tokens.get(presented) else {
        return Err(invalid());
    };
    let (family_id, issued, first_used) = (entry.family, entry.issued, entry.first_used);
    let Some(family) = store.families.get(&family_id) else {
        return Err(invalid());
    };
    if family.revoked
        || family.grant.client_id != app.client_id
        || now.since(family.created) > REFRESH_ABSOLUTE_LIMIT
        || now.since(issued) > REFRESH_INACTIVITY_LIMIT
    {
        return Err(invalid());
    }
    let grant = family.grant.clone();
    match first_used {
        // Replayed after the leeway: someone else may hold the token, so the whole consent is withdrawn.
        Some(used) if now.since(used) > REFRESH_REUSE_LEEWAY => {
            store.revoke_family(family_id);
            return Err(invalid());
        }
        Some(_) => {}
        None => {
            if let Some(entry) = store.refresh_tokens.get_mut(presented) {
                entry.first_used = Some(now);
            }
        }
    }
    let scope = grant.scopes.join(" ");
    let tokens = IssuedTokens {
        access_token: store.issue_access_token(grant, Some(family_id)),
        refresh_token: Some(store.issue_refresh_token(family_id)),
    };
    Ok(token_response(tokens, &scope))
}

fn client_credentials(shared: &Shared, account: &ServiceAccount, params: &Params) -> Result<Response, Refusal> {
    if let Some(audience) = params.get("audience").filter(|a| *a != AUDIENCE) {
        let description = format!("Service not found: {}", quote_limited(audience));
        return Err(oauth_error(StatusCode::FORBIDDEN, "access_denied", &description));
    }
    // Scopes are fixed on the credential: a `scope` parameter is ignored, as it cannot change them.
    let grant = Grant {
        client_id: account.client_id.clone(),
        subject: Subject::ServiceAccount(account.client_id.clone()),
        scopes: account.scopes.clone(),
        sites: shared.config.service_account_sites(account),
    };
    let scope = grant.scopes.join(" ");
    let mut store = shared.store();
    let tokens = IssuedTokens { access_token: store.issue_access_token(grant, None), refresh_token: None };
    Ok(token_response(tokens, &scope))
}

fn token_response(tokens: IssuedTokens, scope: &str) -> Response {
    let mut body = serde_json::json!({
        "access_token": tokens.access_token,
        "expires_in": ACCESS_TOKEN_LIFETIME.as_secs(),
        "scope": scope,
        "token_type": "Bearer",
    });
    if let Some(refresh_token) = tokens.refresh_token {
        body["refresh_token"] = serde_json::Value::String(refresh_token);
    }
    json_response(StatusCode::OK, &body)
}
