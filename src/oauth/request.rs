//! An HTTP request as a plain value, for the caller to send. Its `Debug` hides the secrets it
//! carries, so a request can be logged whole.

use std::fmt;

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A request for the caller to send. Send it **without following redirects** (a Worker:
/// `redirect: "manual"`): a redirect would carry the secret or token elsewhere. The parsers
/// treat status 0 and 3xx as failures.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

/// A request to Atlassian's token endpoint.
pub type TokenRequest = HttpRequest;

/// A JSON body, and a JSON answer wanted (an HTML error page is then the server's choice, not
/// content negotiation's).
pub(crate) const JSON_REQUEST_HEADERS: &[(&str, &str)] =
    &[("Content-Type", "application/json"), ("Accept", "application/json")];

/// Body fields whose values are credentials.
const SECRET_FIELDS: &[&str] = &["client_secret", "code", "refresh_token", "access_token", "client_assertion"];

impl HttpRequest {
    /// The first header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, String)> =
            self.headers.iter().map(|(name, value)| (*name, redacted_header(name, value))).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body.as_deref().map(redacted_body))
            .finish()
    }
}

fn redacted_header(name: &str, value: &str) -> String {
    if name.eq_ignore_ascii_case("authorization") {
        let scheme = value.split(' ').next().unwrap_or("");
        format!("{scheme} <hidden>")
    } else {
        value.to_string()
    }
}

/// The body with every credential replaced; a body that is not a JSON object is hidden whole,
/// since its secrets cannot be told apart.
fn redacted_body(body: &str) -> String {
    let Ok(Value::Object(mut object)) = serde_json::from_str::<Value>(body) else {
        return format!("<{} bytes hidden>", body.len());
    };
    for (key, value) in object.iter_mut() {
        if SECRET_FIELDS.contains(&key.as_str()) {
            *value = Value::String("<hidden>".into());
        }
    }
    Value::Object(object).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_bearer_tokens_and_body_secrets() {
        let request = HttpRequest {
            method: Method::Post,
            url: "https://auth.atlassian.com/oauth/token".into(),
            headers: vec![("Authorization", "Bearer eyJtoken".into()), ("Accept", "application/json".into())],
            body: Some(r#"{"client_secret":"ATOAsecret","code":"eyJcode","client_id":"id1"}"#.into()),
        };
        let shown = format!("{request:?}");
        for secret in ["eyJtoken", "ATOAsecret", "eyJcode"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("Bearer <hidden>") && shown.contains("id1") && shown.contains("application/json"));

        let form = HttpRequest { body: Some("client_secret=ATOAsecret".into()), ..request };
        assert!(format!("{form:?}").contains("<24 bytes hidden>"));
    }
}
