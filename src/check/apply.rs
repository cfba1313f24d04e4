//! Applying fixes to a setup, every face's one way to do it: all the fixes a report offers at
//! once (the safe ones, or the unsafe ones too), in rounds. Fixes whose edits overlap cannot
//! both go in one round: the first is applied, the setup checked again, and the fixes of that
//! new report applied, until a round applies nothing.

use super::check;
use super::order::{index_of, key, sort_keys};
use super::text::Offsets;
use crate::diagnostic::{Applicability, Edit, Field, Fix};
use crate::report::Report;
use crate::setup::Setup;

/// Enough for every chain of overlapping fixes seen (a scope list needs two or three: an
/// insertion beside a removal waits a round); a bound, so that fixes that undo each other
/// cannot loop.
const MAX_ROUNDS: usize = 8;

/// A setup after its fixes, with how many were applied and its own report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    pub setup: Setup,
    /// Fixes applied, over all rounds. The table's `fixed` cases check that their findings are
    /// gone; the property tests, that no safe fix is left and no error added.
    pub fixed: usize,
    /// The fixed setup's report: what remains.
    pub report: Report,
}

/// Applies the fixes of `report`, which must be `setup`'s own report, then those of each report
/// after, until none applies: the safe fixes, and the unsafe ones too when `unsafe_fixes`.
/// Edits that do not fit the setup's text (a report of another setup) are left out.
pub fn apply_fixes(setup: &Setup, report: &Report, unsafe_fixes: bool) -> Fixed {
    let fixes: Vec<&Fix> = report.findings.iter().filter_map(|finding| finding.fix.as_ref()).collect();
    apply_fix_list(setup, &fixes, unsafe_fixes)
}

/// [`apply_fixes`] for a face that holds only the fixes of `setup`'s report, in its order.
pub fn apply_fix_list(setup: &Setup, fixes: &[&Fix], unsafe_fixes: bool) -> Fixed {
    let mut current = setup.clone();
    let mut fixed = apply_round(&mut current, fixes.iter().copied(), unsafe_fixes);
    let mut report = check(&current);
    if fixed > 0 {
        for _ in 1..MAX_ROUNDS {
            let applied =
                apply_round(&mut current, report.findings.iter().filter_map(|f| f.fix.as_ref()), unsafe_fixes);
            if applied == 0 {
                break;
            }
            fixed += applied;
            report = check(&current);
        }
    }
    Fixed { setup: current, fixed, report }
}

/// Applies every fix that overlaps none applied before it (in the report's order, the most
/// severe first); returns how many.
fn apply_round<'a>(setup: &mut Setup, fixes: impl Iterator<Item = &'a Fix>, unsafe_fixes: bool) -> usize {
    let mut chosen: Vec<&Fix> = Vec::new();
    // Each field's length in characters, counted once for all its fixes.
    let lengths = Field::ALL.map(|field| setup.get(field).map(|text| text.chars().count()));
    for fix in fixes {
        let allowed = fix.applicability == Applicability::Safe || unsafe_fixes;
        let length = Field::ALL.iter().position(|f| *f == fix.field).and_then(|i| lengths[i]);
        // Whether it fits first: the overlap sweep relies on edits in order.
        if allowed && fits(length, fix) && !chosen.iter().any(|other| other.conflicts_with(fix)) {
            chosen.push(fix);
        }
    }
    for field in Field::ALL {
        let edits: Vec<&Edit> = chosen.iter().filter(|fix| fix.field == field).flat_map(|fix| &fix.edits).collect();
        if let (false, Some(text)) = (edits.is_empty(), setup.get(field)) {
            let fixed = edited(text, edits);
            setup.set(field, Some(fixed));
        }
    }
    chosen.len()
}

/// Whether every edit of `fix` lies inside a text of `length` characters (`None`: the field is
/// absent), in order and apart: true of every fix a report of this text offers.
fn fits(length: Option<usize>, fix: &Fix) -> bool {
    let mut end = 0;
    fix.edits.iter().all(|edit| {
        let fits = end <= edit.start && edit.start <= edit.end && edit.end <= length.unwrap_or(0);
        end = edit.end;
        fits
    }) && (length.is_some() || fix.edits.is_empty())
}

/// `text` with non-overlapping edits, in characters, applied.
fn edited(text: &str, edits: Vec<&Edit>) -> String {
    // Ordered by start, then end, so that an insertion goes before a range beginning there.
    let mut keys: Vec<u128> =
        edits.iter().enumerate().map(|(i, e)| key((e.start as u128) << 32 | e.end as u128, i)).collect();
    sort_keys(&mut keys);
    let mut offsets = Offsets::new(text);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for edit in keys.into_iter().map(|k| edits[index_of(k)]) {
        let (start, end) = (offsets.byte_of(edit.start), offsets.byte_of(edit.end));
        out.push_str(&text[copied..start]);
        out.push_str(&edit.insert);
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}
