//! The one redaction predicate: what text may never be shown, wherever it was typed. Every face
//! (the CLI, the browser validator, the docs page's share links, the Worker) and the report
//! itself ask this module, so a secret hidden in one place is hidden in all of them.
//!
//! For text a user typed ([`Redactor::new`]), hidden are the client secret's exact value and
//! anything with a secret's shape: `ATOA` and more than 28 token characters after it (a current
//! secret, or most of one), or a run of 64 or more token characters (older secrets had no prefix).
//!
//! For text from upstream ([`UpstreamRedactor`]: Atlassian's answers, or whatever answers in
//! its place), hidden are the exact values of the exchange (the client secret, the code, the
//! tokens) and any run of 33 or more token characters: longer than a client ID, as every secret,
//! code and token is. Identifiers of a known shape (a cloud ID is a UUID) are the one exception.
//!
//! A hidden value shows as its first four characters and its length.

use std::borrow::Cow;
use std::ops::Range;

use crate::diagnostic::Field;
use crate::setup::Setup;

/// The prefix of a current Atlassian client secret.
pub(crate) const SECRET_PREFIX: &str = "ATOA";
/// `ATOA` and at least this many characters in all is a secret, or enough of one to matter.
const PREFIXED_SECRET_MIN_LEN: usize = 33;
/// A run of token characters this long is an older, unprefixed secret (they were 64+).
const UNPREFIXED_SECRET_MIN_LEN: usize = 64;
/// In upstream text, a run of token characters this long is hidden: one more than a client ID.
const UPSTREAM_RUN_MIN_LEN: usize = 33;
/// The client secret's value is looked for inside other text only from this length on: a
/// shorter value is no Atlassian secret, and hiding it would mangle ordinary words
/// (a secret typed as `read` would hide every scope). Whole fields equal to it are hidden at
/// any length.
const EXACT_SECRET_MIN_LEN: usize = 8;

/// The characters secrets and tokens are made of.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// How a secret may be shown: its first four characters and its length, never more.
pub fn redacted_secret(secret: &str) -> String {
    let count = secret.chars().count();
    if count <= 8 {
        return format!("<{count} characters hidden>");
    }
    let head: String = secret.chars().take(4).collect();
    format!("{head}… ({count} characters)")
}

/// Whether a whole value has a secret's shape (see the module's documentation).
pub fn looks_like_secret(text: &str) -> bool {
    text.bytes().all(is_token_byte) && !shaped_ranges(text).is_empty()
}

/// Byte ranges of `text` with a secret's shape.
fn shaped_ranges(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    // One pass that only counts the current run's length: a secret needs a run of at least
    // PREFIXED_SECRET_MIN_LEN, and almost no text has one, so the rest is looked at only then.
    let mut run_start = 0;
    let mut at = 0;
    while at <= bytes.len() {
        if at < bytes.len() && is_token_byte(bytes[at]) {
            at += 1;
            continue;
        }
        if at - run_start >= PREFIXED_SECRET_MIN_LEN {
            let run = &text[run_start..at];
            if run.len() >= UNPREFIXED_SECRET_MIN_LEN {
                ranges.push(run_start..at);
            } else if let Some(prefix) = prefix_at(run).filter(|p| run.len() - p >= PREFIXED_SECRET_MIN_LEN) {
                // `%20ATOA…` in a pasted URL is the run `20ATOA…`: the secret starts at the prefix.
                ranges.push(run_start + prefix..at);
            }
        }
        at += 1;
        run_start = at;
    }
    ranges
}

/// Byte ranges of `text` that are runs of at least `min_len` token characters.
fn long_runs(text: &str, min_len: usize) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut run_start = 0;
    for (at, b) in text.bytes().chain([b' ']).enumerate() {
        if is_token_byte(b) {
            continue;
        }
        if at - run_start >= min_len {
            ranges.push(run_start..at);
        }
        run_start = at + 1;
    }
    ranges
}

/// Whether `text` has a run of token characters long enough to be, or to become, a secret's
/// shape: whitespace and control characters inside it count as nothing.
/// Bytes, not characters: any non-ASCII byte counts as nothing too (it may be a zero-width space),
/// which can only make the answer `true` more often.
fn has_long_run(text: &str) -> bool {
    let mut length = 0;
    for &b in text.as_bytes() {
        if is_token_byte(b) {
            length += 1;
            if length >= PREFIXED_SECRET_MIN_LEN {
                return true;
            }
        } else if b.is_ascii_graphic() {
            length = 0; // Punctuation: a run ends here, whatever a repair removes.
        }
    }
    false
}

