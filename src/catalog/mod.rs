//! What the validator knows about scope names (Atlassian's registry, generated into [`registry`],
//! plus the few hand-kept facts) and about what each call needs (the operations of Atlassian's
//! OpenAPI documents, generated into [`operations`], plus the calls outside them).

mod console;
mod operation;
#[rustfmt::skip] // Generated from confluence-operations.json; a test compares it byte for byte.
mod operations;
#[rustfmt::skip] // Generated; the freshness test compares it byte for byte.
mod registry;

pub use console::{scope_of_console_label, where_enabled};
pub use operation::{Api, Method, Operation, Scopes, PLATFORM_OPERATIONS};
pub use registry::{SOURCE_PACKAGE, SOURCE_VERSION};

use std::sync::OnceLock;

use serde::Serialize;

/// How a scope may be used, which decides whether an OAuth 2.0 (3LO) app may request it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Family {
    /// `read:confluence-content.all`-style scopes, one per product area.
    Classic,
    /// `read:page:confluence`-style scopes, one per resource and verb.
    Granular,
    /// `read:me`, `read:account`: the User identity API, added to the app on its own.
    Identity,
    /// `report:personal-data`: the Personal data reporting API, added to the app on its own.
    PersonalData,
    /// `offline_access`: asks for a refresh token.
    OfflineAccess,
    /// Atlassian Connect apps only.
    Connect,
    /// Forge apps only.
    Forge,
    /// Teamwork Graph (`read:graph:*`): Forge apps only.
    TeamworkGraph,
    /// Rovo agent / MCP interfaces.
    Agent,
}

impl Family {
    /// Whether an OAuth 2.0 app (3LO or service account) can be granted a scope of this family.
    pub fn grantable_to_oauth_apps(self) -> bool {
        matches!(
            self,
            Family::Classic | Family::Granular | Family::Identity | Family::PersonalData | Family::OfflineAccess
        )
    }

    /// For a separate API's scopes, the console step that adds the API to the app (without it
    /// consent fails with "requested scopes that have not been added to the app").
    pub fn console_step(self) -> Option<&'static str> {
        match self {
            Family::Identity => Some("in the developer console: your app → Permissions → User identity API → Add"),
            Family::PersonalData => {
                Some("in the developer console: your app → Permissions → Personal data reporting API → Add")
            }
            _ => None,
        }
    }

    /// The kind of app that holds such scopes, for messages.
    pub fn holder(self) -> &'static str {
        match self {
            Family::Connect => "Atlassian Connect apps",
            Family::Forge => "Forge apps",
            Family::TeamworkGraph => "Forge apps using the Teamwork Graph",
            Family::Agent => "Rovo agents and Atlassian's MCP server",
            Family::Classic | Family::Granular | Family::Identity | Family::PersonalData | Family::OfflineAccess => {
                "OAuth 2.0 apps"
            }
        }
    }
}

/// Where a catalog entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Atlassian's scope registry, as shipped in `@forge/manifest`.
    Registry,
    /// A fact the registry lacks, kept by hand in the generator with its source.
    HandKept,
}

/// One known scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ScopeEntry {
    pub name: &'static str,
    /// `confluence`, `jira`, `identity`, `personal-data`, `platform`, ...: the product or API the scope opens.
    pub product: &'static str,
    pub family: Family,
    pub source: Source,
}

impl ScopeEntry {
    pub fn is_confluence(&self) -> bool {
        self.product == "confluence"
    }
}

/// Every known scope, sorted by name.
pub fn all_scopes() -> &'static [ScopeEntry] {
    registry::SCOPES
}

/// The catalog entry for an exact scope name (case-sensitive, as Atlassian compares them).
pub fn lookup_scope(name: &str) -> Option<&'static ScopeEntry> {
    let scopes = registry::SCOPES;
    scopes.binary_search_by(|entry| entry.name.cmp(name)).ok().map(|i| &scopes[i])
}

/// Whether two names are the same words in any case and spacing, as people retype the console's
/// labels and the spoke's action names.
pub(crate) fn same_words(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (a.split_whitespace(), b.split_whitespace());
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => {}
            _ => return false,
        }
    }
}

/// Every operation of Confluence REST v1 and v2, sorted by path, then method.
pub fn confluence_operations() -> impl Iterator<Item = Operation> {
    // Parsed once per process: every use is matched against the whole table, and parsing it each
    // time made `scopes_for(["servicenow"])` take 486 µs natively, 110 µs with this (cargo bench).
    static PARSED: OnceLock<Vec<Operation>> = OnceLock::new();
    PARSED.get_or_init(|| operations::OPERATIONS.lines().filter_map(Operation::from_line).collect()).iter().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_for_binary_search() {
        assert!(all_scopes().windows(2).all(|w| w[0].name < w[1].name));
    }

    #[test]
    fn knows_the_families_domain_md_names() {
        let family = |name| lookup_scope(name).map(|e| e.family);
        assert_eq!(family("read:confluence-content.all"), Some(Family::Classic));
        assert_eq!(family("readonly:content.attachment:confluence"), Some(Family::Classic));
        assert_eq!(family("read:page:confluence"), Some(Family::Granular));
        assert_eq!(family("read:me"), Some(Family::Identity));
        assert_eq!(family("read:account"), Some(Family::Identity));
        assert_eq!(family("report:personal-data"), Some(Family::PersonalData));
        assert_eq!(lookup_scope("report:personal-data").map(|e| e.product), Some("personal-data"));
        assert!(Family::PersonalData.grantable_to_oauth_apps());
        assert_eq!(family("offline_access"), Some(Family::OfflineAccess));
        assert_eq!(family("read:connect-confluence"), Some(Family::Connect));
        assert_eq!(family("storage:app"), Some(Family::Forge));
        assert_eq!(family("read:app-data:confluence"), Some(Family::Forge));
        assert_eq!(family("read:graph:page:confluence"), Some(Family::TeamworkGraph));
        assert_eq!(family("read:confluence:agent-interface"), Some(Family::Agent));
        assert_eq!(family("ace:confluence"), None);
        assert_eq!(lookup_scope("read:jira-work").map(|e| e.product), Some("jira"));
    }

    #[test]
    fn counts_match_domain_md() {
        let confluence = |f| all_scopes().iter().filter(|e| e.is_confluence() && e.family == f).count();
        assert_eq!(confluence(Family::Classic), 17, "15 classic + 2 moderate:*");
        assert_eq!(confluence(Family::Granular), 72);
        let family = |f| all_scopes().iter().filter(|e| e.family == f).count();
        assert_eq!(family(Family::Identity), 2, "read:me, read:account");
        assert_eq!(family(Family::PersonalData), 1, "report:personal-data");
        // Classic scopes are the products' own; the separate APIs are not among them.
        let products = ["confluence", "jira", "jira-service-management"];
        assert!(all_scopes().iter().filter(|e| e.family == Family::Classic).all(|e| products.contains(&e.product)));
    }

    #[test]
    fn the_separate_apis_say_how_to_add_them() {
        let step = |name| lookup_scope(name).and_then(|e| e.family.console_step());
        assert_eq!(step("read:me"), Some("in the developer console: your app → Permissions → User identity API → Add"));
        assert_eq!(
            step("report:personal-data"),
            Some("in the developer console: your app → Permissions → Personal data reporting API → Add")
        );
        assert_eq!(step("read:page:confluence"), None);
        assert_eq!(step("read:confluence-content.all"), None);
    }
}
