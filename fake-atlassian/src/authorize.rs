//! `GET /authorize` (auth.atlassian.com's consent screen) and `POST /authorize/decision` (its Accept/Decline).
//!
//! Rules, from DOMAIN.md §2 and §6: `redirect_uri` must equal the app's one callback URL exactly; only scopes added
//! to the app may be requested (`offline_access` always may); `openid`/`profile`/`email` fail; `read:me` and
//! `read:account` need the User identity API; an app without sharing accepts only its owner.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

use crate::config::{AccessType, App, Config, User};
use crate::http::{
    escape_html, html_error, html_page, quote_limited, redirect, with_query, Params, MAX_BODY, MAX_QUERY,
};
use crate::log::{BodyParams, ErrorCode};
use crate::state::{Grant, PendingConsent, Shared, Subject};

/// The only audience this stand-in serves (the commercial cloud).
pub const AUDIENCE: &str = "api.atlassian.com";
/// OpenID Connect scopes: 3LO apps are not OpenID clients (DOMAIN.md §2).
const OPENID_SCOPES: [&str; 3] = ["openid", "profile", "email"];
/// Scopes of the User identity API (DOMAIN.md §7).
const IDENTITY_SCOPES: [&str; 2] = ["read:me", "read:account"];
/// Requested in the URL only, never added in the console (DOMAIN.md §2).
pub const OFFLINE_ACCESS: &str = "offline_access";
/// How many offending scopes an error description names before summarising.
const LISTED_SCOPES: usize = 10;

pub async fn start(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let query = uri.query().unwrap_or("");
    if query.len() > MAX_QUERY {
        let description = format!("The authorization URL is too long (over {MAX_QUERY} bytes of query)");
        return html_error(StatusCode::URI_TOO_LONG, "invalid_request", &description, "");
    }
    let params = match Params::parse_urlencoded(query.as_bytes()) {
        Ok(params) => params,
        Err(e) => return html_error(StatusCode::BAD_REQUEST, "invalid_request", &e.description(), ""),
    };
    // Until client_id and redirect_uri check out there is nowhere safe to send an error, so it is shown here
    // and never redirected (RFC 6749 §4.1.2.1). A repeated state would leave the echo ambiguous.
    for name in ["client_id", "redirect_uri", "state"] {
        if params.count(name) > 1 {
            return html_error(StatusCode::BAD_REQUEST, "invalid_request", &format!("Duplicate parameter: {name}"), "");
        }
    }
    let config = &shared.config;
    let app = match resolve_app(config, params.get("client_id")) {
        Ok(app) => app,
        Err(response) => return response,
    };
    if let Err(response) = check_redirect_uri(app, params.get("redirect_uri")) {
        return response;
    }
    let state = params.get("state");
    let refuse = |error: &'static str, description: &str| error_redirect(&app.callback_url, error, description, state);
    if let Some(name) = params.repeated() {
        return refuse("invalid_request", &format!("Duplicate parameter: {name}"));
    }
    match params.get("response_type") {
        None => return refuse("invalid_request", "Missing required parameter: response_type"),
        Some("code") => {}
        Some(other) => {
            return refuse("unsupported_response_type", &format!("Unsupported response type: {}", quote_limited(other)))
        }
    }
    match params.get("audience") {
        None => return refuse("invalid_request", "Missing required parameter: audience"),
        Some(AUDIENCE) => {}
        Some(other) => return refuse("access_denied", &format!("Service not found: {}", quote_limited(other))),
    }
    let scopes = requested_scopes(params.get("scope").unwrap_or(""));
    if let Some(problem) = scope_problem(app, &scopes) {
        return refuse("invalid_scope", &problem);
    }

    let auto_consent = shared.store().auto_consent;
    if auto_consent {
        let Some(user) = config.users.first() else {
            return html_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "No users are configured", "");
        };
        let sites = match app.access {
            AccessType::Resource => user.sites.iter().take(1).cloned().collect(),
            AccessType::Account => user.sites.clone(),
        };
        return accept(&shared, app, user, sites, scopes, state);
    }
    let pending = PendingConsent {
        client_id: app.client_id.clone(),
        state: state.map(str::to_owned),
        scopes,
        created: shared.store().now(),
    };
    let page = consent_page(config, app, &pending, &shared.store().add_pending(pending.clone()));
    html_page(StatusCode::OK, &format!("Authorize {}", app.name), &page)
}

