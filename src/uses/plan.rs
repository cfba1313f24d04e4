//! The least-privilege scope list for a set of uses: each use's needs, classic where the operation
//! documents a classic scope (v1's `Current` state), granular where it has no other (all of v2).

use serde::Serialize;

use super::{resolve, Need, Resolution};

/// What `scopes_for` answers; the same JSON from the CLI and the JS API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopePlan {
    pub scopes: Vec<PlannedScope>,
    /// The scopes space-joined, to paste.
    pub scope: String,
    pub uses: Vec<PlannedUse>,
    pub unknown: Vec<UnknownUse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedScope {
    pub scope: &'static str,
    /// The uses that need it.
    pub needed_by: Vec<String>,
    /// `doc` when a use named its operation (the specs say it), `unsure` when only spoke actions
    /// need it (their calls are inferred).
    pub basis: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedUse {
    #[serde(rename = "use")]
    pub use_: String,
    /// `GET /wiki/api/v2/pages`.
    pub operation: String,
    /// Whether an admin's app access rule cannot block it; `None` when the specs do not say.
    pub access_rule_exempt: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownUse {
    #[serde(rename = "use")]
    pub use_: String,
    pub did_you_mean: Vec<String>,
}

/// The scopes a client making `uses` needs, each with the uses that need it. It adds no
/// `offline_access` and no identity scope of its own.
pub fn scopes_for<'u>(uses: impl IntoIterator<Item = &'u str>) -> ScopePlan {
    let mut plan = ScopePlan { scopes: Vec::new(), scope: String::new(), uses: Vec::new(), unknown: Vec::new() };
    for typed in uses {
        let typed = typed.trim();
        if typed.is_empty() {
            continue;
        }
        match resolve(typed) {
            Resolution::Needs(needs) => {
                for need in needs {
                    plan.add(typed, &need);
                }
            }
            Resolution::Unknown { closest } => {
                plan.unknown.push(UnknownUse { use_: typed.into(), did_you_mean: closest })
            }
            Resolution::Ambiguous { forms } => {
                plan.unknown.push(UnknownUse { use_: typed.into(), did_you_mean: forms })
            }
        }
    }
    plan.scope = plan.scopes.iter().map(|planned| planned.scope).collect::<Vec<_>>().join(" ");
    plan
}

impl ScopePlan {
    fn add(&mut self, typed: &str, need: &Need) {
        let use_ = need.named(typed);
        for scope in need.operation.current.iter() {
            let at = match self.scopes.iter().position(|planned| planned.scope == scope) {
                Some(at) => at,
                None => {
                    self.scopes.push(PlannedScope { scope, needed_by: Vec::new(), basis: "unsure" });
                    self.scopes.len() - 1
                }
            };
            let planned = &mut self.scopes[at];
            if !planned.needed_by.contains(&use_) {
                planned.needed_by.push(use_.clone());
            }
            if !need.is_inferred() {
                planned.basis = "doc";
            }
        }
        self.uses.push(PlannedUse {
            use_,
            operation: need.operation.label(),
            access_rule_exempt: need.operation.access_rule_exempt,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spoke_needs_six_scopes_two_of_them_missing_from_the_guide() {
        let plan = scopes_for(["servicenow"]);
        assert_eq!(
            plan.scope,
            "read:page:confluence read:space:confluence search:confluence read:confluence-groups \
             write:confluence-groups read:confluence-user report:personal-data"
        );
        assert!(plan.scopes.iter().all(|planned| planned.basis == "unsure"));
        assert_eq!(plan.uses.len(), 9);
        assert_eq!(plan.uses[0].operation, "GET /oauth/token/accessible-resources");
        let groups = plan.scopes.iter().find(|planned| planned.scope == "read:confluence-groups").unwrap();
        assert_eq!(groups.needed_by, ["servicenow: Look up Groups", "servicenow: Look up Members By Group ID"]);
        assert!(plan.unknown.is_empty());
    }

    #[test]
    fn a_named_operation_is_documented_and_unknown_uses_get_suggestions() {
        let plan = scopes_for(["GET /wiki/api/v2/pages/12345", "getPges", "createSpace"]);
        assert_eq!(plan.scope, "read:page:confluence");
        assert_eq!(plan.scopes[0].needed_by, ["GET /wiki/api/v2/pages/12345"]);
        assert_eq!(plan.scopes[0].basis, "doc");
        assert_eq!(plan.uses[0].operation, "GET /wiki/api/v2/pages/{id}");
        assert_eq!(plan.uses[0].access_rule_exempt, Some(false));
        assert_eq!(plan.unknown[0].use_, "getPges");
        assert_eq!(plan.unknown[0].did_you_mean[0], "getPages");
        assert_eq!(plan.unknown[1].did_you_mean, ["POST /wiki/api/v2/spaces", "POST /wiki/rest/api/space"]);
    }
}
