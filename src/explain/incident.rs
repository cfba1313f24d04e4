//! What a user saw, as given ([`Incident`]), and what can be read from it ([`Evidence`]): the
//! status, the body in either of Atlassian's JSON shapes, an HTML page's words, the error of a
//! callback address, and where the request went. Reading never fails: what cannot be read is
//! simply not evidence.

use std::collections::BTreeMap;

use serde::Deserialize;
use url::Url;

use crate::catalog::Method;

/// What the user saw: an HTTP answer (status, headers, body) with the request it answered, or
/// any text (a page's message, ServiceNow's error, the address the browser landed on), or both.
/// Every field is optional; keys are the same in JSON and the JS API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub status: Option<u16>,
    /// Response headers; names in any case.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
    /// The request's method, for an API call.
    pub method: Option<String>,
    /// The request's URL.
    pub url: Option<String>,
    /// Anything else the user saw.
    pub text: Option<String>,
}

/// Longest text read: an error page or body longer than this is read from its start only, so
/// a pasted megabyte costs no more than a page.
const MAX_READ_BYTES: usize = 64 * 1024;

/// The body of an OAuth error (RFC 6749): `{"error", "error_description"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct OAuthBody {
    pub error: String,
    pub description: String,
}

/// The body of an API error: `{"code": 401, "message": "…"}`, or v2's `{"errors": [{…}]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ApiBody {
    pub message: String,
}

/// Where the request went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Endpoint {
    /// `auth.atlassian.com/oauth/token` (or the Government Cloud's).
    Token,
    /// `auth.atlassian.com/authorize`.
    Authorize,
    /// `api.atlassian.com`: `path` after the `/ex/confluence/{cloudId}` prefix when it has one.
    Gateway { path: String },
    /// `<site>.atlassian.net`.
    Site { path: String },
    /// Any other host.
    Other { host: String },
}

impl Endpoint {
    /// How the diagnosis names it.
    pub fn describe(&self) -> String {
        match self {
            Endpoint::Token => "Atlassian's token endpoint".into(),
            Endpoint::Authorize => "Atlassian's consent page".into(),
            Endpoint::Gateway { .. } => "Atlassian's API gateway (api.atlassian.com)".into(),
            Endpoint::Site { .. } => "an Atlassian site URL (*.atlassian.net)".into(),
            Endpoint::Other { host } => format!("{host}, which is not an Atlassian host"),
        }
    }

    pub fn host(&self) -> Option<&'static str> {
        match self {
            Endpoint::Token | Endpoint::Authorize => Some("auth.atlassian.com"),
            Endpoint::Gateway { .. } => Some("api.atlassian.com"),
            Endpoint::Site { .. } | Endpoint::Other { .. } => None,
        }
    }
}

/// The request an answer was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Request {
    pub method: Option<Method>,
    pub endpoint: Endpoint,
    /// The URL ended in `/?`: Atlassian answers such a call "scope does not match".
    pub ends_in_slash_query: bool,
    /// The URL as typed, for matching it to an operation; never shown.
    pub url: String,
    /// The method and URL name an operation of the catalog (GET when no method was given).
    pub names_operation: bool,
}

/// Everything an incident tells.
#[derive(Debug, Clone, Default)]
pub(super) struct Evidence {
    pub status: Option<u16>,
    pub retry_after: Option<u64>,
    pub oauth: Option<OAuthBody>,
    pub api: Option<ApiBody>,
    /// The body (or the text) is an HTML page.
    pub html: bool,
    /// The body looks like JSON but does not parse: cut off, or not JSON after all.
    pub broken_json: bool,
    /// A callback address carrying `error=…`: the browser landed there.
    pub landed: Option<OAuthBody>,
    pub request: Option<Request>,
    /// Every readable word, lower case, whitespace collapsed: what phrases are looked for in.
    pub words: String,
    /// A 2xx from the token endpoint that is not a token response.
    pub malformed_token_response: bool,
}

