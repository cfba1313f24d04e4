//! Properties of `check` over generated setups: it never panics, its spans point inside the
//! field, its fixes fix, a safe fix never adds an error, and no report carries a secret,
//! whichever field it was typed into.

use proptest::prelude::*;
use threelo::{apply_fixes, check, Applicability, Field, Setup};

/// Pieces of real and broken setups, so that generated text reaches the deep paths of every
/// rule rather than failing the first parse.
const FRAGMENTS: &[&str] = &[
    "https://",
    "http://",
    "ftp://",
    "localhost",
    "127.0.0.1",
    "[::1]",
    ":8080",
    "dev12345",
    "Dev-12",
    ".service-now.com",
    ".servicenowservices.com",
    "instance",
    "<instance>",
    "your-instance",
    "example.com",
    "YOUR_HOST",
    "/oauth_redirect.do",
    "/",
    "#",
    "#frag",
    "@",
    "user:pw@",
    "*",
    "?a=b",
    " ",
    "\n",
    "\t",
    ",",
    ";",
    "|",
    "+",
    "\"",
    "[",
    "]",
    "read:page:confluence",
    "READ:Page:Confluence",
    "read:confluence-space",
    "write:confluence-pages",
    "offline_access",
    "openid",
    "email",
    "ace:confluence",
    "read:connect-confluence",
    "storage:app",
    "read:graph:page:confluence",
    "read:me",
    "read:account",
    "read:jira-work",
    "auth.atlassian.com",
    "/authorize",
    "/oauth/token",
    "api.atlassian.com",
    "acme.atlassian.net",
    "auth.atlassian-us-gov-mod.com",
    "api.atlassian-us-gov-mod.com",
    "ari:cloud:ecosystem::app/",
    "ATOA",
    "0A1B2C3D",
    "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
    "client_credentials",
    "Authorization Code",
    "password",
    "é",
    "😀",
    "\u{200b}",
    "\u{0}",
];

fn field_text() -> impl Strategy<Value = Option<String>> {
    let pieces = prop::collection::vec(prop::sample::select(FRAGMENTS), 0..12).prop_map(|p| p.concat());
    prop::option::of(prop_oneof![3 => pieces, 1 => any::<String>(), 1 => "\\PC{0,40}"])
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop::collection::vec(field_text(), 10),
        prop::sample::select(&["", "client_credentials", "authorization_code", "implicit"][..]),
    )
        .prop_map(|(mut texts, grant)| {
            let mut setup = Setup::default();
            for field in Field::ALL {
                setup.set(field, texts.pop().flatten());
            }
            if !grant.is_empty() && setup.grant_type.is_none() {
                setup.grant_type = Some(grant.to_string());
            }
            setup
        })
}

