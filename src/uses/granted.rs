//! How each use fares with the scopes a token really carries: which calls will work and which
//! will answer `401 Unauthorized; scope does not match` (the Worker's connection report).

use super::{resolve_uses, Resolution};

/// One call a use stands for, held against the granted scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantedUse {
    /// The use as typed, or `servicenow: <action>` for each of the spoke's calls.
    pub label: String,
    /// `GET /wiki/api/v2/pages`.
    pub operation: String,
    /// The scopes the call still lacks; empty when it will work.
    pub missing: Vec<&'static str>,
    /// A spoke action's call, inferred rather than documented.
    pub inferred: bool,
}

impl GrantedUse {
    pub fn works(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Every item of `uses` (the `uses` field's text) against the scopes `granted` says yes to; items that name nothing
/// known are left out (the setup's `uses/unknown` finding names them).
pub fn uses_with_granted(uses: &str, granted: impl Fn(&str) -> bool) -> Vec<GrantedUse> {
    let mut answer = Vec::new();
    for item in resolve_uses(uses) {
        let Resolution::Needs(needs) = item.resolution else { continue };
        for need in needs {
            answer.push(GrantedUse {
                label: need.named(item.text),
                operation: need.operation.label(),
                missing: need.operation.missing_from(&granted),
                inferred: need.is_inferred(),
            });
        }
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guides_grant_leaves_two_spoke_actions_without_their_scopes() {
        let granted = [
            "read:confluence-content.all",
            "read:confluence-space.summary",
            "search:confluence",
            "read:confluence-groups",
            "write:confluence-groups",
            "read:confluence-user",
            "report:personal-data",
            "read:page:confluence",
        ];
        let uses = uses_with_granted("servicenow", |scope| granted.contains(&scope));
        assert_eq!(uses.len(), 9);
        let failing: Vec<(&str, &[&str])> =
            uses.iter().filter(|u| !u.works()).map(|u| (u.label.as_str(), u.missing.as_slice())).collect();
        assert_eq!(failing, [("servicenow: Look up Spaces Stream", &["read:space:confluence"][..])]);
        assert!(uses.iter().all(|u| u.inferred));
    }

    #[test]
    fn a_named_operation_keeps_its_text_and_unknown_uses_are_left_out() {
        let uses = uses_with_granted("GET /wiki/api/v2/pages/12345\nnoSuchOperation\n", |scope| {
            scope == "read:page:confluence"
        });
        assert_eq!(
            uses,
            [GrantedUse {
                label: "GET /wiki/api/v2/pages/12345".into(),
                operation: "GET /wiki/api/v2/pages/{id}".into(),
                missing: vec![],
                inferred: false,
            }]
        );
        let uses = uses_with_granted("getPages", |scope| scope == "read:confluence-content.all");
        assert_eq!(uses[0].missing, ["read:page:confluence"]);
    }
}
