//! Newtypes for the values of an OAuth setup, so that a client ID is never passed where a
//! secret belongs and a secret never reaches a log through `Debug`.

use std::fmt;

use url::Url;

use crate::setup::redacted_secret;

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

/// Scope names in request order, without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeList(Vec<String>);

impl ScopeList {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(scopes: I) -> Self {
        let mut list: Vec<String> = scopes.into_iter().map(Into::into).collect();
        // Ordered set semantics without hashing (slow in wasm): sort indices, drop later repeats.
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by(|a, b| list[*a].cmp(&list[*b]).then(a.cmp(b)));
        let mut keep = vec![true; list.len()];
        for pair in order.windows(2) {
            if list[pair[0]] == list[pair[1]] {
                keep[pair[1]] = false;
            }
        }
        let mut index = 0;
        list.retain(|_| {
            index += 1;
            keep[index - 1]
        });
        ScopeList(list)
    }
    pub fn names(&self) -> &[String] {
        &self.0
    }
    /// The OAuth `scope` value: space-separated (RFC 6749 §3.3).
    pub fn to_scope_value(&self) -> String {
        self.0.join(" ")
    }
}
