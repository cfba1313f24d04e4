//! Where to send the browser after consent: a path on this site and nowhere else, so that
//! `/connect?return_to=…` cannot be turned into an open redirect.

use std::fmt;

/// A same-origin path (with optional query and fragment), safe to put in a `Location` header:
/// it starts with exactly one `/` and holds only visible ASCII.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReturnPath(String);

/// Longest return path accepted, in bytes; it travels inside the sealed state, in a URL.
pub const MAX_RETURN_PATH_LEN: usize = 512;

/// Why a text is not a return path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReturnPathError {
    Empty,
    /// Does not start with `/`: a URL (`https://…`, `javascript:…`), a host, or a relative path.
    NotAbsolutePath,
    /// Starts with `//` or `/\`, which browsers read as another host.
    OtherHost,
    /// A backslash, which browsers read as `/`.
    Backslash,
    /// `%2F` or `%5C` in the path, a slash that a second decoding would reveal.
    EncodedSlash,
    /// A control character or whitespace; browsers drop tabs and newlines, so `/\t/evil` is `//evil`.
    ControlCharacter,
    /// A character outside ASCII: a `Location` header needs it percent-encoded.
    NotAscii,
    TooLong,
}

impl fmt::Display for ReturnPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReturnPathError::Empty => "the return path is empty",
            ReturnPathError::NotAbsolutePath => {
                "the return path must be a path on this site starting with /, not a URL or a relative path"
            }
            ReturnPathError::OtherHost => "the return path starts with // or /\\, which browsers read as another site",
            ReturnPathError::Backslash => "the return path contains a backslash, which browsers read as /",
            ReturnPathError::EncodedSlash => "the return path contains an encoded slash or backslash (%2F or %5C)",
            ReturnPathError::ControlCharacter => "the return path contains a control character or whitespace",
            ReturnPathError::NotAscii => "the return path contains characters outside ASCII; percent-encode them",
            ReturnPathError::TooLong => "the return path is longer than 512 bytes",
        })
    }
}

impl std::error::Error for ReturnPathError {}

impl ReturnPath {
    /// Checks a path as received (a `return_to` query value after its own percent-decoding).
    pub fn new(path: &str) -> Result<ReturnPath, ReturnPathError> {
        let bytes = path.as_bytes();
        if bytes.is_empty() {
            return Err(ReturnPathError::Empty);
        }
        if bytes.len() > MAX_RETURN_PATH_LEN {
            return Err(ReturnPathError::TooLong);
        }
        // Characters first: a tab or a backslash after the first `/` is how `//evil` hides.
        if let Some(byte) = bytes.iter().find(|b| !b.is_ascii_graphic()) {
            return Err(if byte.is_ascii() { ReturnPathError::ControlCharacter } else { ReturnPathError::NotAscii });
        }
        if bytes[0] != b'/' {
            return Err(ReturnPathError::NotAbsolutePath);
        }
        if matches!(bytes.get(1), Some(b'/' | b'\\')) {
            return Err(ReturnPathError::OtherHost);
        }
        if bytes.contains(&b'\\') {
            return Err(ReturnPathError::Backslash);
        }
        let path_part = path.split(['?', '#']).next().unwrap_or("").to_ascii_lowercase();
        if path_part.contains("%2f") || path_part.contains("%5c") {
            return Err(ReturnPathError::EncodedSlash);
        }
        Ok(ReturnPath(path.to_string()))
    }

    /// The site's root, `/`.
    pub fn root() -> ReturnPath {
        ReturnPath("/".to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ReturnPath {
    fn default() -> Self {
        ReturnPath::root()
    }
}

impl fmt::Display for ReturnPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ReturnPath {
    type Err = ReturnPathError;
    fn from_str(path: &str) -> Result<Self, Self::Err> {
        ReturnPath::new(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_origin_paths_pass() {
        use ReturnPathError::*;
        let long = format!("/{}", "a".repeat(2048));
        let longest = format!("/{}", "a".repeat(MAX_RETURN_PATH_LEN - 1));
        let table: &[(&str, Result<(), ReturnPathError>)] = &[
            ("/", Ok(())),
            ("/report?x=1", Ok(())),
            ("/report?next=%2Fhome#top", Ok(())),
            ("/a/b/../c", Ok(())),
            ("/wiki/caf%C3%A9", Ok(())),
            ("/@evil.com", Ok(())),
            (&longest, Ok(())),
            ("", Err(Empty)),
            ("//evil.com", Err(OtherHost)),
            ("///evil.com", Err(OtherHost)),
            ("/\\evil.com", Err(OtherHost)),
            ("/x\\y", Err(Backslash)),
            ("https://evil.com", Err(NotAbsolutePath)),
            ("javascript:alert(1)", Err(NotAbsolutePath)),
            ("evil.com/path", Err(NotAbsolutePath)),
            ("report", Err(NotAbsolutePath)),
            ("%2F%2Fevil.com", Err(NotAbsolutePath)),
            ("/%2F/evil.com", Err(EncodedSlash)),
            ("/%2f%2fevil.com", Err(EncodedSlash)),
            ("/%5Cevil.com", Err(EncodedSlash)),
            ("/\t/evil.com", Err(ControlCharacter)),
            ("/\n/evil.com", Err(ControlCharacter)),
            ("/a b", Err(ControlCharacter)),
            ("/\u{7f}", Err(ControlCharacter)),
            (" /report", Err(ControlCharacter)),
            ("/café", Err(NotAscii)),
            ("/\u{2215}\u{2215}evil.com", Err(NotAscii)),
            (&long, Err(TooLong)),
        ];
        for (path, expected) in table {
            let got = ReturnPath::new(path).map(|p| assert_eq!(p.as_str(), *path));
            assert_eq!(got, *expected, "{path:?}");
        }
    }

    #[test]
    fn errors_say_why() {
        assert!(ReturnPathError::OtherHost.to_string().contains("another site"));
        assert!(ReturnPathError::TooLong.to_string().contains("512"));
    }
}
