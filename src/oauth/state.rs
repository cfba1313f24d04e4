//! The sealed OAuth `state`: encrypted and authenticated (ChaCha20-Poly1305), expiring after
//! 10 minutes, bound to the browser that started consent, and carrying a unique id (for
//! single use) and the path to return to.
//!
//! Text form: URL-safe base64 without padding of
//! `version (1) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`, where the plaintext is
//! `id (16) ‖ browser binding (16) ‖ issued_at (u64, big-endian) ‖ return path`.
//! The version byte and a purpose label are authenticated as associated data, so a key shared
//! with another use cannot open a state or be opened by one.
//!
//! Nonces are the caller's random bytes: a 96-bit random nonce repeats with probability about
//! n²/2⁹⁷ after n states, negligible for any number of consents one key will see.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use subtle::ConstantTimeEq;

use super::return_path::MAX_RETURN_PATH_LEN;
use super::{ReturnPath, StateKey};

/// How long a state stays valid: long enough to read a consent screen, short enough that a
/// leaked one is soon useless.
pub const STATE_LIFETIME_SECS: u64 = 600;
pub const STATE_NONCE_LEN: usize = 12;
pub const STATE_ID_LEN: usize = 16;
pub const BROWSER_BINDING_LEN: usize = 16;

const VERSION: u8 = 1;
const PURPOSE: &[u8] = b"threelo oauth state";
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1 + STATE_NONCE_LEN;
const FIXED_CLAIMS_LEN: usize = STATE_ID_LEN + BROWSER_BINDING_LEN + 8;
const MIN_SEALED_LEN: usize = HEADER_LEN + FIXED_CLAIMS_LEN + 1 + TAG_LEN;
const MAX_SEALED_LEN: usize = HEADER_LEN + FIXED_CLAIMS_LEN + MAX_RETURN_PATH_LEN + TAG_LEN;
/// Longest state text worth decoding; anything longer was not sealed here.
const MAX_STATE_TEXT_LEN: usize = MAX_SEALED_LEN.div_ceil(3) * 4;

/// A state's unique id, for making it single use: remember the ids of opened states until they
/// expire, and refuse one seen before. Not a secret (it is inside the encryption anyway).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateId([u8; STATE_ID_LEN]);

impl StateId {
    pub fn from_bytes(random: [u8; STATE_ID_LEN]) -> StateId {
        StateId(random)
    }
    pub fn as_bytes(&self) -> &[u8; STATE_ID_LEN] {
        &self.0
    }
}

/// Lower-case hex, 32 characters: a storage key.
impl fmt::Display for StateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for StateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StateId({self})")
    }
}

/// The random value that ties a state to one browser: sealed inside the state, and set in a
/// `__Host-` cookie by whoever starts consent. `Debug` hides it: with the state, it is enough to
/// finish someone else's consent.
#[derive(Clone, PartialEq, Eq)]
pub struct BrowserBinding([u8; BROWSER_BINDING_LEN]);

impl BrowserBinding {
    pub fn from_bytes(random: [u8; BROWSER_BINDING_LEN]) -> BrowserBinding {
        BrowserBinding(random)
    }

    /// The cookie's value: 22 URL-safe base64 characters, valid in a cookie without quoting.
    pub fn cookie_value(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }
}

impl fmt::Debug for BrowserBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BrowserBinding(<hidden>)")
    }
}

/// What a state carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateClaims {
    pub id: StateId,
    pub browser: BrowserBinding,
    /// Unix seconds when consent started.
    pub issued_at: u64,
    pub return_path: ReturnPath,
}

/// An opened, valid state. Still to do for the caller: refuse `id` if seen before, and remember
/// it until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedState {
    pub id: StateId,
    pub issued_at: u64,
    pub expires_at: u64,
    pub return_path: ReturnPath,
}

