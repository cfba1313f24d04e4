//! Why a token request failed, in Atlassian's words (kept, capped) and in ours: what it means
//! and what to do next (DOMAIN.md §3 and §8).

use std::fmt;

use super::response::server_text;
use super::MalformedResponse;
use crate::redact::UpstreamRedactor;

/// A failed token request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// Atlassian answered with an RFC 6749 error body.
    OAuth(OAuthError),
    /// Status 0 or 3xx: the endpoint redirected, and a token request never follows a redirect.
    Redirected { status: u16 },
    /// 429; `retry_after` is the `Retry-After` header in seconds, when it gave seconds.
    RateLimited { retry_after: Option<u64> },
    /// 5xx without an OAuth error body.
    ServerError { status: u16 },
    /// Any other status without an OAuth error body.
    UnexpectedStatus { status: u16 },
    /// A 2xx whose body is not a token response.
    Malformed(MalformedResponse),
}

/// An RFC 6749 error from the token endpoint. `error` and `error_description` are Atlassian's,
/// with control characters removed, token-shaped words hidden and the length capped: still
/// server text, to be escaped where it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    status: u16,
    error: String,
    description: Option<String>,
    kind: OAuthErrorKind,
}

/// The Atlassian token errors this crate can explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthErrorKind {
    /// `invalid_grant` "Unknown or invalid refresh token."
    RefreshTokenRejected,
    /// "Invalid authorization code": used already, or never issued to this client.
    AuthorizationCodeRejected,
    /// `invalid_request` "authorization_code is invalid": the code went stale.
    AuthorizationCodeExpired,
    /// 401 `access_denied` "Unauthorized": the client secret is missing or wrong.
    ClientAuthenticationFailed,
    /// `unauthorized_client` "redirect_uri is not registered for client: …".
    RedirectUriNotRegistered,
    /// `invalid_client`: the client ID is unknown, or the secret is not its own.
    InvalidClient,
    /// `invalid_scope`.
    InvalidScope,
    /// `unsupported_grant_type`: typically client credentials with a developer-console app.
    UnsupportedGrantType,
    /// `invalid_grant` with another description.
    InvalidGrant,
    /// Anything else.
    Other,
}

/// Longest `error` code kept; RFC 6749 codes are short ASCII words.
const MAX_ERROR_CODE_CHARS: usize = 64;

impl OAuthError {
    /// The OAuth error in a failed response's body, if there is one.
    pub(crate) fn from_body(status: u16, body: &[u8], redactor: &UpstreamRedactor) -> Option<OAuthError> {
        let value: serde_json::Value = serde_json::from_slice(body.trim_ascii()).ok()?;
        let error = value.get("error")?.as_str()?;
        // A code is a short ASCII word; anything else in its place is filtered like any text.
        let error: String = redactor
            .redact(error)
            .chars()
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .take(MAX_ERROR_CODE_CHARS)
            .collect::<String>()
            .trim()
            .to_string();
        if error.is_empty() {
            return None;
        }
        let description = value
            .get("error_description")
            .and_then(|d| d.as_str())
            .map(|d| server_text(d, redactor))
            .filter(|d| !d.is_empty());
        let kind = OAuthErrorKind::of(status, &error, description.as_deref().unwrap_or(""));
        Some(OAuthError { status, error, description, kind })
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    /// Atlassian's `error` code, e.g. `invalid_grant`.
    pub fn error(&self) -> &str {
        &self.error
    }

    /// Atlassian's `error_description`, cleaned and capped.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    pub fn kind(&self) -> OAuthErrorKind {
        self.kind
    }
}

impl OAuthErrorKind {
    fn of(status: u16, error: &str, description: &str) -> OAuthErrorKind {
        let description = description.to_ascii_lowercase();
        let says = |text: &str| description.contains(text);
        match error {
            _ if says("refresh token") && (error == "invalid_grant" || says("unknown or invalid")) => {
                OAuthErrorKind::RefreshTokenRejected
            }
            _ if says("invalid authorization code") => OAuthErrorKind::AuthorizationCodeRejected,
            _ if says("authorization_code is invalid") => OAuthErrorKind::AuthorizationCodeExpired,
            _ if says("redirect_uri") && (error == "unauthorized_client" || says("not registered")) => {
                OAuthErrorKind::RedirectUriNotRegistered
            }
            "access_denied" if status == 401 => OAuthErrorKind::ClientAuthenticationFailed,
            "invalid_client" => OAuthErrorKind::InvalidClient,
            "invalid_scope" => OAuthErrorKind::InvalidScope,
            "unsupported_grant_type" => OAuthErrorKind::UnsupportedGrantType,
            "invalid_grant" => OAuthErrorKind::InvalidGrant,
            _ => OAuthErrorKind::Other,
        }
    }

