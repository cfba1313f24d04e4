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

/// One operation and the scopes it needs.
#[derive(Debug, PartialEq, Eq)]
pub struct Operation {
    pub api: Api,
    pub method: Method,
    /// The full path on a site, as a template (`/wiki/api/v2/pages/{id}`).
    pub path: &'static str,
    /// Atlassian's operationId (empty for the calls outside the two documents).
    pub operation_id: &'static str,
    /// The scopes the endpoint checks today (state `Current`): classic on most of v1.
    pub current: &'static [&'static str],
    /// The granular alternative v1 documents (state `Beta`); empty on v2.
    pub beta: &'static [&'static str],
    /// Whether an admin's app access rule can not block it (`app-access-rule-exempt`); `None` when
    /// the document does not say.
    pub access_rule_exempt: Option<bool>,
}

impl Operation {
    /// `GET /wiki/api/v2/pages`: how findings and plans name the operation.
    pub fn label(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }

    /// Each documented way to be allowed the call: all the scopes of one state.
    pub fn scope_sets(&self) -> impl Iterator<Item = &'static [&'static str]> {
        [self.current, self.beta].into_iter().filter(|set| !set.is_empty())
    }

    /// Whether holding `scopes` allows the call: all the scopes of any one state (none needed
    /// when the operation documents none).
    pub fn allowed_by(&self, has: impl Fn(&str) -> bool) -> bool {
        let mut sets = self.scope_sets().peekable();
        sets.peek().is_none() || sets.any(|set| set.iter().all(|scope| has(scope)))
    }

    /// Whether `scope` is one of those any state names.
    pub fn names_scope(&self, scope: &str) -> bool {
        self.scope_sets().any(|set| set.contains(&scope))
    }
}

/// The calls on `api.atlassian.com` that neither document holds, hand-kept (DOMAIN.md §4, §10).
pub static PLATFORM_OPERATIONS: &[Operation] = &[
    // User identity API: the signed-in user's account.
    Operation {
        api: Api::Platform,
        method: Method::Get,
        path: "/me",
        operation_id: "",
        current: &["read:me"],
        beta: &[],
        access_rule_exempt: None,
    },
    // The sites a token may call (any valid token).
    Operation {
        api: Api::Platform,
        method: Method::Get,
        path: "/oauth/token/accessible-resources",
        operation_id: "",
        current: &[],
        beta: &[],
        access_rule_exempt: None,
    },
    // Personal data reporting API.
    Operation {
        api: Api::Platform,
        method: Method::Post,
        path: "/app/report-accounts/",
        operation_id: "",
        current: &["report:personal-data"],
        beta: &[],
        access_rule_exempt: None,
    },
];
