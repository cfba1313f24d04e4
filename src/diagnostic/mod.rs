//! The validator's vocabulary: rules and their codes, severities, the fields of a setup, spans
//! and fixes. The checks ([`crate::check`]) speak it and the report ([`crate::report`]) carries
//! it; this module depends on neither, so neither depends on the other.

mod field;
mod fix;
mod rule;

pub use field::Field;
pub use fix::{Applicability, Edit, Fix};
pub use rule::{rules, Basis, Rule, RuleInfo};

use serde::Serialize;

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