pub async fn decide(State(shared): State<Arc<Shared>>, body: Body) -> Response {
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return html_error(StatusCode::PAYLOAD_TOO_LARGE, "invalid_request", "The consent form is too large", "");
    };
    let params = match Params::parse_urlencoded(&bytes) {
        Ok(params) => params,
        Err(e) => return html_error(StatusCode::BAD_REQUEST, "invalid_request", &e.description(), ""),
    };
    let mut response = answer_consent(&shared, &params);
    response.extensions_mut().insert(BodyParams(params.names()));
    response
}

fn answer_consent(shared: &Shared, params: &Params) -> Response {
    let bad_form = |description: &str| html_error(StatusCode::BAD_REQUEST, "invalid_request", description, "");
    if let Some(name) = params.repeated() {
        return bad_form(&format!("Duplicate parameter: {name}"));
    }
    let Some(request_id) = params.get("request") else {
        return bad_form("Missing required parameter: request");
    };
    let decision = params.get("decision");
    if !matches!(decision, Some("accept" | "decline")) {
        return bad_form("decision must be accept or decline");
    }
    let Some(pending) = shared.store().take_pending(request_id) else {
        return bad_form("This consent request has expired or was already answered. Start again from the app.");
    };
    let config = &shared.config;
    let Some(app) = config.app(&pending.client_id) else {
        return bad_form("The app of this consent request no longer exists");
    };
    let state = pending.state.as_deref();
    if decision == Some("decline") {
        return error_redirect(&app.callback_url, "access_denied", "User did not authorize the request", state);
    }
    let Some(user) = params.get("account_id").and_then(|id| config.user(id)) else {
        return bad_form("Choose an account");
    };
    let sites = match app.access {
        AccessType::Account => user.sites.clone(),
        AccessType::Resource => match params.get("site") {
            Some(site) if user.sites.iter().any(|s| s == site) => vec![site.to_owned()],
            Some(_) => return bad_form(&format!("{} cannot access the chosen site", user.name)),
            None => return bad_form("Choose a site"),
        },
    };
    accept(shared, app, user, sites, pending.scopes, state)
}

/// Consent given: issue a code for the grant and send the browser back to the app.
fn accept(
    shared: &Shared,
    app: &App,
    user: &User,
    sites: Vec<String>,
    scopes: Vec<String>,
    state: Option<&str>,
) -> Response {
    // Atlassian shows this on its own page; the app is never told (DOMAIN.md §2: private until shared).
    if !app.sharing && user.account_id != app.owner {
        return html_error(
            StatusCode::FORBIDDEN,
            "access_denied",
            "This app is not available to you: its developer has not turned on sharing, so only the app's owner can \
             grant it access. Turn on sharing under Distribution in the developer console.",
            "",
        );
    }
    if app.access == AccessType::Resource && sites.is_empty() {
        return html_error(
            StatusCode::FORBIDDEN,
            "access_denied",
            &format!("{} has no site this app can be used on", user.name),
            "",
        );
    }
    let grant =
        Grant { client_id: app.client_id.clone(), subject: Subject::User(user.account_id.clone()), scopes, sites };
    let code = shared.store().issue_code(grant);
    let mut query = vec![("code", code.as_str())];
    query.extend(state.map(|s| ("state", s)));
    redirect(&with_query(&app.callback_url, &query))
}

/// RFC 6749 §4.1.2.1: the error goes back to the client's callback with the state echoed.
fn error_redirect(callback_url: &str, error: &'static str, description: &str, state: Option<&str>) -> Response {
    let mut query = vec![("error", error), ("error_description", description)];
    query.extend(state.map(|s| ("state", s)));
    let mut response = redirect(&with_query(callback_url, &query));
    response.extensions_mut().insert(ErrorCode(error));
    response
}

