//! What ServiceNow holds, read as a setup (DOMAIN.md §13): a configuration template's Default
//! Data Template (JSON), or an XML export of the Application Registry records. Either is mapped
//! onto a [`Setup`] that every rule checks, each value remembering where it came from, and the
//! `servicenow/*` rules add what only the records' structure shows.
//!
//! - `records`: the records, whichever form they came in, and their mapping onto a setup;
//! - `template` and `export`: the two forms;
//! - `checks`: the `servicenow/*` rules;
//! - `write`: a template's fixes written back into it (an export is never rewritten).

mod checks;
mod export;
mod records;
mod template;
mod write;

use std::fmt;

use serde::Serialize;

pub use write::{fix_template, FixedTemplate};

use crate::check::check;
use crate::diagnostic::{Field, Span};
use crate::report::{Finding, Report};
use crate::setup::Setup;
use records::{Records, ScopePiece};

/// Which of ServiceNow's forms a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// A configuration template's Default Data Template, with or without its Dynamic Data Schema.
    Template,
    /// An XML export of Application Registry records (or an update set holding them).
    Export,
}

impl Form {
    pub fn describe(self) -> &'static str {
        match self {
            Form::Template => "a configuration template",
            Form::Export => "an XML export of the Application Registry",
        }
    }
}

/// Why a text that looks like ServiceNow's could not be read. Each says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadError {
    TooLarge(usize),
    /// The XML declares a document type: entities are never expanded or fetched.
    Doctype,
    TooManyNodes,
    TooDeep,
    Xml(String),
    /// The XML's root is this element, not `unload`.
    NotAnExport(String),
    /// No `oauth_entity` record in the export.
    NoRecord,
    /// Several registry records and none, or more than one, for Atlassian.
    SeveralRecords(Vec<String>),
    Template(String),
    /// Nothing but white space.
    Empty,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::TooLarge(bytes) => write!(
                f,
                "the export is {:.1} MB, over the {} MB this reads: export only the Application Registry record and \
                 its scopes and profiles (a few KB)",
                *bytes as f64 / 1_048_576.0,
                export::MAX_BYTES / 1_048_576
            ),
            ReadError::Doctype => f.write_str(
                "the XML declares a DOCTYPE, which no ServiceNow export has: it is refused, so no entity is expanded \
                 and nothing is fetched; export the record again from ServiceNow",
            ),
            ReadError::TooManyNodes => f.write_str(
                "the XML holds too many elements for an export of one Application Registry record: export only that \
                 record and its scopes and profiles",
            ),
            ReadError::TooDeep => f.write_str(
                "the XML nests deeper than any ServiceNow export does (unload → record → column): it is refused",
            ),
            ReadError::Xml(error) => write!(f, "the XML is not well-formed: {error}"),
            ReadError::NotAnExport(root) => write!(
                f,
                "the XML's root element is <{root}>, not <unload>: export the Application Registry record from \
                 ServiceNow (its list → Export → XML)"
            ),
            ReadError::NoRecord => f.write_str(
                "the export holds no Application Registry record (<oauth_entity>): export it from System OAuth → \
                 Application Registry (the list → Export → XML), with its OAuth Entity Scopes and Profiles",
            ),
            ReadError::SeveralRecords(names) => write!(
                f,
                "the export holds {} Application Registry records and not exactly one for Atlassian ({}): export \
                 only the one to check",
                names.len(),
                names.join(", ")
            ),
            ReadError::Template(error) => write!(f, "the configuration template cannot be read: {error}"),
            ReadError::Empty => f.write_str(
                "there is nothing to read: paste a configuration template's Default Data Template (JSON) or an XML \
                 export of the Application Registry record",
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// Parses JSON text: serde_json natively; the browser's own `JSON.parse` in the docs page, where
/// serde_json's parser would be 43 KB of the wasm's gzip (measured for `explain`).
pub trait ParseJson {
    fn parse(&self, text: &str) -> Result<serde_json::Value, String>;
}

/// [`ParseJson`] by serde_json.
pub struct NativeJson;

impl ParseJson for NativeJson {
    fn parse(&self, text: &str) -> Result<serde_json::Value, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

/// Which form `text` is, by its content: XML (an export), or JSON holding a Default Data Template.
/// `None`: neither, so a setup of threelo's own.
pub fn form_of(text: &str) -> Option<Form> {
    form_of_with(text, &NativeJson)
}

/// [`form_of`] with JSON parsed by `json`.
pub fn form_of_with(text: &str, json: &dyn ParseJson) -> Option<Form> {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        return Some(Form::Export);
    }
    if !text.starts_with('{') {
        return None;
    }
    let document = json.parse(text).ok()?;
    template::find(&document, json).ok()?.map(|_| Form::Template)
}

/// The setup fields that what ServiceNow holds speaks for, set or not: the registry record's
/// columns, its scopes and the connection's URL. The others (the console's callback URL, the
/// app's enabled scopes, what the client calls) are the admin's to say; a face filling a form from
/// ServiceNow leaves them as they are.
pub const HELD_FIELDS: [Field; 9] = [
    Field::ClientId,
    Field::ClientSecret,
    Field::GrantType,
    Field::AuthorizationUrl,
    Field::TokenUrl,
    Field::RevocationUrl,
    Field::RedirectUrl,
    Field::Scopes,
    Field::ApiBaseUrl,
];

/// Where a setup field's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub field: Field,
    /// `credential.oauth_entity.redirect_url`, or an exported record and its column.
    pub origin: String,
    /// The part of the field's text that came from there (characters), when the field was put
    /// together from several places: the scopes of several entity scopes. A finding whose span
    /// starts inside it came from there; any other, from the field's origin without a `within`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<Span>,
}

