//! Requested scopes against granted ones: what the connection report shows.

use super::ScopeList;

/// Scopes compared by exact name. Atlassian grants what the consent screen showed, which can
/// fall short of the request (a scope whose API is missing from the app) or, for scopes the app
/// already held, exceed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeDiff {
    /// Requested and granted, in request order.
    pub granted: Vec<String>,
    /// Requested, not granted, in request order.
    pub not_granted: Vec<String>,
    /// Granted without being requested, in grant order.
    pub unrequested: Vec<String>,
}

impl ScopeDiff {
    pub fn new(requested: &ScopeList, granted: &ScopeList) -> ScopeDiff {
        let (granted_names, not_granted) = requested.names().iter().cloned().partition(|name| granted.contains(name));
        let unrequested = granted.names().iter().filter(|name| !requested.contains(name)).cloned().collect();
        ScopeDiff { granted: granted_names, not_granted, unrequested }
    }

    /// Whether everything requested was granted.
    pub fn is_complete(&self) -> bool {
        self.not_granted.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_sorts_scopes_three_ways() {
        let requested = ScopeList::new(["read:page:confluence", "read:me", "offline_access", "write:page:confluence"]);
        let granted = ScopeList::from_scope_value("offline_access read:page:confluence  read:confluence-user");
        let diff = ScopeDiff::new(&requested, &granted);
        assert_eq!(diff.granted, ["read:page:confluence", "offline_access"]);
        assert_eq!(diff.not_granted, ["read:me", "write:page:confluence"]);
        assert_eq!(diff.unrequested, ["read:confluence-user"]);
        assert!(!diff.is_complete());
        assert!(ScopeDiff::new(&granted, &granted).is_complete());
    }
}
