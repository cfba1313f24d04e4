//! `GET /me`: the Atlassian account that consented (User identity API, scope `read:me`).

use serde_json::{Map, Value};

use super::api::api_json;
use super::resources::is_uuid;
use super::response::{expect_object, required_string};
use super::{ApiError, MalformedResponse};
use crate::redact::UpstreamRedactor;

/// The account that consented. Only `account_id` is required; the profile fields depend on the
/// user's privacy settings and the scopes granted, and a field of an unexpected type is read
/// as absent rather than failing the connection. Every text is filtered by the [`UpstreamRedactor`] it
/// was read with; the account ID is kept whole when it has an account ID's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Me {
    pub account_id: String,
    pub account_type: Option<String>,
    pub account_status: Option<String>,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub picture: Option<String>,
    pub locale: Option<String>,
    pub zoneinfo: Option<String>,
}

/// Reads the `/me` answer. A 401 "scope does not match" here means `read:me` was not granted.
pub fn parse_me(
    status: u16,
    content_type: Option<&str>,
    retry_after: Option<&str>,
    body: &[u8],
    redactor: &UpstreamRedactor,
) -> Result<Me, ApiError> {
    let answer = api_json(status, content_type, retry_after, body, redactor)?;
    let object = expect_object(answer).map_err(ApiError::Malformed)?;
    me(&object, redactor).map_err(ApiError::Malformed)
}

fn me(object: &Map<String, Value>, redactor: &UpstreamRedactor) -> Result<Me, MalformedResponse> {
    let text = |field: &str| object.get(field).and_then(Value::as_str).map(|text| redactor.redact(text).into_owned());
    let account_id = required_string(object, "account_id")?;
    Ok(Me {
        account_id: redactor.redact_identifier(&account_id, is_account_id(&account_id)).into_owned(),
        account_type: text("account_type"),
        account_status: text("account_status"),
        name: text("name"),
        nickname: text("nickname"),
        email: text("email"),
        email_verified: object.get("email_verified").and_then(Value::as_bool),
        picture: text("picture"),
        locale: text("locale"),
        zoneinfo: text("zoneinfo"),
    })
}

/// Atlassian's account IDs: 24 hexadecimal digits (`5b10ac8d82e05b22cc7d4ef5`), or parts joined
/// by `:` that are UUIDs or short words (`557058:f58131cb-b67d-43c7-b30d-6b58d40bd077`,
/// `qm:…`). Such an ID is shown whole; anything else is filtered like any text.
fn is_account_id(text: &str) -> bool {
    let short_word = |part: &str| (1..=24).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric());
    text.split(':').all(|part| is_uuid(part) || short_word(part))
}
