//! Sends the core's plain [`HttpRequest`] values with the Workers `fetch` and hands back a plain
//! [`FetchedResponse`]: the only place the OAuth flow meets the network.
//!
//! Redirects are never followed (`redirect: "manual"`; Workers refuse `"error"` outright): a
//! redirect would carry a secret, a code or a token to another host, so status 0 (an opaque
//! redirect) and every 3xx come back as [`FetchError::Redirected`]. Every other status is returned
//! as is, because the OAuth parsers read Atlassian's 4xx bodies. A timeout covers the whole
//! exchange, body included, and bodies are capped: refused on a `Content-Length` over the cap,
//! and otherwise while they stream, as soon as the cap is passed.

use std::fmt;
use std::time::Duration;

use crate::oauth::{HttpRequest, Method as CoreMethod};

/// Atlassian answers in well under a second; ten leaves room for a slow day, not for a hang.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Token and API answers are a few KB; anything past this is not what we asked for.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// An answer as a plain value.
#[derive(Clone, PartialEq, Eq)]
pub struct FetchedResponse {
    pub status: u16,
    /// Names in lower case, as the Fetch API gives them.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl FetchedResponse {
    /// The first header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

/// The body may hold tokens: `Debug` shows its length only.
impl fmt::Debug for FetchedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchedResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// Why no usable answer came back. Messages name the host only: a URL's path or query may hold
/// something that must not reach a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The URL did not parse, or the runtime refused to build the request.
    InvalidRequest { host: String },
    /// No answer within the timeout.
    Timeout { host: String, after: Duration },
    /// The connection failed (refused, reset, DNS, TLS).
    Network { host: String },
    /// A redirect (3xx, or 0 for an opaque one), which is never followed.
    Redirected { host: String, status: u16 },
    /// The body is larger than [`MAX_BODY_BYTES`].
    TooLarge { host: String },
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::InvalidRequest { host } => write!(f, "could not build the request to {host}"),
            FetchError::Timeout { host, after } => write!(f, "{host} did not answer within {} s", after.as_secs()),
            FetchError::Network { host } => write!(f, "could not connect to {host}"),
            FetchError::Redirected { host, status } => {
                write!(f, "{host} answered with a redirect (status {status}), which is never followed")
            }
            FetchError::TooLarge { host } => write!(f, "{host} sent more than {MAX_BODY_BYTES} bytes"),
        }
    }
}

impl std::error::Error for FetchError {}

/// The host (and port) of `url`, for messages; never its path or query.
pub fn host_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => "an invalid URL".to_string(),
        },
        Err(_) => "an invalid URL".to_string(),
    }
}

/// Refuses what must never be read as an answer: opaque redirects (0) and 3xx.
pub fn check_status(host: &str, status: u16) -> Result<(), FetchError> {
    if status == 0 || (300..400).contains(&status) {
        Err(FetchError::Redirected { host: host.to_string(), status })
    } else {
        Ok(())
    }
}

