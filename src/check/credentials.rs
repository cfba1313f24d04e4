//! `client-id/*` and `client-secret/*`: the app's credentials, as copied from the console.

use super::findings::{Findings, Hit};
use super::text::{describe_whitespace, trimmed, whitespace_span, without_whitespace};
use super::Rule;
use crate::diagnostic::Field;
use crate::redact::{looks_like_secret, redacted_secret, SECRET_PREFIX};
use crate::setup::Setup;

const APP_ARI_PREFIX: &str = "ari:cloud:ecosystem::app/";

/// Checks the client ID; returns it when it is usable for building URLs.
pub(super) fn check_client_id<'a>(setup: &'a Setup, out: &mut Findings) -> Option<&'a str> {
    let raw = setup.client_id.as_deref().unwrap_or("");
    let id = trimmed(raw);
    if id.text.is_empty() {
        out.push(Hit::new(
            Rule::ClientIdMissing,
            "no client ID",
            "copy it from the Atlassian developer console: your app → Settings → Client ID",
        ));
        return None;
    }
    if let Some(span) = whitespace_span(raw) {
        out.push(
            Hit::new(
                Rule::ClientIdWhitespace,
                format!("the client ID has {}", describe_whitespace(raw)),
                "remove the whitespace: a client ID is one unbroken word",
            )
            .at(span)
            .fix(without_whitespace(raw)),
        );
    }
    let span = id.offset..id.offset + id.text.len();
    if id.text.starts_with(APP_ARI_PREFIX) {
        out.push(
            Hit::new(
                Rule::ClientIdAppAri,
                format!("{} is the app's ARI, not its client ID", out.quote(id.text)),
                "copy the Client ID from the app's Settings page in the developer console",
            )
            .at(span),
        );
        return None;
    }
    if looks_like_secret(id.text) {
        out.push(
            Hit::new(
                Rule::ClientIdIsSecret,
                format!("the client ID {} looks like a client secret", redacted_secret(id.text)),
                "swap the values: the Client ID is the 32-character value above the Secret on the app's Settings page",
            )
            .at(span),
        );
        return None;
    }
    // Inner whitespace has its own finding; the shape is that of the ID without it.
    if !looks_like_client_id(&without_whitespace(id.text)) {
        let shown = out.quote(id.text);
        out.push(
            Hit::new(
                Rule::ClientIdShape,
                format!(
                    "the client ID {shown} is {} long; Atlassian client IDs are 32 letters and digits",
                    match id.text.chars().count() {
                        1 => "1 character".to_string(),
                        n => format!("{n} characters"),
                    }
                ),
                "check that the whole value was copied, and nothing else",
            )
            .at(span),
        );
    }
    Some(id.text)
}

pub(super) fn check_client_secret(setup: &Setup, client_id: Option<&str>, out: &mut Findings) {
    let raw = setup.client_secret.as_deref().unwrap_or("");
    let secret = trimmed(raw);
    if secret.text.is_empty() {
        return;
    }
    if let Some(span) = whitespace_span(raw) {
        out.push(
            Hit::new(
                Rule::ClientSecretWhitespace,
                format!("the client secret {} has {}", redacted_secret(secret.text), describe_whitespace(raw)),
                "remove the whitespace; when storing it with `wrangler secret put`, paste it without a newline",
            )
            .at(span)
            .fix(without_whitespace(raw)),
        );
    }
    let span = secret.offset..secret.offset + secret.text.len();
    let same_as_id = client_id.is_some_and(|id| id == secret.text);
    if same_as_id || (looks_like_client_id(secret.text) && !secret.text.starts_with(SECRET_PREFIX)) {
        let message = if same_as_id {
            "the client secret is the client ID".to_string()
        } else {
            format!("the client secret {} has the shape of a client ID", redacted_secret(secret.text))
        };
        out.push(
            Hit::new(
                Rule::ClientSecretIsClientId,
                message,
                "copy the Secret (not the Client ID) from the app's Settings page in the developer console",
            )
            .at(span),
        );
        return;
    }
    if !has_current_secret_shape(secret.text) {
        out.push(
            Hit::new(
                Rule::ClientSecretShape,
                format!(
                    "the client secret {} is not `ATOA` followed by 72 characters ending in 8 uppercase hex digits",
                    redacted_secret(secret.text)
                ),
                "check that the whole secret was copied; an older secret without `ATOA` may still work, or rotate it \
                 in the console to get one of the current form",
            )
            .at(span)
            .on(Field::ClientSecret),
        );
    }
}

fn looks_like_client_id(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `ATOA` + 72 characters of `[A-Za-z0-9_-]`, the last 8 uppercase hex.
fn has_current_secret_shape(text: &str) -> bool {
    let Some(body) = text.strip_prefix(SECRET_PREFIX) else {
        return false;
    };
    body.len() == 72
        && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && body[64..].bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}