impl Evidence {
    pub fn read(incident: &Incident, bodies: &dyn ReadBodies) -> Evidence {
        let mut evidence = Evidence {
            status: incident.status,
            retry_after: header(incident, "retry-after").and_then(|value| value.trim().parse().ok()),
            ..Evidence::default()
        };
        let mut words = String::new();
        if let Some(body) = incident.body.as_deref().map(capped) {
            evidence.read_body(body, bodies, &mut words);
        }
        if let Some(text) = incident.text.as_deref().map(capped) {
            evidence.read_text(text, bodies, &mut words);
        }
        if let Some(url) = incident.url.as_deref().map(capped) {
            // An address carrying `error=` with no answer beside it is where the browser landed,
            // not a request that was answered.
            let found = landed(url.trim());
            let answered = incident.status.is_some() || incident.body.is_some();
            if found.is_none() || answered {
                let method = incident.method.as_deref().and_then(Method::parse);
                evidence.request = request(method, url.trim());
            }
            if let Some(found) = found.filter(|_| evidence.landed.is_none()) {
                evidence.take_landed(found, &mut words);
            }
        }
        evidence.words = collapsed(&words);
        evidence.malformed_token_response = is_malformed_token_response(incident, &evidence, bodies);
        evidence
    }

    fn read_body(&mut self, body: &str, bodies: &dyn ReadBodies, words: &mut String) {
        let trimmed = body.trim();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            match bodies.error_body(trimmed) {
                Some(parsed) => self.take_json(parsed, words),
                None => self.broken_json = true,
            }
        } else if looks_like_html(trimmed) {
            self.html = true;
            push_words(words, &html_words(trimmed));
        } else {
            push_words(words, trimmed);
        }
    }

    /// Text the user saw: a JSON body pasted as text, an HTML page, an address, or words.
    fn read_text(&mut self, text: &str, bodies: &dyn ReadBodies, words: &mut String) {
        let trimmed = text.trim();
        if trimmed.starts_with('{') {
            if let Some(parsed) = bodies.error_body(trimmed) {
                self.take_json(parsed, words);
                return;
            }
        }
        if looks_like_html(trimmed) {
            self.html = true;
            push_words(words, &html_words(trimmed));
            return;
        }
        if let Some(found) = trimmed.split_whitespace().find_map(landed) {
            self.take_landed(found, words);
        }
        // ServiceNow and most clients print Atlassian's error as words around its JSON or codes.
        if let Some(json) = embedded_json(trimmed, bodies) {
            self.take_json(json, words);
        }
        push_words(words, trimmed);
    }

    /// An address's `error` and `error_description`, decoded, are words like a body's.
    fn take_landed(&mut self, found: OAuthBody, words: &mut String) {
        push_words(words, &found.error);
        push_words(words, &found.description);
        self.landed = Some(found);
    }

    fn take_json(&mut self, body: ErrorBody, words: &mut String) {
        if let Some(error) = body.error.filter(|e| !e.trim().is_empty()) {
            let description = body.error_description.unwrap_or_default();
            push_words(words, &error);
            push_words(words, &description);
            self.oauth = Some(OAuthBody { error: error.trim().to_string(), description });
        }
        if let Some(message) = body.message {
            push_words(words, &message);
            self.api = Some(ApiBody { message });
        }
        if let Some(status) = body.status.filter(|status| (100..600).contains(status)) {
            self.status.get_or_insert(status);
        }
    }

    /// Whether `phrase` (lower case) is among the words read.
    pub fn says(&self, phrase: &str) -> bool {
        self.words.contains(phrase)
    }

    /// Whether the OAuth error code (or, from text alone, the code as a word) is `code`.
    pub fn oauth_error_is(&self, code: &str) -> bool {
        match (&self.oauth, &self.landed) {
            (Some(body), _) | (None, Some(body)) => body.error.eq_ignore_ascii_case(code),
            (None, None) => self.words.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).any(|w| w == code),
        }
    }

    pub fn endpoint(&self) -> Option<&Endpoint> {
        self.request.as_ref().map(|request| &request.endpoint)
    }
}

/// What an error body in JSON says, in either of Atlassian's shapes: `{"error",
/// "error_description"}` from the token endpoint, `{"code"|"statusCode", "message"}` or v2's
/// `{"errors": [{"title", "detail"}]}` from the APIs (the first error's title, else its detail,
/// is the `message`). Read by the caller's JSON parser ([`super::explain_with`]): serde_json
/// natively, the browser's own `JSON.parse` in the web face.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// `code` or `statusCode`, when it is an HTTP status.
    pub status: Option<u16>,
    pub message: Option<String>,
}

