//! The input of the validator: an OAuth setup as the admin typed it, every field optional.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::diagnostic::Field;
use crate::redact::Redactor;

/// An Atlassian OAuth setup, as copied between the Atlassian console and a client such as
/// ServiceNow. Keys are identical in JSON, TOML and the JS API. Text is kept exactly as typed,
/// so that findings can point into it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// The Callback URL registered in the Atlassian developer console.
    pub callback_url: Option<String>,
    /// The redirect URL set on the client (ServiceNow's "Redirect URL").
    pub redirect_url: Option<String>,
    /// The scope list as pasted. A list of strings is accepted too and joined with spaces.
    #[serde(default, deserialize_with = "scopes_text")]
    pub scopes: Option<String>,
    /// `authorization_code` when absent.
    pub grant_type: Option<String>,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub revocation_url: Option<String>,
    /// ServiceNow's Connection URL: the base of every API call.
    pub api_base_url: Option<String>,
    /// The scopes enabled on the app in the developer console (Permissions): scope names or the
    /// console's labels, one a line (a line that is no label splits on spaces and commas). A list
    /// is accepted too and joined with newlines.
    #[serde(default, deserialize_with = "lines_text")]
    pub app_scopes: Option<String>,
    /// What the client will call, one a line: `METHOD /path` (or a URL), an operationId, a
    /// ServiceNow spoke action (`servicenow: Look up Spaces Stream`) or `servicenow` for all of
    /// them. A list is accepted too and joined with newlines.
    #[serde(default, deserialize_with = "lines_text")]
    pub uses: Option<String>,
}

/// Every field through the redaction predicate: a secret pasted into the wrong field is still
/// a secret.
impl fmt::Debug for Setup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redactor = Redactor::new(self);
        let mut out = f.debug_struct("Setup");
        for field in Field::ALL {
            // The secret field's own text equals the secret, so it is hidden whole.
            let shown = self.get(field).map(|text| redactor.redact(text).into_owned());
            out.field(field.key(), &shown);
        }
        out.finish()
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    One(String),
    List(Vec<String>),
}

fn text_joined<'de, D: Deserializer<'de>>(deserializer: D, separator: &str) -> Result<Option<String>, D::Error> {
    Ok(Option::<Text>::deserialize(deserializer)?.map(|text| match text {
        Text::One(text) => text,
        Text::List(list) => list.join(separator),
    }))
}

fn scopes_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    text_joined(deserializer, " ")
}

/// A list's items hold spaces (`GET /wiki/api/v2/pages`, a console label): one a line.
fn lines_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    text_joined(deserializer, "\n")
}

impl Setup {
    pub fn get(&self, field: Field) -> Option<&str> {
        self.slot(field).as_deref()
    }

    pub fn set(&mut self, field: Field, value: Option<String>) {
        *self.slot_mut(field) = value;
    }

    fn slot(&self, field: Field) -> &Option<String> {
        let setup = self;
        match field {
            Field::ClientId => &setup.client_id,
            Field::ClientSecret => &setup.client_secret,
            Field::CallbackUrl => &setup.callback_url,
            Field::RedirectUrl => &setup.redirect_url,
            Field::Scopes => &setup.scopes,
            Field::GrantType => &setup.grant_type,
            Field::AuthorizationUrl => &setup.authorization_url,
            Field::TokenUrl => &setup.token_url,
            Field::RevocationUrl => &setup.revocation_url,
            Field::ApiBaseUrl => &setup.api_base_url,
            Field::AppScopes => &setup.app_scopes,
            Field::Uses => &setup.uses,
        }
    }

    fn slot_mut(&mut self, field: Field) -> &mut Option<String> {
        let setup = self;
        match field {
            Field::ClientId => &mut setup.client_id,
            Field::ClientSecret => &mut setup.client_secret,
            Field::CallbackUrl => &mut setup.callback_url,
            Field::RedirectUrl => &mut setup.redirect_url,
            Field::Scopes => &mut setup.scopes,
            Field::GrantType => &mut setup.grant_type,
            Field::AuthorizationUrl => &mut setup.authorization_url,
            Field::TokenUrl => &mut setup.token_url,
            Field::RevocationUrl => &mut setup.revocation_url,
            Field::ApiBaseUrl => &mut setup.api_base_url,
            Field::AppScopes => &mut setup.app_scopes,
            Field::Uses => &mut setup.uses,
        }
    }
}

/// The grant a setup uses, which decides what the other rules expect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// 3LO: a user consents in the browser; the default.
    #[default]
    AuthorizationCode,
    /// A service account's credentials; no user, no refresh token.
    ClientCredentials,
    /// Something Atlassian does not offer; grant-specific rules stay silent.
    Unsupported,
}

impl Grant {
    /// `typed` as a grant key: ServiceNow's form says "Authorization Code", OAuth says
    /// `authorization_code`.
    pub(crate) fn key_of(typed: &str) -> String {
        typed.chars().map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() }).collect()
    }

    pub(crate) fn of_key(key: &str) -> Grant {
        match key {
            "" | "authorization_code" | "code" | "3lo" => Grant::AuthorizationCode,
            "client_credentials" => Grant::ClientCredentials,
            _ => Grant::Unsupported,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Grant::AuthorizationCode => "authorization_code",
            Grant::ClientCredentials => "client_credentials",
            Grant::Unsupported => "unsupported",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let setup = Setup { client_secret: Some(format!("ATOA{}", "s3cr3t".repeat(12))), ..Setup::default() };
        let shown = format!("{setup:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("ATOA… (76 characters)"), "{shown}");
        let swapped = Setup { client_id: setup.client_secret.clone(), ..Setup::default() };
        assert!(!format!("{swapped:?}").contains("s3cr3t"), "{swapped:?}");
    }

    #[test]
    fn scopes_may_be_a_list() {
        let setup: Setup = serde_json::from_str(r#"{"scopes": ["read:me", "offline_access"]}"#).unwrap();
        assert_eq!(setup.scopes.as_deref(), Some("read:me offline_access"));
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let err = serde_json::from_str::<Setup>(r#"{"client-id": "x"}"#).unwrap_err().to_string();
        assert!(err.contains("client-id") && err.contains("client_id"), "{err}");
    }
}
