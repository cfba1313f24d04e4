//! Bodies read natively, for the CLI and the Worker: error bodies by serde_json, token responses
//! by the token exchange's own parser. The browser's face passes its own reader (the platform's
//! `JSON.parse`) instead: serde_json's deserializer with the error machinery it brings
//! (formatting floats among it) was 43 KB of the browser wasm's gzip, and the token parser 13 KB
//! more, measured with and without them on one build.

use serde::Deserialize;

use super::incident::{ErrorBody, ReadBodies};
use crate::oauth::{parse_token_response, TokenError};
use crate::redact::UpstreamRedactor;

/// Both shapes, read by one derive: anything else in the body is ignored.
#[derive(Deserialize)]
struct Raw {
    error: Option<String>,
    error_description: Option<String>,
    code: Option<Code>,
    #[serde(rename = "statusCode")]
    status_code: Option<Code>,
    message: Option<String>,
    #[serde(default)]
    errors: Vec<V2Error>,
}

/// `code` is a number in v1's bodies and a word (`"NOT_FOUND"`) in some others.
#[derive(Deserialize)]
#[serde(untagged)]
enum Code {
    Number(u16),
    Word(#[allow(dead_code)] String),
}

#[derive(Deserialize)]
struct V2Error {
    title: Option<String>,
    detail: Option<String>,
}

/// `text` as an error body; `None` when it is not JSON, or not an object.
pub fn read_error_body(text: &str) -> Option<ErrorBody> {
    let raw: Raw = serde_json::from_str(text).ok()?;
    let number = |code: Option<Code>| match code {
        Some(Code::Number(status)) => Some(status),
        _ => None,
    };
    Some(ErrorBody {
        error: raw.error,
        error_description: raw.error_description,
        status: number(raw.code).or(number(raw.status_code)),
        message: raw.message.or_else(|| raw.errors.into_iter().find_map(|e| e.title.or(e.detail))),
    })
}

/// The native readers: [`read_error_body`], and the token exchange's parser.
pub struct NativeBodies;

impl ReadBodies for NativeBodies {
    fn error_body(&self, text: &str) -> Option<ErrorBody> {
        read_error_body(text)
    }

    fn is_token_response(&self, status: u16, content_type: Option<&str>, body: &str) -> bool {
        // No content type given (a pasted answer): read it as the JSON a token response is.
        let content_type = content_type.or(Some("application/json"));
        let parsed = parse_token_response(status, content_type, None, body.as_bytes(), &UpstreamRedactor::new(&[]));
        !matches!(parsed, Err(TokenError::Malformed(_)))
    }
}
