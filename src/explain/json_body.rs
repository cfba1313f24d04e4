//! An error body's JSON read by serde_json, for the native faces and the Worker. The browser's
//! face passes its own reader (the platform's `JSON.parse`) instead: serde_json's deserializer
//! with the error machinery it brings (formatting floats among it) was 43 KB of the browser
//! wasm's gzip, measured with and without it on one build.

use serde::Deserialize;

use super::incident::ErrorBody;

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
