//! `callback/*`: the Callback URL registered in the console and the client's Redirect URL.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;

use url::{Host, SyntaxViolation, Url};

use super::findings::{Findings, Hit};
use super::text::{describe_whitespace, is_blank, trimmed, typed_authority, whitespace_span, without_whitespace};
use super::{Grant, Rule};
use crate::diagnostic::{Applicability, Field};
use crate::oauth::{is_loopback, is_subdomain_of};
use crate::setup::Setup;

const SERVICENOW_DOMAINS: [&str; 3] = ["service-now.com", "servicenowservices.com", "servicenowcloud.com"];
const SERVICENOW_PATH: &str = "/oauth_redirect.do";

/// Checks both URLs and that they agree; returns the redirect URI to use in requests.
pub(super) fn check_callback<'a>(setup: &'a Setup, grant: Grant, out: &mut Findings) -> Option<&'a str> {
    let callback = check_url_field(Field::CallbackUrl, setup.callback_url.as_deref(), out);
    let redirect = check_url_field(Field::RedirectUrl, setup.redirect_url.as_deref(), out);
    let (callback, callback_parsed) = (callback.usable, callback.parsed);
    let callback_usable = callback.is_some() && !out.has_error_in(Field::CallbackUrl);
    let (redirect, redirect_parsed) = (redirect.usable, redirect.parsed);
    let present = |raw: Option<&str>| raw.is_some_and(|r| !trimmed(r).text.is_empty());
    if grant == Grant::AuthorizationCode
        && !present(setup.callback_url.as_deref())
        && !present(setup.redirect_url.as_deref())
    {
        out.push(Hit::new(
            Rule::CallbackMissing,
            "no callback URL: the authorization-code grant needs one",
            "set the Callback URL in the developer console (Authorization → OAuth 2.0 (3LO)) and the same URL as the \
             client's Redirect URL; for ServiceNow: https://<your instance>.service-now.com/oauth_redirect.do",
        ));
    }
    if let (Some(callback), Some(redirect)) = (setup.callback_url.as_deref(), setup.redirect_url.as_deref()) {
        let (callback, redirect) = (trimmed(callback).text, trimmed(redirect).text);
        if !callback.is_empty() && !redirect.is_empty() && callback != redirect {
            let raw = setup.redirect_url.as_deref().unwrap_or("");
            let at = trimmed(raw);
            out.push(
                Hit::new(
                    Rule::CallbackMismatch,
                    format!(
                        "the redirect URL {} differs from the registered callback {} in its {}",
                        out.quote(redirect),
                        out.quote(callback),
                        difference(callback, redirect, callback_parsed.as_ref(), redirect_parsed.as_ref())
                    ),
                    "Atlassian compares them character for character: make the client's Redirect URL an exact copy of \
                     the console's Callback URL",
                )
                .at(at.offset..at.offset + at.text.len())
                // A copy of a callback that is wrong itself is no longer what the user meant.
                .fix_as(callback, if callback_usable { Applicability::Safe } else { Applicability::Unsafe }),
            );
        }
    }
    callback.or(redirect)
}

/// One URL field after its own rules: the trimmed text when it is usable, and the parsed URL
/// when it is an http(s) URL with a host, so later comparisons need not parse it again.
struct UrlField<'a> {
    usable: Option<&'a str>,
    parsed: Option<Url>,
}

const UNUSABLE: UrlField<'static> = UrlField { usable: None, parsed: None };

