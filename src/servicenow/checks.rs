//! The `servicenow/*` rules: what only the records' own structure shows (a profile scope that
//! names nothing, a profile whose grant is not the record's, an encrypted exported secret).

use std::borrow::Cow;

use strsim::jaro_winkler;

use super::records::{Records, ScopeRef};
use crate::diagnostic::{Applicability, Edit, Field, Fix, Rule};
use crate::redact::Redactor;
use crate::report::Finding;
use crate::setup::{Grant, Setup};

/// How close a profile scope must be to an entity scope's value to be taken for a slip of it.
const CLOSE: f64 = 0.9;

fn finding(rule: Rule, message: String, help: Cow<'static, str>, fix: Option<Fix>, origin: String) -> Finding {
    Finding {
        rule,
        severity: rule.default_severity(),
        field: rule.field(),
        span: None,
        message,
        help,
        fix,
        origin: Some(origin),
    }
}

fn quoted(text: &str) -> String {
    format!("`{}`", text.trim())
}

/// The entity scope a profile scope that names nothing most likely meant: the one it names by
/// its Name, else the one whose value or label it nearly matches.
pub(crate) fn meant_scope(records: &Records, names: &ScopeRef) -> Option<usize> {
    let (typed, display) = match names {
        ScopeRef::Value(value) => (value.trim(), None),
        ScopeRef::SysId { id, display } => (id.trim(), display.as_deref().map(str::trim)),
    };
    let label = display.unwrap_or(typed);
    let by_name = records
        .scopes
        .iter()
        .position(|scope| scope.name.as_deref().is_some_and(|name| name.trim().eq_ignore_ascii_case(label)));
    let by_value = || records.scopes.iter().position(|scope| scope.value.text.trim() == label);
    let nearest = || {
        records
            .scopes
            .iter()
            .enumerate()
            .map(|(index, scope)| (index, jaro_winkler(scope.value.text.trim(), label)))
            .filter(|(_, score)| *score >= CLOSE)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(index, _)| index)
    };
    by_name.or_else(by_value).or_else(nearest)
}

pub(crate) fn check_records(records: &Records, setup: &Setup) -> Vec<Finding> {
    let redactor = Redactor::new(setup);
    let mut out = Vec::new();
    let scopes_text = setup.scopes.as_deref().unwrap_or("");
    let default_profile = records.default_profile();
    for profile in &records.profiles {
        let profile_name =
            profile.name.as_deref().map_or("the profile".to_string(), |name| format!("profile {}", quoted(name)));
        for scope in &profile.scopes {
            if records.resolve(&scope.names).is_some() {
                continue;
            }
            let named = match &scope.names {
                ScopeRef::Value(value) => quoted(value),
                ScopeRef::SysId { id, display: Some(display) } => format!("{} (sys_id {})", quoted(display), id.trim()),
                ScopeRef::SysId { id, display: None } => format!("sys_id {}", id.trim()),
            };
            let meant = meant_scope(records, &scope.names).map(|index| &records.scopes[index]);
            let is_default = default_profile.is_some_and(|default| std::ptr::eq(default, profile));
            let (help, fix) = match meant {
                Some(meant) => {
                    let value = meant.value.text.trim();
                    let help = format!(
                        "Set the profile scope to {}, the OAuth scope value of the entity scope{} it names.",
                        quoted(value),
                        meant.name.as_deref().map_or(String::new(), |name| format!(" {}", quoted(name)))
                    );
                    // What the setup's scopes become once the profile scope resolves: the
                    // record's value is sent too.
                    let fix = is_default.then(|| {
                        let at = scopes_text.chars().count();
                        let insert =
                            if scopes_text.trim().is_empty() { value.to_string() } else { format!(" {value}") };
                        Fix {
                            field: Field::Scopes,
                            applicability: Applicability::Unsafe,
                            replacement: format!("{scopes_text}{insert}"),
                            edits: vec![Edit { start: at, end: at, insert }],
                        }
                    });
                    (help, fix)
                }
                None => (
                    "Point the profile scope at one of the record's OAuth Entity Scopes by its OAuth scope value, or \
                     add the entity scope it was meant for."
                        .to_string(),
                    None,
                ),
            };
            let fix = fix.filter(|fix| !redactor.finds_secret_in(&fix.replacement));
            let message = format!(
                "{profile_name} lists {named}, which is no OAuth Entity Scope's OAuth scope value, so ServiceNow sends \
                 nothing for it"
            );
            out.push(finding(
                Rule::ServicenowProfileScopeUnmatched,
                redactor.redact(&message).into_owned(),
                Cow::Owned(redactor.redact(&help).into_owned()),
                fix,
                scope.at.label(),
            ));
        }
    }
    let record_grant = records.column("default_grant_type");
    match default_profile {
        None if !records.profiles.is_empty() => out.push(finding(
            Rule::ServicenowProfileGrantMismatch,
            format!(
                "none of the record's {} OAuth Entity Profiles is the default, so ServiceNow has no grant and no \
                 scope list to use",
                records.profiles.len()
            ),
            Cow::Borrowed("Mark one profile Default, with the record's Default Grant type."),
            None,
            records.profiles[0].scopes_at.label().replace(".oauth_entity_profile_scope", ""),
        )),
        Some(profile) => {
            if let (Some(profile_grant), Some(record_grant)) = (&profile.grant_type, record_grant) {
                let key = |text: &str| Grant::key_of(text.trim());
                if key(&profile_grant.text) != key(&record_grant.text) {
                    let message = format!(
                        "the default profile's grant type is {} but the record's Default Grant type is {}",
                        quoted(&profile_grant.text),
                        quoted(&record_grant.text)
                    );
                    out.push(finding(
                        Rule::ServicenowProfileGrantMismatch,
                        redactor.redact(&message).into_owned(),
                        Cow::Borrowed(
                            "Set both to the grant this connection is for: Authorization Code for a user's consent, \
                             Client Credentials for a service account.",
                        ),
                        None,
                        profile_grant.at.label(),
                    ));
                }
            }
        }
        None => {}
    }
    if records.secret_encrypted {
        let at = records.column("client_secret").map(|value| value.at.label()).unwrap_or_default();
        out.push(finding(
            Rule::ServicenowEncryptedSecret,
            "the exported Client Secret is ServiceNow's encrypted value, not the secret: it was not checked and is not \
             shown"
                .to_string(),
            Cow::Borrowed("To check the secret itself, paste it into the Client secret field."),
            None,
            at,
        ));
    }
    out
}
