//! `GET /me`: the Atlassian account that consented (User identity API, scope `read:me`).

use serde_json::{Map, Value};

use super::api::api_json;
use super::response::{expect_object, required_string};
use super::{ApiError, MalformedResponse};

/// The account that consented. Only `account_id` is required; the profile fields depend on the
/// user's privacy settings and the scopes granted, and a field of an unexpected type is read
/// as absent rather than failing the connection.
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
) -> Result<Me, ApiError> {
    let object = expect_object(api_json(status, content_type, retry_after, body)?).map_err(ApiError::Malformed)?;
    me(&object).map_err(ApiError::Malformed)
}

fn me(object: &Map<String, Value>) -> Result<Me, MalformedResponse> {
    let text = |field: &str| object.get(field).and_then(Value::as_str).map(str::to_string);
    Ok(Me {
        account_id: required_string(object, "account_id")?,
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
