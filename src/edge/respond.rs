//! Every answer the Worker writes itself, as a plain value ([`Reply`]): the security headers, HTML
//! pages for browsers (maud templates: every value is escaped unless marked as markup), RFC 9457
//! `application/problem+json` for API clients. Nothing here touches wasm types, so it is tested
//! natively.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde_json::{json, Map, Value};

/// An answer before it becomes a `worker::Response`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The first header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        let mut headers: Vec<(&'static str, String)> =
            SECURITY_HEADERS.iter().map(|(name, value)| (*name, (*value).to_string())).collect();
        headers.push(("Content-Type", content_type.to_string()));
        Reply { status, headers, body }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// The same answer without its body, for `HEAD`.
    pub fn without_body(mut self) -> Reply {
        self.body.clear();
        self
    }
}

/// The stylesheet of the Worker's own pages. It is inline, so the CSP names its hash: change one,
/// change the other (`tests/worker/worker.test.mjs` recomputes the hash from a served page).
pub const PAGE_STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}\
main{max-width:46rem;margin:3rem auto;padding:0 1.25rem}h1{font-size:1.5rem;color:#1b4f9c}\
code{font:.9em ui-monospace,monospace;background:#e9edf3;padding:0 .25em;border-radius:3px}\
.findings{padding:0;list-style:none}.findings li{background:#fff;border-left:4px solid #c9372c;\
padding:.6rem .9rem;margin:.6rem 0}.findings li.warning{border-color:#b38600}.findings li.info{border-color:#1b4f9c}\
.help{color:#44546f}";

/// The Worker's pages load nothing, run no script and submit no form: only the inline stylesheet
/// above is allowed.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'sha256-+nqHKyoH1IpEW/9Q2vHwi4Yh3COAxJx+ce4A9G7FjHU='; \
base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// On every answer the Worker writes. `no-store` everywhere: codes, tokens and reports about a
/// setup pass through these routes, and none of them is worth caching.
pub const SECURITY_HEADERS: [(&str, &str); 5] = [
    ("Cache-Control", "no-store"),
    ("Content-Security-Policy", PAGE_CSP),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    // For browsers that predate CSP's frame-ancestors.
    ("X-Frame-Options", "DENY"),
];

/// Sent by a Worker reached over https (see `Config::serves_https`), on its own answers and, through
/// `www/_headers`, on the static assets: a year, the value browsers' preload lists ask for at least.
pub const HSTS: (&str, &str) = ("Strict-Transport-Security", "max-age=31536000");

/// The answer when something went wrong that has no page of its own: the same headers as every
/// answer, and nothing of what happened.
pub fn internal_error() -> Reply {
    let body = html! {
        p { "This Worker could not finish its answer. Nothing of the request was kept; start again from "
            a href="/connect" { "/connect" } "." }
    };
    coded_page(500, "internal-error", "Something went wrong here", body)
}

/// What the client reads best, from its `Accept` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wants {
    Html,
    ProblemJson,
}

impl Wants {
    /// JSON only when the client ranks it above HTML: browsers send `text/html` first, `curl` and
    /// most libraries send `*/*`, which gets the page; API clients ask for JSON by name.
    pub fn from_accept(accept: Option<&str>) -> Wants {
        let Some(accept) = accept else { return Wants::Html };
        // Twice the quality in thousandths, so that `*/*` can rank JSON just below HTML.
        let (mut html, mut json) = (0_u32, 0_u32);
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .find_map(|q| qvalue(q.trim()))
                .unwrap_or(1000);
            let score = 2 * u32::from(quality);
            match media.as_str() {
                "text/html" | "text/*" => html = html.max(score),
                "application/problem+json" | "application/json" | "application/*" => json = json.max(score),
                "*/*" => {
                    html = html.max(score);
                    json = json.max(score.saturating_sub(1));
                }
                _ => {}
            }
        }
        if json > html {
            Wants::ProblemJson
        } else {
            Wants::Html
        }
    }
}

/// An RFC 9110 `qvalue` in thousandths: `0`, `0.5`, `1.000`; anything else is not one. Read
/// by its grammar rather than as a float: `str::parse::<f32>` linked 17 KB of the float parser's
/// tables into the Worker for this one header.
fn qvalue(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths =
        fraction.bytes().chain(std::iter::repeat(b'0')).take(3).fold(0, |n, b| n * 10 + u16::from(b - b'0'));
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// A JSON answer.
pub fn json(status: u16, value: &Value) -> Reply {
    json_text(status, value.to_string().into_bytes())
}

/// A JSON answer from text already serialised (`/healthz`'s, made once per isolate).
pub fn json_text(status: u16, body: Vec<u8>) -> Reply {
    Reply::new(status, "application/json", body)
}

/// A redirect to `location`, which must carry nothing secret but what the flow needs there.
pub fn redirect(location: &str) -> Reply {
    Reply::new(302, "text/plain; charset=utf-8", Vec::new()).with_header("Location", location.to_string())
}

/// A page whose `<main data-code>` names what happened, for tests and scripts that read pages.
pub fn coded_page(status: u16, code: &str, title: &str, body: Markup) -> Reply {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " — threelo" }
                // A constant without `<` (a test checks), hashed in the CSP.
                style { (PreEscaped(PAGE_STYLE)) }
            }
            body {
                main data-code=(code) {
                    h1 { (title) }
                    (body)
                    p { a href="/" { "threelo: check a Confluence Cloud OAuth 2.0 setup" } }
                }
            }
        }
    };
    Reply::new(status, "text/html; charset=utf-8", page.into_string().into_bytes())
}

