//! The answer's wire form: every string of a report laid end to end in one `text`, and one
//! array of `numbers` holding counts, flags, spans and each string's length in UTF-16 code
//! units (what `String.prototype.slice` counts). `decode.js` reads both in the same order as
//! they are written here, so the two files change together.
//!
//! Text fixed in the binary (rule codes, field names, most help) is not copied: it goes as
//! [`FIXED`], its address and its length in bytes, and `decode.js` decodes each such string once
//! and keeps it, since the same few come back on every keystroke.

use std::borrow::Cow;

use crate::check::RuleInfo;
use crate::diagnostic::Field;
use crate::report::Report;
use crate::setup::Setup;

/// Marks a string passed by address: the next two numbers are its address and byte length.
pub(super) const FIXED: u32 = u32::MAX;

#[derive(Default)]
pub(super) struct Wire {
    text: String,
    numbers: Vec<u32>,
}

impl Wire {
    pub fn report(report: &Report) -> Wire {
        // Sized once: growing the text by doubling copied it several times per keystroke.
        let findings_text: usize = report
            .findings
            .iter()
            .map(|f| {
                let help = if let Cow::Owned(help) = &f.help { help.len() } else { 0 };
                let inserts = f.fix.as_ref().map_or(0, |fix| fix.edits.iter().map(|e| e.insert.len()).sum());
                f.message.len() + help + f.fix.as_ref().map_or(0, |fix| fix.replacement.len()) + inserts
            })
            .sum();
        let normalized = &report.normalized;
        let normalized_text = 2 * normalized.scope.len() + normalized.authorize_url.as_ref().map_or(0, String::len);
        let mut wire = Wire {
            text: String::with_capacity(findings_text + normalized_text),
            numbers: Vec::with_capacity(16 + 12 * report.findings.len() + normalized.scopes.len()),
        };
        wire.number(report.findings.len());
        for finding in &report.findings {
            wire.fixed(finding.rule.code());
            wire.fixed(finding.severity.as_str());
            wire.fixed(finding.field.key());
            wire.flag(finding.span.is_some());
            if let Some(span) = finding.span {
                wire.number(span.start);
                wire.number(span.end);
            }
            wire.string(&finding.message);
            match &finding.help {
                Cow::Borrowed(help) => wire.fixed(help),
                Cow::Owned(help) => wire.string(help),
            }
            wire.flag(finding.fix.is_some());
            if let Some(fix) = &finding.fix {
                wire.fixed(fix.field.key());
                wire.fixed(fix.applicability.as_str());
                wire.number(fix.edits.len());
                for edit in &fix.edits {
                    wire.number(edit.start);
                    wire.number(edit.end);
                    wire.string(&edit.insert);
                }
                wire.string(&fix.replacement);
            }
        }
        let summary = &report.summary;
        for count in [summary.errors, summary.warnings, summary.infos, summary.omitted] {
            wire.number(count);
        }
        wire.number(normalized.scopes.len());
        for scope in &normalized.scopes {
            wire.string(scope);
        }
        wire.string(&normalized.scope);
        wire.flag(normalized.authorize_url.is_some());
        if let Some(url) = &normalized.authorize_url {
            wire.string(url);
        }
        wire.flag(normalized.authorize_url_unavailable.is_some());
        if let Some(why) = &normalized.authorize_url_unavailable {
            wire.string(why);
        }
        wire.fixed(normalized.grant.code());
        wire.fixed(normalized.cloud.code());
        let endpoints = &normalized.endpoints;
        wire.flag(endpoints.authorization_url.is_some());
        if let Some(url) = endpoints.authorization_url {
            wire.fixed(url);
        }
        wire.fixed(endpoints.token_url);
        wire.fixed(endpoints.api_base_url);
        wire
    }

    pub fn rules(rules: &[RuleInfo]) -> Wire {
        let mut wire = Wire::default();
        wire.number(rules.len());
        for rule in rules {
            for text in [rule.code, rule.severity.as_str(), rule.field.key(), rule.basis.code(), rule.basis_text] {
                wire.string(text);
            }
            for text in [rule.title, rule.explanation, rule.fixes] {
                wire.string(text);
            }
            wire.flag(rule.per_scope);
        }
        wire
    }

    pub fn setup(setup: &Setup) -> Wire {
        let mut wire = Wire::default();
        for field in Field::ALL {
            let value = setup.get(field);
            wire.flag(value.is_some());
            if let Some(value) = value {
                wire.string(value);
            }
        }
        wire
    }

    pub fn fields() -> Wire {
        let mut wire = Wire::default();
        wire.number(Field::ALL.len());
        for field in Field::ALL {
            wire.string(field.key());
            wire.string(field.label());
            wire.flag(field.is_secret());
        }
        wire
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn numbers(&self) -> &[u32] {
        &self.numbers
    }

    /// Text that lives as long as the module: its address is a stable name for it.
    fn fixed(&mut self, text: &'static str) {
        self.numbers.extend([FIXED, text.as_ptr() as usize as u32, text.len() as u32]);
    }

    fn string(&mut self, text: &str) {
        let units = if text.is_ascii() { text.len() } else { text.encode_utf16().count() };
        self.number(units);
        self.text.push_str(text);
    }

    /// Counts and offsets come from strings a JS caller passed in, so they fit in a `u32`.
    fn number(&mut self, n: usize) {
        self.numbers.push(n as u32);
    }

    fn flag(&mut self, set: bool) {
        self.numbers.push(u32::from(set));
    }
}