/// Where `ATOA` starts in a run, if it does. Runs are short and there is one per word of every
/// message: a window scan, where `str::find` would build a substring searcher for each (measured:
/// that construction was most of the redaction's cost in `cargo bench`).
fn prefix_at(run: &str) -> Option<usize> {
    run.as_bytes().windows(SECRET_PREFIX.len()).position(|window| window == SECRET_PREFIX.as_bytes())
}

/// The redaction predicate for one setup: it knows the setup's client secret. The default knows
/// none and hides shapes only (for text with no setup, such as a parser's error message).
///
/// What it is asked about is text the report builds: fixed text, the secret field's redacted
/// form, and the other fields' text trimmed, cased, parsed or spliced. None of that can hold the
/// secret, or a run of token characters, that no other field holds, once whitespace and control
/// characters (which fixes and the URL parser remove, joining what they separated) are counted
/// as nothing. So a setup is looked at once, field by field, and text is scanned only for what
/// its fields could have put there: for most setups, nothing.
#[derive(Clone, Copy)]
pub struct Redactor<'a> {
    secret: Option<&'a str>,
    /// The secret, when it must be looked for inside text: long enough, and typed into another
    /// field too.
    search: Option<&'a str>,
    /// Whether text may hold a secret's shape: some other field has a long enough run.
    scan: bool,
}

/// Knows no setup: looks for shapes in everything (a parser's error message, say).
impl Default for Redactor<'_> {
    fn default() -> Self {
        Redactor { secret: None, search: None, scan: true }
    }
}

impl<'a> Redactor<'a> {
    pub fn new(setup: &'a Setup) -> Redactor<'a> {
        let secret = setup.client_secret.as_deref().map(|s| s.trim()).filter(|s| !s.is_empty());
        let typed_elsewhere = |secret: &str| {
            let holds = |text: &str| text.len() >= secret.len() && text.contains(secret);
            Field::ALL.iter().filter(|f| !f.is_secret()).any(|f| setup.get(*f).is_some_and(holds))
        };
        let search = secret.filter(|s| s.len() >= EXACT_SECRET_MIN_LEN && typed_elsewhere(s));
        let scan = Field::ALL.iter().filter(|f| !f.is_secret()).any(|f| setup.get(*f).is_some_and(has_long_run));
        Redactor { secret, search, scan }
    }

    /// A redactor for text built from two setups (a cross-check's): shapes are looked for when
    /// either could hold them; the first secret is hidden exactly, and when both sides have one,
    /// shapes are looked for everywhere.
    pub fn with(self, other: Redactor<'a>) -> Redactor<'a> {
        Redactor {
            secret: self.secret.or(other.secret),
            search: self.search.or(other.search),
            scan: self.scan || other.scan || (self.secret.is_some() && other.secret.is_some()),
        }
    }

    /// Byte ranges of `text` that must not be shown, sorted and not overlapping.
    pub fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        let shaped = if self.scan { shaped_ranges(text) } else { Vec::new() };
        match self.search {
            Some(secret) => merged(shaped, exact_ranges(text, secret)),
            None => shaped,
        }
    }

    /// Whether `text` holds anything that must not be shown.
    pub fn finds_secret_in(&self, text: &str) -> bool {
        !self.ranges(text).is_empty() || self.secret.is_some_and(|s| text.trim() == s)
    }

    /// Whether a field's text must not be shown at all (in an excerpt, a share link, a value to
    /// paste): the secret field itself, or a field holding a secret.
    pub fn hides(&self, field: Field, text: &str) -> bool {
        field.is_secret() || self.finds_secret_in(text)
    }

    /// `text` with every hidden part shown as its first four characters and its length.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.secret.is_some_and(|s| text.trim() == s) {
            return Cow::Owned(redacted_secret(text.trim()));
        }
        replace_ranges(text, self.ranges(text))
    }
}

/// The redaction predicate for text from upstream (Atlassian's answers, or whatever answers in
/// its place): it hides the values of the exchange wherever they stand, and any run of 33 or
/// more token characters, quoted or inside a word. A type of its own so that the browser
/// validator, which never reads an answer, carries none of it.
#[derive(Clone, Copy)]
pub struct UpstreamRedactor<'a> {
    known: &'a [&'a str],
}