/// Why a state was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateError {
    /// No state at all in the callback.
    Missing,
    /// Not a state this service issues: wrong length, not URL-safe base64, or another format
    /// version.
    Malformed,
    /// Fails authentication: altered, or sealed with another key (a rotated key does this).
    Forged,
    /// Older than 10 minutes.
    Expired,
    /// The browser did not send the binding cookie.
    MissingCookie,
    /// The cookie is not the one this state was issued with: another browser, or a link someone
    /// else started.
    BrowserMismatch,
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StateError::Missing => "the callback carries no state",
            StateError::Malformed => "the state is not one this service issues (malformed)",
            StateError::Forged => "the state failed its integrity check: it was altered or sealed with another key",
            StateError::Expired => "the state has expired: consent must finish within 10 minutes of starting",
            StateError::MissingCookie => {
                "the browser did not send the cookie that binds the state to it (blocked cookies, another browser, \
                 or an expired cookie)"
            }
            StateError::BrowserMismatch => "the state was issued to another browser: its cookie does not match",
        })
    }
}

impl std::error::Error for StateError {}

fn cipher(key: &StateKey) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new(&Key::from(key.0))
}

fn associated_data(version: u8) -> Vec<u8> {
    [PURPOSE, &[version]].concat()
}

/// Seals `claims` into a state string with a fresh random `nonce` (never reuse one with a key).
pub fn seal(key: &StateKey, claims: &StateClaims, nonce: [u8; STATE_NONCE_LEN]) -> String {
    let mut sealed = Vec::with_capacity(HEADER_LEN + FIXED_CLAIMS_LEN + claims.return_path.as_str().len() + TAG_LEN);
    sealed.push(VERSION);
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(claims.id.as_bytes());
    sealed.extend_from_slice(&claims.browser.0);
    sealed.extend_from_slice(&claims.issued_at.to_be_bytes());
    sealed.extend_from_slice(claims.return_path.as_str().as_bytes());
    let tag = cipher(key)
        .encrypt_inout_detached(&Nonce::from(nonce), &associated_data(VERSION), sealed[HEADER_LEN..].as_mut().into())
        // ChaCha20-Poly1305 fails only past 256 GiB of plaintext; a state is under 600 bytes.
        .expect("a state is far below ChaCha20-Poly1305's length limit");
    sealed.extend_from_slice(&tag);
    URL_SAFE_NO_PAD.encode(sealed)
}

/// Opens a state from the callback, given the binding cookie's value (`None` when the browser
/// sent none) and the time now in Unix seconds. Checks, in order: format, integrity, expiry,
/// browser binding (in constant time). Single use is the caller's part: see [`OpenedState`].
pub fn open(key: &StateKey, state: &str, cookie_value: Option<&str>, now: u64) -> Result<OpenedState, StateError> {
    open_any(key, state, cookie_value.as_slice(), now).map(|(opened, _)| opened)
}

/// [`open`] for a browser that holds several bindings, one per sign-in it has under way (two
/// tabs, or a second click on Connect): the state must match one of them. Also says which one,
/// so that the caller can drop that binding and keep the others.
pub fn open_any(
    key: &StateKey,
    state: &str,
    cookie_values: &[&str],
    now: u64,
) -> Result<(OpenedState, usize), StateError> {
    if state.is_empty() {
        return Err(StateError::Missing);
    }
    if state.len() > MAX_STATE_TEXT_LEN {
        return Err(StateError::Malformed);
    }
    let mut sealed = URL_SAFE_NO_PAD.decode(state).map_err(|_| StateError::Malformed)?;
    if sealed.len() < MIN_SEALED_LEN || sealed.len() > MAX_SEALED_LEN || sealed[0] != VERSION {
        return Err(StateError::Malformed);
    }
    let nonce: [u8; STATE_NONCE_LEN] = sealed[1..HEADER_LEN].try_into().expect("header length checked");
    let tag_at = sealed.len() - TAG_LEN;
    let tag = Tag::try_from(&sealed[tag_at..]).expect("tag length checked");
    let (_, plaintext) = sealed[..tag_at].split_at_mut(HEADER_LEN);
    cipher(key)
        .decrypt_inout_detached(&Nonce::from(nonce), &associated_data(VERSION), plaintext.into(), &tag)
        .map_err(|_| StateError::Forged)?;
    let claims = read_claims(plaintext).ok_or(StateError::Malformed)?;

    let expires_at = claims.issued_at.saturating_add(STATE_LIFETIME_SECS);
    if now >= expires_at {
        return Err(StateError::Expired);
    }
    if cookie_values.iter().all(|value| value.is_empty()) {
        return Err(StateError::MissingCookie);
    }
    let expected = claims.browser.cookie_value();
    // Every candidate is compared in full: they are all this browser's own, but the time taken
    // should not depend on where, or whether, one matched.
    let mut matched = None;
    for (i, value) in cookie_values.iter().enumerate() {
        if bool::from(expected.as_bytes().ct_eq(value.as_bytes())) {
            matched = matched.or(Some(i));
        }
    }
    let matched = matched.ok_or(StateError::BrowserMismatch)?;
    let opened =
        OpenedState { id: claims.id, issued_at: claims.issued_at, expires_at, return_path: claims.return_path };
    Ok((opened, matched))
}

