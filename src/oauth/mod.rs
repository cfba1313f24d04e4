//! Sans-IO Atlassian OAuth 2.0 client protocol: the caller sends requests, this module builds
//! and parses them. It never touches the network, the clock or randomness: the caller passes
//! `now` (Unix seconds) and random bytes in. One file per flow:
//!
//! - [`AuthorizeRequest`]: the consent URL (`authorize.rs`).
//! - [`seal`] / [`open`]: the sealed, expiring, browser-bound `state` (`state.rs`), keyed by a
//!   [`StateKey`] (`state_key.rs`) and carrying a [`ReturnPath`] (`return_path.rs`).
//! - [`TokenClient`]: token requests for the code, refresh and client-credentials grants
//!   (`token_request.rs`), as [`HttpRequest`] values (`request.rs`); [`parse_token_response`]
//!   reads the answer (`token_response.rs`) and [`TokenError`] explains a failure
//!   (`token_error.rs`).
//! - [`AtlassianApi`]: the API gateway's requests and [`ApiError`] (`api.rs`);
//!   [`parse_accessible_resources`] (`resources.rs`) and [`parse_me`] (`me.rs`).
//! - [`ScopeDiff`]: requested against granted scopes (`scope_diff.rs`).
//!
//! Secrets (client secret, codes, tokens, the state key, the browser binding) show in no
//! `Debug` or `Display`. Every text of an answer that may be shown (error codes and
//! descriptions, API messages, site and account fields, granted scope names) is filtered by the
//! caller's [`UpstreamRedactor`](crate::redact::UpstreamRedactor) as it is parsed, and capped.
//!
//! ```
//! use threelo::oauth::*;
//!
//! let key = StateKey::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
//! let browser = BrowserBinding::from_bytes([9; 16]); // random bytes from the caller
//! let claims = StateClaims {
//!     id: StateId::from_bytes([7; 16]), // random bytes from the caller
//!     browser: browser.clone(),
//!     issued_at: 1_790_000_000,
//!     return_path: ReturnPath::new("/report").unwrap(),
//! };
//! let state = seal(&key, &claims, [3; 12]); // a random nonce from the caller
//! let opened = open(&key, &state, Some(&browser.cookie_value()), 1_790_000_060).unwrap();
//! assert_eq!(opened.return_path.as_str(), "/report");
//!
//! let client = TokenClient::new(AtlassianCloud::Commercial, ClientId::new("id"), ClientSecret::new("secret"));
//! let redirect = RedirectUrl::new("https://dev12345.service-now.com/oauth_redirect.do").unwrap();
//! let request = client.exchange_code(&AuthorizationCode::new("code"), &redirect);
//! assert_eq!(request.url, "https://auth.atlassian.com/oauth/token");
//!
//! let body = br#"{"access_token":"eyJ...","expires_in":3600,"scope":"read:me","token_type":"Bearer"}"#;
//! // What of the answer may be shown is filtered: the values this exchange sent are hidden in it.
//! let sent = ["secret", "code"];
//! let redactor = threelo::redact::UpstreamRedactor::new(&sent);
//! let tokens = parse_token_response(200, Some("application/json"), None, body, &redactor).unwrap();
//! assert_eq!(tokens.expires_at(1_790_000_000), Some(1_790_003_600));
//! ```

mod api;
mod authorize;
mod cloud;
mod me;
mod request;
mod resources;
mod response;
mod return_path;
mod scope_diff;
pub(crate) mod seen;
mod state;
mod state_key;
mod token_error;
mod token_request;
mod token_response;
mod tokens;
mod values;

pub use api::{ApiError, AtlassianApi};
pub use authorize::AuthorizeRequest;
pub(crate) use cloud::is_subdomain_of;
pub use cloud::AtlassianCloud;
pub use me::{parse_me, Me};
pub use request::{HttpRequest, Method, TokenRequest};
pub use resources::{parse_accessible_resources, Site};
pub(crate) use response::server_text;
pub use response::{MalformedResponse, MAX_SERVER_TEXT_CHARS};
pub use return_path::{ReturnPath, ReturnPathError, MAX_RETURN_PATH_LEN};
pub use scope_diff::ScopeDiff;
pub use state::{
    open, open_any, seal, BrowserBinding, OpenedState, StateClaims, StateError, StateId, BROWSER_BINDING_LEN,
    STATE_ID_LEN, STATE_LIFETIME_SECS, STATE_NONCE_LEN,
};
pub use state_key::{StateKey, StateKeyError, STATE_KEY_LEN};
pub use token_error::{OAuthError, OAuthErrorKind, TokenError};
pub use token_request::TokenClient;
pub use token_response::{parse_token_response, TokenResponse};
pub use tokens::{AccessToken, AuthorizationCode, RefreshToken};
pub use values::{is_loopback, ClientId, ClientSecret, RedirectUrl, ScopeList};
