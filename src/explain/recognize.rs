//! Which cause an incident's evidence shows. Atlassian's codes overlap (`access_denied` is both a
//! wrong secret and a user pressing Cancel; `invalid_grant` both a code and a refresh token), so
//! the words and the place an answer came from decide before the code does, and what stays
//! ambiguous is said as the other causes that are possible.

use super::incident::{Endpoint, Evidence};
use super::Cause;
use crate::setup::Grant;

/// The cause, and the other causes the same evidence could also mean.
pub(super) fn recognize(evidence: &Evidence, grant: Option<Grant>) -> (Cause, Vec<Cause>) {
    let e = evidence;
    let says_any = |phrases: &[&str]| phrases.iter().any(|phrase| e.says(phrase));
    let one = |cause: Cause| (cause, Vec::new());

    // Token endpoint descriptions: the most specific words Atlassian sends.
    if e.says("refresh_token is invalid") {
        return one(Cause::TokenRefreshTokenRotated);
    }
    if e.says("unknown or invalid refresh token") || (e.oauth_error_is("invalid_grant") && e.says("refresh")) {
        return one(Cause::TokenRefreshTokenInvalid);
    }
    if e.says("redirect_uri is not registered")
        || e.says("redirect uri mismatch")
        || (says_any(&["redirect_uri", "redirect uri"]) && says_any(&["mismatch", "does not match", "not registered"]))
    {
        return one(Cause::TokenRedirectUriMismatch);
    }
    if says_any(&["invalid authorization code", "authorization_code is invalid", "authorization code is invalid"]) {
        return one(Cause::TokenCodeInvalid);
    }
    if says_any(&["not allowed for the client", "service-account credentials", "only with the client_credentials"]) {
        return one(Cause::TokenGrantNotAllowed);
    }
    if e.oauth_error_is("unsupported_grant_type") {
        return one(Cause::TokenUnsupportedGrant);
    }

    // Consent pages.
    if says_any(&["have not been added to the app", "has not been added to the app", "not been added to the app"]) {
        return one(Cause::ConsentScopeNotOnApp);
    }
    if says_any(&["not requested any supported", "no supported atlassian scopes", "no scopes were requested"]) {
        return one(Cause::ConsentNoScopes);
    }
    if e.says("openid") && says_any(&["scope", "consent", "not supported", "invalid", "error"]) {
        return one(Cause::ConsentOpenid);
    }
    if says_any(&[
        "has not been shared",
        "hasn't been shared",
        "is not shared",
        "isn't shared",
        "only the owner",
        "only the app owner",
        "only the app's owner",
        "not turned on sharing",
        "enable sharing",
        "sharing is not enabled",
        "sharing is disabled",
    ]) {
        return one(Cause::ConsentAppNotShared);
    }

    if says_any(&["unknown client", "invalid client_id", "invalid client id", "client_id is invalid"]) {
        return one(Cause::ConsentUnknownClient);
    }

    // API answers.
    let on_site = matches!(e.endpoint(), Some(Endpoint::Site { .. }));
    if on_site && matches!(e.status, None | Some(401) | Some(403)) {
        return one(Cause::ApiSiteUrl);
    }
    if e.says("scope does not match") {
        return one(Cause::ApiScopeDoesNotMatch);
    }
    if e.says("goneexception") || e.says("endpoint has been removed") || e.status == Some(410) {
        return one(Cause::ApiGone);
    }
    if e.says("not permitted to use confluence") {
        return one(Cause::ApiNoProductAccess);
    }
    if e.status == Some(429) || says_any(&["rate limit", "too many requests"]) {
        return one(Cause::ApiRateLimited);
    }

    // The remaining OAuth codes, where the words said nothing more specific. An error page or
    // address is the consent's; a JSON body the token endpoint's.
    let at_token_endpoint = matches!(e.endpoint(), Some(Endpoint::Token)) || e.oauth.is_some();
    let at_consent =
        matches!(e.endpoint(), Some(Endpoint::Authorize)) || (e.oauth.is_none() && (e.html || e.landed.is_some()));
    if e.says("service not found") || e.oauth_error_is("unsupported_response_type") {
        return one(if at_consent { Cause::ConsentInvalidRequest } else { Cause::TokenInvalidRequest });
    }
    if e.oauth_error_is("server_error") || e.oauth_error_is("temporarily_unavailable") {
        return one(Cause::UpstreamServerError);
    }
    if e.oauth_error_is("invalid_scope") {
        return if e.landed.is_some() && e.oauth.is_none() || grant == Some(Grant::AuthorizationCode) {
            (Cause::ConsentScopeNotOnApp, vec![Cause::ConsentNoScopes])
        } else {
            one(Cause::TokenClientCredentialsScope)
        };
    }
    if e.oauth_error_is("access_denied") {
        let from_address = e.landed.is_some() && e.oauth.is_none();
        if from_address || says_any(&["did not authorize", "denied the request", "cancel", "declined"]) {
            return one(Cause::ConsentDeclined);
        }
        if e.status == Some(401) || at_token_endpoint || says_any(&["unauthorized", "401", "token"]) {
            return one(Cause::TokenClientAuthFailed);
        }
        return (Cause::ConsentDeclined, vec![Cause::TokenClientAuthFailed]);
    }
    if e.oauth_error_is("invalid_client") {
        return one(Cause::TokenClientAuthFailed);
    }
    if e.oauth_error_is("invalid_request") {
        return one(if at_consent { Cause::ConsentInvalidRequest } else { Cause::TokenInvalidRequest });
    }
    if e.oauth_error_is("invalid_grant") {
        return (Cause::TokenCodeInvalid, vec![Cause::TokenRefreshTokenInvalid]);
    }
    if e.oauth_error_is("unauthorized_client") {
        return (Cause::TokenGrantNotAllowed, vec![Cause::TokenRefreshTokenRotated, Cause::TokenRedirectUriMismatch]);
    }

    // What only the status and the place tell.
    if matches!(e.endpoint(), Some(Endpoint::Other { .. })) && (e.html || e.broken_json || e.status.is_some()) {
        return one(Cause::UpstreamNotAtlassian);
    }
    if e.html || e.broken_json {
        // A 5xx page from an Atlassian address is most likely Atlassian's own; from anywhere
        // else (or nowhere known), a proxy's.
        let from_atlassian = e.endpoint().is_some_and(|endpoint| endpoint.host().is_some());
        return match e.status {
            Some(500..=599) if from_atlassian => (Cause::UpstreamServerError, vec![Cause::UpstreamNotAtlassian]),
            Some(500..=599) => (Cause::UpstreamNotAtlassian, vec![Cause::UpstreamServerError]),
            _ => one(Cause::UpstreamNotAtlassian),
        };
    }
    // Atlassian's token and API endpoints answer; they do not redirect (and a token request is
    // never sent on to where a redirect points); status 0 is the Fetch API's opaque redirect.
    if e.status.is_some_and(|s| s == 0 || (300..400).contains(&s)) && e.request.is_some() {
        return one(Cause::UpstreamNotAtlassian);
    }
    // A success from the token endpoint that the token response parser refuses is no token
    // response: the parser of the exchange decides, not a second reading of its own.
    if e.malformed_token_response {
        return one(Cause::UpstreamNotAtlassian);
    }
    if e.status.is_some_and(|s| (500..600).contains(&s)) {
        return one(Cause::UpstreamServerError);
    }
    if e.status == Some(401) && at_token_endpoint {
        return one(Cause::TokenClientAuthFailed);
    }
    if says_any(&["token expired", "token is expired", "expired token", "token has expired", "invalid token"]) {
        return one(Cause::ApiTokenExpired);
    }
    // The APIs' own 401 body, `{"code":401,"message":"Unauthorized"}`, says only that the token was refused.
    let bare_unauthorized = e.api.as_ref().is_some_and(|api| api.message.trim().eq_ignore_ascii_case("unauthorized"));
    if e.status == Some(401) && bare_unauthorized && e.request.is_none() {
        return (Cause::ApiTokenExpired, vec![Cause::ApiSiteUrl]);
    }
    if let Some(Endpoint::Gateway { path }) = e.endpoint() {
        // The gateway answers an expired token with 404 on v2 paths and 403 on v1 ones too; for a
        // path that names a real operation that is the likelier reading, for any other a 404 is
        // just that.
        let names_operation = e.request.as_ref().is_some_and(|r| r.names_operation);
        match e.status {
            Some(401) => return one(Cause::ApiTokenExpired),
            Some(403) if path == "/me" => return one(Cause::ApiNoUser),
            Some(404) if names_operation && path.starts_with("/wiki/api/v2/") => {
                return (Cause::ApiTokenExpired, vec![Cause::ApiNotFound]);
            }
            Some(403) if names_operation && path.starts_with("/wiki/rest/api/") => {
                return (Cause::ApiTokenExpired, vec![Cause::ApiNoProductAccess]);
            }
            Some(404) => return one(Cause::ApiNotFound),
            _ => {}
        }
    }
    if e.status == Some(404) && e.api.is_some() {
        return one(Cause::ApiNotFound);
    }
    one(Cause::Unknown)
}
