//! The catalog of causes: what an answer from Atlassian (or a page a user saw) means. Stable
//! codes like the rules': never renamed, only added.

use serde::{Serialize, Serializer};

use crate::diagnostic::{Basis, Field};

macro_rules! causes {
    ($( $variant:ident = $code:literal, $basis:ident, $field:expr, [$($bears:literal),*],
        $title:literal, $explanation:literal, $change:literal; )*) => {
        /// Why Atlassian answered as it did. See [`Cause::explanation`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Cause { $($variant,)* }

        impl Cause {
            /// Every cause, in documentation order.
            pub const ALL: &'static [Cause] = &[$(Cause::$variant,)*];

            /// The stable code, `area/name`.
            pub fn code(self) -> &'static str {
                match self { $(Cause::$variant => $code,)* }
            }
            pub fn basis(self) -> Basis {
                match self { $(Cause::$variant => Basis::$basis,)* }
            }
            /// The setup field the change is made in, when there is one.
            pub fn field(self) -> Option<Field> {
                match self { $(Cause::$variant => $field,)* }
            }
            /// Rule codes (or `area/` prefixes) whose findings bear on this cause.
            pub(super) fn bearing_rules(self) -> &'static [&'static str] {
                match self { $(Cause::$variant => &[$($bears),*],)* }
            }
            pub fn title(self) -> &'static str {
                match self { $(Cause::$variant => $title,)* }
            }
            /// A paragraph: what was seen, what it means, and the fact it rests on.
            pub fn explanation(self) -> &'static str {
                match self { $(Cause::$variant => $explanation,)* }
            }
            /// What to change, in general; a diagnosis adds what its incident and setup tell.
            pub fn change(self) -> &'static str {
                match self { $(Cause::$variant => $change,)* }
            }
        }
    };
}