/// An error the client did not cause alone, in the form it reads: a page or problem details.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: u16,
    /// A stable, machine-readable name (`not-found`, `worker-misconfigured`, ...), sent as the
    /// `code` extension member of problem details.
    pub code: &'static str,
    pub title: String,
    pub detail: String,
    /// More of the page, after the detail.
    pub more: Markup,
    /// Extension members of the problem details, in the order they are sent. A list rather than a
    /// `Map`: it keeps `Problem` small (clippy's `result_large_err`) whichever `serde_json` map is built.
    pub extensions: Vec<(String, Value)>,
}

impl Problem {
    pub fn new(status: u16, code: &'static str, title: impl Into<String>, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            code,
            title: title.into(),
            detail: detail.into(),
            more: Markup::default(),
            extensions: Vec::new(),
        }
    }

    pub fn reply(self, wants: Wants) -> Reply {
        match wants {
            Wants::Html => {
                let body = html! { p { (self.detail) } (self.more) };
                coded_page(self.status, self.code, &self.title, body)
            }
            Wants::ProblemJson => {
                // RFC 9457: "about:blank" says the status code alone tells what happened; `code`
                // is the extension member clients branch on.
                let mut object = Map::new();
                object.insert("type".into(), json!("about:blank"));
                object.insert("title".into(), json!(self.title));
                object.insert("status".into(), json!(self.status));
                object.insert("detail".into(), json!(self.detail));
                object.insert("code".into(), json!(self.code));
                object.extend(self.extensions);
                let body = Value::Object(object).to_string().into_bytes();
                Reply::new(self.status, "application/problem+json", body)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_pages_are_escaped_text_and_attributes_alike() {
        let hostile = r#"<script>alert("x")</script>&'"#;
        let html = String::from_utf8(coded_page(400, hostile, hostile, html! { p { (hostile) } }).body).unwrap();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains(r#"data-code="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;'""#), "{html}");
    }

    #[test]
    fn browsers_get_pages_and_api_clients_problem_details() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(Wants::from_accept(Some(browser)), Wants::Html);
        assert_eq!(Wants::from_accept(Some("*/*")), Wants::Html);
        assert_eq!(Wants::from_accept(None), Wants::Html);
        assert_eq!(Wants::from_accept(Some("application/json")), Wants::ProblemJson);
        assert_eq!(Wants::from_accept(Some("application/problem+json, */*;q=0.1")), Wants::ProblemJson);
        assert_eq!(Wants::from_accept(Some("text/html;q=0.5, application/json")), Wants::ProblemJson);
        assert_eq!(Wants::from_accept(Some("text/html, application/json;q=0.9")), Wants::Html);
        assert_eq!(Wants::from_accept(Some("application/json;q=0")), Wants::Html);
    }

    #[test]
    fn qvalues_are_read_by_their_grammar() {
        for (text, thousandths) in [
            ("1", Some(1000)),
            ("1.", Some(1000)),
            ("1.000", Some(1000)),
            ("0", Some(0)),
            ("0.5", Some(500)),
            ("0.05", Some(50)),
            ("0.123", Some(123)),
            ("1.5", None),
            ("0.1234", None),
            ("2", None),
            ("-0.5", None),
            ("0.5x", None),
            (".5", None),
            ("", None),
        ] {
            assert_eq!(qvalue(text), thousandths, "{text:?}");
        }
        // A malformed q counts as absent (1), as it did when read as a float that failed to parse.
        assert_eq!(Wants::from_accept(Some("application/json;q=0.9, text/html;q=x")), Wants::Html);
        assert_eq!(Wants::from_accept(Some("text/html;q=0.999, */*")), Wants::Html);
        assert_eq!(Wants::from_accept(Some("text/html;q=0.998, application/json;q=0.999")), Wants::ProblemJson);
    }

    #[test]
    fn every_reply_carries_the_security_headers() {
        for reply in [
            coded_page(404, "not-found", "Not found", html! { p { "x" } }),
            json(200, &json!({"ok": true})),
            Problem::new(501, "not-implemented", "t", "d").reply(Wants::ProblemJson),
            internal_error(),
        ] {
            for (name, value) in SECURITY_HEADERS {
                assert_eq!(reply.header(name), Some(value), "{name} on {reply:?}");
            }
        }
    }

    #[test]
    fn the_page_title_and_detail_are_escaped() {
        let reply = Problem::new(404, "not-found", "No <b>", "the path /<img src=x> is unknown").reply(Wants::Html);
        let html = String::from_utf8(reply.body).unwrap();
        assert!(html.contains("No &lt;b&gt;") && html.contains("/&lt;img src=x&gt;"), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn problem_details_follow_rfc_9457() {
        let mut problem = Problem::new(503, "worker-misconfigured", "Misconfigured", "3 errors");
        problem.extensions.push(("errors".into(), json!(3)));
        let reply = problem.reply(Wants::ProblemJson);
        assert_eq!(reply.header("content-type"), Some("application/problem+json"));
        let body: Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(
            body,
            json!({"type": "about:blank", "title": "Misconfigured", "status": 503, "detail": "3 errors",
                   "code": "worker-misconfigured", "errors": 3})
        );
    }

    #[test]
    fn the_inline_style_is_what_the_page_csp_allows() {
        // The hash itself is recomputed by the Worker test; here: the style has no characters
        // that would need escaping and the CSP names exactly one style hash.
        assert!(!PAGE_STYLE.contains('<'));
        assert_eq!(PAGE_CSP.matches("'sha256-").count(), 1);
    }
}