fn resolve_app<'c>(config: &'c Config, client_id: Option<&str>) -> Result<&'c App, Response> {
    let unknown = |description: &str| Err(html_error(StatusCode::BAD_REQUEST, "invalid_request", description, ""));
    let Some(client_id) = client_id else {
        return unknown("Missing required parameter: client_id");
    };
    if let Some(app) = config.app(client_id) {
        return Ok(app);
    }
    // The client_id is never echoed: a swapped ID and secret would put the secret on screen.
    if config.service_account(client_id).is_some() {
        return Err(html_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "This client ID belongs to service-account credentials, which work only with the client_credentials \
             grant at the token endpoint. User consent needs an OAuth 2.0 (3LO) app from the developer console.",
            "",
        ));
    }
    if client_id.starts_with("ATOA") {
        return unknown("Unknown client: the client_id looks like a client secret (it starts with ATOA). Use the app's Client ID from Settings in the developer console.");
    }
    unknown("Unknown client: no OAuth 2.0 (3LO) app has this client_id")
}

fn check_redirect_uri(app: &App, redirect_uri: Option<&str>) -> Result<(), Response> {
    let Some(redirect_uri) = redirect_uri else {
        return Err(html_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: redirect_uri",
            "",
        ));
    };
    if redirect_uri == app.callback_url {
        return Ok(());
    }
    // Atlassian's wording (DOMAIN.md §3); the help line is the stand-in's own, to make the mismatch obvious.
    let description = format!("redirect_uri is not registered for client: {}", quote_limited(redirect_uri));
    let help = format!(
        "<p>The app's callback URL is <code>{}</code>; {}.</p>",
        escape_html(&app.callback_url),
        describe_mismatch(redirect_uri, &app.callback_url)
    );
    Err(html_error(StatusCode::BAD_REQUEST, "unauthorized_client", &description, &help))
}

/// Which part of a redirect URI differs from the registered callback.
pub fn describe_mismatch(given: &str, registered: &str) -> &'static str {
    fn parts(url: &str) -> (&str, &str, &str) {
        let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
        let (authority, path) = rest.find(['/', '?', '#']).map_or((rest, ""), |i| rest.split_at(i));
        (scheme, authority, path)
    }
    let ((scheme_a, authority_a, path_a), (scheme_b, authority_b, path_b)) = (parts(given), parts(registered));
    let host = |authority: &str| authority.rsplit_once(':').map_or(authority, |(h, _)| h).to_owned();
    if given.eq_ignore_ascii_case(registered) {
        "they differ only in upper and lower case, and the match is case-sensitive"
    } else if given.trim_end_matches('/') == registered.trim_end_matches('/') {
        "they differ only in a trailing slash"
    } else if scheme_a != scheme_b {
        "the scheme differs (http and https are different URLs)"
    } else if authority_a != authority_b && host(authority_a) == host(authority_b) {
        "the port differs"
    } else if authority_a != authority_b {
        "the host differs"
    } else if path_a.split(['?', '#']).next() != path_b.split(['?', '#']).next() {
        "the path differs"
    } else {
        "the redirect_uri must equal it exactly"
    }
}

