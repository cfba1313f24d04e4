//! The Application Registry records as ServiceNow keeps them (DOMAIN.md §13), whichever form
//! they were read from: the OAuth entity's columns, its OAuth Entity Scopes and its OAuth Entity
//! Profiles with the scopes each names. Every value remembers where it was read.

use std::ops::Range;

use crate::diagnostic::Field;
use crate::setup::Setup;

/// Where a value sits in what was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A string in the template's JSON document: the steps from its root.
    Json(Vec<Step>),
    /// An element of an XML export, described for a person (no write-back into exports).
    Xml(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
    /// The string here holds a JSON document of its own (a template stored as text).
    Embedded,
}

impl Location {
    /// As a finding's `origin` shows it: `credential.oauth_entity.redirect_url`.
    pub fn label(&self) -> String {
        match self {
            Location::Xml(label) => label.clone(),
            Location::Json(steps) => {
                let mut label = String::new();
                for step in steps {
                    match step {
                        Step::Key(key) if label.is_empty() => label.push_str(key),
                        Step::Key(key) => {
                            label.push('.');
                            label.push_str(key);
                        }
                        Step::Index(index) => label.push_str(&format!("[{index}]")),
                        // The embedded document's paths start afresh, after its holder's key.
                        Step::Embedded => label.push_str(" › "),
                    }
                }
                label.replace(" › .", " › ")
            }
        }
    }

    /// The same place, one step further in.
    pub fn join(&self, step: Step) -> Location {
        match self {
            Location::Json(steps) => {
                let mut steps = steps.clone();
                steps.push(step);
                Location::Json(steps)
            }
            Location::Xml(label) => Location::Xml(label.clone()),
        }
    }
}

/// A value as read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Value {
    pub text: String,
    pub at: Location,
}

/// An OAuth Entity Scope record: the scope text ServiceNow sends, and the label it shows.
#[derive(Debug, Clone)]
pub(crate) struct EntityScope {
    pub name: Option<String>,
    pub value: Value,
    /// The record's `sys_id` in an export; profile scopes name records by it there.
    pub sys_id: Option<String>,
    /// Where the record is, to remove it whole.
    pub record: Location,
}

/// How a profile scope names its entity scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ScopeRef {
    /// A template names it by its OAuth scope value.
    Value(String),
    /// An export names it by `sys_id`, with the label ServiceNow shows beside the reference.
    SysId { id: String, display: Option<String> },
}

#[derive(Debug, Clone)]
pub(crate) struct ProfileScope {
    pub names: ScopeRef,
    /// The text naming the entity scope.
    pub at: Location,
    /// The list item holding it, to remove it whole.
    pub element: Location,
}

#[derive(Debug, Clone)]
pub(crate) struct Profile {
    pub name: Option<String>,
    pub grant_type: Option<Value>,
    pub default: bool,
    pub scopes: Vec<ProfileScope>,
    /// Where its profile-scope list is (or would go), for a fix that adds to it.
    pub scopes_at: Location,
}

/// What ServiceNow holds for one Atlassian connection.
#[derive(Debug, Clone, Default)]
pub(crate) struct Records {
    /// The OAuth entity's columns that map onto a setup, by column name.
    pub columns: Vec<(&'static str, Value)>,
    pub name: Option<String>,
    pub scopes: Vec<EntityScope>,
    /// Where the entity-scope list is (or would go).
    pub scopes_at: Option<Location>,
    pub profiles: Vec<Profile>,
    pub connection_url: Option<Value>,
    /// The export's `client_secret`: ServiceNow's encrypted `password2` text, not the secret.
    pub secret_encrypted: bool,
}

/// The record's columns and the setup field each fills (DOMAIN.md §13).
pub(crate) const COLUMNS: [(&str, Field); 7] = [
    ("client_id", Field::ClientId),
    ("client_secret", Field::ClientSecret),
    ("default_grant_type", Field::GrantType),
    ("auth_url", Field::AuthorizationUrl),
    ("token_url", Field::TokenUrl),
    ("revoke_token_url", Field::RevocationUrl),
    ("redirect_url", Field::RedirectUrl),
];

/// One entity scope's part of the `scopes` text a setup gets.
#[derive(Debug, Clone)]
pub(crate) struct ScopePiece {
    /// Characters of the joined text.
    pub chars: Range<usize>,
    /// Index into [`Records::scopes`].
    pub scope: usize,
}

impl Records {
    pub fn column(&self, column: &str) -> Option<&Value> {
        self.columns.iter().find(|(name, _)| *name == column).map(|(_, value)| value)
    }

    /// The profile ServiceNow uses: the one marked default.
    pub fn default_profile(&self) -> Option<&Profile> {
        self.profiles.iter().find(|profile| profile.default)
    }

    /// The entity scope `names` resolves to.
    pub fn resolve(&self, names: &ScopeRef) -> Option<usize> {
        match names {
            ScopeRef::Value(value) => self.scopes.iter().position(|scope| scope.value.text.trim() == value.trim()),
            ScopeRef::SysId { id, .. } => {
                self.scopes.iter().position(|scope| scope.sys_id.as_deref().is_some_and(|own| own == id.trim()))
            }
        }
    }

    /// The entity scopes sent: the default profile's, in its order, each once; every entity
    /// scope when no profile is the default (ServiceNow then has no profile to choose from).
    pub fn sent_scopes(&self) -> Vec<usize> {
        match self.default_profile() {
            Some(profile) => {
                let mut sent: Vec<usize> = Vec::new();
                for index in profile.scopes.iter().filter_map(|scope| self.resolve(&scope.names)) {
                    if !sent.contains(&index) {
                        sent.push(index);
                    }
                }
                sent
            }
            None => (0..self.scopes.len()).collect(),
        }
    }

    /// The setup these records amount to, and where each entity scope's text is in its scopes.
    pub fn to_setup(&self) -> (Setup, Vec<ScopePiece>) {
        let mut setup = Setup::default();
        for (column, field) in COLUMNS {
            if field == Field::ClientSecret && self.secret_encrypted {
                continue;
            }
            if let Some(value) = self.column(column) {
                setup.set(field, Some(value.text.clone()));
            }
        }
        setup.api_base_url = self.connection_url.as_ref().map(|value| value.text.clone());
        let mut pieces = Vec::new();
        let mut scopes = String::new();
        let mut chars = 0;
        for index in self.sent_scopes() {
            let text = &self.scopes[index].value.text;
            if text.trim().is_empty() {
                continue;
            }
            if !scopes.is_empty() {
                scopes.push(' ');
                chars += 1;
            }
            let length = text.chars().count();
            pieces.push(ScopePiece { chars: chars..chars + length, scope: index });
            scopes.push_str(text);
            chars += length;
        }
        if !pieces.is_empty() {
            setup.scopes = Some(scopes);
        }
        (setup, pieces)
    }
}
