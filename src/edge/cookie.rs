//! The cookie that binds a sign-in's `state` to the browser that started it.
//!
//! Over https it is `__Host-threelo_state` (Secure, Path=/, no Domain: only this origin, only
//! over TLS). Browsers refuse `Secure` cookies from plain-http pages, so when the Worker's own
//! callback is plain-http loopback (local development) it is `threelo_state` without `Secure`.

use super::config::Config;
use crate::oauth::STATE_LIFETIME_SECS;

const SECURE_NAME: &str = "__Host-threelo_state";
const LOCAL_NAME: &str = "threelo_state";

/// The cookie's name and attributes for this Worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateCookie {
    secure: bool,
}

impl StateCookie {
    pub fn for_config(config: &Config) -> StateCookie {
        let callback = config.setup.callback_url.as_deref().unwrap_or("");
        StateCookie { secure: !callback.trim_start().to_ascii_lowercase().starts_with("http:") }
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
    pub fn read(self, header: Option<&str>) -> Option<String> {
        header?.split(';').find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == self.name()).then(|| value.trim().to_string())
        })
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
        assert_eq!(cookie.read(Some("a=1; threelo_state=abc ; b=2")), Some("abc".into()));
        assert_eq!(cookie.read(Some("xthreelo_state=abc")), None);
        assert_eq!(cookie.read(None), None);
    }
}
