//! What every Atlassian response shares before its own fields are read: a redirect that must not
//! be followed, a rate limit, a server failure, a body that is not the JSON promised, and server
//! text that has to be made safe to show.

use std::fmt;

use serde_json::{Map, Value};

use crate::redact::UpstreamRedactor;

/// How a non-2xx status reads before its body is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusClass {
    Success,
    /// Status 0 (a Worker's opaque redirect under `redirect: "manual"`) or 3xx. Following it
    /// would send a secret or a token to wherever the `Location` points.
    Redirect,
    RateLimited {
        retry_after: Option<u64>,
    },
    /// 4xx and 5xx: the body may still explain.
    Failure,
    /// 1xx, or a number outside HTTP's range: no server speaks like that.
    Unexpected,
}

pub(crate) fn classify_status(status: u16, retry_after: Option<&str>) -> StatusClass {
    match status {
        200..=299 => StatusClass::Success,
        0 | 300..=399 => StatusClass::Redirect,
        429 => StatusClass::RateLimited { retry_after: retry_after.and_then(retry_after_seconds) },
        400..=599 => StatusClass::Failure,
        _ => StatusClass::Unexpected,
    }
}

/// `Retry-After` as delta-seconds. The HTTP-date form gives `None`: turning it into seconds
/// needs a clock, and the caller, who has one, also has the header.
pub(crate) fn retry_after_seconds(value: &str) -> Option<u64> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// What was wrong with a body that should have been Atlassian's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedResponse {
    /// No body at all.
    Empty,
    /// An HTML page: a login or consent page, a proxy's error page, or the wrong URL.
    Html,
    /// JSON that stops part-way.
    Truncated,
    /// Not JSON.
    NotJson,
    /// JSON, but not an object.
    NotAnObject,
    /// JSON, but not an array.
    NotAnArray,
    /// A required field is absent (or `null`).
    MissingField(&'static str),
    /// A field holds the wrong JSON type.
    WrongType(&'static str),
    /// A field has the right type but a value that cannot be meant (an empty token, a negative
    /// lifetime).
    InvalidValue(&'static str),
}

impl fmt::Display for MalformedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MalformedResponse::Empty => f.write_str("the body is empty"),
            MalformedResponse::Html => f.write_str("the body is an HTML page, not JSON"),
            MalformedResponse::Truncated => f.write_str("the JSON body ends part-way (truncated)"),
            MalformedResponse::NotJson => f.write_str("the body is not JSON"),
            MalformedResponse::NotAnObject => f.write_str("the JSON body is not an object"),
            MalformedResponse::NotAnArray => f.write_str("the JSON body is not an array"),
            MalformedResponse::MissingField(field) => write!(f, "the JSON body has no {field} field"),
            MalformedResponse::WrongType(field) => write!(f, "the field {field} has the wrong JSON type"),
            MalformedResponse::InvalidValue(field) => write!(f, "the field {field} has an unusable value"),
        }
    }
}

impl std::error::Error for MalformedResponse {}

/// The body as JSON, or what was wrong with it.
pub(crate) fn parse_json(content_type: Option<&str>, body: &[u8]) -> Result<Value, MalformedResponse> {
    let text = body.trim_ascii();
    if text.is_empty() {
        return Err(MalformedResponse::Empty);
    }
    // The first byte decides before the content type does: proxies and error pages often label
    // HTML as JSON, and the odd JSON answer comes labelled text/plain.
    if text[0] == b'<' {
        return Err(MalformedResponse::Html);
    }
    serde_json::from_slice(text).map_err(|error| {
        if content_type.is_some_and(is_html) {
            MalformedResponse::Html
        } else if error.is_eof() {
            MalformedResponse::Truncated
        } else {
            MalformedResponse::NotJson
        }
    })
}

fn is_html(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("text/html") || essence.eq_ignore_ascii_case("application/xhtml+xml")
}

pub(crate) fn expect_object(value: Value) -> Result<Map<String, Value>, MalformedResponse> {
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(MalformedResponse::NotAnObject),
    }
}

/// A required, non-empty string field.
pub(crate) fn required_string(object: &Map<String, Value>, field: &'static str) -> Result<String, MalformedResponse> {
    match optional_string(object, field)? {
        Some(text) if text.is_empty() => Err(MalformedResponse::InvalidValue(field)),
        Some(text) => Ok(text),
        None => Err(MalformedResponse::MissingField(field)),
    }
}

/// A string field that may be absent or `null`; any other type is an error.
pub(crate) fn optional_string(
    object: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, MalformedResponse> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(MalformedResponse::WrongType(field)),
    }
}

/// Most characters of server text kept. Atlassian's descriptions are one short sentence; more
/// is a proxy's page or someone filling a log.
pub const MAX_SERVER_TEXT_CHARS: usize = 200;

