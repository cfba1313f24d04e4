//! `cross-check/*`: what only a pair of setups shows, the Atlassian console's and the client's
//! (the browser extension sees both sides of one app in one session). Findings are about the
//! client's setup, which is the one to change: the console is where the values come from.

use super::findings::{Findings, Hit};
use super::text::trimmed;
use super::Rule;
use crate::diagnostic::Applicability;
use crate::report::{Normalized, Report};
use crate::setup::Setup;

/// The findings of the pair: spans and fixes point into `client`. Its `normalized` is empty:
/// each side's values are in its own [`super::check`] report.
pub fn cross_check(console: &Setup, client: &Setup) -> Report {
    let mut out = Findings::quoting(client, console);
    check_client_ids(console, client, &mut out);
    out.into_report(Normalized::default())
}

fn check_client_ids(console: &Setup, client: &Setup, out: &mut Findings) {
    let (Some(here), Some(there)) = (client.client_id.as_deref(), console.client_id.as_deref()) else { return };
    let (typed, meant) = (trimmed(here), trimmed(there).text);
    // Whitespace around one of them is `client-id/whitespace`'s business, not another ID.
    if typed.text.is_empty() || meant.is_empty() || typed.text == meant {
        return;
    }
    let looks_right = meant.len() == 32 && meant.bytes().all(|b| b.is_ascii_alphanumeric());
    out.push(
        Hit::new(
            Rule::CrossCheckClientId,
            format!("the client's Client ID {} differs from the console's {}", out.quote(typed.text), out.quote(meant)),
            "copy the Client ID from the app's Settings page in the developer console into the client",
        )
        .at(typed.offset..typed.offset + typed.text.len())
        .fix_as(meant, if looks_right { Applicability::Safe } else { Applicability::Unsafe }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Applicability::{Safe, Unsafe};

    const ID: &str = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";

    fn with_id(id: &str) -> Setup {
        Setup { client_id: Some(id.to_string()), ..Setup::default() }
    }

    /// The one finding's span, fix replacement and applicability, if any.
    type Expected = Option<((usize, usize), &'static str, Applicability)>;

    #[test]
    fn client_ids_are_compared_trimmed_and_the_fix_takes_the_consoles() {
        // console, client → what the pair shows
        let table: [(&str, &str, Expected); 6] = [
            (ID, ID, None),
            (ID, " Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\n", None),
            (ID, "", None),
            ("", "Zz9yXw8vUt7sRq6pOn5mLk4jIh3gFe2d", None),
            (ID, " Zz9yXw8vUt7sRq6pOn5mLk4jIh3gFe2d", Some(((1, 33), ID, Safe))),
            ("not-an-id", ID, Some(((0, 32), "not-an-id", Unsafe))),
        ];
        for (console, client, expected) in table {
            let report = cross_check(&with_id(console), &with_id(client));
            let got = report.findings.first().map(|f| {
                assert_eq!(f.rule, Rule::CrossCheckClientId);
                let span = f.span.unwrap();
                let fix = f.fix.as_ref().unwrap();
                ((span.start, span.end), fix.replacement.as_str(), fix.applicability)
            });
            assert_eq!(got, expected, "{console:?} vs {client:?}");
            assert!(report.findings.len() <= 1);
        }
    }

    #[test]
    fn a_secret_in_the_consoles_id_field_is_neither_shown_nor_offered() {
        let secret = "ATOAxK7fQ2mZp9LrT4vW8yB1nC6hJ3sD5gF0aE2iU7oY9kM4qR8tX1zV6bN3wP5cLm7Q0A1B2C3D";
        let report = cross_check(&with_id(secret), &with_id(ID));
        let finding = &report.findings[0];
        assert!(!finding.message.contains(&secret[8..40]), "{}", finding.message);
        assert!(finding.fix.is_none());
    }
}