impl<'a> UpstreamRedactor<'a> {
    /// `known` are the values the exchange sent or received (the client secret, the
    /// authorization code, the tokens); values shorter than 8 characters are no secret and are
    /// not looked for.
    pub fn new(known: &'a [&'a str]) -> UpstreamRedactor<'a> {
        UpstreamRedactor { known }
    }

    /// Byte ranges of `text` that must not be shown, sorted and not overlapping.
    pub fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        self.known_ranges(text, long_runs(text, UPSTREAM_RUN_MIN_LEN))
    }

    /// `found` with the exchange's values in `text` merged in.
    fn known_ranges(&self, text: &str, found: Vec<Range<usize>>) -> Vec<Range<usize>> {
        let known = self.known.iter().filter(|value| value.len() >= EXACT_SECRET_MIN_LEN);
        known.fold(found, |found, value| merged(found, exact_ranges(text, value)))
    }

    /// `text` with every hidden part shown as its first four characters and its length.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        replace_ranges(text, self.ranges(text))
    }

    /// An identifier whose shape the caller has checked (a cloud ID that is a UUID): its run of
    /// token characters is that identifier, so only the exchange's values are hidden in it. An
    /// identifier of any other shape is redacted as text.
    pub fn redact_identifier<'t>(&self, text: &'t str, known_shape: bool) -> Cow<'t, str> {
        if known_shape {
            replace_ranges(text, self.known_ranges(text, Vec::new()))
        } else {
            self.redact(text)
        }
    }
}

/// Where `value` stands in `text`, in order.
fn exact_ranges<'t>(text: &'t str, value: &'t str) -> impl Iterator<Item = Range<usize>> + 't {
    text.match_indices(value).map(|(at, _)| at..at + value.len())
}

