//! Properties of `check` over generated setups: it never panics, its spans point inside the
//! field, its fixes fix, and its redacted report never carries the secret.

use proptest::prelude::*;
use threelo::{check, Field, Setup};

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
                field.set(&mut setup, texts.pop().flatten());
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
                let length = finding.field.get(&setup).map_or(0, |t| t.chars().count());
                prop_assert!(span.start <= span.end && span.end <= length, "{finding:?} in {setup:?}");
            }
        }
        let s = &report.summary;
        prop_assert_eq!(s.errors + s.warnings + s.infos, report.findings.len() + s.omitted);
    }

    #[test]
    fn each_fix_removes_its_finding(setup in setup()) {
        let report = check(&setup);
        for finding in report.findings.iter().filter(|f| f.fix.is_some()) {
            let fix = finding.fix.as_ref().unwrap();
            let mut fixed = setup.clone();
            fix.apply(&mut fixed);
            let after = check(&fixed);
            prop_assert!(
                count(&after, finding.rule, finding.field) < count(&report, finding.rule, finding.field),
                "fix for {} did not remove it: {:?} → {:?}", finding.rule.code(), finding.field.get(&setup), fix.replacement
            );
        }
    }

    #[test]
    fn the_redacted_report_never_carries_the_secret(body in "[A-Za-z0-9_-]{20,72}", pad in "[ \n]{0,2}") {
        let secret = format!("ATOA{body}");
        let setup = Setup {
            client_id: Some(format!("{secret}{pad}")),
            client_secret: Some(format!("{pad}{secret}{pad}")),
            ..Setup::default()
        };
        let shown = serde_json::to_string(&check(&setup).redacted(&setup)).unwrap();
        prop_assert!(!shown.contains(&body[..16]), "{shown}");
    }
}
