//! Newtypes for the values of an OAuth setup, so that a client ID is never passed where a
//! secret belongs and a secret never reaches a log through `Debug`.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use super::seen::SeenNames;
use crate::redact::redacted_secret;

#[derive(Clone, PartialEq, Eq)]
pub struct ClientId(String);

impl ClientId {
    pub fn new(id: impl Into<String>) -> Self {
        ClientId(id.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClientId").field(&self.0).finish()
    }
}

/// A client secret. `Debug` shows its first four characters and its length only.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn new(secret: impl Into<String>) -> Self {
        ClientSecret(secret.into())
    }
    /// The secret itself, for the one place that needs it: the token request body.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClientSecret").field(&redacted_secret(&self.0)).finish()
    }
}

/// The redirect URI, kept as typed: Atlassian compares it with the registered callback
/// character for character, so it must not be re-serialized (which could add a `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUrl(String);

impl RedirectUrl {
    pub fn new(url: &str) -> Result<Self, url::ParseError> {
        Url::parse(url)?;
        Ok(RedirectUrl(url.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a URL's host is loopback as OAuth and this project define it: `localhost`,
/// `127.0.0.1` or `[::1]`, where plain http is acceptable for development (RFC 8252 §7.3). One
/// definition for the validator's callback rules and the Worker's development overrides.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip == Ipv4Addr::LOCALHOST,
        Some(Host::Ipv6(ip)) => ip == Ipv6Addr::LOCALHOST,
        None => false,
    }
}

/// Scope names in request order, without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeList(Vec<String>);

impl ScopeList {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(scopes: I) -> Self {
        let mut list: Vec<String> = scopes.into_iter().map(Into::into).collect();
        // Borrowed names, not copies: copying is slow in wasm, and this runs on every keystroke.
        let first: Vec<bool> = {
            let mut seen = SeenNames::default();
            list.iter().map(|scope| seen.insert(scope.as_str())).collect()
        };
        let mut keep = first.into_iter();
        list.retain(|_| keep.next().unwrap_or(false));
        ScopeList(list)
    }
    /// The scopes of an OAuth `scope` value: space-separated, as Atlassian returns them.
    pub fn from_scope_value(value: &str) -> Self {
        ScopeList::new(value.split_ascii_whitespace())
    }
    pub fn names(&self) -> &[String] {
        &self.0
    }
    pub fn into_names(self) -> Vec<String> {
        self.0
    }
    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|name| name == scope)
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The OAuth `scope` value: space-separated (RFC 6749 §3.3).
    pub fn to_scope_value(&self) -> String {
        self.0.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_list_keeps_the_first_of_each_in_order() {
        let list = ScopeList::new(["b", "a", "b", "c", "a"]);
        assert_eq!(list.names(), ["b", "a", "c"]);
        assert_eq!(list.to_scope_value(), "b a c");
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let shown = format!("{:?}", ClientSecret::new(format!("ATOA{}", "s".repeat(72))));
        assert_eq!(shown, "ClientSecret(\"ATOA… (76 characters)\")");
    }
}