/// Two lists of ranges, each in text order, as one in text order with overlapping ones joined.
/// Merged as they come, rather than sorted by another copy of std's sort in the browser build.
fn merged(first: Vec<Range<usize>>, second: impl Iterator<Item = Range<usize>>) -> Vec<Range<usize>> {
    let mut second = second.peekable();
    if second.peek().is_none() {
        return first; // Most text has nothing to hide.
    }
    let mut first = first.into_iter().peekable();
    let mut merged: Vec<Range<usize>> = Vec::new();
    loop {
        let next = match (first.peek(), second.peek()) {
            (Some(a), Some(b)) if a.start <= b.start => first.next(),
            (_, Some(_)) => second.next(),
            (Some(_), None) => first.next(),
            (None, None) => break,
        };
        let Some(range) = next else { break };
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

fn replace_ranges(text: &str, ranges: Vec<Range<usize>>) -> Cow<'_, str> {
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for range in ranges {
        out.push_str(&text[copied..range.start]);
        out.push_str(&redacted_secret(&text[range.clone()]));
        copied = range.end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

impl Setup {
    /// The fields that must not be shown, as [`Redactor::hides`] decides: the docs page leaves
    /// them out of share links and excerpts.
    pub fn hidden_fields(&self) -> Vec<Field> {
        let redactor = Redactor::new(self);
        Field::ALL.into_iter().filter(|f| self.get(*f).is_some_and(|text| redactor.hides(*f, text))).collect()
    }

    /// The setup without its hidden fields: what may travel in a link.
    pub fn shareable(&self) -> Setup {
        let mut shared = self.clone();
        for field in self.hidden_fields() {
            shared.set(field, None);
        }
        shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "ATOAxK7fQ2mZp9LrT4vW8yB1nC6hJ3sD5gF0aE2iU7oY9kM4qR8tX1zV6bN3wP5cLm7Q0A1B2C3D";

    /// `text` as shown, when it was typed into a field of a setup with this secret.
    fn redact(secret: Option<&str>, text: &str) -> String {
        let setup = Setup { client_secret: secret.map(String::from), scopes: Some(text.into()), ..Setup::default() };
        Redactor::new(&setup).redact(text).into_owned()
    }

    #[test]
    fn hides_secret_shapes_wherever_they_stand() {
        // (text, what it must show)
        let cases = [
            (SECRET.to_string(), "ATOA… (76 characters)".to_string()),
            (format!("https://app.acme.io/cb?k={SECRET}"), "https://app.acme.io/cb?k=ATOA… (76 characters)".into()),
            (format!("read:me%20{}", &SECRET[..40]), "read:me%20ATOA… (40 characters)".into()),
            (format!("read:me,{}", &SECRET[4..70]), format!("read:me,{}… (66 characters)", &SECRET[4..8])),
            ("read:page:confluence offline_access".into(), "read:page:confluence offline_access".into()),
            // Short of the shape: an ID, a short ATOA word, a UUID.
            ("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z ATOA1234".into(), "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z ATOA1234".into()),
            ("0d4c7b3e-7c1f-4b0e-9f7d-2a6c8e1b5f3a".into(), "0d4c7b3e-7c1f-4b0e-9f7d-2a6c8e1b5f3a".into()),
        ];
        for (text, shown) in cases {
            assert_eq!(redact(None, &text), shown, "{text}");
        }
    }

    #[test]
    fn hides_the_setups_own_secret_of_any_shape() {
        assert_eq!(redact(Some(" old-secret-value!  "), "a old-secret-value! b"), "a old-… (17 characters) b");
        assert_eq!(redact(Some("short"), "short"), "<5 characters hidden>");
        // The setup's secret overlapping a secret shape: one hidden range.
        let old = "x".repeat(70);
        assert_eq!(redact(Some("my secret-value"), &format!("a my secret-value{old} b")), "a my s… (85 characters) b");
        // Too short to look for inside other text.
        assert_eq!(redact(Some("read"), "read:me"), "read:me");
    }

    #[test]
    fn upstream_text_hides_the_exchanges_values_and_every_long_run() {
        let code = "c0de.with.dots~1"; // Not a token-character run: found only as itself.
        let token = format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", "p".repeat(40));
        let known = [SECRET, code, token.as_str(), "short"];
        let upstream = UpstreamRedactor::new(&known);
        // (text, what it must show)
        let cases = [
            (format!("invalid client_secret {SECRET}"), "invalid client_secret ATOA… (76 characters)".to_string()),
            (format!(r#"{{"client_secret":"{SECRET}"}}"#), r#"{"client_secret":"ATOA… (76 characters)"}"#.into()),
            (format!("code={code}&x=1"), "code=c0de… (16 characters)&x=1".into()),
            (format!("Bearer {token}"), "Bearer eyJh… (65 characters)".into()),
            // A run of 33 inside a word, and one of 32 (a client ID's length) that stays.
            (format!("id{}!", "a".repeat(31)), "idaa… (33 characters)!".into()),
            (format!("{}!", "b".repeat(32)), format!("{}!", "b".repeat(32))),
            (format!("x=\"{}\"", "Q".repeat(33)), "x=\"QQQQ… (33 characters)\"".into()),
            // Shorter than 8: no secret, not looked for.
            ("a short answer".into(), "a short answer".into()),
            ("0d4c7b3e-7c1f-4b0e-9f7d-2a6c8e1b5f3a".into(), "0d4c… (36 characters)".into()),
        ];
        for (text, shown) in cases {
            assert_eq!(upstream.redact(&text), shown, "{text}");
        }
        // An identifier of a checked shape keeps its run, never the exchange's values.
        let cloud_id = "0d4c7b3e-7c1f-4b0e-9f7d-2a6c8e1b5f3a";
        assert_eq!(upstream.redact_identifier(cloud_id, true), cloud_id);
        assert_eq!(upstream.redact_identifier(SECRET, true), "ATOA… (76 characters)");
        assert_eq!(upstream.redact_identifier(&"z".repeat(40), false), "zzzz… (40 characters)");
    }

    #[test]
    fn text_is_scanned_only_when_a_field_could_have_put_a_secret_there() {
        let clean = Setup {
            client_id: Some("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z".into()),
            client_secret: Some(SECRET.into()),
            scopes: Some("read:page:confluence offline_access".into()),
            ..Setup::default()
        };
        assert!(!Redactor::new(&clean).scan);
        // Split by whitespace, a repair would join it: scanned.
        let split = Setup { callback_url: Some(format!("https://x.io/{}\n{}", &SECRET[..20], &SECRET[20..])), ..clean };
        assert!(Redactor::new(&split).scan);
        assert!(Redactor::default().scan);
    }

    #[test]
    fn the_secret_is_searched_for_only_when_another_field_holds_it() {
        let alone = Setup { client_secret: Some("my-own-secret".into()), ..Setup::default() };
        assert!(Redactor::new(&alone).search.is_none());
        let pasted = Setup { scopes: Some("read:me my-own-secret".into()), ..alone };
        assert_eq!(Redactor::new(&pasted).search, Some("my-own-secret"));
        assert_eq!(Redactor::new(&pasted).redact("`my-own-secret`"), "`my-o… (13 characters)`");
    }

    #[test]
    fn hidden_fields_and_shareable_setups_leave_out_every_secret() {
        let setup = Setup {
            client_id: Some(SECRET.into()),
            client_secret: Some("s3cr3t-value".into()),
            callback_url: Some("https://app.acme.io/cb".into()),
            scopes: Some("read:me s3cr3t-value".into()),
            ..Setup::default()
        };
        assert_eq!(setup.hidden_fields(), [Field::ClientId, Field::ClientSecret, Field::Scopes]);
        let shared = setup.shareable();
        assert_eq!((shared.client_id, shared.client_secret, shared.scopes), (None, None, None));
        assert_eq!(shared.callback_url.as_deref(), Some("https://app.acme.io/cb"));
    }
}