/// Sends `request` and reads the whole answer, within `timeout`. A `GET` with a body is
/// [`FetchError::InvalidRequest`]: the Fetch API refuses it before anything is sent.
pub async fn send(request: &HttpRequest, timeout: Duration) -> Result<FetchedResponse, FetchError> {
    use worker::{AbortSignal, Fetch, Headers, Method, Request, RequestInit, RequestRedirect};

    let host = host_of(&request.url);
    let invalid = || FetchError::InvalidRequest { host: host.clone() };
    let headers = Headers::new();
    for (name, value) in &request.headers {
        headers.set(name, value).map_err(|_| invalid())?;
    }
    let mut init = RequestInit::new();
    init.with_method(match request.method {
        CoreMethod::Get => Method::Get,
        CoreMethod::Post => Method::Post,
    })
    .with_headers(headers)
    .with_redirect(RequestRedirect::Manual)
    .with_body(request.body.as_deref().map(worker::wasm_bindgen::JsValue::from_str));
    let outgoing = Request::new_with_init(&request.url, &init).map_err(|_| invalid())?;

    // One signal for the request and the body: a server that sends headers and then stalls
    // is as stuck as one that never answers.
    let millis = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
    let signal = AbortSignal::from(worker::web_sys::AbortSignal::timeout_with_u32(millis));
    let failed = |signal: &AbortSignal| {
        if signal.aborted() {
            FetchError::Timeout { host: host.clone(), after: timeout }
        } else {
            FetchError::Network { host: host.clone() }
        }
    };
    let mut response = Fetch::Request(outgoing).send_with_signal(&signal).await.map_err(|_| failed(&signal))?;
    let status = response.status_code();
    check_status(&host, status)?;
    let headers: Vec<(String, String)> = response.headers().entries().collect();
    let declared = headers.iter().find(|(name, _)| name == "content-length").map(|(_, v)| v.as_str());
    if declared_too_large(declared) {
        return Err(FetchError::TooLarge { host });
    }
    let mut body = BodyUnderCap::default();
    let too_large = |_| FetchError::TooLarge { host: host.clone() };
    match response.body() {
        worker::ResponseBody::Empty => {}
        worker::ResponseBody::Body(bytes) => body.push(bytes).map_err(too_large)?,
        worker::ResponseBody::Stream(_) => {
            let mut chunks = response.stream().map_err(|_| failed(&signal))?;
            while let Some(chunk) = futures_util::StreamExt::next(&mut chunks).await {
                body.push(&chunk.map_err(|_| failed(&signal))?).map_err(too_large)?;
            }
        }
    }
    // The SDK's stream ends quietly when the signal aborts it: a cut body is a timeout.
    if signal.aborted() {
        return Err(failed(&signal));
    }
    Ok(FetchedResponse { status, headers, body: body.bytes })
}

/// Whether a `Content-Length` announces more than the cap. (Anything unreadable is left to the
/// streaming check.)
fn declared_too_large(content_length: Option<&str>) -> bool {
    content_length
        .and_then(|length| length.trim().parse::<u64>().ok())
        .is_some_and(|length| length > MAX_BODY_BYTES as u64)
}

/// A body read chunk by chunk that refuses to grow past [`MAX_BODY_BYTES`].
#[derive(Default)]
struct BodyUnderCap {
    bytes: Vec<u8>,
}

/// The body went past the cap.
#[derive(Debug, PartialEq, Eq)]
struct OverCap;

impl BodyUnderCap {
    fn push(&mut self, chunk: &[u8]) -> Result<(), OverCap> {
        if self.bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(OverCap);
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_and_opaque_answers_are_failures_and_errors_are_answers() {
        for status in [0, 301, 302, 303, 307, 308] {
            assert!(matches!(check_status("h", status), Err(FetchError::Redirected { .. })), "{status}");
        }
        for status in [200, 201, 400, 401, 403, 429, 500, 503] {
            assert_eq!(check_status("h", status), Ok(()), "{status}");
        }
    }

    #[test]
    fn messages_name_the_host_never_the_path_or_query() {
        let host = host_of("https://auth.atlassian.com/oauth/token?code=SECRETCODE");
        assert_eq!(host, "auth.atlassian.com");
        assert_eq!(host_of("http://127.0.0.1:8789/x"), "127.0.0.1:8789");
        let error = FetchError::Redirected { host, status: 302 };
        assert!(!error.to_string().contains("SECRETCODE"));
    }

    #[test]
    fn bodies_over_the_cap_are_refused_as_declared_or_as_they_stream() {
        assert!(declared_too_large(Some("1048577")) && declared_too_large(Some(" 99999999999 ")));
        assert!(!declared_too_large(Some("1048576")) && !declared_too_large(Some("lots")) && !declared_too_large(None));
        let mut body = BodyUnderCap::default();
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..16 {
            assert_eq!(body.push(&chunk), Ok(()));
        }
        assert_eq!(body.bytes.len(), MAX_BODY_BYTES);
        assert_eq!(body.push(b"x"), Err(OverCap));
        assert_eq!(body.bytes.len(), MAX_BODY_BYTES, "the refused chunk was kept");
    }

    #[test]
    fn debug_hides_the_body() {
        let response = FetchedResponse { status: 200, headers: vec![], body: b"{\"access_token\":\"eyJ\"}".to_vec() };
        let shown = format!("{response:?}");
        assert!(!shown.contains("eyJ") && shown.contains("22 bytes"), "{shown}");
    }
}
