//! What one call needs: an operation of Confluence REST v1 or v2 (generated into
//! [`super::operations`] from Atlassian's OpenAPI documents), or one of the few calls outside them.

use serde::Serialize;

/// Which API an operation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// Confluence REST v1, under `/wiki/rest/api`.
    V1,
    /// Confluence REST v2, under `/wiki/api/v2`: granular scopes only.
    V2,
    /// A call on `api.atlassian.com` itself (identity, accessible resources, personal data reporting).
    Platform,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
        }
    }

    /// `typed` as a method, in any case.
    pub fn parse(typed: &str) -> Option<Method> {
        [Method::Get, Method::Put, Method::Post, Method::Delete, Method::Patch]
            .into_iter()
            .find(|method| method.as_str().eq_ignore_ascii_case(typed))
    }
}

/// The scopes of one state, as the table holds them: names joined by commas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scopes(&'static str);

impl Scopes {
    pub const NONE: Scopes = Scopes("");

    pub fn iter(self) -> impl Iterator<Item = &'static str> {
        self.0.split(',').filter(|name| !name.is_empty())
    }

    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(self, scope: &str) -> bool {
        self.iter().any(|name| name == scope)
    }
}

/// One operation and the scopes it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    pub api: Api,
    pub method: Method,
    /// The full path on a site, as a template (`/wiki/api/v2/pages/{id}`).
    pub path: &'static str,
    /// Atlassian's operationId (empty for the calls outside the two documents).
    pub operation_id: &'static str,
    /// The scopes the endpoint checks today (state `Current`): classic on most of v1.
    pub current: Scopes,
    /// The granular alternative v1 documents (state `Beta`); none on v2.
    pub beta: Scopes,
    /// Whether an admin's app access rule can not block it (`app-access-rule-exempt`); `None` when
    /// the document does not say.
    pub access_rule_exempt: Option<bool>,
}

impl Operation {
    /// One line of the generated table (`super::operations`); `None` for a line it did not write.
    // The table is text because, as 348 structs of string slices, it cost the browser validator's
    // wasm 1.6 KB gzip more (6.3 against 4.7 KB, measured with the rest of the build unchanged).
    pub(super) fn from_line(line: &'static str) -> Option<Operation> {
        let mut parts = line.split(' ');
        let method = Method::parse(parts.next()?)?;
        let path = parts.next()?;
        let operation_id = parts.next()?;
        let scopes = |word: &'static str| if word == "-" { Scopes::NONE } else { Scopes(word) };
        let current = scopes(parts.next()?);
        let beta = scopes(parts.next()?);
        let access_rule_exempt = match parts.next()? {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        };
        let api = if path.starts_with("/wiki/api/v2/") { Api::V2 } else { Api::V1 };
        Some(Operation { api, method, path, operation_id, current, beta, access_rule_exempt })
    }

    /// `GET /wiki/api/v2/pages`: how findings and plans name the operation.
    pub fn label(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }

    /// Each documented way to be allowed the call: all the scopes of one state.
    pub fn scope_sets(&self) -> impl Iterator<Item = Scopes> {
        [self.current, self.beta].into_iter().filter(|set| !set.is_empty())
    }

    /// Whether holding the scopes `has` says yes to allows the call: all the scopes of any one
    /// state (none needed when the operation documents none).
    pub fn allowed_by(&self, has: impl Fn(&str) -> bool) -> bool {
        let mut sets = self.scope_sets().peekable();
        sets.peek().is_none() || sets.any(|set| set.iter().all(&has))
    }

    /// The scopes still to add to those `has` says yes to, for the state that needs the fewest
    /// (on a tie the one the endpoint checks today); empty when the call is allowed.
    pub fn missing_from(&self, has: impl Fn(&str) -> bool) -> Vec<&'static str> {
        if self.allowed_by(&has) {
            return Vec::new();
        }
        self.scope_sets()
            .map(|set| set.iter().filter(|scope| !has(scope)).collect::<Vec<_>>())
            .reduce(|best, next| if next.len() < best.len() { next } else { best })
            .unwrap_or_default()
    }

    /// Whether `scope` is one of those any state names.
    pub fn names_scope(&self, scope: &str) -> bool {
        self.scope_sets().any(|set| set.contains(scope))
    }
}

/// The calls on `api.atlassian.com` that neither document holds, hand-kept (DOMAIN.md §4, §10).
pub static PLATFORM_OPERATIONS: [Operation; 3] = [
    // User identity API: the signed-in user's account.
    platform(Method::Get, "/me", Scopes("read:me")),
    // The sites a token may call (any valid token).
    platform(Method::Get, "/oauth/token/accessible-resources", Scopes::NONE),
    // Personal data reporting API.
    platform(Method::Post, "/app/report-accounts/", Scopes("report:personal-data")),
];

const fn platform(method: Method, path: &'static str, current: Scopes) -> Operation {
    Operation {
        api: Api::Platform,
        method,
        path,
        operation_id: "",
        current,
        beta: Scopes::NONE,
        access_rule_exempt: None,
    }
}