fn read_claims(plaintext: &[u8]) -> Option<StateClaims> {
    let (id, rest) = plaintext.split_first_chunk::<STATE_ID_LEN>()?;
    let (browser, rest) = rest.split_first_chunk::<BROWSER_BINDING_LEN>()?;
    let (issued_at, path) = rest.split_first_chunk::<8>()?;
    // Checked again although authenticated: a state sealed by an older, laxer version must not
    // become an open redirect.
    let return_path = ReturnPath::new(std::str::from_utf8(path).ok()?).ok()?;
    Some(StateClaims {
        id: StateId(*id),
        browser: BrowserBinding(*browser),
        issued_at: u64::from_be_bytes(*issued_at),
        return_path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_790_000_000;

    fn key() -> StateKey {
        StateKey::from_bytes(std::array::from_fn(|i| i as u8))
    }

    fn claims(path: &str) -> StateClaims {
        StateClaims {
            id: StateId::from_bytes([7; STATE_ID_LEN]),
            browser: BrowserBinding::from_bytes([9; BROWSER_BINDING_LEN]),
            issued_at: NOW,
            return_path: ReturnPath::new(path).unwrap(),
        }
    }

    fn cookie() -> String {
        BrowserBinding::from_bytes([9; BROWSER_BINDING_LEN]).cookie_value()
    }

    #[test]
    fn round_trip() {
        let state = seal(&key(), &claims("/report?x=1"), [3; STATE_NONCE_LEN]);
        assert!(state.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{state}");
        let opened = open(&key(), &state, Some(&cookie()), NOW + 1).unwrap();
        assert_eq!(opened.id, StateId::from_bytes([7; STATE_ID_LEN]));
        assert_eq!(opened.return_path.as_str(), "/report?x=1");
        assert_eq!((opened.issued_at, opened.expires_at), (NOW, NOW + STATE_LIFETIME_SECS));
        assert_eq!(opened.id.to_string(), "07".repeat(16));
    }

    #[test]
    fn size_for_a_typical_return_path() {
        assert_eq!(seal(&key(), &claims("/"), [0; 12]).len(), 94);
        assert_eq!(seal(&key(), &claims("/report"), [0; 12]).len(), 102);
        let longest = format!("/{}", "a".repeat(MAX_RETURN_PATH_LEN - 1));
        assert!(seal(&key(), &claims(&longest), [0; 12]).len() <= MAX_STATE_TEXT_LEN);
    }

    #[test]
    fn the_same_claims_seal_differently_under_another_nonce() {
        assert_ne!(seal(&key(), &claims("/"), [1; 12]), seal(&key(), &claims("/"), [2; 12]));
    }

    #[test]
    fn expiry_boundary() {
        let state = seal(&key(), &claims("/"), [3; 12]);
        assert!(open(&key(), &state, Some(&cookie()), NOW).is_ok());
        assert!(open(&key(), &state, Some(&cookie()), NOW + STATE_LIFETIME_SECS - 1).is_ok());
        assert_eq!(open(&key(), &state, Some(&cookie()), NOW + STATE_LIFETIME_SECS), Err(StateError::Expired));
        assert_eq!(open(&key(), &state, Some(&cookie()), u64::MAX), Err(StateError::Expired));
    }

    #[test]
    fn checks_come_in_order() {
        let state = seal(&key(), &claims("/"), [3; 12]);
        let other_key = StateKey::from_bytes([0xee; 32]);
        let later = NOW + STATE_LIFETIME_SECS;
        let table: &[(&StateKey, &str, Option<&str>, u64, StateError)] = &[
            (&key(), "", Some("c"), NOW, StateError::Missing),
            (&key(), "not base64!", Some("c"), NOW, StateError::Malformed),
            (&key(), "AAAA", Some("c"), NOW, StateError::Malformed),
            (&other_key, &state, Some(&cookie()), NOW, StateError::Forged),
            (&key(), &state, None, later, StateError::Expired),
            (&key(), &state, None, NOW, StateError::MissingCookie),
            (&key(), &state, Some(""), NOW, StateError::MissingCookie),
            (&key(), &state, Some("AAAAAAAAAAAAAAAAAAAAAA"), NOW, StateError::BrowserMismatch),
            (&key(), &state, Some(&cookie()[1..]), NOW, StateError::BrowserMismatch),
            (&key(), &state, Some(&format!("{} ", cookie())), NOW, StateError::BrowserMismatch),
        ];
        for (key, state, cookie, now, expected) in table {
            assert_eq!(open(key, state, *cookie, *now), Err(*expected), "{state:?} {cookie:?}");
        }
    }

    #[test]
    fn every_altered_byte_is_refused() {
        let state = seal(&key(), &claims("/report"), [3; 12]);
        let sealed = URL_SAFE_NO_PAD.decode(&state).unwrap();
        for index in 0..sealed.len() {
            for bit in 0..8 {
                let mut altered = sealed.clone();
                altered[index] ^= 1 << bit;
                let result = open(&key(), &URL_SAFE_NO_PAD.encode(&altered), Some(&cookie()), NOW);
                // The version byte is read before authentication; every other byte is authenticated.
                let expected = if index == 0 { StateError::Malformed } else { StateError::Forged };
                assert_eq!(result, Err(expected), "byte {index} bit {bit}");
            }
        }
        for cut in [1, TAG_LEN, sealed.len() - MIN_SEALED_LEN] {
            let result = open(&key(), &URL_SAFE_NO_PAD.encode(&sealed[..sealed.len() - cut]), Some(&cookie()), NOW);
            assert!(matches!(result, Err(StateError::Forged | StateError::Malformed)), "cut {cut}");
        }
    }

    #[test]
    fn every_altered_character_is_refused() {
        let state = seal(&key(), &claims("/report"), [3; 12]);
        for (index, original) in state.char_indices() {
            for replacement in ['A', 'z', '0', '-', '_', '=', '+', '/', '.'] {
                if replacement == original {
                    continue;
                }
                let mut altered = state.clone();
                altered.replace_range(index..index + 1, &replacement.to_string());
                assert!(open(&key(), &altered, Some(&cookie()), NOW).is_err(), "{index} {replacement}");
            }
        }
    }

    #[test]
    fn any_of_several_bindings_opens_its_own_state() {
        let (key, claims) = (key(), claims("/"));
        let state = seal(&key, &claims, [9; STATE_NONCE_LEN]);
        let other = BrowserBinding::from_bytes([1; BROWSER_BINDING_LEN]).cookie_value();
        let mine = cookie();
        let opened = open_any(&key, &state, &[other.as_str(), mine.as_str()], NOW);
        assert_eq!(opened.map(|(_, i)| i), Ok(1));
        assert_eq!(open_any(&key, &state, &[other.as_str()], NOW).map(|(_, i)| i), Err(StateError::BrowserMismatch));
        assert_eq!(open_any(&key, &state, &[], NOW).map(|(_, i)| i), Err(StateError::MissingCookie));
        assert_eq!(open_any(&key, &state, &[""], NOW).map(|(_, i)| i), Err(StateError::MissingCookie));
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let shown = format!("{:?}", claims("/"));
        assert!(!shown.contains(&cookie()) && shown.contains("BrowserBinding(<hidden>)"), "{shown}");
    }
}
