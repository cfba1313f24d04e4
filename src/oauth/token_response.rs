//! Reading the token endpoint's answer, whichever grant asked.

use serde_json::{Map, Value};

use super::response::{classify_status, expect_object, optional_string, parse_json, required_string, StatusClass};
use super::{AccessToken, MalformedResponse, OAuthError, RefreshToken, ScopeList, TokenError};
use crate::redact::UpstreamRedactor;

/// A successful token response. `Debug` hides the tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenResponse {
    pub access_token: AccessToken,
    /// Present only when `offline_access` was granted (never for client credentials).
    pub refresh_token: Option<RefreshToken>,
    /// Lifetime in seconds (Atlassian: 3600), when given.
    pub expires_in: Option<u64>,
    /// The scopes granted, when given. RFC 6749 §5.1: absent means "as requested".
    pub scope: Option<ScopeList>,
    /// `Bearer` from Atlassian, when given.
    pub token_type: Option<String>,
}

impl TokenResponse {
    /// When the access token expires, in Unix seconds, given when the response arrived.
    pub fn expires_at(&self, now: u64) -> Option<u64> {
        self.expires_in.map(|seconds| now.saturating_add(seconds))
    }
}

/// Reads the token endpoint's answer: the status, the `Content-Type` and `Retry-After` headers,
/// and the body. Status 0 or 3xx (a redirect the caller did not follow) is an error.
///
/// Whatever of the answer may be shown (an error's code and description, the granted scopes'
/// names) comes filtered by `redactor`: make it with [`UpstreamRedactor`] and the values the
/// request sent (the client secret, the code or the refresh token).
pub fn parse_token_response(
    status: u16,
    content_type: Option<&str>,
    retry_after: Option<&str>,
    body: &[u8],
    redactor: &UpstreamRedactor,
) -> Result<TokenResponse, TokenError> {
    match classify_status(status, retry_after) {
        StatusClass::Success => {
            let object = parse_json(content_type, body).and_then(expect_object).map_err(TokenError::Malformed)?;
            let mut tokens = token_fields(&object).map_err(TokenError::Malformed)?;
            if let Some(scope) = tokens.scope.take() {
                // The answer's own tokens are hidden in its scopes too: scope names are shown.
                let refresh = tokens.refresh_token.as_ref().map_or("", |t| t.secret());
                let answered = [tokens.access_token.secret(), refresh];
                let own = UpstreamRedactor::new(&answered);
                let names = scope.names().iter().map(|name| own.redact(&redactor.redact(name)).into_owned());
                tokens.scope = Some(ScopeList::new(names));
            }
            Ok(tokens)
        }
        StatusClass::Redirect => Err(TokenError::Redirected { status }),
        StatusClass::RateLimited { retry_after } => Err(TokenError::RateLimited { retry_after }),
        // A 5xx is the server's failure even when its body is OAuth-shaped
        // (`temporarily_unavailable`): the request may well be right, and retrying is the answer.
        StatusClass::Failure | StatusClass::Unexpected if status >= 500 => Err(TokenError::ServerError { status }),
        StatusClass::Failure | StatusClass::Unexpected => Err(match OAuthError::from_body(status, body, redactor) {
            Some(error) => TokenError::OAuth(error),
            None => TokenError::UnexpectedStatus { status },
        }),
    }
}

fn token_fields(object: &Map<String, Value>) -> Result<TokenResponse, MalformedResponse> {
    let access_token = AccessToken::new(required_string(object, "access_token")?);
    // An empty refresh token is no refresh token; a mistyped one is an error, not a silent loss.
    let refresh_token = optional_string(object, "refresh_token")?.filter(|t| !t.is_empty()).map(RefreshToken::new);
    let scope = optional_string(object, "scope")?.map(|scope| ScopeList::from_scope_value(&scope));
    let token_type = optional_string(object, "token_type")?;
    Ok(TokenResponse { access_token, refresh_token, expires_in: expires_in(object)?, scope, token_type })
}

/// `expires_in` as a number (`3600`, `3600.0`) or a string (`"3600"`): both are seen.
fn expires_in(object: &Map<String, Value>) -> Result<Option<u64>, MalformedResponse> {
    const FIELD: &str = "expires_in";
    match object.get(FIELD) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => match (number.as_u64(), number.as_f64()) {
            (Some(seconds), _) => Ok(Some(seconds)),
            (None, Some(seconds)) if seconds >= 0.0 && seconds.fract() == 0.0 && seconds < u64::MAX as f64 => {
                Ok(Some(seconds as u64))
            }
            _ => Err(MalformedResponse::InvalidValue(FIELD)),
        },
        Some(Value::String(text)) => {
            let text = text.trim();
            match text.parse() {
                Ok(seconds) if text.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(seconds)),
                _ => Err(MalformedResponse::InvalidValue(FIELD)),
            }
        }
        Some(_) => Err(MalformedResponse::WrongType(FIELD)),
    }
}
