//! What a setup is for: the calls a client will make (`Setup::uses`), each resolved to the
//! operations it names and the scopes they need, and the least-privilege scope list for them
//! ([`scopes_for`]).

mod granted;
mod plan;
mod spoke;
mod target;

use std::ops::Range;

pub use granted::{uses_with_granted, GrantedUse};
pub use plan::{scopes_for, PlannedScope, PlannedUse, ScopePlan, UnknownUse};
pub use spoke::{spoke_action, SpokeAction, ACTION_PREFIX, SPOKE_ACTIONS};
pub use target::{match_call, Addressed, NoMatch};

use crate::catalog::{confluence_operations, Method, Operation};

/// One call a use stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    pub operation: Operation,
    /// The spoke action it is inferred from; `None` when the use names the operation itself.
    pub action: Option<&'static SpokeAction>,
    pub addressed: Addressed,
}

impl Need {
    /// How sure the call is: an operation named by the user is; a spoke action's is inferred.
    pub fn is_inferred(&self) -> bool {
        self.action.is_some()
    }

    /// `servicenow: Look up Spaces Stream` or `GET /wiki/api/v2/spaces`: how a finding names it.
    pub fn label(&self) -> String {
        match self.action {
            Some(action) => action.use_text(),
            None => self.operation.label(),
        }
    }

    /// How answers name the use that stands for this call: a spoke action's call by its action
    /// (`servicenow` stands for nine), any other by the use as `typed`.
    pub fn named(&self, typed: &str) -> String {
        if self.is_inferred() {
            self.label()
        } else {
            typed.to_string()
        }
    }
}

/// What one item of `uses` stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Needs(Vec<Need>),
    /// Names nothing known; the closest known uses, best first.
    Unknown {
        closest: Vec<String>,
    },
    /// An operationId both APIs have: the full form of each.
    Ambiguous {
        forms: Vec<String>,
    },
}

/// One item of `uses`, where it is in the field's text, and what it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedUse<'a> {
    pub text: &'a str,
    /// Byte range in the field's text.
    pub range: Range<usize>,
    pub resolution: Resolution,
}

/// The items of `uses`: one a line, blank lines and `#` comments skipped, each trimmed.
pub fn use_items(uses: &str) -> impl Iterator<Item = (&str, Range<usize>)> {
    let mut start = 0;
    uses.split_inclusive('\n').filter_map(move |line| {
        let at = start;
        start += line.len();
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        let offset = at + (line.len() - line.trim_start().len());
        Some((trimmed, offset..offset + trimmed.len()))
    })
}

/// Every item of `uses`, resolved.
pub fn resolve_uses(uses: &str) -> Vec<ResolvedUse<'_>> {
    use_items(uses).map(|(text, range)| ResolvedUse { text, range, resolution: resolve(text) }).collect()
}

/// What one use stands for: `servicenow`, `servicenow: <action>`, `METHOD /path-or-URL`, or an
/// operationId.
pub fn resolve(text: &str) -> Resolution {
    if text.eq_ignore_ascii_case("servicenow") {
        return Resolution::Needs(SPOKE_ACTIONS.iter().filter_map(action_need).collect());
    }
    if let Some(name) = strip_prefix_ignore_case(text, ACTION_PREFIX) {
        return match spoke_action(name).and_then(action_need) {
            Some(need) => Resolution::Needs(vec![need]),
            None => Resolution::Unknown { closest: closest_actions(name) },
        };
    }
    if let Some((method, target)) = text.split_once(char::is_whitespace) {
        if let Some(method) = Method::parse(method) {
            return match match_call(method, target.trim()) {
                Ok((operation, addressed)) => Resolution::Needs(vec![Need { operation, action: None, addressed }]),
                Err(NoMatch::NoOperation { same_path }) if !same_path.is_empty() => {
                    Resolution::Unknown { closest: same_path.iter().map(|operation| operation.label()).collect() }
                }
                Err(_) => Resolution::Unknown { closest: Vec::new() },
            };
        }
    }
    by_operation_id(text)
}

fn by_operation_id(text: &str) -> Resolution {
    let found: Vec<Operation> =
        confluence_operations().filter(|operation| operation.operation_id.eq_ignore_ascii_case(text)).collect();
    match found.as_slice() {
        [operation] => {
            Resolution::Needs(vec![Need { operation: *operation, action: None, addressed: Addressed::Gateway }])
        }
        [] => Resolution::Unknown { closest: closest_operation_ids(text) },
        several => Resolution::Ambiguous { forms: several.iter().map(|operation| operation.label()).collect() },
    }
}

fn action_need(action: &'static SpokeAction) -> Option<Need> {
    let (operation, addressed) = match_call(action.method, action.path).ok()?;
    Some(Need { operation, action: Some(action), addressed })
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| text[prefix.len()..].trim())
}

/// Known names within a few edits of `typed`, closest first.
fn closest_by_distance<'n>(typed: &str, names: impl Iterator<Item = &'n str>) -> Vec<String> {
    let typed = typed.to_ascii_lowercase();
    let limit = (typed.len() / 3).clamp(2, 6);
    // The three closest, kept in order as they come (no sort: it cost the browser build 2 KB gzip).
    let mut close: Vec<(usize, &str)> = Vec::with_capacity(4);
    for name in names {
        let distance = strsim::levenshtein(&typed, &name.to_ascii_lowercase());
        if distance > limit {
            continue;
        }
        let at = close.iter().position(|(other, _)| distance < *other).unwrap_or(close.len());
        close.insert(at, (distance, name));
        close.truncate(3);
    }
    close.into_iter().map(|(_, name)| name.to_string()).collect()
}

fn closest_operation_ids(typed: &str) -> Vec<String> {
    closest_by_distance(typed, confluence_operations().map(|operation| operation.operation_id))
}

fn closest_actions(typed: &str) -> Vec<String> {
    closest_by_distance(typed, SPOKE_ACTIONS.iter().map(|action| action.name))
        .iter()
        .filter_map(|name| spoke_action(name).map(SpokeAction::use_text))
        .collect()
}
