//! A set of names that answers "seen before?" — the question scope lists ask on every keystroke
//! ([`super::ScopeList`] here, and the validator's scope rules).

use std::collections::BTreeSet;

/// Lists are short (a setup has a dozen scopes), and for a dozen a scan of a vector beats a tree
/// in wasm; past [`SeenNames::SCAN_LIMIT`] (pasted junk) a B-tree keeps the check logarithmic.
#[derive(Default)]
pub(crate) struct SeenNames<'a> {
    few: Vec<&'a str>,
    many: BTreeSet<&'a str>,
}

impl<'a> SeenNames<'a> {
    const SCAN_LIMIT: usize = 32;

    /// Remembers `name`; `true` when it is new.
    pub fn insert(&mut self, name: &'a str) -> bool {
        if self.many.is_empty() {
            if self.few.contains(&name) {
                return false;
            }
            if self.few.len() < Self::SCAN_LIMIT {
                self.few.push(name);
                return true;
            }
            self.many.extend(self.few.drain(..));
        }
        self.many.insert(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_alike_below_and_above_the_scan_limit() {
        let names: Vec<String> = (0..100).map(|i| format!("scope{}", i % 70)).collect();
        let mut seen = SeenNames::default();
        let firsts: Vec<bool> = names.iter().map(|n| seen.insert(n)).collect();
        assert_eq!(firsts.iter().filter(|new| **new).count(), 70);
        assert!(firsts[..70].iter().all(|new| *new) && firsts[70..].iter().all(|new| !*new));
    }
}