/// Scopes as requested: space-separated (form decoding has already turned `+` and `%20` into spaces), repeats
/// dropped.
fn requested_scopes(scope: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in scope.split(' ').filter(|s| !s.is_empty()) {
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    scopes
}

/// Why consent cannot go ahead with these scopes, in Atlassian's words where they are known.
fn scope_problem(app: &App, scopes: &[String]) -> Option<String> {
    if scopes.is_empty() {
        return Some("No scopes were requested: the scope parameter must list at least one scope".into());
    }
    let openid: Vec<&String> = scopes.iter().filter(|s| OPENID_SCOPES.contains(&s.as_str())).collect();
    if !openid.is_empty() {
        return Some(format!(
            "OpenID Connect scopes are not supported for OAuth 2.0 (3LO) apps: {}",
            list_scopes(&openid)
        ));
    }
    let identity: Vec<&String> = scopes.iter().filter(|s| IDENTITY_SCOPES.contains(&s.as_str())).collect();
    if !identity.is_empty() && !app.identity_api {
        return Some(format!(
            "The app requested scopes that have not been added to the app: {}. Add the User identity API to the \
             app in the developer console.",
            list_scopes(&identity)
        ));
    }
    let not_added: Vec<&String> = scopes
        .iter()
        .filter(|s| s.as_str() != OFFLINE_ACCESS && !IDENTITY_SCOPES.contains(&s.as_str()))
        .filter(|s| !app.scopes.contains(s))
        .collect();
    if !not_added.is_empty() {
        return Some(format!(
            "The app requested scopes that have not been added to the app: {}",
            list_scopes(&not_added)
        ));
    }
    None
}

fn list_scopes(scopes: &[&String]) -> String {
    let mut listed: Vec<String> = scopes.iter().take(LISTED_SCOPES).map(|s| quote_limited(s)).collect();
    if scopes.len() > LISTED_SCOPES {
        listed.push(format!("and {} more", scopes.len() - LISTED_SCOPES));
    }
    listed.join(", ")
}

fn consent_page(config: &Config, app: &App, pending: &PendingConsent, request_id: &str) -> String {
    let scope_items: String = pending
        .scopes
        .iter()
        .map(|scope| {
            let note = if scope == OFFLINE_ACCESS { " (stay connected when you are not using the app)" } else { "" };
            format!("<li><code>{}</code>{note}</li>", escape_html(scope))
        })
        .collect();
    let user_options: String = config
        .users
        .iter()
        .map(|u| {
            let owner = if u.account_id == app.owner { " (app owner)" } else { "" };
            format!(
                "<option value=\"{}\">{} &lt;{}&gt;{owner}</option>",
                escape_html(&u.account_id),
                escape_html(&u.name),
                escape_html(&u.email)
            )
        })
        .collect();
    let site_select = match app.access {
        AccessType::Account => "<p>The app will get access to every site of the chosen account.</p>".to_owned(),
        AccessType::Resource => {
            let options: String = config
                .sites
                .iter()
                .map(|s| {
                    format!(
                        "<option value=\"{}\">{} ({})</option>",
                        escape_html(&s.id),
                        escape_html(&s.name),
                        escape_html(&s.url)
                    )
                })
                .collect();
            format!("<label for=\"site\">Use app on</label><select id=\"site\" name=\"site\">{options}</select>")
        }
    };
    format!(
        "<p><strong>{app_name}</strong> is requesting access to your Atlassian account.</p>\n\
         <p>It would be allowed to:</p><ul class=\"scopes\">{scope_items}</ul>\n\
         <form method=\"post\" action=\"/authorize/decision\">\n\
         <input type=\"hidden\" name=\"request\" value=\"{request_id}\">\n\
         <label for=\"account_id\">Account</label><select id=\"account_id\" name=\"account_id\">{user_options}</select>\n\
         {site_select}\n\
         <p>You will be sent back to <code>{callback}</code>.</p>\n\
         <div class=\"buttons\"><button class=\"accept\" type=\"submit\" name=\"decision\" value=\"accept\">Accept</button>\
         <button class=\"decline\" type=\"submit\" name=\"decision\" value=\"decline\">Decline</button></div>\n\
         </form>",
        app_name = escape_html(&app.name),
        request_id = escape_html(request_id),
        callback = escape_html(&app.callback_url),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatch_names_the_part() {
        let registered = "https://acme.service-now.com/oauth_redirect.do";
        for (given, expected) in [
            ("https://acme.service-now.com/oauth_redirect.do/", "trailing slash"),
            ("https://ACME.service-now.com/oauth_redirect.do", "case"),
            ("http://acme.service-now.com/oauth_redirect.do", "scheme"),
            ("https://acme.service-now.com:8443/oauth_redirect.do", "port"),
            ("https://instance.service-now.com/oauth_redirect.do", "host"),
            ("https://acme.service-now.com/callback", "path"),
        ] {
            assert!(describe_mismatch(given, registered).contains(expected), "{given}");
        }
    }

    #[test]
    fn scopes_are_split_on_spaces_and_deduplicated() {
        assert_eq!(requested_scopes(" a  b a "), ["a", "b"]);
        assert_eq!(requested_scopes("a,b"), ["a,b"]);
    }
}
