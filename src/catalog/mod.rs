//! What the validator knows about scope names: Atlassian's registry (generated into
//! [`registry`]) plus the few hand-kept facts, and a nearest-name search for typos.

#[rustfmt::skip] // Generated; the freshness test compares it byte for byte.
mod registry;
mod suggest;

pub use registry::{SOURCE_PACKAGE, SOURCE_VERSION};
pub use suggest::closest_scopes;

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
    /// `read:me`, `read:account`: the User identity API.
    Identity,
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
        matches!(self, Family::Classic | Family::Granular | Family::Identity | Family::OfflineAccess)
    }

    /// The kind of app that holds such scopes, for messages.
    pub fn holder(self) -> &'static str {
        match self {
            Family::Connect => "Atlassian Connect apps",
            Family::Forge => "Forge apps",
            Family::TeamworkGraph => "Forge apps using the Teamwork Graph",
            Family::Agent => "Rovo agents and Atlassian's MCP server",
            Family::Classic | Family::Granular | Family::Identity | Family::OfflineAccess => "OAuth 2.0 apps",
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
    /// `confluence`, `jira`, `identity`, `platform`, ...: the product whose API the scope opens.
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
    }
}
