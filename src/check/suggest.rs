//! Nearest real scopes for a name that is not one: edit distance catches typos
//! (`read:page:confluance`), shared words catch reshuffles (`write:confluence-pages` →
//! `write:page:confluence`). Only scopes an OAuth app can hold are suggested.

use std::sync::OnceLock;

use super::order::{highest_first, index_of, key, sort_keys};
use crate::catalog::{all_scopes, ScopeEntry};

/// No real scope is longer than this; a longer token is not worth comparing.
const LONGEST_WORTH_COMPARING: usize = 80;
/// Of the candidates a typo cannot explain, only this many with the highest bound are compared.
const MOST_COMPARED: usize = 16;
/// Below this score a candidate is noise, not a suggestion.
const MIN_SCORE: f64 = 0.25;

/// Suggestions for one unknown scope name, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestions {
    pub names: Vec<&'static str>,
    /// The single scope clearly meant (a typo or two away, with no rival close by), if any.
    pub clearly_meant: Option<&'static str>,
}

/// Up to `limit` real scopes closest to `token`.
pub fn closest_scopes(token: &str, limit: usize) -> Suggestions {
    let none = Suggestions { names: Vec::new(), clearly_meant: None };
    if token.is_empty() || token.len() > LONGEST_WORTH_COMPARING {
        return none;
    }
    let token = token.to_ascii_lowercase();
    let token_words = words(&token);
    // A token that names a product is about that product: suggest nothing from another one.
    let product = ["confluence", "jira"].into_iter().find(|p| token_words.contains(p));

    // Word overlap is cheap and bounds the score from above (the distance is at least the
    // difference in length), so the costly edit distance is computed only for candidates that
    // could still be suggested or be a typo's target (three edits at most).
    let length = token.chars().count();
    let bounded: Vec<(f64, usize, &Candidate, f64)> = candidates()
        .iter()
        .filter(|candidate| product.is_none_or(|p| product_line(candidate.entry.product) == p))
        .map(|candidate| {
            let name = candidate.entry.name;
            let length_difference = length.abs_diff(name.len());
            let longer = length.max(name.len()) as f64;
            let overlap = word_overlap(&token_words, &candidate.words);
            (overlap - 0.5 * length_difference as f64 / longer, length_difference, candidate, overlap)
        })
        .filter(|(bound, length_difference, _, _)| *bound >= MIN_SCORE || *length_difference <= 3)
        .collect();

    let mut scored: Vec<(f64, usize, &Candidate)> = Vec::new();
    let mut by_bound = 0;
    for key in best_first(bounded.iter().map(|(bound, _, candidate, _)| (*bound, *candidate))) {
        let (_, length_difference, candidate, overlap) = bounded[index_of(key)];
        let entry = candidate.entry;
        if length_difference > 3 {
            by_bound += 1;
            if by_bound > MOST_COMPARED {
                continue;
            }
        }
        let distance = strsim::levenshtein(&token, entry.name);
        let longer = length.max(entry.name.len()) as f64;
        let score = overlap - 0.5 * distance as f64 / longer;
        if score >= MIN_SCORE || distance <= 3 {
            scored.push((score, distance, candidate));
        }
    }
    let scored: Vec<(f64, usize, &'static ScopeEntry)> = best_first(scored.iter().map(|(score, _, c)| (*score, *c)))
        .into_iter()
        .map(|key| {
            let (score, distance, candidate) = scored[index_of(key)];
            (score, distance, candidate.entry)
        })
        .collect();

    let closest_by_distance = scored.iter().map(|(_, d, _)| *d).min();
    let clearly_meant = closest_by_distance.filter(|d| *d <= 2).and_then(|best| {
        let mut near = scored.iter().filter(|(_, d, _)| *d <= best + 1);
        match (near.next(), near.next()) {
            (Some((_, d, entry)), None) if *d == best => Some(entry.name),
            _ => None,
        }
    });
    let names =
        scored.iter().filter(|(score, d, _)| *score >= MIN_SCORE || *d <= 2).take(limit).map(|(_, _, e)| e.name);
    Suggestions { names: names.collect(), clearly_meant }
}

/// The product line a catalog product belongs to: its first word, so that `jira-software` and
/// `jira-service-management` (Jira Software, Jira Service Management) are Jira, as a person
/// typing `jira` in a scope means them to be.
fn product_line(product: &str) -> &str {
    product.split('-').next().unwrap_or(product)
}

/// A scope worth suggesting.
struct Candidate {
    entry: &'static ScopeEntry,
    /// Its place in the registry, which is sorted by name: ties go to the first name.
    rank: u32,
    words: Vec<&'static str>,
}

/// The scopes worth suggesting, with their words, computed once.
fn candidates() -> &'static [Candidate] {
    static CANDIDATES: OnceLock<Vec<Candidate>> = OnceLock::new();
    CANDIDATES.get_or_init(|| {
        (0u32..)
            .zip(all_scopes())
            .filter(|(_, entry)| entry.family.grantable_to_oauth_apps())
            .map(|(rank, entry)| Candidate { entry, rank, words: words(entry.name) })
            .collect()
    })
}

