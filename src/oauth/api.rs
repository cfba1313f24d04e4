//! Requests to Atlassian's API gateway with an access token, and why one failed.

use std::fmt;

use serde_json::Value;

use super::response::{api_message, classify_status, parse_json, StatusClass};
use super::{AccessToken, AtlassianCloud, HttpRequest, MalformedResponse, Method};
use crate::redact::UpstreamRedactor;

/// Atlassian's API gateway: `https://api.atlassian.com/` or a stand-in's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtlassianApi {
    /// Without the trailing slash, so paths join with one.
    base_url: String,
}

impl AtlassianApi {
    pub fn new(cloud: AtlassianCloud) -> Self {
        AtlassianApi::with_base_url(cloud.api_base_url())
    }

    /// Another gateway, e.g. `http://127.0.0.1:8788/` for a local stand-in; with or without the
    /// trailing slash.
    pub fn with_base_url(base_url: impl Into<String>) -> Self {
        let mut base_url = base_url.into();
        while base_url.ends_with('/') {
            base_url.pop();
        }
        AtlassianApi { base_url }
    }

    /// The sites the token can reach: read it with [`parse_accessible_resources`](super::parse_accessible_resources).
    pub fn accessible_resources(&self, token: &AccessToken) -> HttpRequest {
        self.get("/oauth/token/accessible-resources", token)
    }

    /// The user who consented (needs `read:me` and the User identity API): read it with
    /// [`parse_me`](super::parse_me).
    pub fn me(&self, token: &AccessToken) -> HttpRequest {
        self.get("/me", token)
    }

    /// Where a site's Confluence REST API lives for an OAuth token: through the gateway by cloud
    /// ID, never at `<site>.atlassian.net`, where 3LO tokens get 401. Append `/wiki/rest/api/…`
    /// (v1) or `/wiki/api/v2/…` (v2).
    pub fn confluence_base_url(&self, cloud_id: &str) -> String {
        format!("{}/ex/confluence/{cloud_id}", self.base_url)
    }

    fn get(&self, path: &str, token: &AccessToken) -> HttpRequest {
        HttpRequest {
            method: Method::Get,
            url: format!("{}{path}", self.base_url),
            headers: vec![
                ("Authorization", format!("Bearer {}", token.secret())),
                ("Accept", "application/json".to_string()),
            ],
            body: None,
        }
    }
}

/// A failed API call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiError {
    /// 401 "Unauthorized; scope does not match": the token lacks a scope this endpoint needs.
    ScopeMismatch,
    /// Another 401: the token is expired, revoked or not for this gateway. `message` is the
    /// server's, cleaned and capped.
    Unauthorized { message: Option<String> },
    /// 403: the user or app may not do this.
    Forbidden { message: Option<String> },
    /// Another 4xx.
    Rejected { status: u16, message: Option<String> },
    /// Status 0 or 3xx: a redirect, never followed with a token.
    Redirected { status: u16 },
    /// 429; `retry_after` in seconds, when the header gave seconds.
    RateLimited { retry_after: Option<u64> },
    /// 5xx.
    ServerError { status: u16 },
    /// A status no HTTP server sends (1xx here, or out of range).
    UnexpectedStatus { status: u16 },
    /// A 2xx whose body is not what the endpoint documents.
    Malformed(MalformedResponse),
}

