//! `grant/*`: which OAuth grant the setup uses, which decides what the other rules expect.

use super::findings::{Findings, Hit};
use super::text::trimmed;
use super::Rule;
use crate::setup::{Grant, Setup};

pub(super) fn check_grant_type(setup: &Setup, out: &mut Findings) -> Grant {
    let raw = setup.grant_type.as_deref().unwrap_or("");
    let typed = trimmed(raw).text;
    let key = Grant::key_of(typed);
    let grant = Grant::of_key(&key);
    let span = trimmed(raw).offset..trimmed(raw).offset + typed.len();
    match grant {
        Grant::Unsupported => {
            let what = unsupported_grant_name(&key)
                .map(|name| format!("{} ({name}) is not offered to OAuth apps by Atlassian Cloud", out.quote(typed)))
                .unwrap_or_else(|| format!("{} is not an OAuth grant type", out.quote(typed)));
            out.push(
                Hit::new(
                    Rule::GrantUnsupported,
                    what,
                    "use `authorization_code` (a user consents; 3LO app) or `client_credentials` (a service account)",
                )
                .at(span),
            );
        }
        Grant::ClientCredentials => {
            out.push(
                Hit::new(
                    Rule::GrantServiceAccount,
                    "client credentials: the client ID and secret must belong to an Atlassian service account",
                    "create them in Atlassian Administration → Directory → Service accounts → Create credentials → \
                     OAuth 2.0; a developer-console app's credentials cannot use this grant",
                )
                .at(span),
            );
            for field in [crate::diagnostic::Field::CallbackUrl, crate::diagnostic::Field::RedirectUrl] {
                if setup.get(field).is_some_and(|url| !trimmed(url).text.is_empty()) {
                    out.push(
                        Hit::new(
                            Rule::GrantUnusedCallback,
                            format!("the {} is never used by the client-credentials grant", field.label()),
                            "leave it empty, or switch the grant to `authorization_code` if a user should consent",
                        )
                        .on(field),
                    );
                }
            }
        }
        Grant::AuthorizationCode => {}
    }
    grant
}

fn unsupported_grant_name(key: &str) -> Option<&'static str> {
    // Most specific first: `refresh_token` and `token-exchange` also contain `token`.
    let names: &[(&str, &str)] = &[
        ("refresh_token", "refresh token: not a grant to configure, it follows the authorization-code grant"),
        ("token_exchange", "token exchange"),
        ("password", "resource owner password"),
        ("implicit", "implicit"),
        ("saml", "SAML2 bearer"),
        ("jwt", "JWT bearer"),
        ("device", "device code"),
        ("token", "implicit"),
    ];
    names.iter().find(|(needle, _)| key.contains(needle)).map(|(_, name)| *name)
}
