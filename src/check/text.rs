//! Text helpers shared by the rule areas.

use std::ops::Range;

/// Whitespace, plus the invisible characters that ride along with copy and paste (zero-width
/// spaces and joiners, the byte-order mark, soft hyphens), which `char::is_whitespace` omits.
pub(crate) fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// The value with surrounding whitespace removed, and where it starts in the original.
pub(super) struct Trimmed<'a> {
    pub text: &'a str,
    pub offset: usize,
}

pub(super) fn trimmed(raw: &str) -> Trimmed<'_> {
    let text = raw.trim_matches(is_blank);
    let offset = raw.len() - raw.trim_start_matches(is_blank).len();
    Trimmed { text, offset }
}

/// From the first whitespace character to the end of the last, if there is any.
pub(super) fn whitespace_span(raw: &str) -> Option<Range<usize>> {
    let first = raw.char_indices().find(|(_, c)| is_blank(*c))?.0;
    let (last, c) = raw.char_indices().rev().find(|(_, c)| is_blank(*c))?;
    Some(first..last + c.len_utf8())
}

pub(super) fn without_whitespace(raw: &str) -> String {
    raw.chars().filter(|c| !is_blank(*c)).collect()
}

/// Describes whitespace for a message: "a trailing newline", "a leading space", ...
pub(super) fn describe_whitespace(raw: &str) -> String {
    let kind = |c: char| match c {
        '\n' | '\r' => "newline",
        '\t' => "tab",
        ' ' => "space",
        _ => "invisible space",
    };
    let place = if raw.starts_with(is_blank) {
        ("a leading", raw.chars().next())
    } else if raw.ends_with(is_blank) {
        ("a trailing", raw.chars().next_back())
    } else {
        ("a", raw.chars().find(|c| is_blank(*c)))
    };
    format!("{} {}", place.0, kind(place.1.unwrap_or(' ')))
}

/// `text` shortened for a message, on a character boundary.
pub(super) fn quoted(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        format!("`{text}`")
    } else {
        format!("`{}…`", text.chars().take(MAX).collect::<String>())
    }
}

/// `raw` with `range` replaced by `with`.
pub(super) fn splice(raw: &str, range: Range<usize>, with: &str) -> String {
    splice_all(raw, vec![(range, with)])
}

/// `raw` with every range replaced by its text. Overlapping ranges merge (the first one's text
/// is kept), so removals that share a separator remove it once.
pub(super) fn splice_all(raw: &str, mut edits: Vec<(Range<usize>, &str)>) -> String {
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(raw.len());
    let mut copied = 0;
    for (range, with) in edits {
        if range.start >= copied {
            out.push_str(&raw[copied..range.start]);
            out.push_str(with);
        }
        copied = copied.max(range.end);
    }
    out.push_str(&raw[copied..]);
    out
}

/// The host and port of an absolute URL exactly as typed (`https://user@Host:443/x` gives
/// `Host` and `443`), found without a full parse: the parser lower-cases hosts and drops default
/// ports, and some rules are about exactly those.
pub(super) fn typed_host_and_port(url: &str) -> Option<(&str, Option<&str>)> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    match host_port.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => Some((host, Some(port))),
        _ => Some((host_port, None)),
    }
}