causes! {
    ConsentScopeNotOnApp = "consent/scope-not-on-app", Documented, Some(Field::Scopes),
        ["scope/not-on-app", "scope/identity-api", "scope/unknown", "scope/not-for-oauth-apps"],
        "Consent refused: a requested scope is not added to the app",
        "The consent page said the app \"requested scopes that have not been added to the app\". Consent may ask \
         only for scopes enabled on the app in the developer console (Permissions: the Confluence API's classic \
         and granular tabs; `read:me` and `read:account` need the User identity API added, `report:personal-data` \
         the Personal data reporting API). ServiceNow's guide enables four classic scopes and then requests nine.",
        "Enable every requested scope on the app (developer console → your app → Permissions), or stop \
         requesting the ones it does not need; then start the consent again.";
    ConsentNoScopes = "consent/no-scopes", Observed, Some(Field::Scopes),
        ["scope/missing", "scope/unknown", "scope/separator", "scope/no-confluence"],
        "Consent refused: no supported scope was requested",
        "The consent page said \"This app has not requested any supported Atlassian scopes\": the `scope` parameter \
         was empty, or held only names Atlassian does not know (a comma-joined list is one unknown name).",
        "Request at least one real scope, space-separated, in the scope field (ServiceNow: the OAuth Entity Scope).";
    ConsentDeclined = "consent/declined", Observed, None, [],
        "The user declined consent",
        "The browser came back to the callback with `error=access_denied`: the user pressed Cancel (or closed the \
         consent) instead of Accept. Atlassian uses the same code for a wrong client secret at the token endpoint, \
         which is a different failure: this one arrived in the callback's address.",
        "Nothing in the setup is wrong: start the consent again and choose Accept.";
    TokenRefreshTokenRotated = "token/refresh-token-rotated", AtlassianStaff, None, [],
        "The refresh token was already used (rotated out)",
        "The token endpoint answered `unauthorized_client` \"refresh_token is invalid\". Atlassian rotates refresh \
         tokens: each refresh returns a new one, and the one used stays valid for only 10 more minutes. Using it \
         later is refused like this, and can revoke the whole token family. It happens when the new refresh token \
         was not saved, or when two refreshes raced and the loser's token was kept.",
        "Store the refresh token of every refresh response before using the new access token, and let only one \
         refresh run at a time per connection. The user must consent again to get a new token family.";
    TokenRefreshTokenInvalid = "token/refresh-token-invalid", Documented, None, ["scope/offline-access-missing"],
        "The refresh token is expired or revoked",
        "The token endpoint answered `invalid_grant` to a refresh (\"Unknown or invalid refresh token\"): the \
         refresh token expired (90 days unused, or 365 days after the first consent), was revoked (the user removed \
         the app, changed their password), or its family was revoked because a rotated-out token was used again.",
        "The user must consent again. Then keep the token family alive: refresh at least every 90 days, store each \
         rotated token, and never use one twice after 10 minutes.";
    TokenClientAuthFailed = "token/client-auth-failed", Observed, Some(Field::ClientSecret),
        ["client-secret/", "client-id/"],
        "The client secret was refused",
        "The token endpoint answered `401 access_denied` \"Unauthorized\": the client secret is missing, wrong, \
         carries a stray space or newline, or belongs to another app. Developer-console apps do not support PKCE, so \
         every token request must carry the secret. (A user pressing Cancel is also `access_denied`, but arrives in \
         the callback's address, not from the token endpoint.)",
        "Copy the secret again from the developer console (your app → Settings → Secret) into the client, with no \
         surrounding whitespace, and check that it belongs to the same app as the client ID.";
    TokenRedirectUriMismatch = "token/redirect-uri-mismatch", AtlassianStaff, Some(Field::RedirectUrl),
        ["callback/"],
        "The redirect URI is not the app's Callback URL",
        "Atlassian answered `unauthorized_client` \"redirect_uri is not registered for client\": the redirect URI the \
         client sent differs from the Callback URL in the developer console. They must be equal character for \
         character: scheme, host, port, path and a trailing slash all count.",
        "Make the client's redirect URL (ServiceNow: Redirect URL) and the app's Callback URL (developer console → \
         Authorization → OAuth 2.0 (3LO)) exactly the same.";
    TokenCodeInvalid = "token/code-invalid", Observed, None, [],
        "The authorization code was refused",
        "The token endpoint refused the authorization code (\"Invalid authorization code\", or \
         \"authorization_code is invalid\"): codes are single use and expire about 10 minutes after consent. A \
         reloaded callback page sends the same code twice; a code issued to another app is refused too.",
        "Start the consent again and exchange the new code once, right away, with the same client ID that started \
         the consent.";
    TokenClientCredentialsScope = "token/client-credentials-scope", Observed, Some(Field::Scopes),
        ["scope/no-user-context", "grant/"],
        "A client-credentials request sent a scope",
        "The token endpoint answered `invalid_scope` to a client-credentials request. A service account's scopes are \
         fixed on its OAuth 2.0 credential in Atlassian Administration; the token request must send no `scope` at \
         all.",
        "Send the client-credentials token request without a `scope` parameter; choose the scopes on the service \
         account's credential instead.";
    ApiScopeDoesNotMatch = "api/scope-does-not-match", Documented, Some(Field::Scopes),
        ["scope/insufficient", "scope/v2-needs-granular", "scope/classic-only", "uses/unknown"],
        "The token lacks a scope the call needs",
        "The API answered `401 Unauthorized; scope does not match`: the access token does not hold a scope the \
         operation checks. v2 endpoints (`/wiki/api/v2/…`) accept only their granular scopes, so a token with only \
         classic scopes gets this on every v2 call. A request URL ending in `/?` draws the same answer (Atlassian's \
         knowledge base). Scopes added to the app later reach a token only through a new consent.",
        "Request the scopes the operation needs (enable them on the app first), consent again, and call the path \
         without a trailing `/?`.";
    ApiSiteUrl = "api/site-url", Documented, Some(Field::ApiBaseUrl), ["endpoint/api-base"],
        "An OAuth token was sent to a site URL",
        "The call went to `https://<site>.atlassian.net/…`. OAuth 2.0 access tokens are accepted only through the \
         API gateway: `https://api.atlassian.com/ex/confluence/{cloudId}/wiki/…`; the site answers them with 401.",
        "Call `https://api.atlassian.com/ex/confluence/{cloudId}` + the path (ServiceNow: Connection URL \
         `https://api.atlassian.com/`); the cloud ID is the `id` in `accessible-resources`.";
    ApiGone = "api/gone", Observed, Some(Field::Uses), ["uses/unknown"],
        "The endpoint was removed",
        "The API answered `GoneException` (\"This deprecated endpoint has been removed\", status 410): Atlassian \
         removed this v1 endpoint after its deprecation period. Its v2 replacement needs granular scopes.",
        "Call the v2 replacement instead, and request its granular scope.";
    ApiRateLimited = "api/rate-limited", Documented, None, [],
        "Rate limited",
        "Atlassian answered `429 Too Many Requests`. Confluence's REST APIs apply points-based rate limits, to OAuth \
         2.0 apps too since March 2026; the answer says how long to wait in `Retry-After`.",
        "Wait as long as `Retry-After` says before the next call, then retry with backoff; spread bulk work out.";
    ApiNoProductAccess = "api/no-product-access", Documented, None, [],
        "The user has no access to Confluence on this site",
        "The API answered `403` \"Current user not permitted to use Confluence\": the token is fine, but the user \
         who consented has no Confluence access on that site (or an admin blocks the app there).",
        "Have a site admin give the user Confluence access, or consent as a user who has it; with several sites, \
         call the site whose cloud ID the user can use.";
    ConsentOpenid = "consent/openid", Observed, Some(Field::Scopes), ["scope/openid"],
        "Consent refused: OpenID Connect scopes",
        "The consent failed over `openid`, `profile` or `email`: Atlassian's OAuth 2.0 (3LO) apps are not OpenID \
         Connect clients, and those scopes break consent. The user's identity comes from `read:me` and `GET /me`.",
        "Remove `openid`, `profile` and `email` from the scopes; request `read:me` (with the User identity API \
         added to the app) for who the user is.";
    ConsentAppNotShared = "consent/app-not-shared", Documented, None, [],
        "Only the app's owner may consent: sharing is off",
        "Apps in the developer console are private until Sharing is turned on (your app → Distribution): only the \
         owner can consent before that, and anyone else is refused.",
        "Turn on sharing in the developer console (your app → Distribution → Sharing), or consent as the app's \
         owner.";
    TokenGrantNotAllowed = "token/grant-not-allowed", Documented, Some(Field::GrantType), ["grant/"],
        "This client may not use this grant",
        "The token endpoint answered `unauthorized_client` \"Grant type '…' not allowed for the client\". \
         Developer-console apps have only the authorization-code grant (and refresh): client credentials need a \
         service account's credentials from Atlassian Administration (ServiceNow's Option 2 builds a console app \
         for them). A service account's credentials, the other way round, cannot run a consent.",
        "For client credentials, create OAuth 2.0 credentials for a service account (Atlassian Administration → \
         Directory → Service accounts) and use their ID and secret; for a user's consent, use the \
         authorization-code grant with a console app.";
    TokenUnsupportedGrant = "token/unsupported-grant", Standard, Some(Field::GrantType), ["grant/"],
        "The grant type is not one Atlassian knows",
        "The token endpoint answered `unsupported_grant_type`: the `grant_type` sent is not `authorization_code`, \
         `refresh_token` or `client_credentials` (a label such as \"Authorization Code\" sent as the value, or a \
         grant Atlassian does not offer, like password or implicit).",
        "Send `grant_type=authorization_code` (or `refresh_token`, `client_credentials`) exactly.";
    ApiTokenExpired = "api/token-expired", Observed, None, ["scope/offline-access-missing"],
        "The access token is expired or revoked",
        "The API refused the access token itself: it expired (access tokens live an hour), or was revoked. The \
         gateway does not always say 401: expired tokens were seen answered with 404 on v2 paths and 403 on v1 \
         paths, so a \"not found\" right at the hour can be this.",
        "Refresh the access token (this needs a refresh token, so `offline_access` must be requested) and call again; \
         if a fresh token gets the same answer, the resource is missing or not visible to the user.";
    UpstreamNotAtlassian = "upstream/not-atlassian", Observed, Some(Field::TokenUrl),
        ["endpoint/"],
        "Something other than Atlassian answered",
        "Where Atlassian's JSON was expected came an HTML page, a cut-off body, a redirect or a proxy's answer: the \
         URL points somewhere else (a site, a login page, a typo), or a proxy or firewall between the client and \
         Atlassian answered in its place. A token request is never sent on to where a redirect points: it would \
         carry the secret there.",
        "Check the URL against Atlassian's (token: `https://auth.atlassian.com/oauth/token`, API: \
         `https://api.atlassian.com/`), and any proxy between the client and Atlassian.";
    UpstreamServerError = "upstream/server-error", Standard, None, [],
        "Atlassian failed on its side",
        "Atlassian answered with a server error (500, 502, 503, 504) in its own format: the request may be fine and \
         the failure on Atlassian's side, usually for a short time.",
        "Retry later with backoff; if it lasts, check Atlassian's status page (status.atlassian.com).";
    TokenInvalidRequest = "token/invalid-request", Standard, None, [],
        "The token request is malformed",
        "The token endpoint answered `invalid_request` for a reason other than a stale code: a parameter is missing \
         or repeated (`grant_type`, `client_id`, `code`, `redirect_uri`), or the body is neither JSON nor a form.",
        "Send every parameter the grant needs exactly once, as a JSON or form body with a matching Content-Type.";
    ConsentInvalidRequest = "consent/invalid-request", Standard, Some(Field::AuthorizationUrl),
        ["endpoint/authorization-url", "client-id/"],
        "The consent request is malformed",
        "The authorization endpoint refused the request itself (`invalid_request`, `unsupported_response_type`, \
         or \"Service not found\" for a wrong audience): a parameter is missing or repeated (`client_id`, \
         `redirect_uri`, `response_type=code`, `audience=api.atlassian.com`, `scope`, `state`), the URL is too \
         long, or the consent page was answered twice or too late.",
        "Build the consent URL with each parameter once: `audience=api.atlassian.com`, `client_id`, `scope`, \
         `redirect_uri`, `state`, `response_type=code`, `prompt=consent` (the validator's `authorize_url` is such a \
         URL); start again from the app rather than reloading an old consent page.";
    ConsentUnknownClient = "consent/unknown-client", Documented, Some(Field::ClientId), ["client-id/"],
        "Atlassian does not know this client ID",
        "The consent page refused the `client_id`: no OAuth 2.0 (3LO) app has it. It was mistyped, copied with \
         whitespace, the app was deleted or re-created (a new app has a new ID), or another value was pasted in \
         its place (the app's ARI, or the secret).",
        "Copy the Client ID again from the developer console (your app → Settings) into the client, with no \
         surrounding whitespace.";
    ApiNoUser = "api/no-user", Documented, Some(Field::GrantType), ["scope/no-user-context"],
        "A call about the user, with a token that has no user",
        "The API refused a call that answers about the consenting user (`GET /me`) with `403`: a client-credentials \
         token belongs to a service account, and there is no user behind it.",
        "Call `/me` only with a token from a user's consent (authorization-code grant); with client credentials, \
         leave out `read:me`, `read:account` and the calls that need them.";
    ApiNotFound = "api/not-found", Observed, Some(Field::Uses), ["uses/unknown", "endpoint/api-base"],
        "No such endpoint or resource",
        "The API answered `404 Not Found`: the path names no endpoint (a typo, a missing `/wiki`, or the gateway \
         prefix `/ex/confluence/{cloudId}` left out or doubled), the cloud ID is not one of the token's sites, or the \
         page, space or attachment does not exist or is not visible to the user. Expired tokens were also seen \
         answered with 404 on v2 paths.",
        "Check the URL against the operation's path (`threelo scopes 'GET /wiki/api/v2/pages/{id}'` names it), the \
         cloud ID against `accessible-resources`, and the resource in Confluence; then try once with a fresh token.";
    Unknown = "unknown", Observed, None, [],
        "Not recognised",
        "Nothing in what was given matches an answer Atlassian is known to send. The diagnosis lists what could be \
         told (the status class, which host and endpoint), which helps to ask the right question.",
        "Collect the HTTP status, the body, the method and URL of the request (without tokens), and the client's \
         own error text, and explain again with all of them.";
}

