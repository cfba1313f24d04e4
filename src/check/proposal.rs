//! A fix as a rule proposes it, in bytes of the field's text, and its edits as the report gives
//! them. Rules that rebuild a field (a repaired URL) give its whole new text and the edit is
//! what differs; rules about one part of a list (a scope) give edits of that part only, so that
//! fixes of several findings on one list compose.

use std::ops::Range;

use super::order::{index_of, key, sort_keys};

pub(super) enum Proposal {
    /// The field's whole new text.
    Whole(String),
    /// Byte ranges of the typed text and what goes in place of each.
    Edits(Vec<(Range<usize>, String)>),
}

impl Proposal {
    /// The edits, sorted and merged where they overlap (the first one's text kept, as when two
    /// removals share a separator); `None` when the proposal changes nothing.
    pub fn into_edits(self, text: &str) -> Option<Vec<(Range<usize>, String)>> {
        let edits = match self {
            Proposal::Whole(new) => vec![differing_part(text, &new)?],
            Proposal::Edits(edits) => {
                // By start, then in the order given (see `crate::order`).
                let mut keys: Vec<u128> =
                    edits.iter().enumerate().map(|(i, (range, _))| key(range.start as u128, i)).collect();
                sort_keys(&mut keys);
                let mut slots: Vec<Option<(Range<usize>, String)>> = edits.into_iter().map(Some).collect();
                let mut merged: Vec<(Range<usize>, String)> = Vec::with_capacity(slots.len());
                for (range, insert) in keys.into_iter().filter_map(|k| slots[index_of(k)].take()) {
                    match merged.last_mut() {
                        Some((last, _)) if range.start < last.end => last.end = last.end.max(range.end),
                        _ => merged.push((range, insert)),
                    }
                }
                merged
            }
        };
        let changes = edits.iter().any(|(range, insert)| text.get(range.clone()) != Some(insert.as_str()));
        changes.then_some(edits)
    }
}

/// The one edit that turns `old` into `new`: what lies between their common start and end.
fn differing_part(old: &str, new: &str) -> Option<(Range<usize>, String)> {
    if old == new {
        return None;
    }
    let mut prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let room = old.len().min(new.len()) - prefix;
    let mut suffix = old.bytes().rev().zip(new.bytes().rev()).take(room).take_while(|(a, b)| a == b).count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Some((prefix..old.len() - suffix, new[prefix..new.len() - suffix].to_string()))
}

/// `text` with sorted, non-overlapping byte edits applied.
pub(super) fn spliced(text: &str, edits: &[(Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (range, insert) in edits {
        out.push_str(&text[copied..range.start]);
        out.push_str(insert);
        copied = range.end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(old: &str, new: &str) -> Option<(Range<usize>, String)> {
        Proposal::Whole(new.to_string()).into_edits(old).map(|mut edits| edits.remove(0))
    }

    #[test]
    fn a_whole_text_becomes_the_part_that_differs() {
        let table = [
            (
                "https://a.service-now.com/oauth_redirect.do/",
                "https://a.service-now.com/oauth_redirect.do",
                Some((43..44, "")),
            ),
            (" abc ", "abc", Some((0..5, "abc"))),
            ("read:me", "read:me offline_access", Some((7..7, " offline_access"))),
            ("aaa", "aa", Some((2..3, ""))),
            ("héllo", "hèllo", Some((1..3, "è"))),
            ("same", "same", None),
        ];
        for (old, new, expected) in table {
            let got = whole(old, new);
            assert_eq!(got, expected.map(|(r, s): (Range<usize>, &str)| (r, s.to_string())), "{old:?} → {new:?}");
            if let Some(edit) = got {
                assert_eq!(spliced(old, &[edit]), new);
            }
        }
    }

    #[test]
    fn edits_that_overlap_merge() {
        let text = "x x y";
        let edits = Proposal::Edits(vec![(1..3, String::new()), (0..2, String::new())]).into_edits(text).unwrap();
        assert_eq!(edits, vec![(0..3, String::new())]);
        assert_eq!(spliced(text, &edits), " y");
    }
}
