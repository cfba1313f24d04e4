//! How the Atlassian developer console shows scopes: the labels of its Permissions pages, and
//! where in it a scope is enabled.

use super::{lookup_scope, same_words, Family, ScopeEntry};

/// The console's labels for classic Confluence scopes, as ServiceNow's guide quotes them
/// (DOMAIN.md §10). Others are not known here, so a label outside this list is not understood.
const LABELS: &[(&str, &str)] = &[
    ("Search Confluence content and space summaries", "search:confluence"),
    ("Read user groups", "read:confluence-groups"),
    ("Create, remove and update user groups", "write:confluence-groups"),
    ("Read user", "read:confluence-user"),
];

/// The scope a console label stands for (any case and spacing).
pub fn scope_of_console_label(label: &str) -> Option<&'static ScopeEntry> {
    LABELS.iter().find(|(known, _)| same_words(known, label)).and_then(|(_, scope)| lookup_scope(scope))
}

/// Where in the developer console `entry` is enabled on an app.
pub fn where_enabled(entry: &ScopeEntry) -> String {
    if let Some(step) = entry.family.console_step() {
        return step.to_string();
    }
    let api = match entry.product {
        "confluence" => "Confluence API",
        "jira" | "jira-software" | "jira-service-management" => "Jira API",
        _ => "the product's API",
    };
    let tab = if entry.family == Family::Classic { "Classic scopes" } else { "Granular scopes" };
    format!("in the developer console: your app → Permissions → {api} → Configure → Edit Scopes, on the {tab} tab")
}