impl Serialize for Cause {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl Cause {
    pub fn from_code(code: &str) -> Option<Cause> {
        Cause::ALL.iter().copied().find(|cause| cause.code() == code)
    }
}

/// A cause as its documentation shows it (`causes()`, `threelo explain --causes`).
#[derive(Debug, Clone, Serialize)]
pub struct CauseInfo {
    pub code: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
    /// What to change, in general.
    pub change: &'static str,
    pub basis: Basis,
    /// What [`CauseInfo::basis`] means, in words.
    pub basis_text: &'static str,
}

impl From<Cause> for CauseInfo {
    fn from(cause: Cause) -> Self {
        CauseInfo {
            code: cause.code(),
            title: cause.title(),
            explanation: cause.explanation(),
            change: cause.change(),
            basis: cause.basis(),
            basis_text: cause.basis().describe(),
        }
    }
}

/// Every cause with its documentation: what the docs page's reference renders.
pub fn causes() -> Vec<CauseInfo> {
    Cause::ALL.iter().copied().map(CauseInfo::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Rule;

    #[test]
    fn codes_are_unique_well_formed_and_round_trip() {
        let mut codes: Vec<_> = Cause::ALL.iter().map(|c| c.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Cause::ALL.len());
        for code in codes {
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'/'), "{code}");
            assert_eq!(Cause::from_code(code).map(Cause::code), Some(code));
        }
    }

    #[test]
    fn bearing_rules_name_real_rules() {
        for cause in Cause::ALL {
            for code in cause.bearing_rules() {
                let known = match code.strip_suffix('/') {
                    Some(area) => Rule::ALL.iter().any(|r| r.code().split('/').next() == Some(area)),
                    None => Rule::from_code(code).is_some(),
                };
                assert!(known, "{} names {code}, which is no rule", cause.code());
            }
        }
    }

    #[test]
    fn explanations_are_paragraphs() {
        for cause in Cause::ALL {
            assert!(cause.explanation().len() > 80, "{} explains too little", cause.code());
            assert!(cause.change().len() > 20, "{} says too little to change", cause.code());
        }
    }
}