impl ApiError {
    /// What the failure means, in plain text.
    pub fn explanation(&self) -> &'static str {
        match self {
            ApiError::ScopeMismatch => {
                "The access token lacks a scope this endpoint needs. Confluence v2 endpoints need granular scopes \
                 (read:page:confluence, ...) and answer this way to tokens with classic scopes only; /me needs \
                 read:me."
            }
            ApiError::Unauthorized { .. } => {
                "The access token was not accepted: it expired (after about an hour), was revoked, or belongs to \
                 another cloud."
            }
            ApiError::Forbidden { .. } => "The user or the app is not allowed to do this on the site.",
            ApiError::Rejected { .. } => "Atlassian refused the request.",
            ApiError::Redirected { .. } => {
                "The API answered with a redirect. A request carrying a token is never sent on to another address: \
                 the API base URL is probably a site URL instead of the gateway."
            }
            ApiError::RateLimited { .. } => "Atlassian is limiting how fast this app may call the API.",
            ApiError::ServerError { .. } => "Atlassian's API failed; this is usually temporary.",
            ApiError::UnexpectedStatus { .. } => "The API answered with a status no HTTP server should send.",
            ApiError::Malformed(_) => {
                "The API answered with success but not with what the endpoint returns: the API base URL probably \
                 points elsewhere."
            }
        }
    }

    /// What to do about it, in plain text.
    pub fn next_step(&self) -> &'static str {
        match self {
            ApiError::ScopeMismatch => {
                "Add the missing scope to the app in the developer console and to the requested scopes, then have \
                 the user consent again."
            }
            ApiError::Unauthorized { .. } => "Refresh the access token and retry once; if that fails, consent again.",
            ApiError::Forbidden { .. } => "Check the user's permissions on the site and the scopes granted.",
            ApiError::Rejected { .. } => "Read the message, and check the URL and the cloud ID.",
            ApiError::Redirected { .. } | ApiError::UnexpectedStatus { .. } | ApiError::Malformed(_) => {
                "Set the API base URL to https://api.atlassian.com/ (Government Cloud: \
                 https://api.atlassian-us-gov-mod.com/)."
            }
            ApiError::RateLimited { .. } => "Wait for the time Atlassian asked for, then retry.",
            ApiError::ServerError { .. } => "Retry later, with backoff.",
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_message = |f: &mut fmt::Formatter<'_>, message: &Option<String>| match message {
            Some(message) => write!(f, ": {message}"),
            None => Ok(()),
        };
        match self {
            ApiError::ScopeMismatch => f.write_str("the API answered 401: scope does not match"),
            ApiError::Unauthorized { message } => {
                f.write_str("the API answered 401 Unauthorized")?;
                with_message(f, message)
            }
            ApiError::Forbidden { message } => {
                f.write_str("the API answered 403 Forbidden")?;
                with_message(f, message)
            }
            ApiError::Rejected { status, message } => {
                write!(f, "the API answered {status}")?;
                with_message(f, message)
            }
            ApiError::Redirected { status: 0 } => f.write_str("the API redirected (not followed)"),
            ApiError::Redirected { status } => write!(f, "the API redirected with status {status} (not followed)"),
            ApiError::RateLimited { retry_after: Some(seconds) } => {
                write!(f, "the API is rate limiting (429); retry after {seconds} seconds")
            }
            ApiError::RateLimited { retry_after: None } => f.write_str("the API is rate limiting (429)"),
            ApiError::ServerError { status } => write!(f, "the API failed with status {status}"),
            ApiError::UnexpectedStatus { status } => write!(f, "the API answered status {status}"),
            ApiError::Malformed(problem) => write!(f, "the API response is malformed: {problem}"),
        }
    }
}

impl std::error::Error for ApiError {}

/// The body of a 2xx as JSON, or the error the status and body make; the server's message in
/// it is filtered by `redactor`.
pub(crate) fn api_json(
    status: u16,
    content_type: Option<&str>,
    retry_after: Option<&str>,
    body: &[u8],
    redactor: &UpstreamRedactor,
) -> Result<Value, ApiError> {
    match classify_status(status, retry_after) {
        StatusClass::Success => parse_json(content_type, body).map_err(ApiError::Malformed),
        StatusClass::Redirect => Err(ApiError::Redirected { status }),
        StatusClass::RateLimited { retry_after } => Err(ApiError::RateLimited { retry_after }),
        StatusClass::Failure => {
            let message = api_message(body, redactor);
            Err(match status {
                401 if message.as_deref().is_some_and(|m| m.to_ascii_lowercase().contains("scope does not match")) => {
                    ApiError::ScopeMismatch
                }
                401 => ApiError::Unauthorized { message },
                403 => ApiError::Forbidden { message },
                500.. => ApiError::ServerError { status },
                _ => ApiError::Rejected { status, message },
            })
        }
        StatusClass::Unexpected => Err(ApiError::UnexpectedStatus { status }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_the_token_and_hide_it_in_debug() {
        let token = AccessToken::new("eyJaccess");
        let table: &[(AtlassianApi, &str)] = &[
            (AtlassianApi::new(AtlassianCloud::Commercial), "https://api.atlassian.com"),
            (AtlassianApi::new(AtlassianCloud::Government), "https://api.atlassian-us-gov-mod.com"),
            (AtlassianApi::with_base_url("http://127.0.0.1:8788/"), "http://127.0.0.1:8788"),
            (AtlassianApi::with_base_url("http://127.0.0.1:8788"), "http://127.0.0.1:8788"),
        ];
        for (api, base) in table {
            let resources = api.accessible_resources(&token);
            assert_eq!(resources.url, format!("{base}/oauth/token/accessible-resources"));
            assert_eq!(api.me(&token).url, format!("{base}/me"));
            assert_eq!(resources.method, Method::Get);
            assert_eq!(resources.body, None);
            assert_eq!(resources.header("authorization"), Some("Bearer eyJaccess"));
            assert!(!format!("{resources:?}").contains("eyJaccess"));
            assert_eq!(api.confluence_base_url("c1"), format!("{base}/ex/confluence/c1"));
        }
    }
}
