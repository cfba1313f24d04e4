//! A configuration template's fixes, written back into the template: each fixed field into the
//! value it came from, the scopes into the entity scopes that hold them, and the profile scopes
//! that name a changed entity scope renamed with it. The document keeps its key order when
//! serde_json keeps it (the CLI builds it with `preserve_order`).

use serde_json::Value as Json;

use super::checks::meant_scope;
use super::records::{Location, Records, ScopeRef, Step, COLUMNS};
use super::{read_servicenow, Form, Imported, ReadError};
use crate::check::{apply_fixes, check};
use crate::report::Report;
use crate::setup::Setup;

/// A template after its fixes.
#[derive(Debug, Clone)]
pub struct FixedTemplate {
    /// The template's text with the fixes in.
    pub text: String,
    /// Fixes applied.
    pub fixed: usize,
    pub imported: Imported,
    /// The fixed template's report: what remains.
    pub report: Report,
}

/// Applies every safe fix (and the unsafe ones too when `unsafe_fixes`) to the configuration
/// template `text`. An export is refused: it is never rewritten.
pub fn fix_template(text: &str, unsafe_fixes: bool) -> Result<FixedTemplate, ReadError> {
    let text = text.trim_start_matches('\u{feff}');
    let imported = read_servicenow(text)?;
    if imported.form != Form::Template {
        return Err(ReadError::Template("an XML export is never rewritten: its fixes are listed instead".to_string()));
    }
    let mut document: Json =
        serde_json::from_str(text).map_err(|e| ReadError::Template(format!("it is not JSON: {e}")))?;
    let mut fixed = 0;
    let mut imported = imported;
    // The profile scopes first: what the setup holds depends on which entity scopes they name.
    if unsafe_fixes {
        let records = &imported.records;
        for profile in &records.profiles {
            for scope in profile.scopes.iter().filter(|scope| records.resolve(&scope.names).is_none()) {
                if let Some(meant) = meant_scope(records, &scope.names) {
                    if set_text(&mut document, &scope.at, records.scopes[meant].value.text.trim()) {
                        fixed += 1;
                    }
                }
            }
        }
        if fixed > 0 {
            imported = read_servicenow(&serialized(&document, text))?;
        }
    }
    let report = check(&imported.setup);
    let after = apply_fixes(&imported.setup, &report, unsafe_fixes);
    fixed += after.fixed;
    write_fields(&mut document, &imported.records, &imported.setup, &after.setup);
    let text = serialized(&document, text);
    let imported = read_servicenow(&text)?;
    let report = imported.check();
    Ok(FixedTemplate { text, fixed, imported, report })
}

/// The document as text, laid out like `original`: indented if it was on several lines.
fn serialized(document: &Json, original: &str) -> String {
    let mut text = if original.trim().contains('\n') {
        serde_json::to_string_pretty(document)
    } else {
        serde_json::to_string(document)
    }
    .unwrap_or_default();
    if original.ends_with('\n') {
        text.push('\n');
    }
    text
}

fn write_fields(document: &mut Json, records: &Records, old: &Setup, new: &Setup) {
    for (column, field) in COLUMNS {
        if let (Some(value), Some(text)) = (records.column(column), new.get(field)) {
            if old.get(field) != Some(text) {
                set_text(document, &value.at, text);
            }
        }
    }
    if let (Some(value), Some(text)) = (&records.connection_url, &new.api_base_url) {
        if old.api_base_url.as_ref() != Some(text) {
            set_text(document, &value.at, text);
        }
    }
    if old.scopes != new.scopes {
        write_scopes(document, records, old.scopes.as_deref().unwrap_or(""), new.scopes.as_deref().unwrap_or(""));
    }
}

fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c == ',').filter(|token| !token.is_empty()).collect()
}

/// Past this many token pairs the alignment is skipped and the fixed list goes into the first
/// entity scope whole: a real template holds a dozen scopes.
const MAX_ALIGNED: usize = 1 << 20;

/// Spreads the fixed scope list over the entity scopes that were sent: each token stays in the
/// entity scope it came from (see [`owners_of`]), an added one joins the entity scope of the
/// token after it (the last one at the end), and an entity scope left empty is removed with the
/// profile scopes that name it.
fn write_scopes(document: &mut Json, records: &Records, old_text: &str, new_text: &str) {
    let sent = records.sent_scopes();
    let sent: Vec<usize> =
        sent.into_iter().filter(|index| !records.scopes[*index].value.text.trim().is_empty()).collect();
    let Some(&first) = sent.first() else { return };
    let old: Vec<(&str, usize)> = sent
        .iter()
        .flat_map(|index| tokens(&records.scopes[*index].value.text).into_iter().map(move |token| (token, *index)))
        .collect();
    debug_assert_eq!(old.iter().map(|(token, _)| *token).collect::<Vec<_>>(), tokens(old_text));
    let new = tokens(new_text);
    let owners: Vec<usize> = if old.len().saturating_mul(new.len()) > MAX_ALIGNED {
        vec![first; new.len()]
    } else {
        owners_of(&old, &new, first)
    };
    let mut texts: Vec<(usize, Vec<&str>)> = sent.iter().map(|index| (*index, Vec::new())).collect();
    for (token, owner) in new.iter().zip(owners) {
        if let Some((_, list)) = texts.iter_mut().find(|(index, _)| *index == owner) {
            list.push(token);
        }
    }
    let mut removed = Vec::new();
    for (index, list) in &texts {
        let scope = &records.scopes[*index];
        let text = list.join(" ");
        if text == scope.value.text {
            continue;
        }
        if text.is_empty() {
            removed.push(*index);
            continue;
        }
        set_text(document, &scope.value.at, &text);
        // A template's profile scopes name the entity scope by its value: they follow it.
        for profile in &records.profiles {
            for link in &profile.scopes {
                if matches!(&link.names, ScopeRef::Value(named) if named.trim() == scope.value.text.trim()) {
                    set_text(document, &link.at, &text);
                }
            }
        }
    }
    // Removed from the end, so the indices of the rest hold.
    let mut gone: Vec<&Location> = Vec::new();
    for index in &removed {
        gone.push(&records.scopes[*index].record);
        for profile in &records.profiles {
            for link in profile.scopes.iter().filter(|link| records.resolve(&link.names) == Some(*index)) {
                gone.push(&link.element);
            }
        }
    }
    gone.sort_by(|a, b| b.cmp_steps(a));
    for location in gone {
        remove(document, location);
    }
}