/// Sort keys for scored candidates: highest score first, then by name; each key's low bits
/// index the item as the iterator yielded it.
fn best_first<'a>(scored: impl Iterator<Item = (f64, &'a Candidate)>) -> Vec<u128> {
    let mut keys: Vec<u128> = scored
        .enumerate()
        .map(|(i, (score, candidate))| key(u128::from(highest_first(score)) << 32 | u128::from(candidate.rank), i))
        .collect();
    sort_keys(&mut keys);
    keys
}

/// The words of a scope name, singular, for comparing meaning rather than spelling.
fn words(name: &str) -> Vec<&str> {
    let mut words: Vec<&str> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.strip_suffix('s').filter(|stem| stem.len() >= 3).unwrap_or(w))
        .collect();
    // A handful of words: an insertion sort, rather than another copy of std's sort (see
    // `super::order`).
    for i in 1..words.len() {
        let mut j = i;
        while j > 0 && words[j - 1] > words[j] {
            words.swap(j - 1, j);
            j -= 1;
        }
    }
    words.dedup();
    words
}

/// Jaccard similarity of two sorted, deduplicated word lists.
fn word_overlap(a: &[&str], b: &[&str]) -> f64 {
    let shared = a.iter().filter(|w| b.binary_search(w).is_ok()).count();
    let union = a.len() + b.len() - shared;
    if union == 0 {
        0.0
    } else {
        shared as f64 / union as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // (typed, must be among the first three suggestions, clearly meant)
    const CASES: &[(&str, &str, Option<&str>)] = &[
        ("read:confluence-space", "read:confluence-space.summary", None),
        ("write:confluence-pages", "write:page:confluence", None),
        ("read:page:confluance", "read:page:confluence", Some("read:page:confluence")),
        ("read:confluence-content.props", "read:confluence-props", None),
        ("delete:confluence-content", "delete:content:confluence", None),
        ("ofline_access", "offline_access", Some("offline_access")),
        ("read:jira-works", "read:jira-work", Some("read:jira-work")),
        // Jira Software and Jira Service Management are Jira products: a `jira` word keeps them in.
        ("read:sprint:jira-sofware", "read:sprint:jira-software", Some("read:sprint:jira-software")),
        (
            "read:queue:jira-service-managment",
            "read:queue:jira-service-management",
            Some("read:queue:jira-service-management"),
        ),
    ];

    #[test]
    fn suggests_the_scope_a_person_meant() {
        for (typed, expected, clearly) in CASES {
            let found = closest_scopes(typed, 3);
            assert!(found.names.contains(expected), "{typed}: {:?} lacks {expected}", found.names);
            assert_eq!(found.clearly_meant, *clearly, "{typed}: {:?}", found.names);
        }
    }

    #[test]
    fn never_suggests_scopes_oauth_apps_cannot_hold() {
        let found = closest_scopes("read:connect-confluenc", 5);
        assert!(!found.names.contains(&"read:connect-confluence"), "{:?}", found.names);
    }

    #[test]
    fn gives_up_on_text_no_scope_resembles() {
        assert!(closest_scopes(&"x".repeat(500), 3).names.is_empty());
        assert_eq!(closest_scopes("", 3).names.len(), 0);
    }
}