/// How an answer's body is parsed: by serde_json and the token exchange's own parser natively
/// ([`super::NativeBodies`]), by the browser's `JSON.parse` in the web face.
pub trait ReadBodies {
    /// `text` as an error body; `None` when it is not a JSON value at all.
    fn error_body(&self, text: &str) -> Option<ErrorBody>;
    /// Whether a 2xx answer of the token endpoint is a token response.
    fn is_token_response(&self, status: u16, content_type: Option<&str>, body: &str) -> bool;
}

fn header<'a>(incident: &'a Incident, name: &str) -> Option<&'a str> {
    incident.headers.iter().find(|(key, _)| key.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The start of `text`, at most [`MAX_READ_BYTES`], cut at a character boundary.
fn capped(text: &str) -> &str {
    if text.len() <= MAX_READ_BYTES {
        return text;
    }
    let mut end = MAX_READ_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn looks_like_html(text: &str) -> bool {
    let start: String = text.chars().take(256).collect::<String>().to_ascii_lowercase();
    start.starts_with("<!doctype html")
        || start.starts_with("<html")
        || start.contains("<body")
        || start.contains("<head")
}

/// An HTML page's words: tags, scripts and styles left out, the common entities decoded. Only
/// for looking phrases up: none of it is shown.
fn html_words(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let after = &rest[open..];
        let skip_to = if starts_with_ignore_case(after, "<script") {
            "</script>"
        } else if starts_with_ignore_case(after, "<style") {
            "</style>"
        } else {
            ">"
        };
        rest = match find_ignore_case(after, skip_to) {
            Some(end) => &after[end + skip_to.len()..],
            None => "",
        };
    }
    out.push_str(rest);
    for (entity, text) in [
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&quot;", "\""),
        ("&apos;", "'"),
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&amp;", "&"),
    ] {
        if out.contains(entity) {
            out = out.replace(entity, text);
        }
    }
    out
}

fn is_malformed_token_response(incident: &Incident, evidence: &Evidence, bodies: &dyn ReadBodies) -> bool {
    let (Some(status @ 200..=299), Some(Endpoint::Token)) = (incident.status, evidence.endpoint()) else {
        return false;
    };
    let body = capped(incident.body.as_deref().unwrap_or_default());
    !bodies.is_token_response(status, header(incident, "content-type"), body)
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes().get(..prefix.len()).is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Where ASCII `needle` first stands in `text`, in any case.
fn find_ignore_case(text: &str, needle: &str) -> Option<usize> {
    text.as_bytes().windows(needle.len()).position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A JSON object inside text (`… Error: {"error":"invalid_grant",…}`), when one parses.
fn embedded_json(text: &str, bodies: &dyn ReadBodies) -> Option<ErrorBody> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    (end > start).then(|| bodies.error_body(&text[start..=end])).flatten()
}

fn push_words(words: &mut String, text: &str) {
    if !words.is_empty() {
        words.push(' ');
    }
    words.push_str(text);
}

/// ASCII lower case, curly quotes straight, whitespace collapsed: phrases match however they were
/// wrapped or quoted.
fn collapsed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            // ASCII case only: Atlassian's words are English, and Unicode's case tables would
            // add 14 KB to the browser's wasm.
            out.push(match c {
                '\u{2018}' | '\u{2019}' => '\'',
                '\u{201c}' | '\u{201d}' => '"',
                c => c.to_ascii_lowercase(),
            });
        }
    }
    out
}

/// The `error` of an address the browser landed on (`…/callback?error=access_denied&…`).
fn landed(text: &str) -> Option<OAuthBody> {
    let query = &text[text.find('?')? + 1..];
    let query = query.split('#').next().unwrap_or_default();
    let mut found = None;
    let mut description = String::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "error" if !value.trim().is_empty() => found = Some(value.trim().to_string()),
            "error_description" => description = value.into_owned(),
            _ => {}
        }
    }
    found.map(|error| OAuthBody { error, description })
}