/// Which old token's entity scope each new token goes to: the cheapest edit of the old tokens
/// into the new, where keeping a token costs nothing, replacing it with a close one (a typo's
/// correction, a case fix) costs one and anything else two, so a correction stays in the entity
/// scope of what it corrects and a removal does not pull its neighbours across.
fn owners_of(old: &[(&str, usize)], new: &[&str], first: usize) -> Vec<usize> {
    let (n, m) = (old.len(), new.len());
    let replace = |a: &str, b: &str| -> u32 {
        if a == b {
            0
        } else if a.eq_ignore_ascii_case(b) || strsim::jaro_winkler(a, b) >= 0.85 {
            1
        } else {
            2
        }
    };
    // cost[i][j]: the cheapest edit of old[i..] into new[j..].
    let at = |i: usize, j: usize| i * (m + 1) + j;
    let mut cost = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            cost[at(i, j)] = match (i == n, j == m) {
                (true, _) => (m - j) as u32,
                (_, true) => (n - i) as u32,
                _ => (replace(old[i].0, new[j]) + cost[at(i + 1, j + 1)])
                    .min(1 + cost[at(i + 1, j)])
                    .min(1 + cost[at(i, j + 1)]),
            };
        }
    }
    let mut owners: Vec<Option<usize>> = vec![None; m];
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if cost[at(i, j)] == replace(old[i].0, new[j]) + cost[at(i + 1, j + 1)] {
            owners[j] = Some(old[i].1);
            i += 1;
            j += 1;
        } else if cost[at(i, j)] == 1 + cost[at(i + 1, j)] {
            i += 1;
        } else {
            // An added token: it joins a neighbour's entity scope below.
            j += 1;
        }
    }
    let mut last = old.last().map_or(first, |(_, owner)| *owner);
    for owner in owners.iter_mut().rev() {
        match owner {
            Some(own) => last = *own,
            None => *owner = Some(last),
        }
    }
    owners.into_iter().map(|owner| owner.unwrap_or(first)).collect()
}

impl Location {
    /// Orders list items so that a later item of the same list comes first.
    fn cmp_steps(&self, other: &Location) -> std::cmp::Ordering {
        match (self, other) {
            (Location::Json(a), Location::Json(b)) => {
                for (x, y) in a.iter().zip(b) {
                    let order = match (x, y) {
                        (Step::Index(x), Step::Index(y)) => x.cmp(y),
                        (Step::Key(x), Step::Key(y)) => x.cmp(y),
                        _ => std::cmp::Ordering::Equal,
                    };
                    if order.is_ne() {
                        return order;
                    }
                }
                a.len().cmp(&b.len())
            }
            _ => std::cmp::Ordering::Equal,
        }
    }
}

/// Sets the string at `location`; false when the document has no such place.
fn set_text(document: &mut Json, location: &Location, text: &str) -> bool {
    let Location::Json(steps) = location else { return false };
    edit(document, steps, &mut |slot: &mut Json| {
        *slot = Json::String(text.to_string());
        true
    })
}

fn remove(document: &mut Json, location: &Location) -> bool {
    let Location::Json(steps) = location else { return false };
    let Some((Step::Index(index), parent)) = steps.split_last() else { return false };
    let index = *index;
    edit(document, parent, &mut |slot: &mut Json| match slot.as_array_mut() {
        Some(list) if index < list.len() => {
            list.remove(index);
            true
        }
        _ => false,
    })
}

/// Runs `change` on the value at `steps`, through any JSON document stored as text on the way.
fn edit(value: &mut Json, steps: &[Step], change: &mut dyn FnMut(&mut Json) -> bool) -> bool {
    let Some((step, rest)) = steps.split_first() else { return change(value) };
    match step {
        Step::Key(key) => value.get_mut(key.as_str()).is_some_and(|inner| edit(inner, rest, change)),
        Step::Index(index) => value.get_mut(*index).is_some_and(|inner| edit(inner, rest, change)),
        Step::Embedded => {
            let Some(Ok(mut inner)) = value.as_str().map(serde_json::from_str::<Json>) else { return false };
            let changed = edit(&mut inner, rest, change);
            if changed {
                *value = Json::String(serde_json::to_string(&inner).unwrap_or_default());
            }
            changed
        }
    }
}
