//! `scope/not-on-app`: the scopes requested held against those enabled on the app in the
//! developer console (`app_scopes`), which bound what consent may request.

use super::findings::{Findings, Hit};
use super::scopes::tokenize;
use super::{Grant, Rule};
use crate::catalog::{lookup_scope, scope_of_console_label, where_enabled, Family, ScopeEntry};
use crate::diagnostic::Severity;
use crate::setup::Setup;

/// What `app_scopes` says is enabled, and the lines of it that were not understood.
struct Enabled<'a> {
    scopes: Vec<&'static str>,
    not_understood: Vec<&'a str>,
}

/// Each line is a console label as a whole, or else scope names split on spaces and commas.
fn enabled_scopes(text: &str) -> Enabled<'_> {
    let mut enabled = Enabled { scopes: Vec::new(), not_understood: Vec::new() };
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        if let Some(entry) = scope_of_console_label(line) {
            enabled.scopes.push(entry.name);
            continue;
        }
        let tokens = tokenize(line);
        // A line with no scope name in it is a label, whole, that is not known here.
        if tokens.iter().all(|token| lookup_scope(token.text).is_none()) {
            enabled.not_understood.push(line);
            continue;
        }
        for token in tokens {
            match lookup_scope(token.text) {
                Some(entry) => enabled.scopes.push(entry.name),
                None => enabled.not_understood.push(token.text),
            }
        }
    }
    enabled
}

/// Whether the setup says which scopes the app has: then `scope/not-on-app` judges each one.
pub(super) fn app_scopes_given(setup: &Setup) -> bool {
    setup.app_scopes.as_deref().is_some_and(|app| !app.trim().is_empty())
}

pub(super) fn check_app_scopes(setup: &Setup, grant: Grant, out: &mut Findings) {
    // Consent bounds a user's grant; a service account's scopes are fixed on its credential.
    let (Some(app), Some(requested), Grant::AuthorizationCode) =
        (setup.app_scopes.as_deref(), setup.scopes.as_deref(), grant)
    else {
        return;
    };
    if !app_scopes_given(setup) {
        return;
    }
    let enabled = enabled_scopes(app);
    let (severity, caveat) = match enabled.not_understood.as_slice() {
        [] => (Severity::Error, String::new()),
        lines => (
            Severity::Warning,
            format!(
                "; {} of the app's scopes was not understood (write scope names there), so check it is not this one",
                lines.iter().map(|line| out.quote(line)).collect::<Vec<_>>().join(", ")
            ),
        ),
    };
    let mut reported: Vec<&str> = Vec::new();
    for token in tokenize(requested) {
        let Some(entry) = lookup_scope(token.text).filter(|entry| needs_enabling(entry)) else { continue };
        if enabled.scopes.contains(&entry.name) || reported.contains(&entry.name) {
            continue;
        }
        reported.push(entry.name);
        out.push(
            Hit::new(
                Rule::ScopeNotOnApp,
                format!(
                    "{} is requested but not enabled on the app: consent fails with \"requested scopes that have not \
                     been added to the app\"{caveat}",
                    out.quote(entry.name)
                ),
                format!("enable it {}, or stop requesting it", where_enabled(entry)),
            )
            .at(token.range.clone())
            .severity(severity),
        );
    }
}

/// Whether a scope must be enabled in the console: `offline_access` is requested in the URL only,
/// and scopes no OAuth app can hold have a finding of their own.
fn needs_enabling(entry: &ScopeEntry) -> bool {
    entry.family != Family::OfflineAccess && entry.family.grantable_to_oauth_apps()
}