/// The rules that concern one URL on its own.
fn check_url_field<'a>(field: Field, raw: Option<&'a str>, out: &mut Findings) -> UrlField<'a> {
    let Some(raw) = raw else { return UNUSABLE };
    let url = trimmed(raw);
    if url.text.is_empty() {
        return UNUSABLE;
    }
    // A URL that must be repaired before it can be read (inner whitespace, a control character,
    // a malformed scheme) is still checked, as repaired, so that every problem shows at once and
    // a fix never uncovers errors the report did not count; what is found in the repaired copy
    // has no span and no fix, since its offsets are not the typed text's.
    let mut repaired: Option<String> = None;
    if let Some(span) = whitespace_span(raw) {
        out.push(
            Hit::new(
                Rule::CallbackWhitespace,
                format!("the {} has {}", field.label(), describe_whitespace(raw)),
                "remove the whitespace: the URL must match the registered callback exactly",
            )
            .on(field)
            .at(span)
            .fix(without_whitespace(raw)),
        );
        if url.text.contains(is_blank) {
            repaired = Some(without_whitespace(url.text));
        }
    }
    let text = repaired.as_deref().unwrap_or(url.text);
    if let Some((at, c)) = text.char_indices().find(|(_, c)| is_control(*c)) {
        // The URL parser drops leading and trailing control characters and encodes inner ones
        // (it reports both as violations); Atlassian compares the text as typed.
        let typed_at = url.offset + at;
        let exact = repaired.is_none();
        out.push(
            Hit::new(
                Rule::CallbackInvalid,
                format!(
                    "the {} contains the control character U+{:04X} at character {}",
                    field.label(),
                    c as u32,
                    text[..at].chars().count() + 1
                ),
                "remove the control characters: they are invisible, and the URL must match the registered callback \
                 exactly",
            )
            .on(field)
            .at(typed_at..typed_at + c.len_utf8())
            .fix(raw.chars().filter(|c| !is_control(*c)).collect::<String>())
            .placed_if(exact),
        );
        repaired = Some(text.chars().filter(|c| !is_control(*c)).collect());
    }
    match repaired {
        None => check_url_text(field, TextAt { raw, base: url.offset, text: url.text, exact: true }, out),
        Some(repaired) => {
            let _ = check_url_text(field, TextAt::repaired(&repaired), out);
            UNUSABLE
        }
    }
}

/// A control character other than whitespace (which has its own rule).
fn is_control(c: char) -> bool {
    c.is_control() && !is_blank(c)
}

/// Parses `text`, collecting what the parser had to repair on the way.
fn parse_reporting_violations(text: &str) -> (Vec<SyntaxViolation>, Result<Url, url::ParseError>) {
    let violations = RefCell::new(Vec::new());
    let record = |violation| violations.borrow_mut().push(violation);
    let parsed = Url::options().syntax_violation_callback(Some(&record)).parse(text);
    (violations.into_inner(), parsed)
}

/// Whether the parser may have repaired the scheme's `//` or a backslash: only then is it asked
/// again, reporting its violations. Parsing with a violation callback makes the parser check
/// every character (measured with scripts/bench-web: check() 51 → 46 µs in Chromium when only
/// such URLs are parsed twice).
fn may_be_repaired(text: &str, parsed: &Url) -> bool {
    let rest = text.get(parsed.scheme().len()..).unwrap_or("");
    text.contains('\\') || !rest.starts_with("://") || rest.starts_with(":///")
}

/// Whether the parser had to repair the scheme's `//` or a backslash: browsers and the parser
/// accept `https:/host`, `https:host` and `https:\\host`, but Atlassian compares the text as typed.
fn is_malformed(violations: &[SyntaxViolation]) -> bool {
    violations.iter().any(|v| matches!(v, SyntaxViolation::Backslash | SyntaxViolation::ExpectedDoubleSlash))
}