    /// What the error means, in plain text.
    pub fn explanation(self) -> &'static str {
        match self {
            OAuthErrorKind::RefreshTokenRejected => {
                "Atlassian no longer accepts this refresh token. Refresh tokens rotate: every refresh returns a new \
                 one, and the used one keeps working for only 10 more minutes. Using it after that revokes the whole \
                 token family. This happens when the new refresh token was not saved, when two refreshes raced, or \
                 when the token expired (90 days unused, 365 days after consent)."
            }
            OAuthErrorKind::AuthorizationCodeRejected => {
                "Atlassian does not know this authorization code: it was already exchanged (codes are single use; a \
                 reloaded callback page sends the same code twice) or it was issued to another client."
            }
            OAuthErrorKind::AuthorizationCodeExpired => {
                "The authorization code is no longer valid: codes expire about 10 minutes after consent."
            }
            OAuthErrorKind::ClientAuthenticationFailed => {
                "Atlassian did not accept the client's credentials: the client secret is missing or wrong. \
                 Developer-console apps do not support PKCE, so the secret is required on every token request."
            }
            OAuthErrorKind::RedirectUriNotRegistered => {
                "The redirect_uri sent does not equal the app's Callback URL character for character (scheme, host, \
                 port, path and trailing slash all count)."
            }
            OAuthErrorKind::InvalidClient => {
                "Atlassian does not recognize this client: the client ID is wrong, or the secret belongs to another \
                 app."
            }
            OAuthErrorKind::InvalidScope => {
                "A requested scope is not an Atlassian scope, or its API has not been added to the app."
            }
            OAuthErrorKind::UnsupportedGrantType => {
                "Atlassian does not offer this grant to this client. Developer-console apps support only the \
                 authorization-code grant and refresh; the client-credentials grant needs a service account's \
                 credentials."
            }
            OAuthErrorKind::InvalidGrant => {
                "Atlassian rejected the authorization code or refresh token: it is expired, already used, revoked or \
                 issued to another client."
            }
            OAuthErrorKind::Other => "Atlassian refused the token request.",
        }
    }

    /// What to do about it, in plain text.
    pub fn next_step(self) -> &'static str {
        match self {
            OAuthErrorKind::RefreshTokenRejected => {
                "The user must consent again. Then save the new refresh token from every refresh response before \
                 using it, and let only one refresh run at a time per connection."
            }
            OAuthErrorKind::AuthorizationCodeRejected => {
                "Start the consent again, and exchange each code exactly once."
            }
            OAuthErrorKind::AuthorizationCodeExpired => {
                "Start the consent again and exchange the code as soon as the callback receives it."
            }
            OAuthErrorKind::ClientAuthenticationFailed => {
                "Send the client secret from the app's Settings page in the developer console, without surrounding \
                 spaces or newlines, and check that it belongs to this client ID."
            }
            OAuthErrorKind::RedirectUriNotRegistered => {
                "Make the app's Callback URL in the developer console (Authorization, OAuth 2.0 (3LO)) and the \
                 client's redirect URL exactly the same."
            }
            OAuthErrorKind::InvalidClient => {
                "Copy the client ID and secret again from the app's Settings page in the developer console."
            }
            OAuthErrorKind::InvalidScope => {
                "Check the scope names against Atlassian's list and add the Confluence API (and the User identity \
                 API for read:me) to the app under Permissions in the developer console."
            }
            OAuthErrorKind::UnsupportedGrantType => {
                "For client credentials, create OAuth 2.0 credentials for a service account in Atlassian \
                 Administration (Directory, Service accounts) and use that client ID and secret."
            }
            OAuthErrorKind::InvalidGrant => "Start the consent again to get a new authorization code.",
            OAuthErrorKind::Other => "Read Atlassian's error description, and check the client ID, secret and grant.",
        }
    }
}

impl TokenError {
    /// What the failure means, in plain text.
    pub fn explanation(&self) -> &'static str {
        match self {
            TokenError::OAuth(error) => error.kind.explanation(),
            TokenError::Redirected { .. } => {
                "The token endpoint answered with a redirect. A token request is never sent on to another address, \
                 since that would hand it the client secret: the token URL is probably wrong, or a proxy is in the \
                 way."
            }
            TokenError::RateLimited { .. } => "Atlassian is limiting how fast this client may request tokens.",
            TokenError::ServerError { .. } => "Atlassian's token endpoint failed; this is usually temporary.",
            TokenError::UnexpectedStatus { .. } => {
                "The token endpoint answered with an error that is not an OAuth error: the token URL is probably \
                 wrong."
            }
            TokenError::Malformed(_) => {
                "The token endpoint answered with success but not with a token response: the token URL probably \
                 points at something other than Atlassian's token endpoint."
            }
        }
    }

    /// What to do about it, in plain text.
    pub fn next_step(&self) -> &'static str {
        match self {
            TokenError::OAuth(error) => error.kind.next_step(),
            TokenError::Redirected { .. } | TokenError::UnexpectedStatus { .. } | TokenError::Malformed(_) => {
                "Set the token URL to https://auth.atlassian.com/oauth/token (Government Cloud: \
                 https://auth.atlassian-us-gov-mod.com/oauth/token)."
            }
            TokenError::RateLimited { .. } => "Wait for the time Atlassian asked for, then retry once.",
            TokenError::ServerError { .. } => "Retry later, with backoff.",
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::OAuth(error) => error.fmt(f),
            TokenError::Redirected { status: 0 } => f.write_str("the token endpoint redirected (not followed)"),
            TokenError::Redirected { status } => {
                write!(f, "the token endpoint redirected with status {status} (not followed)")
            }
            TokenError::RateLimited { retry_after: Some(seconds) } => {
                write!(f, "the token endpoint is rate limiting (429); retry after {seconds} seconds")
            }
            TokenError::RateLimited { retry_after: None } => f.write_str("the token endpoint is rate limiting (429)"),
            TokenError::ServerError { status } => write!(f, "the token endpoint failed with status {status}"),
            TokenError::UnexpectedStatus { status } => {
                write!(f, "the token endpoint answered status {status} without an OAuth error")
            }
            TokenError::Malformed(problem) => write!(f, "the token response is malformed: {problem}"),
        }
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the token endpoint answered {} {}", self.status, self.error)?;
        match &self.description {
            Some(description) => write!(f, ": {description}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for TokenError {}
impl std::error::Error for OAuthError {}
