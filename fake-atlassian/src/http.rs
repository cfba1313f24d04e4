//! Shared pieces: parameter parsing with limits, error bodies in Atlassian's shapes, HTML pages, redirects.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::log::ErrorCode;

/// Limits on what a client can send; past them the request gets a 4xx instead of being processed.
pub const MAX_PARAMS: usize = 64;
pub const MAX_PARAM_NAME: usize = 64;
pub const MAX_PARAM_VALUE: usize = 4096;
pub const MAX_QUERY: usize = 8 * 1024;
pub const MAX_BODY: usize = 16 * 1024;

/// Everything but RFC 3986's unreserved characters is escaped, so spaces become `%20` (not `+`) and a `state`
/// survives any client's query decoding.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Parameters in order of appearance, repeats kept so they can be rejected (RFC 6749 §3.1, §3.2).
#[derive(Debug, Default, Clone)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamsError {
    TooMany,
    NameTooLong,
    ValueTooLong(String),
}

impl ParamsError {
    pub fn description(&self) -> String {
        match self {
            ParamsError::TooMany => format!("Too many parameters (at most {MAX_PARAMS})"),
            ParamsError::NameTooLong => format!("Parameter name too long (at most {MAX_PARAM_NAME} characters)"),
            ParamsError::ValueTooLong(name) => {
                format!("Parameter too long: {name} (at most {MAX_PARAM_VALUE} characters)")
            }
        }
    }
}

impl Params {
    /// `application/x-www-form-urlencoded` (query strings and form bodies); bad UTF-8 becomes U+FFFD.
    pub fn parse_urlencoded(input: &[u8]) -> Result<Params, ParamsError> {
        Params::from_pairs(form_urlencoded::parse(input).map(|(k, v)| (k.into_owned(), v.into_owned())))
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Result<Params, ParamsError> {
        let mut params = Params::default();
        for (name, value) in pairs {
            if params.pairs.len() == MAX_PARAMS {
                return Err(ParamsError::TooMany);
            }
            if name.len() > MAX_PARAM_NAME {
                return Err(ParamsError::NameTooLong);
            }
            if value.len() > MAX_PARAM_VALUE {
                return Err(ParamsError::ValueTooLong(name));
            }
            params.pairs.push((name, value));
        }
        Ok(params)
    }

    /// The value of a parameter; an empty value counts as absent, as OAuth servers treat it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(n, v)| n == name && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    pub fn count(&self, name: &str) -> usize {
        self.pairs.iter().filter(|(n, _)| n == name).count()
    }

    /// The first name that appears more than once.
    pub fn repeated(&self) -> Option<&str> {
        self.pairs.iter().map(|(n, _)| n.as_str()).find(|n| self.count(n) > 1)
    }

    /// Names only, never values: what the request log records.
    pub fn names(&self) -> Vec<String> {
        loggable_names(self.pairs.iter().map(|(n, _)| n.as_str()))
    }
}

/// Parameter names fit for the log: a name that does not look like one (it could be a pasted token) is masked.
pub fn loggable_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    names
        .take(MAX_PARAMS)
        .map(|n| {
            let plain = !n.is_empty()
                && n.len() <= 32
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']'));
            if plain {
                n.to_owned()
            } else {
                "?".to_owned()
            }
        })
        .collect()
}

/// Cuts a client-supplied value for quoting in an error message.
pub fn quote_limited(value: &str) -> String {
    const LIMIT: usize = 80;
    match value.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

/// RFC 6749 §5.2 error from the token endpoint: `{"error","error_description"}`, never cached.
pub fn oauth_error(status: StatusCode, error: &'static str, description: &str) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description });
    let mut response = json_response(status, &body);
    response.extensions_mut().insert(ErrorCode(error));
    response
}

/// The API gateway's error shape: `{"code": 401, "message": "Unauthorized"}`.
pub fn api_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "code": status.as_u16(), "message": message });
    let mut response = json_response(status, &body);
    response.extensions_mut().insert(ErrorCode(status.canonical_reason().unwrap_or("error")));
    response
}

pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
    no_store(&mut response);
    response
}

