//! api.atlassian.com: `accessible-resources`, `/me` and two Confluence endpoints behind the gateway (DOMAIN.md §4).

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use crate::authorize::OFFLINE_ACCESS;
use crate::config::Site;
use crate::http::{api_error, json_response};
use crate::state::{Grant, Shared, Subject};

/// The gateway's answer when a token lacks the scope an endpoint needs (DOMAIN.md §4, §8.2).
pub const SCOPE_DOES_NOT_MATCH: &str = "Unauthorized; scope does not match";
/// What v2 `GET /spaces` needs: granular only, classic scopes do not count.
const V2_SPACES_SCOPES: [&str; 1] = ["read:space:confluence"];
/// What v1 `GET /space` accepts: the classic scope or a granular one.
const V1_SPACE_SCOPES: [&str; 3] =
    ["read:confluence-space.summary", "read:space:confluence", "read:space-details:confluence"];
/// Atlassian's default site avatar; any URL of that shape does for a client.
const SITE_AVATAR: &str = "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png";
const USER_PICTURE: &str = "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/default-avatar.png";

fn unauthorized() -> Response {
    api_error(StatusCode::UNAUTHORIZED, "Unauthorized")
}

/// The grant of a valid `Authorization: Bearer` token; 401 for a missing, unknown, expired or revoked one.
fn bearer_grant(shared: &Shared, headers: &HeaderMap) -> Result<Grant, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(unauthorized)?;
    shared.store().access_grant(token).cloned().ok_or_else(unauthorized)
}

pub async fn accessible_resources(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let grant = match bearer_grant(&shared, &headers) {
        Ok(grant) => grant,
        Err(response) => return response,
    };
    // Each resource lists the grant's product scopes; offline_access and identity scopes are not site scopes.
    let scopes: Vec<&String> =
        grant.scopes.iter().filter(|s| !matches!(s.as_str(), OFFLINE_ACCESS | "read:me" | "read:account")).collect();
    let resources: Vec<Value> = grant
        .sites
        .iter()
        .filter_map(|id| shared.config.site(id))
        .map(|site| json!({"id": site.id, "name": site.name, "url": site.url, "scopes": scopes, "avatarUrl": SITE_AVATAR}))
        .collect();
    json_response(StatusCode::OK, &Value::Array(resources))
}

pub async fn me(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let grant = match bearer_grant(&shared, &headers) {
        Ok(grant) => grant,
        Err(response) => return response,
    };
    if !grant.has_scope("read:me") {
        return api_error(StatusCode::UNAUTHORIZED, SCOPE_DOES_NOT_MATCH);
    }
    let Subject::User(account_id) = &grant.subject else {
        // A client-credentials token has no user behind it.
        return api_error(StatusCode::FORBIDDEN, "Forbidden");
    };
    let Some(user) = shared.config.user(account_id) else {
        return api_error(StatusCode::NOT_FOUND, "Not Found");
    };
    let nickname = user.name.split(' ').next().unwrap_or(&user.name);
    json_response(
        StatusCode::OK,
        &json!({
            "account_type": "atlassian",
            "account_id": user.account_id,
            "email": user.email,
            "name": user.name,
            "picture": USER_PICTURE,
            "account_status": "active",
            "nickname": nickname,
            "zoneinfo": "Etc/UTC",
            "locale": "en-US",
            "extended_profile": {},
            "email_verified": true,
        }),
    )
}

/// The site, if the token covers `cloud_id` and holds one of `accepted` scopes.
fn confluence_access(
    shared: &Shared,
    headers: &HeaderMap,
    cloud_id: &str,
    accepted: &[&str],
) -> Result<Site, Response> {
    let grant = bearer_grant(shared, headers)?;
    // A site outside the grant looks like any other unauthorized call: the gateway does not say it exists.
    let site = grant
        .sites
        .iter()
        .any(|s| s == cloud_id)
        .then(|| shared.config.site(cloud_id))
        .flatten()
        .ok_or_else(unauthorized)?
        .clone();
    if !accepted.iter().any(|scope| grant.has_scope(scope)) {
        return Err(api_error(StatusCode::UNAUTHORIZED, SCOPE_DOES_NOT_MATCH));
    }
    Ok(site)
}

fn space_id(index: usize) -> u64 {
    98306 + index as u64
}

/// `GET /ex/confluence/{cloudId}/wiki/api/v2/spaces`
pub async fn spaces_v2(
    State(shared): State<Arc<Shared>>,
    cloud_id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    // A cloud ID that does not even decode is just another site outside the grant.
    let cloud_id = cloud_id.map(|Path(id)| id).unwrap_or_default();
    let site = match confluence_access(&shared, &headers, &cloud_id, &V2_SPACES_SCOPES) {
        Ok(site) => site,
        Err(response) => return response,
    };
    let results: Vec<Value> = site
        .spaces
        .iter()
        .enumerate()
        .map(|(i, space)| {
            json!({
                "id": space_id(i).to_string(),
                "key": space.key,
                "name": space.name,
                "type": "global",
                "status": "current",
                "homepageId": (space_id(i) + 1000).to_string(),
                "createdAt": "2024-01-15T09:30:00.000Z",
                "_links": {"webui": format!("/spaces/{}", space.key)},
            })
        })
        .collect();
    json_response(StatusCode::OK, &json!({"results": results, "_links": {"base": format!("{}/wiki", site.url)}}))
}

/// `GET /ex/confluence/{cloudId}/wiki/rest/api/space` (v1: classic scopes work here).
pub async fn spaces_v1(
    State(shared): State<Arc<Shared>>,
    cloud_id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    // A cloud ID that does not even decode is just another site outside the grant.
    let cloud_id = cloud_id.map(|Path(id)| id).unwrap_or_default();
    let site = match confluence_access(&shared, &headers, &cloud_id, &V1_SPACE_SCOPES) {
        Ok(site) => site,
        Err(response) => return response,
    };
    let results: Vec<Value> = site
        .spaces
        .iter()
        .enumerate()
        .map(|(i, space)| {
            json!({
                "id": space_id(i),
                "key": space.key,
                "name": space.name,
                "type": "global",
                "status": "current",
                "_links": {
                    "webui": format!("/spaces/{}", space.key),
                    "self": format!("{}/wiki/rest/api/space/{}", site.url, space.key),
                },
            })
        })
        .collect();
    let size = results.len();
    json_response(
        StatusCode::OK,
        &json!({
            "results": results,
            "start": 0,
            "limit": 25,
            "size": size,
            "_links": {"base": format!("{}/wiki", site.url), "context": "/wiki", "self": format!("{}/wiki/rest/api/space", site.url)},
        }),
    )
}
