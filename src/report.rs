//! The output of the validator: findings with rule codes, spans and fixes, a summary, and the
//! normalized values to paste. The same JSON in every face.

use std::borrow::Cow;

use serde::{Serialize, Serializer};

use crate::check::Rule;
use crate::setup::{Field, Setup};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A range of characters (Unicode scalar values) in a field's text, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Whether a fix is what the user meant, so that a face may apply it without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// The result is what the user meant: trimming, separators, case, duplicates, https, the
    /// ServiceNow path, removing a scope that cannot work.
    Safe,
    /// A guess: the closest real scope for a typo, an added scope, a value copied from a field
    /// that has errors of its own.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One edit that makes a finding go away: the field's whole new text. A fix that would carry
/// secret-shaped text is never offered (see [`crate::redact`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub field: Field,
    pub applicability: Applicability,
    pub replacement: String,
}

impl Fix {
    pub fn apply(&self, setup: &mut Setup) {
        self.field.set(setup, Some(self.replacement.clone()));
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    #[serde(serialize_with = "rule_code")]
    pub rule: Rule,
    pub severity: Severity,
    pub field: Field,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    pub message: String,
    /// Most rules' help is fixed text; it is borrowed, not copied, on every check.
    pub help: Cow<'static, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

fn rule_code<S: Serializer>(rule: &Rule, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(rule.code())
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings counted above but left out of the list: a rule lists at most
    /// [`crate::check::MAX_FINDINGS_PER_RULE`], so pathological input stays readable.
    #[serde(skip_serializing_if = "is_zero")]
    pub omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The values to paste, cleaned up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Normalized {
    /// The scopes, split on any separator and deduplicated, in the order typed.
    pub scopes: Vec<String>,
    /// The same, space-joined: the OAuth `scope` value and ServiceNow's OAuth Entity Scope.
    pub scope: String,
    /// The consent URL, when client ID, callback and scopes are sound. `{state}` is a
    /// placeholder the caller replaces with a fresh, unguessable value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorize_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub summary: Summary,
    pub normalized: Normalized,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }
}