/// Tokens and codes must not sit in caches (RFC 6749 §5.1).
pub fn no_store(response: &mut Response) {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A complete HTML page. `body_html` must already be escaped.
pub fn html_page(status: StatusCode, title: &str, body_html: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · fake Atlassian</title><style>{STYLE}</style></head>\
         <body><main><p class=\"brand\">fake Atlassian · local stand-in for auth.atlassian.com</p>\
         <h1>{title}</h1>\n{body_html}\n</main></body></html>\n",
        title = escape_html(title),
    );
    let mut response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
    no_store(&mut response);
    response
}

/// An error page for requests that cannot be redirected back to the client (RFC 6749 §4.1.2.1).
pub fn html_error(status: StatusCode, error: &'static str, description: &str, help_html: &str) -> Response {
    let body = format!(
        "<p class=\"error\"><code>{error}</code>: {}</p>\n{help_html}",
        escape_html(description),
        error = escape_html(error)
    );
    let mut response = html_page(status, "Something went wrong", &body);
    response.extensions_mut().insert(ErrorCode(error));
    response
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#172b4d;margin:0}\
main{max-width:36rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:6px;\
box-shadow:0 1px 3px #0003}.brand{color:#6b778c;font-size:.85rem}h1{font-size:1.4rem}\
.error{color:#ae2a19}code{background:#f4f5f7;padding:0 .2rem}label{display:block;margin:.8rem 0 .2rem;\
font-weight:600}select{width:100%;padding:.3rem}ul.scopes li{margin:.2rem 0}.buttons{margin-top:1.2rem}\
button{padding:.5rem 1.2rem;margin-right:.5rem;border-radius:3px;border:1px solid #0052cc;font-size:1rem}\
button.accept{background:#0052cc;color:#fff}button.decline{background:#fff;color:#0052cc}";

/// `base` with query parameters added, each value strictly percent-encoded.
pub fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    let mut url = base.to_owned();
    let mut separator = if base.contains('?') { '&' } else { '?' };
    for (name, value) in params {
        url.push(separator);
        url.push_str(name);
        url.push('=');
        url.extend(utf8_percent_encode(value, QUERY_VALUE));
        separator = '&';
    }
    url
}

/// `302 Found` to `location`.
pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = (StatusCode::FOUND, [(header::LOCATION, value)]).into_response();
            no_store(&mut response);
            response
        }
        // Only possible with a callback URL holding control characters, which the configuration would not load.
        Err(_) => html_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "Invalid redirect location", ""),
    }
}

/// Compares two equal-length secrets in time independent of where they differ, as a real server must.
pub fn secrets_equal(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_strictly_encoded() {
        assert_eq!(
            with_query("http://127.0.0.1:8787/callback", &[("code", "a b"), ("state", "x+y/z=&é")]),
            "http://127.0.0.1:8787/callback?code=a%20b&state=x%2By%2Fz%3D%26%C3%A9"
        );
        assert_eq!(with_query("https://h/cb?x=1", &[("code", "c")]), "https://h/cb?x=1&code=c");
    }

    #[test]
    fn params_limits_and_repeats() {
        let p = Params::parse_urlencoded(b"a=1&b=&a=2").unwrap();
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
        assert_eq!(p.repeated(), Some("a"));
        let long = format!("x={}", "v".repeat(MAX_PARAM_VALUE + 1));
        assert_eq!(Params::parse_urlencoded(long.as_bytes()).unwrap_err(), ParamsError::ValueTooLong("x".into()));
        let many = vec!["k=v"; MAX_PARAMS + 1].join("&");
        assert_eq!(Params::parse_urlencoded(many.as_bytes()).unwrap_err(), ParamsError::TooMany);
    }

    #[test]
    fn log_names_mask_token_like_names() {
        let names = loggable_names(["client_id", "ATOAFakeSecretForLocalTestsOnly-NotARealAtlassian", ""].into_iter());
        assert_eq!(names, ["client_id", "?", "?"]);
    }

    #[test]
    fn secret_comparison() {
        assert!(secrets_equal("abc", "abc"));
        assert!(!secrets_equal("abd", "abc"));
        assert!(!secrets_equal("ab", "abc"));
    }

    #[test]
    fn quoting_is_bounded() {
        assert_eq!(quote_limited("short"), "short");
        assert_eq!(quote_limited(&"é".repeat(100)).chars().count(), 81);
    }
}
