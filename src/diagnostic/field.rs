//! The fields of a setup, by name: what a finding points at and a fix edits.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A field of a setup ([`crate::Setup`]), named as in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Field {
    ClientId,
    ClientSecret,
    CallbackUrl,
    RedirectUrl,
    Scopes,
    GrantType,
    AuthorizationUrl,
    TokenUrl,
    RevocationUrl,
    ApiBaseUrl,
    AppScopes,
    Uses,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::ClientId,
        Field::ClientSecret,
        Field::CallbackUrl,
        Field::RedirectUrl,
        Field::Scopes,
        Field::GrantType,
        Field::AuthorizationUrl,
        Field::TokenUrl,
        Field::RevocationUrl,
        Field::ApiBaseUrl,
        Field::AppScopes,
        Field::Uses,
    ];

    /// The key in JSON and TOML.
    pub fn key(self) -> &'static str {
        match self {
            Field::ClientId => "client_id",
            Field::ClientSecret => "client_secret",
            Field::CallbackUrl => "callback_url",
            Field::RedirectUrl => "redirect_url",
            Field::Scopes => "scopes",
            Field::GrantType => "grant_type",
            Field::AuthorizationUrl => "authorization_url",
            Field::TokenUrl => "token_url",
            Field::RevocationUrl => "revocation_url",
            Field::ApiBaseUrl => "api_base_url",
            Field::AppScopes => "app_scopes",
            Field::Uses => "uses",
        }
    }

    /// The label a person sees in the Atlassian console or in ServiceNow.
    pub fn label(self) -> &'static str {
        match self {
            Field::ClientId => "Client ID",
            Field::ClientSecret => "Client secret",
            Field::CallbackUrl => "Callback URL (Atlassian console)",
            Field::RedirectUrl => "Redirect URL (client)",
            Field::Scopes => "Scopes",
            Field::GrantType => "Grant type",
            Field::AuthorizationUrl => "Authorization URL",
            Field::TokenUrl => "Token URL",
            Field::RevocationUrl => "Token revocation URL",
            Field::ApiBaseUrl => "API base URL (Connection URL)",
            Field::AppScopes => "Scopes enabled on the app (Atlassian console)",
            Field::Uses => "What the client calls",
        }
    }

    /// Whether the field holds a secret that must never be shown in full.
    pub fn is_secret(self) -> bool {
        self == Field::ClientSecret
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl Field {
    /// The field whose JSON key is `key`.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|field| field.key() == key)
    }
}
