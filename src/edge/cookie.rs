//! The cookie that binds a sign-in's `state` to the browser that started it.
//!
//! Over https it is `__Host-threelo_state` (Secure, Path=/, no Domain: only this origin, only
//! over TLS). Browsers refuse `Secure` cookies from plain-http pages, so when the Worker's own
//! callback is plain-http loopback (local development) it is `threelo_state` without `Secure`.
//!
//! It holds one binding per sign-in under way in this browser, newest first, joined by `.`
//! (which URL-safe base64 never contains): a second tab's /connect must not strand the first.

use super::config::Config;
use crate::oauth::STATE_LIFETIME_SECS;

const SECURE_NAME: &str = "__Host-threelo_state";
/// Sign-ins one browser may have under way at once; the oldest beyond this is forgotten, and its
/// callback then answers `state-browser-mismatch`.
pub const MAX_PENDING: usize = 4;
/// A binding's text: 16 random bytes in URL-safe base64 without padding.
const BINDING_CHARS: usize = 22;
const LOCAL_NAME: &str = "threelo_state";

/// The cookie's name and attributes for this Worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateCookie {
    secure: bool,
}

impl StateCookie {
    pub fn for_config(config: &Config) -> StateCookie {
        StateCookie { secure: config.serves_https() }
    }

    pub fn name(self) -> &'static str {
        if self.secure {
            SECURE_NAME
        } else {
            LOCAL_NAME
        }
    }

    /// `Set-Cookie` for a new binding. `SameSite=Lax`: Atlassian's redirect back is a top-level
    /// GET navigation, which Lax cookies accompany; nothing cross-site gets it otherwise.
    pub fn set(self, value: &str) -> String {
        format!(
            "{}={value}; Path=/; Max-Age={STATE_LIFETIME_SECS}; HttpOnly; SameSite=Lax{}",
            self.name(),
            self.secure_attr()
        )
    }

    /// `Set-Cookie` that removes it: a callback uses the binding once, whatever its outcome.
    pub fn clear(self) -> String {
        format!("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}", self.name(), self.secure_attr())
    }

    /// The value in a `Cookie` request header, if the cookie is there (the first, if repeated).
    pub fn read(self, header: Option<&str>) -> Option<&str> {
        header?.split(';').find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == self.name()).then(|| value.trim())
        })
    }

    /// The bindings the cookie holds, newest first; anything that is not a binding is dropped.
    pub fn bindings(self, header: Option<&str>) -> Vec<&str> {
        let is_binding = |value: &&str| {
            value.len() == BINDING_CHARS && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        self.read(header).map_or_else(Vec::new, |value| value.split('.').filter(is_binding).take(MAX_PENDING).collect())
    }

    /// `Set-Cookie` for a new sign-in: its binding first, then those still under way.
    pub fn add(self, header: Option<&str>, binding: &str) -> String {
        let earlier = self.bindings(header).into_iter().filter(|b| *b != binding).take(MAX_PENDING - 1);
        self.set(&std::iter::once(binding).chain(earlier).collect::<Vec<_>>().join("."))
    }

    /// `Set-Cookie` after a callback: the binding it used (`used`, an index into
    /// [`bindings`](Self::bindings)) is gone, the others stay for their own callbacks. (A
    /// callback whose state matched none of them sends no `Set-Cookie` at all.)
    pub fn after_callback(self, header: Option<&str>, used: usize) -> String {
        let mut left = self.bindings(header);
        if used < left.len() {
            left.remove(used);
        }
        if left.is_empty() {
            self.clear()
        } else {
            self.set(&left.join("."))
        }
    }

    fn secure_attr(self) -> &'static str {
        if self.secure {
            "; Secure"
        } else {
            ""
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_origins_get_a_host_prefixed_secure_cookie() {
        let cookie = StateCookie { secure: true };
        assert_eq!(cookie.set("v"), "__Host-threelo_state=v; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure");
        assert!(cookie.clear().contains("Max-Age=0") && cookie.clear().ends_with("; Secure"));
        let local = StateCookie { secure: false };
        assert_eq!(local.set("v"), "threelo_state=v; Path=/; Max-Age=600; HttpOnly; SameSite=Lax");
    }

    #[test]
    fn reads_its_own_cookie_among_others() {
        let cookie = StateCookie { secure: false };
        assert_eq!(cookie.read(Some("a=1; threelo_state=abc ; b=2")), Some("abc"));
        assert_eq!(cookie.read(Some("xthreelo_state=abc")), None);
        assert_eq!(cookie.read(None), None);
    }

    const A: &str = "AAAAAAAAAAAAAAAAAAAAAA";
    const B: &str = "BBBBBBBBBBBBBBBBBBBB-_";
    const C: &str = "CCCCCCCCCCCCCCCCCCCCCC";

    fn value_of(set_cookie: &str) -> &str {
        set_cookie.split(';').next().unwrap().split_once('=').unwrap().1
    }

    #[test]
    fn keeps_one_binding_per_sign_in_under_way() {
        let cookie = StateCookie { secure: false };
        let first = cookie.add(None, A);
        assert_eq!(value_of(&first), A);
        let header = format!("threelo_state={}", value_of(&first));
        let second = cookie.add(Some(&header), B);
        assert_eq!(value_of(&second), format!("{B}.{A}"));
        let header = format!("x=1; threelo_state={}", value_of(&second));
        assert_eq!(cookie.bindings(Some(&header)), [B, A]);
        // The second sign-in's callback (index 0) leaves the first's binding; the first's clears.
        assert_eq!(value_of(&cookie.after_callback(Some(&header), 0)), A);
        assert!(cookie.after_callback(Some(&format!("threelo_state={A}")), 0).contains("Max-Age=0"));
    }

    #[test]
    fn holds_at_most_max_pending_and_drops_junk() {
        let cookie = StateCookie { secure: false };
        let header = format!("threelo_state={A}.{B}.junk..{C}.{A}x.{C}");
        assert_eq!(cookie.bindings(Some(&header)), [A, B, C, C]);
        let added = cookie.add(Some(&header), "DDDDDDDDDDDDDDDDDDDDDD");
        assert_eq!(value_of(&added).split('.').count(), MAX_PENDING);
        assert!(value_of(&added).starts_with("DDDD") && !value_of(&added).contains("junk"));
    }
}