fn count(report: &threelo::Report, rule: threelo::Rule, field: Field) -> usize {
    report.findings.iter().filter(|f| f.rule == rule && f.field == field).count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn spans_lie_inside_their_field(setup in setup()) {
        let report = check(&setup);
        for finding in &report.findings {
            if let Some(span) = finding.span {
                let length = setup.get(finding.field).map_or(0, |t| t.chars().count());
                prop_assert!(span.start <= span.end && span.end <= length, "{finding:?} in {setup:?}");
            }
        }
        let s = &report.summary;
        prop_assert_eq!(s.errors + s.warnings + s.infos, report.findings.len() + s.omitted);
        // The consent URL, or why there is none: never both, never neither.
        let n = &report.normalized;
        prop_assert!(n.authorize_url.is_some() != n.authorize_url_unavailable.is_some(), "{:?}", n);
    }

    #[test]
    fn each_fix_removes_its_finding(setup in setup()) {
        let report = check(&setup);
        for finding in report.findings.iter().filter(|f| f.fix.is_some()) {
            let fix = finding.fix.as_ref().unwrap();
            let mut fixed = setup.clone();
            fixed.set(fix.field, Some(fix.replacement.clone()));
            let after = check(&fixed);
            prop_assert!(
                count(&after, finding.rule, finding.field) < count(&report, finding.rule, finding.field),
                "fix for {} did not remove it: {:?} → {:?}", finding.rule.code(), setup.get(finding.field), fix.replacement
            );
        }
    }

    #[test]
    fn a_fixs_edits_make_its_replacement(setup in setup()) {
        let report = check(&setup);
        for finding in report.findings.iter().filter(|f| f.fix.is_some()) {
            let fix = finding.fix.as_ref().unwrap();
            let text: Vec<char> = setup.get(fix.field).unwrap_or("").chars().collect();
            prop_assert!(fix.edits.windows(2).all(|w| w[0].end <= w[1].start), "{:?}", fix);
            let mut edited = String::new();
            let mut copied = 0;
            for edit in &fix.edits {
                edited.extend(&text[copied..edit.start]);
                edited.push_str(&edit.insert);
                copied = edit.end;
            }
            edited.extend(&text[copied..]);
            prop_assert_eq!(edited, fix.replacement.clone(), "{:?}", fix);
        }
    }

    #[test]
    fn applying_every_safe_fix_leaves_none_to_apply(setup in setup()) {
        let report = check(&setup);
        let fixed = apply_fixes(&setup, &report, false);
        prop_assert_eq!(&fixed.report, &check(&fixed.setup));
        let left: Vec<_> = fixed.report.findings.iter()
            .filter(|f| f.fix.as_ref().is_some_and(|fix| fix.applicability == Applicability::Safe))
            .collect();
        prop_assert!(left.is_empty(), "safe fixes left after {} applied: {:?} in {:?}", fixed.fixed, left, fixed.setup);
        prop_assert!(
            fixed.report.summary.errors <= report.summary.errors,
            "the safe fixes raised the errors from {} to {}: {:?}", report.summary.errors, fixed.report.summary.errors,
            fixed.report.findings
        );
    }

    #[test]
    fn a_safe_fix_never_adds_an_error(setup in setup()) {
        let report = check(&setup);
        for fix in report.findings.iter().filter_map(|f| f.fix.as_ref()) {
            if fix.applicability != Applicability::Safe {
                continue;
            }
            let mut fixed = setup.clone();
            fixed.set(fix.field, Some(fix.replacement.clone()));
            let after = check(&fixed);
            prop_assert!(
                after.summary.errors <= report.summary.errors,
                "the safe fix of {} to {:?} raised the errors from {} to {}: {:?}",
                fix.field, fix.replacement, report.summary.errors, after.summary.errors, after.findings
            );
        }
    }

    #[test]
    fn no_report_carries_a_secret_whatever_field_holds_it(
        body in "[A-Za-z0-9_-]{29,72}",
        prefixed in any::<bool>(),
        field in prop::sample::select(&Field::ALL[..]),
        around in prop::sample::select(SURROUNDINGS),
        also_as_secret in any::<bool>(),
        other in setup(),
    ) {
        // A current secret, most of one, or an older one without the prefix (64+ characters).
        let secret = if prefixed { format!("ATOA{body}") } else { format!("{body}{}", "x7".repeat(32)) };
        let mut setup = other;
        setup.set(field, Some(around.replace("{}", &secret)));
        let planted = if also_as_secret && field != Field::ClientSecret {
            setup.client_secret = Some(secret.clone());
            [field, Field::ClientSecret]
        } else {
            [field, field]
        };
        let shown = serde_json::to_string(&check(&setup)).unwrap();
        // Any eight characters of the secret after its first four would be a leak.
        for at in (4..secret.len() - 8).step_by(4) {
            let piece = &secret[at..at + 8];
            // Generated text around it may hold the same characters by chance: count only a piece
            // the setup shows nowhere else.
            let elsewhere = Field::ALL
                .iter()
                .filter(|f| !planted.contains(f))
                .any(|f| setup.get(*f).is_some_and(|t| t.contains(piece)));
            prop_assert!(elsewhere || !shown.contains(piece), "{piece} of the secret in {field}: {shown}");
        }
    }
}

/// How a secret lands in a field: alone, with whitespace, in a URL, in a list of scopes.
const SURROUNDINGS: &[&str] = &[
    "{}",
    " {}\n",
    "https://app.acme.io/cb?k={}",
    "http://app.acme.io/{}/cb#x",
    "https://{}.service-now.com/oauth_redirect.do",
    "read:page:confluence,{} offline_access",
    "read:me%20{}",
    "{}:confluence",
    "READ:{}",
    "https://auth.atlassian.com/authorize?client_secret={}",
];
