//! What the setup is for (`uses`): each use resolved to the operations it calls, and the scopes
//! requested held against what those operations need. `uses/unknown`, `scope/insufficient`,
//! `scope/v2-needs-granular`, `scope/unneeded`, and `endpoint/api-base` for a use on a site URL.

use super::findings::{Findings, Hit};
use super::scopes::{removal_range, tokenize, Token};
use super::Rule;
use crate::catalog::{lookup_scope, Api, Family};
use crate::diagnostic::{Applicability, Field, Severity};
use crate::setup::Setup;
use crate::uses::{resolve_uses, Addressed, Need, Resolution, ResolvedUse};

pub(super) fn check_uses(setup: &Setup, out: &mut Findings) {
    let Some(raw) = setup.uses.as_deref() else { return };
    let uses = resolve_uses(raw);
    if uses.is_empty() {
        return;
    }
    let scopes = setup.scopes.as_deref().unwrap_or("");
    let tokens = tokenize(scopes);
    let requested: Vec<&str> = tokens.iter().map(|token| token.text).collect();
    let classic_requested = requested
        .iter()
        .any(|scope| lookup_scope(scope).is_some_and(|entry| entry.is_confluence() && entry.family == Family::Classic));

    let mut needs: Vec<Need> = Vec::new();
    let mut all_understood = true;
    for item in &uses {
        match &item.resolution {
            Resolution::Needs(found) => {
                for need in found {
                    check_need(item, need, &requested, classic_requested, scopes, out);
                }
                needs.extend(found.iter().copied());
            }
            Resolution::Unknown { closest } => {
                all_understood = false;
                unknown_use(item, closest, out);
            }
            Resolution::Ambiguous { forms } => {
                all_understood = false;
                ambiguous_use(item, forms, out);
            }
        }
    }
    if all_understood && !needs.is_empty() {
        check_unneeded(&tokens, &needs, out);
    }
}

fn check_need(item: &ResolvedUse, need: &Need, requested: &[&str], classic: bool, scopes: &str, out: &mut Findings) {
    let operation = need.operation;
    if need.addressed == Addressed::SiteUrl {
        out.push(
            Hit::new(
                Rule::EndpointApiBase,
                format!("{} is addressed to a site URL, which answers 401 to an OAuth token", out.quote(item.text)),
                "call it through the gateway instead: `https://api.atlassian.com/ex/confluence/{cloudId}` followed by \
                 the same path",
            )
            .on(Field::Uses)
            .at(item.range.clone()),
        );
    }
    let missing = operation.missing_from(|scope| requested.contains(&scope));
    if missing.is_empty() {
        return;
    }
    let listed = missing.iter().map(|scope| format!("`{scope}`")).collect::<Vec<_>>().join(" and ");
    let named = match need.action {
        Some(action) => format!("{} ({}, inferred: {})", out.quote(&need.label()), operation.label(), action.because),
        None => out.quote(item.text),
    };
    let is_v2_with_classic = !need.is_inferred() && operation.api == Api::V2 && classic;
    let hit = if is_v2_with_classic {
        Hit::new(
            Rule::ScopeV2NeedsGranular,
            format!(
                "{named} is a v2 call and needs {listed}; the classic scopes requested do not open v2, which answers \
                 `401 Unauthorized; scope does not match`"
            ),
            format!("add {listed} to the scopes, and enable it on the app (Granular scopes tab)"),
        )
    } else {
        let hit = Hit::new(
            Rule::ScopeInsufficient,
            format!("{named} needs {listed}, which is not requested: the call will answer `401 Unauthorized; scope does not match`"),
            format!("add {listed} to the scopes, and enable it on the app in the developer console"),
        );
        if need.is_inferred() {
            hit.severity(Severity::Warning)
        } else {
            hit
        }
    };
    // Added as the list is written: a list that only commas separate gets commas.
    let end = scopes.trim_end().len();
    let separator = if scopes.contains(',') && !scopes.trim().contains(char::is_whitespace) { "," } else { " " };
    let insert: String = missing.iter().map(|scope| format!("{separator}{scope}")).collect();
    let insert = if end == 0 { insert[separator.len()..].to_string() } else { insert };
    out.push(hit.edits(vec![(end..end, insert)], Applicability::Unsafe));
}

fn unknown_use(item: &ResolvedUse, closest: &[String], out: &mut Findings) {
    let help = match closest {
        [] => "write `METHOD /path` from Atlassian's REST reference (`GET /wiki/api/v2/pages/{id}`), an operationId \
               (`getPages`), `servicenow: <action>`, or `servicenow`"
            .to_string(),
        [only] => format!("did you mean `{only}`?"),
        several => {
            format!("did you mean {}?", several.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", "))
        }
    };
    let hit = Hit::new(
        Rule::UsesUnknown,
        format!("{} names no known operation, operationId or ServiceNow spoke action", out.quote(item.text)),
        help,
    )
    .at(item.range.clone());
    let hit = match closest {
        [only] => hit.edits(vec![(item.range.clone(), only.clone())], Applicability::Unsafe),
        _ => hit,
    };
    out.push(hit);
}

fn ambiguous_use(item: &ResolvedUse, forms: &[String], out: &mut Findings) {
    let listed = forms.iter().map(|form| format!("`{form}`")).collect::<Vec<_>>().join(" or ");
    out.push(
        Hit::new(
            Rule::UsesUnknown,
            format!("{} is an operationId of both the v1 and the v2 API", out.quote(item.text)),
            format!("write the one the client calls: {listed}"),
        )
        .at(item.range.clone()),
    );
}

fn check_unneeded(tokens: &[Token], needs: &[Need], out: &mut Findings) {
    let mut reported: Vec<&str> = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        let Some(entry) = lookup_scope(token.text) else { continue };
        let exempt =
            matches!(entry.family, Family::OfflineAccess | Family::Identity) || !entry.family.grantable_to_oauth_apps();
        if exempt || reported.contains(&entry.name) || needs.iter().any(|need| need.operation.names_scope(entry.name)) {
            continue;
        }
        reported.push(entry.name);
        out.push(
            Hit::new(
                Rule::ScopeUnneeded,
                format!("{} serves none of the uses listed", out.quote(token.text)),
                "remove it unless the client makes calls `uses` does not list",
            )
            .at(token.range.clone())
            .edits(vec![(removal_range(tokens, index), String::new())], Applicability::Unsafe),
        );
    }
}