/// The rules on a URL's text, where `at` says it stands.
fn check_url_text<'a>(field: Field, at: TextAt<'a>, out: &mut Findings) -> UrlField<'a> {
    let TextAt { raw, base, text, exact } = at;
    let shifted = |r: Range<usize>| base + r.start..base + r.end;
    let mut usable = true;

    let placeholder = find_placeholder(text);
    if let Some(placeholder) = placeholder.clone() {
        out.push(
            Hit::new(
                Rule::CallbackPlaceholder,
                format!(
                    "{} in the {} is a placeholder from a setup guide",
                    out.quote(&text[placeholder.clone()]),
                    field.label()
                ),
                "replace it with your own host, e.g. https://dev12345.service-now.com/oauth_redirect.do for the \
                 ServiceNow instance dev12345",
            )
            .on(field)
            .at(shifted(placeholder))
            .placed_if(exact),
        );
        usable = false;
    }
    if let Some(star) = text.find('*') {
        out.push(
            Hit::new(
                Rule::CallbackWildcard,
                format!("the {} contains `*`, but Atlassian matches callbacks exactly, not as patterns", field.label()),
                "register the exact URL the client will send as redirect_uri",
            )
            .on(field)
            .at(shifted(star..star + 1))
            .placed_if(exact),
        );
        return UNUSABLE;
    }
    let parsed = Url::parse(text);
    let parsed = match parsed {
        Ok(parsed)
            if matches!(parsed.scheme(), "http" | "https")
                && parsed.host().is_some()
                && may_be_repaired(text, &parsed)
                && is_malformed(&parse_reporting_violations(text).0) =>
        {
            out.push(
                Hit::new(
                    Rule::CallbackInvalid,
                    format!(
                        "the {} {} is malformed: it should start with `{}://` and use `/` only",
                        field.label(),
                        out.quote(text),
                        parsed.scheme()
                    ),
                    "write it in full; Atlassian compares the callback character for character",
                )
                .on(field)
                .at(base..base + text.len())
                .fix(format!("{}{}{}", &raw[..base], parsed.as_str(), &raw[base + text.len()..]))
                .placed_if(exact),
            );
            let _ = check_url_text(field, TextAt::repaired(parsed.as_str()), out);
            return UNUSABLE;
        }
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() => parsed,
        _ if !usable => return UNUSABLE, // The placeholder finding already explains it.
        other => {
            if let Some(repaired) = report_invalid(field, text, other, base, exact, out) {
                let _ = check_url_text(field, TextAt::repaired(&repaired), out);
            }
            return UNUSABLE;
        }
    };
    if let Some(userinfo) = typed_authority(text)
        .and_then(|a| a.userinfo)
        .filter(|_| !parsed.username().is_empty() || parsed.password().is_some())
    {
        out.push(
            Hit::new(
                Rule::CallbackUserinfo,
                format!("the {} carries credentials ({})", field.label(), out.quote(&text[userinfo.clone()])),
                "remove the `user:password@` part",
            )
            .on(field)
            .at(shifted(userinfo.clone()))
            .edits(vec![(shifted(userinfo), String::new())], Applicability::Safe)
            .placed_if(exact),
        );
        usable = false;
    }
    if let Some(hash) = text.find('#') {
        out.push(
            Hit::new(
                Rule::CallbackFragment,
                format!("the {} has a fragment {}", field.label(), out.quote(&text[hash..])),
                "remove everything from `#` on: redirect URIs cannot have fragments",
            )
            .on(field)
            .at(shifted(hash..text.len()))
            .edits(vec![(shifted(hash..text.len()), String::new())], Applicability::Safe)
            .placed_if(exact),
        );
        usable = false;
    }
    let loopback = is_loopback(&parsed);
    if parsed.scheme() == "http" && !loopback {
        out.push(
            Hit::new(
                Rule::CallbackInsecure,
                format!("the {} uses plain http on {}", field.label(), out.quote(parsed.host_str().unwrap_or(""))),
                "use https: the authorization code travels in this URL",
            )
            .on(field)
            .at(shifted(0..4))
            .fix(format!("{}https{}", &raw[..base], &raw[base + 4..]))
            .placed_if(exact),
        );
        usable = false;
    }
    if loopback {
        out.push(
            Hit::new(
                Rule::CallbackLocalhost,
                format!(
                    "the {} is a loopback address: only a program on the consenting user's machine receives it",
                    field.label()
                ),
                "fine for development; register the production callback (another app or environment) for servers",
            )
            .on(field),
        );
    }
    // A placeholder's own finding explains the host: it is no instance name to judge.
    if check_servicenow(field, &at, placeholder.is_some(), &parsed, out).is_err() {
        usable = false;
    }
    UrlField { usable: usable.then_some(text), parsed: Some(parsed) }
}

/// Reports a URL that cannot be used at all; returns the repaired URL its fix offers, if any.
fn report_invalid(
    field: Field,
    text: &str,
    parsed: Result<Url, url::ParseError>,
    base: usize,
    exact: bool,
    out: &mut Findings,
) -> Option<String> {
    let span = base..base + text.len();
    let (message, fix) = match parsed {
        Err(url::ParseError::RelativeUrlWithoutBase) if with_https(text).is_some() => {
            (format!("the {} {} has no scheme", field.label(), out.quote(text)), with_https(text))
        }
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            (format!("the {} {} is a relative path, not an absolute URL", field.label(), out.quote(text)), None)
        }
        Err(error) => (format!("the {} {} is not a valid URL: {error}", field.label(), out.quote(text)), None),
        Ok(url) if url.host().is_none() && matches!(url.scheme(), "http" | "https") => {
            (format!("the {} {} has no host", field.label(), out.quote(text)), None)
        }
        Ok(url) => (
            format!(
                "the {} {} uses the scheme `{}:`; Atlassian redirects to http(s) URLs",
                field.label(),
                out.quote(text),
                url.scheme()
            ),
            None,
        ),
    };
    let repaired = fix.clone();
    out.push(
        Hit::new(Rule::CallbackInvalid, message, "write the full URL, starting with https:// and the host name")
            .on(field)
            .at(span)
            .fix_opt(fix)
            .placed_if(exact),
    );
    repaired
}

