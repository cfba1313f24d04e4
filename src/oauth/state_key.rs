//! The key that seals `state`: 32 random bytes from configuration, written as base64 or hex.

use std::fmt;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

/// The 32-byte key that seals and opens `state`. `Debug` hides it.
#[derive(Clone)]
pub struct StateKey(pub(crate) [u8; STATE_KEY_LEN]);

pub const STATE_KEY_LEN: usize = 32;

/// Why configuration text is not a state key. The text itself is never repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateKeyError {
    Empty,
    /// Neither base64 (standard or URL-safe, padded or not) nor hex.
    NotBase64OrHex,
    /// Decodes, but not to 32 bytes.
    WrongLength {
        bytes: usize,
    },
}

impl fmt::Display for StateKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAKE_ONE: &str = "a state key is 32 random bytes as base64 or hex (openssl rand -base64 32)";
        match self {
            StateKeyError::Empty => write!(f, "the state key is empty; {MAKE_ONE}"),
            StateKeyError::NotBase64OrHex => write!(f, "the state key is neither base64 nor hex; {MAKE_ONE}"),
            StateKeyError::WrongLength { bytes } => write!(f, "the state key decodes to {bytes} bytes; {MAKE_ONE}"),
        }
    }
}

impl std::error::Error for StateKeyError {}

/// Either base64 alphabet once `-_` are mapped to `+/`, with or without padding.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl StateKey {
    pub fn from_bytes(bytes: [u8; STATE_KEY_LEN]) -> StateKey {
        StateKey(bytes)
    }

    /// Reads a key as configured: 64 hex digits, or base64 of 32 bytes. Surrounding whitespace
    /// is ignored: `wrangler secret put` and copy-paste add newlines.
    pub fn parse(text: &str) -> Result<StateKey, StateKeyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StateKeyError::Empty);
        }
        // All-hex text is read as hex: 64 random base64 characters are all hex digits with
        // negligible probability, and hex keys (openssl rand -hex 32) are common.
        let bytes = if text.bytes().all(|b| b.is_ascii_hexdigit()) {
            decode_hex(text).ok_or(StateKeyError::NotBase64OrHex)?
        } else {
            let standard: String = text
                .chars()
                .map(|c| match c {
                    '-' => '+',
                    '_' => '/',
                    c => c,
                })
                .collect();
            LENIENT_BASE64.decode(standard).map_err(|_| StateKeyError::NotBase64OrHex)?
        };
        let bytes: [u8; STATE_KEY_LEN] =
            bytes.as_slice().try_into().map_err(|_| StateKeyError::WrongLength { bytes: bytes.len() })?;
        Ok(StateKey(bytes))
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    text.as_bytes().chunks(2).map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()).collect()
}

impl std::str::FromStr for StateKey {
    type Err = StateKeyError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        StateKey::parse(text)
    }
}

impl fmt::Debug for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StateKey(<32 bytes hidden>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_from_base64_or_hex() {
        let bytes: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(250));
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let standard = base64::engine::general_purpose::STANDARD.encode(bytes);
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        assert!(standard.contains(['+', '/']) && url_safe.contains(['-', '_']), "both alphabets are exercised");
        let ok = [
            hex.clone(),
            hex.to_uppercase(),
            standard.clone(),
            format!("{standard}\n"),
            standard.trim_end_matches('=').to_string(),
            url_safe.clone(),
        ];
        for text in ok {
            assert_eq!(StateKey::parse(&text).map(|key| key.0), Ok(bytes), "{text:?}");
        }
        let table: &[(&str, StateKeyError)] = &[
            ("", StateKeyError::Empty),
            (" \n", StateKeyError::Empty),
            ("not a key!", StateKeyError::NotBase64OrHex),
            ("abc", StateKeyError::NotBase64OrHex),
            ("c2hvcnQ=", StateKeyError::WrongLength { bytes: 5 }),
            ("00ff", StateKeyError::WrongLength { bytes: 2 }),
        ];
        for (text, expected) in table {
            assert_eq!(StateKey::parse(text).map(|key| key.0), Err(*expected), "{text:?}");
        }
        assert!(StateKeyError::WrongLength { bytes: 5 }.to_string().contains("5 bytes"));
    }

    #[test]
    fn debug_hides_the_key() {
        let key = StateKey::from_bytes([0xab; 32]);
        let shown = format!("{key:?}");
        assert_eq!(shown, "StateKey(<32 bytes hidden>)");
    }
}
