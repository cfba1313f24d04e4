//! The ServiceNow Confluence Cloud spoke's actions (spoke v2.1.1, DOMAIN.md §10), hand-kept with
//! the call each most likely makes. ServiceNow documents the actions, not their endpoints: each
//! call is inferred from the action's name and inputs, so findings about them are warnings.

use crate::catalog::{same_words, Method};

/// One action of the spoke and the call it makes.
#[derive(Debug, PartialEq, Eq)]
pub struct SpokeAction {
    /// As ServiceNow's docs and Flow Designer name it.
    pub name: &'static str,
    pub method: Method,
    /// The call's path (v1 and v2 in full, platform calls on `api.atlassian.com`).
    pub path: &'static str,
    /// Why this call: what in the action's documentation points at it.
    pub because: &'static str,
}

pub static SPOKE_ACTIONS: &[SpokeAction] = &[
    SpokeAction {
        name: "Look up Accessible Resources",
        method: Method::Get,
        path: "/oauth/token/accessible-resources",
        because: "it lists the sites the token may call",
    },
    SpokeAction {
        name: "Look up Pages Stream",
        method: Method::Get,
        path: "/wiki/api/v2/pages",
        because: "its status values are v2's page listing's",
    },
    SpokeAction {
        name: "Look up Spaces Stream",
        method: Method::Get,
        path: "/wiki/api/v2/spaces",
        because: "v1 has no space listing any more",
    },
    SpokeAction { name: "Search Content", method: Method::Get, path: "/wiki/rest/api/search", because: "it takes CQL" },
    SpokeAction { name: "Look up Groups", method: Method::Get, path: "/wiki/rest/api/group", because: "by its name" },
    SpokeAction {
        name: "Look up Members By Group ID",
        method: Method::Get,
        path: "/wiki/rest/api/group/{groupId}/membersByGroupId",
        because: "by its name and input",
    },
    SpokeAction {
        name: "Remove Member From Group By Group ID",
        method: Method::Delete,
        path: "/wiki/rest/api/group/userByGroupId",
        because: "by its name and inputs",
    },
    SpokeAction {
        name: "Look up Group Memberships For User",
        method: Method::Get,
        path: "/wiki/rest/api/user/memberof",
        because: "by its name and input",
    },
    SpokeAction {
        name: "Report Personal Data",
        method: Method::Post,
        path: "/app/report-accounts/",
        because: "it is Atlassian's personal data reporting API",
    },
];

/// What starts a spoke action in `uses`: `servicenow: Look up Groups`.
pub const ACTION_PREFIX: &str = "servicenow:";

impl SpokeAction {
    /// How `uses` names it: `servicenow: Look up Spaces Stream`.
    pub fn use_text(&self) -> String {
        format!("{ACTION_PREFIX} {}", self.name)
    }

    /// The call it makes: `GET /wiki/api/v2/spaces`.
    pub fn call(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }
}

/// The action named `name`, in any case and spacing.
pub fn spoke_action(name: &str) -> Option<&'static SpokeAction> {
    SPOKE_ACTIONS.iter().find(|action| same_words(action.name, name))
}
