//! The collector the rule areas push into.

use std::borrow::Cow;
use std::ops::Range;

use super::order::{index_of, key, sort_keys};
use super::proposal::{spliced, Proposal};
use super::text::{quoted, Offsets};
use super::{Rule, MAX_FINDINGS_PER_RULE};
use crate::diagnostic::{Applicability, Edit, Field, Fix, Severity, Span};
use crate::redact::Redactor;
use crate::report::{Finding, Normalized, Report, Summary};
use crate::setup::Setup;

/// What a rule area found, before it becomes a [`Finding`].
pub(super) struct Hit {
    pub rule: Rule,
    pub field: Field,
    /// Byte range in the field's text.
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: Cow<'static, str>,
    /// What makes the finding go away, and whether it is what the user meant.
    pub fix: Option<(Proposal, Applicability)>,
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
    /// A fix that is what the user meant ([`Applicability::Safe`]): the field's whole new text.
    pub fn fix(self, replacement: impl Into<String>) -> Hit {
        self.fix_as(replacement, Applicability::Safe)
    }
    pub fn fix_opt(mut self, replacement: Option<String>) -> Hit {
        self.fix = replacement.map(|r| (Proposal::Whole(r), Applicability::Safe));
        self
    }
    pub fn fix_as(mut self, replacement: impl Into<String>, applicability: Applicability) -> Hit {
        self.fix = Some((Proposal::Whole(replacement.into()), applicability));
        self
    }
    /// A fix made of edits of byte ranges of the field's text.
    pub fn edits(mut self, edits: Vec<(Range<usize>, String)>, applicability: Applicability) -> Hit {
        self.fix = Some((Proposal::Edits(edits), applicability));
        self
    }
    pub fn edits_opt(mut self, edits: Option<Vec<(Range<usize>, String)>>, applicability: Applicability) -> Hit {
        self.fix = edits.map(|edits| (Proposal::Edits(edits), applicability));
        self
    }
    /// Without span and fix unless `exact`: what is found in a repaired copy of a field's text
    /// has offsets that are not the typed text's.
    pub fn placed_if(mut self, exact: bool) -> Hit {
        if !exact {
            self.span = None;
            self.fix = None;
        }
        self
    }
    pub fn severity(mut self, severity: Severity) -> Hit {
        self.severity = Some(severity);
        self
    }
}

pub(super) struct Findings<'a> {
    setup: &'a Setup,
    redactor: Redactor<'a>,
    findings: Vec<Finding>,
    /// Findings listed so far, by rule (`Rule as usize`).
    listed: Vec<usize>,
    summary: Summary,
}

impl<'a> Findings<'a> {
    pub fn new(setup: &'a Setup) -> Self {
        Findings {
            setup,
            redactor: Redactor::new(setup),
            findings: Vec::new(),
            listed: vec![0; Rule::ALL.len()],
            summary: Summary::default(),
        }
    }

    /// A collector for findings about `setup` whose text may also quote `other`'s values.
    pub fn quoting(setup: &'a Setup, other: &'a Setup) -> Self {
        let mut findings = Findings::new(setup);
        findings.redactor = findings.redactor.with(Redactor::new(other));
        findings
    }

    pub fn push(&mut self, hit: Hit) {
        let severity = hit.severity.unwrap_or(hit.rule.default_severity());
        if !self.would_list(hit.rule) {
            self.count_unlisted(hit.rule, severity);
            return;
        }
        self.count(severity);
        self.listed[hit.rule as usize] += 1;
        let text = self.setup.get(hit.field).unwrap_or("");
        let span = hit.span.map(|bytes| {
            let mut offsets = Offsets::new(text);
            Span { start: offsets.chars_before(bytes.start), end: offsets.chars_before(bytes.end) }
        });
        // Redacted here, where every finding passes: whatever a rule put in its text.
        let message = match self.redactor.redact(&hit.message) {
            Cow::Borrowed(_) => hit.message,
            Cow::Owned(redacted) => redacted,
        };
        // Fixed help is the binary's own text: only help built from what was typed can hold a secret.
        let help = match hit.help {
            Cow::Owned(help) => Cow::Owned(self.redactor.redact(&help).into_owned()),
            fixed => fixed,
        };
        let fix =
            hit.fix.and_then(|(proposal, applicability)| self.offered_fix(hit.field, text, proposal, applicability));
        self.findings.push(Finding {
            rule: hit.rule,
            severity,
            field: hit.field,
            span,
            message,
            help,
            fix,
            origin: None,
        });
    }

    /// The fix as the report gives it, in characters; `None` when it would carry a secret.
    fn offered_fix(&self, field: Field, text: &str, proposal: Proposal, applicability: Applicability) -> Option<Fix> {
        // The secret field's own fixes are withheld whole: they are the secret, or most of it.
        if field.is_secret() {
            return None;
        }
        let edits = proposal.into_edits(text)?;
        let replacement = spliced(text, &edits);
        // Withheld, not redacted: a redacted value applied to a field would be a wrong value.
        if self.redactor.finds_secret_in(&replacement) {
            return None;
        }
        let mut offsets = Offsets::new(text);
        let edits = edits
            .into_iter()
            .map(|(range, insert)| Edit {
                start: offsets.chars_before(range.start),
                end: offsets.chars_before(range.end),
                insert,
            })
            .collect();
        Some(Fix { field, applicability, edits, replacement })
    }

    /// `text` quoted for a message, with anything secret hidden before it is shortened (a
    /// shortened secret would no longer be recognised).
    pub fn quote(&self, text: &str) -> String {
        quoted(&self.redactor.redact(text))
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

    pub fn into_report(self, mut normalized: Normalized) -> Report {
        for scope in normalized.scopes.iter_mut() {
            if let Cow::Owned(redacted) = self.redactor.redact(scope) {
                *scope = redacted;
            }
        }
        if let Cow::Owned(redacted) = self.redactor.redact(&normalized.scope) {
            normalized.scope = redacted;
        }
        // A consent URL with a hidden part would not work: none is offered.
        if normalized.authorize_url.as_ref().is_some_and(|url| self.redactor.finds_secret_in(url)) {
            normalized.authorize_url = None;
            normalized.authorize_url_unavailable =
                Some("Not available: it would carry a secret-shaped value from the fields above.".to_string());
        }
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
