//! Text helpers shared by the rule areas.

use std::ops::Range;

/// Whitespace, plus the invisible characters that ride along with copy and paste (zero-width
/// spaces and joiners, the byte-order mark, soft hyphens), which `char::is_whitespace` omits.
pub(crate) fn is_blank(c: char) -> bool {
    if c.is_ascii() {
        is_blank_byte(c as u8)
    } else {
        c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
    }
}

/// [`is_blank`] for an ASCII byte: the ASCII characters `char::is_whitespace` accepts.
///
/// The scans below take a byte-wise path for ASCII text: the browser build is optimized for
/// size, which leaves UTF-8 decoding as a call per character, and pasted values are ASCII.
fn is_blank_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

/// The value with surrounding whitespace removed, and where it starts in the original.
pub(super) struct Trimmed<'a> {
    pub text: &'a str,
    pub offset: usize,
}

pub(super) fn trimmed(raw: &str) -> Trimmed<'_> {
    if raw.is_ascii() {
        let bytes = raw.as_bytes();
        let start = bytes.iter().position(|b| !is_blank_byte(*b)).unwrap_or(bytes.len());
        let end = bytes.iter().rposition(|b| !is_blank_byte(*b)).map_or(start, |i| i + 1);
        return Trimmed { text: &raw[start..end], offset: start };
    }
    let text = raw.trim_matches(is_blank);
    let offset = raw.len() - raw.trim_start_matches(is_blank).len();
    Trimmed { text, offset }
}

/// From the first whitespace character to the end of the last, if there is any.
pub(super) fn whitespace_span(raw: &str) -> Option<Range<usize>> {
    if raw.is_ascii() {
        let bytes = raw.as_bytes();
        let first = bytes.iter().position(|b| is_blank_byte(*b))?;
        let last = bytes.iter().rposition(|b| is_blank_byte(*b))?;
        return Some(first..last + 1);
    }
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
    let cut = if text.len() <= MAX { None } else { text.char_indices().nth(MAX).map(|(cut, _)| cut) };
    // Pushed, not formatted: messages quote several values per keystroke.
    let mut out = String::with_capacity(text.len().min(4 * MAX) + 5);
    out.push('`');
    out.push_str(&text[..cut.unwrap_or(text.len())]);
    if cut.is_some() {
        out.push('…');
    }
    out.push('`');
    out
}

/// Byte and character offsets of one text, converted walking on from the last conversion: the
/// offsets of a list of edits in order cost one pass over the text, not one each (a fix that
/// removes every repeat of a scope pasted thousands of times has thousands of edits).
pub(super) struct Offsets<'t> {
    text: &'t str,
    ascii: bool,
    /// The last conversion's place: a char boundary, and the characters before it.
    byte: usize,
    chars: usize,
}

impl<'t> Offsets<'t> {
    pub fn new(text: &'t str) -> Self {
        Offsets { text, ascii: text.is_ascii(), byte: 0, chars: 0 }
    }

    /// Characters before byte `index` (clamped to the char boundary at or before it).
    pub fn chars_before(&mut self, index: usize) -> usize {
        let mut index = index.min(self.text.len());
        if self.ascii {
            return index;
        }
        while !self.text.is_char_boundary(index) {
            index -= 1;
        }
        if index < self.byte {
            (self.byte, self.chars) = (0, 0);
        }
        self.chars += self.text[self.byte..index].chars().count();
        self.byte = index;
        self.chars
    }

    /// The byte at which character `chars` begins (the text's length past its end).
    pub fn byte_of(&mut self, chars: usize) -> usize {
        if self.ascii {
            return chars.min(self.text.len());
        }
        if chars < self.chars {
            (self.byte, self.chars) = (0, 0);
        }
        for c in self.text[self.byte..].chars() {
            if self.chars == chars {
                break;
            }
            self.byte += c.len_utf8();
            self.chars += 1;
        }
        self.byte
    }
}

/// Where the parts of an absolute URL's authority sit in the text as typed (byte ranges). The
/// URL parser lower-cases hosts and drops default ports; several rules are about exactly those,
/// and spans must point into the typed text.
pub(super) struct TypedAuthority {
    /// `user:pass@`, the `@` included.
    pub userinfo: Option<Range<usize>>,
    pub host: Range<usize>,
    /// The digits after `:`, if a port is written.
    pub port: Option<Range<usize>>,
}

/// Where the first `://` starts. A search for `:` (memchr) then a look at what follows: the
/// browser build would step through a substring search byte by byte.
fn scheme_end(url: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(colon) = url[from..].find(':') {
        let at = from + colon;
        if url[at..].starts_with("://") {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

pub(super) fn typed_authority(url: &str) -> Option<TypedAuthority> {
    let start = scheme_end(url)? + 3;
    let end =
        url[start..].bytes().position(|b| matches!(b, b'/' | b'?' | b'#' | b'\\')).map_or(url.len(), |i| start + i);
    let (userinfo, host_start) = match url[start..end].rfind('@') {
        Some(at) => (Some(start..start + at + 1), start + at + 1),
        None => (None, start),
    };
    let port = url[host_start..end].rfind(':').filter(|colon| !url[host_start + colon..end].contains(']'));
    let host = host_start..port.map_or(end, |colon| host_start + colon);
    Some(TypedAuthority { userinfo, host, port: port.map(|colon| host_start + colon + 1..end) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_convert_both_ways_in_any_order() {
        let text = "aé😀b c";
        let mut offsets = Offsets::new(text);
        for index in [0, 1, 3, 7, 8, 9, 2, 10, 5] {
            let boundary = (0..=index.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap();
            assert_eq!(offsets.chars_before(index), text[..boundary].chars().count(), "byte {index}");
        }
        for n in [0, 2, 3, 1, 5, 6, 9] {
            let expected = text.char_indices().nth(n).map_or(text.len(), |(at, _)| at);
            assert_eq!(offsets.byte_of(n), expected, "char {n}");
        }
    }

    #[test]
    fn typed_authority_points_into_the_typed_text() {
        let url = "https://user:pw@Dev12345.service-now.com:443/oauth_redirect.do";
        let a = typed_authority(url).unwrap();
        assert_eq!(&url[a.userinfo.unwrap()], "user:pw@");
        assert_eq!(&url[a.host], "Dev12345.service-now.com");
        assert_eq!(&url[a.port.unwrap()], "443");
        let v6 = "http://[::1]/cb";
        let a = typed_authority(v6).unwrap();
        assert_eq!((&v6[a.host], a.port), ("[::1]", None));
        assert!(typed_authority("dev12345.service-now.com/x").is_none());
    }
}