/// `text` with `https://` in front, when that makes it a URL with a dotted host.
fn with_https(text: &str) -> Option<String> {
    let url = format!("https://{text}");
    let parsed = Url::parse(&url).ok()?;
    let dotted =
        matches!(parsed.host(), Some(Host::Domain(d)) if d.contains('.') && !d.starts_with('.') && text.starts_with(d));
    (dotted && !is_malformed(&parse_reporting_violations(&url).0)).then_some(url)
}

/// Where a URL's text stands: at byte `base` of the field's `raw` text, or, when not `exact`, in
/// a repaired copy whose findings carry no span or fix.
#[derive(Clone, Copy)]
struct TextAt<'a> {
    raw: &'a str,
    base: usize,
    text: &'a str,
    exact: bool,
}

impl<'a> TextAt<'a> {
    fn repaired(text: &'a str) -> TextAt<'a> {
        TextAt { raw: text, base: 0, text, exact: false }
    }
}

/// ServiceNow's rules; `Err` when the URL cannot work as it is.
fn check_servicenow(field: Field, at: &TextAt, placeholder: bool, parsed: &Url, out: &mut Findings) -> Result<(), ()> {
    let TextAt { raw, base, text, exact } = *at;
    let Some(Host::Domain(host)) = parsed.host() else {
        return Ok(());
    };
    let Some(domain) = SERVICENOW_DOMAINS.iter().find(|d| is_subdomain_of(host, d)) else {
        return Ok(());
    };
    let mut result = Ok(());
    if parsed.path() != SERVICENOW_PATH {
        let origin = parsed.origin().ascii_serialization();
        out.push(
            Hit::new(
                Rule::CallbackServicenowPath,
                format!(
                    "ServiceNow receives OAuth redirects at {SERVICENOW_PATH}, not at {}",
                    out.quote(parsed.path())
                ),
                format!("use {origin}{SERVICENOW_PATH}"),
            )
            .on(field)
            .at(base..base + text.len())
            .fix(format!("{}{origin}{SERVICENOW_PATH}{}", &raw[..base], &raw[base + text.len()..]))
            .placed_if(exact),
        );
        result = Err(());
    }
    // The parsed host is lower-cased; the typed one shows what the admin wrote.
    let host = typed_authority(text).map_or(0..0, |a| a.host);
    let instance = &text[host.start..host.end.saturating_sub(domain.len() + 1).max(host.start)];
    if !placeholder && !instance.is_empty() && !instance.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        let at = base + host.start;
        let lower = instance.to_ascii_lowercase();
        let fix = (lower.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
            .then(|| format!("{}{lower}{}", &raw[..at], &raw[at + instance.len()..]));
        out.push(
            Hit::new(
                Rule::CallbackServicenowInstance,
                format!("the ServiceNow instance name {} is not lowercase letters and digits", out.quote(instance)),
                "copy the instance name from the address bar of your ServiceNow instance",
            )
            .on(field)
            .at(at..at + instance.len())
            .fix_opt(fix)
            .placed_if(exact),
        );
    }
    result
}

/// Where a documentation placeholder sits in the URL, if one does.
fn find_placeholder(text: &str) -> Option<Range<usize>> {
    if let Some(open) = text.bytes().position(|b| b == b'<' || b == b'{') {
        let close = text[open..].bytes().position(|b| b == b'>' || b == b'}').map_or(text.len(), |i| open + i + 1);
        return Some(open..close);
    }
    if let Some(at) = text.find("YOUR_") {
        let end = text[at..].find(|c: char| !(c.is_ascii_uppercase() || c == '_')).map_or(text.len(), |i| at + i);
        return Some(at..end);
    }
    // Before a scheme is typed, the text up to the first `/` is the host.
    let host_range = typed_authority(text)
        .map_or(0..text.bytes().position(|b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(text.len()), |a| a.host);
    let host_start = host_range.start;
    let host = &text[host_range];
    let servicenow = SERVICENOW_DOMAINS.iter().any(|d| is_subdomain_of(host, d));
    let is = |label: &str, name: &str| label.eq_ignore_ascii_case(name);
    let mut label_start = 0;
    for label in host.split(['.', ':', '@']) {
        let at = host_start + label_start;
        label_start += label.len() + 1;
        let placeholder = ["your-instance", "yourinstance", "your_instance", "your-domain", "yourdomain", "example"]
            .iter()
            .any(|name| is(label, name))
            || (servicenow && is(label, "instance"));
        // `example` alone is a placeholder only as example.com/.org/.net.
        let example_domain = ["example.com", "example.org", "example.net"].iter().any(|d| {
            host.len() >= d.len() && host.as_bytes()[host.len() - d.len()..].eq_ignore_ascii_case(d.as_bytes())
        });
        if placeholder && (!is(label, "example") || example_domain) {
            return Some(at..at + label.len());
        }
    }
    None
}

/// Names the first part in which two URLs differ, for `callback/mismatch`.
fn difference<'a>(registered: &str, sent: &str, registered_url: Option<&'a Url>, sent_url: Option<&'a Url>) -> String {
    let parse = |parsed: Option<&'a Url>, text| match parsed {
        Some(url) => Ok(Cow::Borrowed(url)),
        None => Url::parse(text).map(Cow::Owned),
    };
    let (Ok(a), Ok(b)) = (parse(registered_url, registered), parse(sent_url, sent)) else {
        return "text".to_string();
    };
    if a.scheme() != b.scheme() {
        return format!("scheme (`{}` vs `{}`)", a.scheme(), b.scheme());
    }
    if a.host_str() != b.host_str() {
        return format!("host (`{}` vs `{}`)", a.host_str().unwrap_or(""), b.host_str().unwrap_or(""));
    }
    if a.port_or_known_default() != b.port_or_known_default() {
        return "port".to_string();
    }
    let typed_port = |url: &str| typed_authority(url).and_then(|a| a.port).map(|port| url[port].to_string());
    if typed_port(registered) != typed_port(sent) {
        return "port (one names the default port, the other leaves it out)".to_string();
    }
    // `https://host` and `https://host/` parse alike; the typed texts still differ.
    if registered.trim_end_matches('/') == sent.trim_end_matches('/') {
        let which =
            if registered.len() > sent.len() { "the registered callback has it" } else { "the redirect URL has it" };
        return format!("trailing slash ({which})");
    }
    let (pa, pb) = (a.path(), b.path());
    if pa != pb {
        if pa.trim_end_matches('/') == pb.trim_end_matches('/') {
            let which = if pa.len() > pb.len() { "the registered callback has it" } else { "the redirect URL has it" };
            return format!("trailing slash ({which})");
        }
        if pa.eq_ignore_ascii_case(pb) {
            return "case of the path".to_string();
        }
        return format!("path (`{pa}` vs `{pb}`)");
    }
    if a.query() != b.query() {
        return "query".to_string();
    }
    if registered.eq_ignore_ascii_case(sent) {
        return "case".to_string();
    }
    "text".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cheap pre-check never hides a violation the parser would report.
    #[test]
    fn every_url_the_parser_repairs_is_asked_about() {
        let schemes = ["https", "HTTPS", "http"];
        let joins = [":", ":/", "://", ":///", "://///", ":\\", ":\\\\", ":/\\", ":\\/", "://\\"];
        let rests = ["app.acme.io/cb", "app.acme.io\\cb", "app.acme.io/a://b", "user@app.acme.io/cb"];
        for scheme in schemes {
            for join in joins {
                for rest in rests {
                    let text = format!("{scheme}{join}{rest}");
                    let Ok(parsed) = Url::parse(&text) else { continue };
                    if is_malformed(&parse_reporting_violations(&text).0) {
                        assert!(may_be_repaired(&text, &parsed), "{text}");
                    }
                }
            }
        }
    }
}