/// What ServiceNow holds, as a setup.
#[derive(Debug, Clone)]
pub struct Imported {
    pub form: Form,
    pub setup: Setup,
    records: Records,
    pieces: Vec<ScopePiece>,
    /// Fields given another value after reading (the CLI's flags): they came from elsewhere.
    overridden: Vec<Field>,
}

/// Reads a configuration template or an XML export (see [`form_of`]).
pub fn read_servicenow(text: &str) -> Result<Imported, ReadError> {
    read_servicenow_with(text, &NativeJson)
}

/// [`read_servicenow`] with JSON parsed by `json`.
pub fn read_servicenow_with(text: &str, json: &dyn ParseJson) -> Result<Imported, ReadError> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    let (form, records) = if text.trim_start().starts_with('<') {
        (Form::Export, export::read(text)?)
    } else {
        if text.len() > export::MAX_BYTES {
            return Err(ReadError::TooLarge(text.len()));
        }
        let document = json.parse(text).map_err(|e| ReadError::Template(format!("it is not JSON: {e}")))?;
        let found = template::find(&document, json)?.ok_or_else(|| {
            ReadError::Template(
                "it has no `credential` or `connection` object (nor a Default Data Template holding them)".to_string(),
            )
        })?;
        (Form::Template, found.records()?)
    };
    let (setup, pieces) = records.to_setup();
    Ok(Imported { form, setup, records, pieces, overridden: Vec::new() })
}

impl Imported {
    /// Where each field of [`Imported::setup`] came from, in field order; for scopes put together
    /// from several entity scopes, also where each part came from ([`Origin::within`]), so that a
    /// face can say for any finding what [`Imported::origin_of`] says.
    pub fn origins(&self) -> Vec<Origin> {
        let mut origins = Vec::new();
        for field in Field::ALL {
            if self.setup.get(field).is_none() && field != Field::ClientSecret {
                continue;
            }
            if let Some(origin) = self.origin_of(field, None) {
                origins.push(Origin { field, origin, within: None });
            }
            if field == Field::Scopes && self.pieces.len() > 1 && !self.overridden.contains(&field) {
                origins.extend(self.pieces.iter().map(|piece| Origin {
                    field,
                    origin: self.records.scopes[piece.scope].value.at.label(),
                    within: Some(Span { start: piece.chars.start, end: piece.chars.end }),
                }));
            }
        }
        origins
    }

    /// Gives `field` a value from elsewhere (such as the Atlassian console's Callback URL, which
    /// ServiceNow does not hold): it is checked with the rest and has no origin.
    pub fn set(&mut self, field: Field, value: Option<String>) {
        self.setup.set(field, value);
        self.overridden.push(field);
    }

    /// Where the text at `span` of `field` came from: for the scopes, the entity scope holding it.
    pub fn origin_of(&self, field: Field, span: Option<Span>) -> Option<String> {
        if self.overridden.contains(&field) {
            return None;
        }
        if field == Field::Scopes {
            let piece = match span {
                Some(span) => self.pieces.iter().find(|piece| piece.chars.contains(&span.start)),
                None if self.pieces.len() == 1 => self.pieces.first(),
                None => None,
            };
            return match piece {
                Some(piece) => Some(self.records.scopes[piece.scope].value.at.label()),
                None if self.pieces.is_empty() => None,
                None => Some(self.scopes_origin()),
            };
        }
        if field == Field::ApiBaseUrl {
            return self.records.connection_url.as_ref().map(|value| value.at.label());
        }
        let (column, _) = records::COLUMNS.iter().find(|(_, own)| *own == field)?;
        self.records.column(column).map(|value| value.at.label())
    }

    /// The scopes as a whole: the default profile's entity scopes, or all of them.
    fn scopes_origin(&self) -> String {
        let records = &self.records;
        let what = match records.default_profile() {
            Some(profile) => format!(
                "the entity scopes of the default profile{}",
                profile.name.as_deref().map_or(String::new(), |name| format!(" \"{}\"", name.trim()))
            ),
            None => "every entity scope (no profile is the default)".to_string(),
        };
        match &records.scopes_at {
            Some(at) => format!("{} ({what})", at.label()),
            None => what,
        }
    }

    /// The `servicenow/*` findings alone.
    pub fn servicenow_findings(&self) -> Vec<Finding> {
        checks::check_records(&self.records, &self.setup)
    }

    /// Every finding threelo knows: the setup's, each saying where its value came from, and the
    /// `servicenow/*` ones.
    pub fn check(&self) -> Report {
        let mut report = check(&self.setup);
        for finding in &mut report.findings {
            finding.origin = self.origin_of(finding.field, finding.span);
        }
        for finding in self.servicenow_findings() {
            report.push(finding);
        }
        // Most severe first, then in field order, as the setup's own report orders them.
        report.findings.sort_by_key(|finding| (finding.severity, finding.field));
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_fields_are_the_columns_read_the_scopes_and_the_connection_url() {
        let mut read: Vec<Field> = records::COLUMNS.iter().map(|(_, field)| *field).collect();
        read.extend([Field::Scopes, Field::ApiBaseUrl]);
        let mut held = HELD_FIELDS.to_vec();
        read.sort_by_key(|field| field.key());
        held.sort_by_key(|field| field.key());
        assert_eq!(held, read);
    }
}
