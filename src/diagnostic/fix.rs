//! Fixes as edits of a field's text, so that the fixes of several findings on one field compose
//! (ruff's model): each says whether it is what the user meant ([`Applicability`]).

use serde::Serialize;

use super::Field;

/// Whether a fix is what the user meant, so that a face may apply it without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// The result is what the user meant: trimming, separators, case, duplicates, https, the
    /// ServiceNow path, removing a scope that cannot work or names nothing.
    Safe,
    /// A guess: the closest real scope for a typo, an added scope, a value copied from a field
    /// that has errors of its own.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Put `insert` in place of the characters `start..end` of the field's original text (the same
/// units as a [`super::Span`]; an empty range inserts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub insert: String,
}

impl Edit {
    /// Whether the two edits cannot both be applied to one text: their ranges share a character,
    /// or one inserts where the other begins or ends. Text inserted beside a removal was written
    /// for what it removes (` offline_access` after the one scope a fix removes would leave a
    /// stray space), so the insertion waits for the next round and is made again for the text
    /// as it then is.
    pub fn overlaps(&self, other: &Edit) -> bool {
        let inserts_at_edge = |a: &Edit, b: &Edit| a.start == a.end && b.start <= a.start && a.start <= b.end;
        (self.start < other.end && other.start < self.end)
            || inserts_at_edge(self, other)
            || inserts_at_edge(other, self)
    }
}

/// What makes a finding go away. A fix whose edits would put secret-shaped text anywhere is
/// never offered (see [`crate::redact`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub field: Field,
    pub applicability: Applicability,
    /// Sorted by position, never overlapping one another.
    pub edits: Vec<Edit>,
    /// The field's whole text after this fix alone.
    pub replacement: String,
}

impl Fix {
    /// Whether some edit of `self` overlaps some edit of `other` on the same field. Both lists
    /// are in order and apart, so one sweep over the two answers: a fix that removes every
    /// repeat of a scope pasted thousands of times is compared in linear time, not squared.
    pub fn conflicts_with(&self, other: &Fix) -> bool {
        if self.field != other.field {
            return false;
        }
        let (mut a, mut b) = (self.edits.iter().peekable(), other.edits.iter().peekable());
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            if x.overlaps(y) {
                return true;
            }
            if x.end < y.end {
                a.next();
            } else {
                b.next();
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize) -> Edit {
        Edit { start, end, insert: String::new() }
    }

    #[test]
    fn edits_overlap_when_they_share_a_character_or_an_insertion_point() {
        assert!(edit(0, 3).overlaps(&edit(2, 5)));
        assert!(!edit(0, 3).overlaps(&edit(3, 5)), "adjacent ranges compose");
        assert!(edit(2, 2).overlaps(&edit(2, 2)));
        assert!(edit(3, 3).overlaps(&edit(0, 3)), "an insertion at a range's end waits");
        assert!(edit(0, 0).overlaps(&edit(0, 3)), "an insertion at a range's start waits");
        assert!(!edit(4, 4).overlaps(&edit(0, 3)));
        assert!(edit(2, 2).overlaps(&edit(0, 5)), "an insertion inside a replaced range");
    }
}