/// Server-supplied text made safe to show: what `redactor` hides is hidden (before anything
/// is cut, so no cut can leave a piece of a secret short enough to show), control characters
/// become spaces, and the length is capped. The caller still escapes it for HTML.
pub(crate) fn server_text(text: &str, redactor: &UpstreamRedactor) -> String {
    let text = redactor.redact(text);
    let mut shown = String::new();
    let mut chars = 0;
    // Runs of whitespace collapse to one space, so a description cannot pad itself out.
    let words = text.split(|c: char| c.is_whitespace() || c.is_control()).filter(|word| !word.is_empty());
    for word in words {
        let separator = if shown.is_empty() { "" } else { " " };
        for c in separator.chars().chain(word.chars()) {
            if chars == MAX_SERVER_TEXT_CHARS {
                shown.truncate(shown.trim_end().len());
                shown.push('…');
                return shown;
            }
            shown.push(c);
            chars += 1;
        }
    }
    shown
}

/// The `message` of an API error body (`{"code":401,"message":"…"}`), made safe to show.
pub(crate) fn api_message(body: &[u8], redactor: &UpstreamRedactor) -> Option<String> {
    let value: Value = serde_json::from_slice(body.trim_ascii()).ok()?;
    let message = value.get("message")?.as_str()?;
    let shown = server_text(message, redactor);
    (!shown.is_empty()).then_some(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_classify() {
        let table: &[(u16, Option<&str>, StatusClass)] = &[
            (200, None, StatusClass::Success),
            (204, None, StatusClass::Success),
            (0, None, StatusClass::Redirect),
            (302, None, StatusClass::Redirect),
            (307, None, StatusClass::Redirect),
            (429, Some("30"), StatusClass::RateLimited { retry_after: Some(30) }),
            (429, Some(" 7 "), StatusClass::RateLimited { retry_after: Some(7) }),
            (429, Some("Wed, 21 Oct 2026 07:28:00 GMT"), StatusClass::RateLimited { retry_after: None }),
            (429, Some("-1"), StatusClass::RateLimited { retry_after: None }),
            (429, Some("99999999999999999999999"), StatusClass::RateLimited { retry_after: None }),
            (429, None, StatusClass::RateLimited { retry_after: None }),
            (400, None, StatusClass::Failure),
            (503, None, StatusClass::Failure),
            (101, None, StatusClass::Unexpected),
            (600, None, StatusClass::Unexpected),
        ];
        for (status, retry_after, expected) in table {
            assert_eq!(classify_status(*status, *retry_after), *expected, "status {status}");
        }
    }

    #[test]
    fn bodies_that_are_not_json_say_why() {
        let table: &[(Option<&str>, &[u8], MalformedResponse)] = &[
            (None, b"", MalformedResponse::Empty),
            (Some("application/json"), b"  \n", MalformedResponse::Empty),
            (Some("text/html"), b"<!DOCTYPE html><html>Log in</html>", MalformedResponse::Html),
            (Some("application/json"), b"\n<html>", MalformedResponse::Html),
            (Some("text/html; charset=utf-8"), b"Service Unavailable", MalformedResponse::Html),
            (Some("application/json"), br#"{"access_token":"ey"#, MalformedResponse::Truncated),
            (None, b"{", MalformedResponse::Truncated),
            (Some("text/plain"), b"upstream connect error", MalformedResponse::NotJson),
            (None, br#"{"a":1}}"#, MalformedResponse::NotJson),
        ];
        for (content_type, body, expected) in table {
            assert_eq!(parse_json(*content_type, body), Err(*expected), "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn server_text_is_capped_cleaned_and_hides_tokens() {
        let table: &[(&str, &str)] = &[
            ("Unknown or invalid refresh token.", "Unknown or invalid refresh token."),
            ("a\r\nb\tc\u{0}d", "a b c d"),
            ("  spaced    out  ", "spaced out"),
            (
                "redirect_uri is not registered for client: Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
                "redirect_uri is not registered for client: Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
            ),
            (
                "bad code eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.sig",
                "bad code eyJhbGciOiJIUzI1NiJ9.eyJz… (46 characters).sig",
            ),
        ];
        let upstream = UpstreamRedactor::new(&[]);
        for (text, expected) in table {
            assert_eq!(server_text(text, &upstream), *expected);
        }
        // Hidden before the cap: a secret at the very end shows no piece of itself.
        let secret = format!("ATOA{}", "x".repeat(72));
        let long = format!("{} {secret}", "w".repeat(190));
        let shown = server_text(&long, &upstream);
        assert!(!shown.contains("xxxxxxxx"), "{shown}");

        let huge = server_text(&"word ".repeat(10_000), &upstream);
        assert!(huge.chars().count() <= MAX_SERVER_TEXT_CHARS + 1);
        assert!(huge.ends_with('…'));
    }
}