fn request(method: Option<Method>, url: &str) -> Option<Request> {
    let parsed = Url::parse(url).ok()?;
    let host = parsed.host_str()?.to_ascii_lowercase();
    let path = parsed.path().to_string();
    let endpoint = if host.starts_with("auth.atlassian") {
        if path.starts_with("/oauth/token") {
            Endpoint::Token
        } else {
            Endpoint::Authorize
        }
    } else if host.starts_with("api.atlassian") {
        Endpoint::Gateway { path: gateway_path(&path) }
    } else if host.ends_with(".atlassian.net") || host.ends_with(".jira.com") {
        Endpoint::Site { path }
    } else {
        Endpoint::Other { host }
    };
    // `…/?` leaves an empty query and a path ending in a slash; `url` keeps both.
    let ends_in_slash_query = url.ends_with("/?") || (parsed.query() == Some("") && parsed.path().ends_with('/'));
    let names_operation = crate::uses::match_call(method.unwrap_or(Method::Get), url).is_ok();
    Some(Request { method, endpoint, ends_in_slash_query, url: url.to_string(), names_operation })
}

/// The path after `/ex/confluence/{cloudId}`, or the whole path.
fn gateway_path(path: &str) -> String {
    let mut segments = path.trim_start_matches('/').splitn(4, '/');
    match (segments.next(), segments.next(), segments.next(), segments.next()) {
        (Some("ex"), Some(_product), Some(_cloud), rest) => format!("/{}", rest.unwrap_or_default()),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(incident: &Incident) -> Evidence {
        Evidence::read(incident, &crate::explain::NativeBodies)
    }

    #[test]
    fn reads_both_json_shapes_and_v2_errors() {
        let oauth = read(&Incident {
            status: Some(403),
            body: Some(r#"{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}"#.into()),
            ..Incident::default()
        });
        assert_eq!(oauth.oauth.as_ref().map(|b| b.error.as_str()), Some("invalid_grant"));
        assert!(oauth.says("unknown or invalid refresh token"));

        let api = read(&Incident {
            body: Some(r#"{"code":401,"message":"Unauthorized; scope does not match"}"#.into()),
            ..Incident::default()
        });
        assert_eq!(api.status, Some(401));
        assert!(api.says("scope does not match"));

        let v2 = read(&Incident {
            body: Some(r#"{"errors":[{"status":404,"code":"NOT_FOUND","title":"Not Found","detail":null}]}"#.into()),
            ..Incident::default()
        });
        assert_eq!(v2.api.map(|b| b.message), Some("Not Found".into()));
    }

    #[test]
    fn reads_html_without_its_markup() {
        let page = read(&Incident {
            body: Some("<!DOCTYPE html><html><head><style>p{}</style><script>var a='scope does not match'</script></head>\
                        <body><p>Something went wrong: the app requested scopes that have not been added to the app&#39;s \
                        configuration</p></body></html>".into()),
            ..Incident::default()
        });
        assert!(page.html);
        assert!(page.says("requested scopes that have not been added"));
        assert!(!page.says("scope does not match"), "scripts are not words on the page");
    }

    #[test]
    fn reads_a_landed_address_and_where_a_request_went() {
        let landed = read(&Incident {
            text: Some("https://dev1.service-now.com/oauth_redirect.do?error=access_denied&error_description=User%20did%20not%20authorize%20the%20request&state=abc".into()),
            ..Incident::default()
        });
        let body = landed.landed.expect("landed");
        assert_eq!(
            (body.error.as_str(), body.description.as_str()),
            ("access_denied", "User did not authorize the request")
        );

        let gateway = read(&Incident {
            method: Some("get".into()),
            url: Some("https://api.atlassian.com/ex/confluence/0a1b/wiki/api/v2/pages/?".into()),
            ..Incident::default()
        });
        let request = gateway.request.expect("request");
        assert_eq!(request.endpoint, Endpoint::Gateway { path: "/wiki/api/v2/pages/".into() });
        assert!(request.ends_in_slash_query);
        assert_eq!(request.method, Some(Method::Get));
    }

    #[test]
    fn broken_and_huge_input_is_read_without_failing() {
        let cut = read(&Incident { body: Some(r#"{"error":"invalid_gr"#.into()), ..Incident::default() });
        assert!(cut.broken_json && cut.oauth.is_none());
        let huge = "é".repeat(100_000);
        let read = read(&Incident { body: Some(huge.clone()), text: Some(huge), ..Incident::default() });
        assert!(read.words.len() <= 2 * MAX_READ_BYTES + 1);
    }
}
