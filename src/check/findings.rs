//! The collector the rule areas push into.

use std::borrow::Cow;
use std::ops::Range;

use super::{Rule, MAX_FINDINGS_PER_RULE};
use crate::order::{index_of, key, sort_keys};
use crate::report::{Finding, Fix, Normalized, Report, Severity, Span, Summary};
use crate::setup::{Field, Setup};

/// What a rule area found, before it becomes a [`Finding`].
pub(super) struct Hit {
    pub rule: Rule,
    pub field: Field,
    /// Byte range in the field's text.
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: Cow<'static, str>,
    /// The field's whole new text.
    pub fix: Option<String>,
    /// When the rule's default does not apply.
    pub severity: Option<Severity>,
}

impl Hit {
    pub fn new(rule: Rule, message: impl Into<String>, help: impl Into<Cow<'static, str>>) -> Hit {
        Hit {
            rule,
            field: rule.field(),
            span: None,
            message: message.into(),
            help: help.into(),
            fix: None,
            severity: None,
        }
    }
    pub fn on(mut self, field: Field) -> Hit {
        self.field = field;
        self
    }
    pub fn at(mut self, span: Range<usize>) -> Hit {
        self.span = Some(span);
        self
    }
    pub fn fix(mut self, replacement: impl Into<String>) -> Hit {
        self.fix = Some(replacement.into());
        self
    }
    pub fn fix_opt(mut self, replacement: Option<String>) -> Hit {
        self.fix = replacement;
        self
    }
    pub fn severity(mut self, severity: Severity) -> Hit {
        self.severity = Some(severity);
        self
    }
}

pub(super) struct Findings<'a> {
    setup: &'a Setup,
    findings: Vec<Finding>,
    /// Findings listed so far, by rule (`Rule as usize`).
    listed: Vec<usize>,
    summary: Summary,
}

impl<'a> Findings<'a> {
    pub fn new(setup: &'a Setup) -> Self {
        Findings { setup, findings: Vec::new(), listed: vec![0; Rule::ALL.len()], summary: Summary::default() }
    }

    pub fn push(&mut self, hit: Hit) {
        let severity = hit.severity.unwrap_or(hit.rule.default_severity());
        if !self.would_list(hit.rule) {
            self.count_unlisted(hit.rule, severity);
            return;
        }
        self.count(severity);
        self.listed[hit.rule as usize] += 1;
        let text = hit.field.get(self.setup).unwrap_or("");
        let span =
            hit.span.map(|bytes| Span { start: char_offset(text, bytes.start), end: char_offset(text, bytes.end) });
        self.findings.push(Finding {
            rule: hit.rule,
            severity,
            field: hit.field,
            span,
            message: hit.message,
            help: hit.help,
            fix: hit.fix.map(|replacement| Fix { field: hit.field, replacement }),
        });
    }

    /// Counts a finding of `rule` past the listing cap, without building it.
    pub fn count_unlisted(&mut self, rule: Rule, severity: Severity) {
        debug_assert!(!self.would_list(rule));
        self.count(severity);
        self.summary.omitted += 1;
    }

    fn count(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.summary.errors += 1,
            Severity::Warning => self.summary.warnings += 1,
            Severity::Info => self.summary.infos += 1,
        }
    }

    /// Whether another finding of `rule` would be listed rather than only counted: costly
    /// details (suggestions) are worth computing only then.
    pub fn would_list(&self, rule: Rule) -> bool {
        self.listed[rule as usize] < MAX_FINDINGS_PER_RULE
    }

    pub fn has_error_in(&self, field: Field) -> bool {
        self.findings.iter().any(|f| f.field == field && f.severity == Severity::Error)
    }

    pub fn into_report(self, normalized: Normalized) -> Report {
        // Most severe first, then in field order, then left to right: the order a person fixes them.
        // The push order breaks ties, so the order is the same on every platform and build.
        // Packed: severity, then field, then the span's start (none first) in the low 64 bits.
        let mut keys: Vec<u128> = self
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let start = f.span.map_or(0, |s| s.start as u64 + 1);
                key((f.severity as u128) << 72 | (f.field as u128) << 64 | u128::from(start), i)
            })
            .collect();
        sort_keys(&mut keys);
        let mut slots: Vec<Option<Finding>> = self.findings.into_iter().map(Some).collect();
        let findings = keys.into_iter().filter_map(|key| slots[index_of(key)].take()).collect();
        Report { findings, summary: self.summary, normalized }
    }
}

/// Characters before byte `index` of `text` (clamped to a char boundary).
fn char_offset(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    if text.is_ascii() {
        return index;
    }
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    text[..index].chars().count()
}
