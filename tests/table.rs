//! The validator on data: `tests/setups.toml` is a table of setups and the rule codes each must
//! (and must not) produce, with spans, fixes, severities and message parts for some of them.
//!
//! Every case is checked and every failure collected, so one run lists all broken cases with
//! the codes the validator really produced.

use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;

use serde::Deserialize;
use threelo::{apply_fixes, check, Field, Finding, Report, Rule, Setup, Severity};

const TABLE: &str = include_str!("setups.toml");
const MIN_CASES: usize = 60;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    setup: Setup,
    /// The Atlassian console's side of the setup: its `cross-check/*` findings
    /// ([`threelo::cross_check`]) join the setup's own.
    console: Option<Setup>,
    /// Codes that must be among the findings.
    #[serde(default)]
    expect: Vec<String>,
    /// Codes that must not be among the findings.
    #[serde(default)]
    forbid: Vec<String>,
    /// `expect` is every code that fires: any other code fails the case.
    #[serde(default)]
    exact: bool,
    /// Codes whose findings must offer no fix (a fix that would carry a secret is withheld).
    #[serde(default)]
    unfixed: Vec<String>,
    /// No finding of severity error or warning at all.
    #[serde(default)]
    clean: bool,
    /// No finding at all, not even an info: every rule stays silent.
    #[serde(default)]
    silent: bool,
    #[serde(default)]
    span: OneOrMany<SpanCheck>,
    #[serde(default)]
    fix: OneOrMany<FixCheck>,
    #[serde(default)]
    severity: OneOrMany<SeverityCheck>,
    #[serde(default)]
    message: OneOrMany<MessageCheck>,
    /// The setup after every safe fix ([`apply_fixes`]).
    fixed: Option<FixedCheck>,
    /// The setup after every fix, the unsafe ones too.
    fixed_unsafe: Option<FixedCheck>,
}

/// What [`apply_fixes`] makes of the case's setup: how many fixes it applied, exactly the codes
/// that remain, and the text of the fields named.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixedCheck {
    count: usize,
    remaining: Vec<String>,
    setup: std::collections::BTreeMap<String, String>,
}

/// One edit of a fix: characters `start..end` of the field become `insert`.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct EditCheck {
    start: usize,
    end: usize,
    insert: String,
}

/// An assertion table, or an array of them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    fn items(&self) -> &[T] {
        match self {
            OneOrMany::One(one) => std::slice::from_ref(one),
            OneOrMany::Many(many) => many,
        }
    }
}

/// Some finding of `rule` (on `field`, when given) spans characters `start..end` of its field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpanCheck {
    rule: String,
    field: Option<String>,
    start: usize,
    end: usize,
}

/// Some finding of `rule` (on `field`, when given) offers this replacement; unless
/// `resolves = false`, applying it makes that finding go away.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixCheck {
    rule: String,
    field: Option<String>,
    replacement: String,
    #[serde(default = "yes")]
    resolves: bool,
    /// `safe` or `unsafe`, when given.
    applicability: Option<String>,
    /// Exactly these edits, when given.
    edits: Option<Vec<EditCheck>>,
}

fn yes() -> bool {
    true
}

/// Every finding of `rule` has severity `is` (and there is at least one).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeverityCheck {
    rule: String,
    is: String,
}

/// Some finding of `rule` has a message (or help, when `in = "help"`) containing `contains`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageCheck {
    rule: String,
    contains: String,
    #[serde(default, rename = "in")]
    place: Option<String>,
}

fn load() -> Table {
    toml::from_str(TABLE).unwrap_or_else(|e| panic!("tests/setups.toml does not parse:\n{e}"))
}

fn field_named(name: &str) -> Option<Field> {
    Field::ALL.into_iter().find(|f| f.key() == name)
}

fn severity_named(name: &str) -> Option<Severity> {
    [Severity::Error, Severity::Warning, Severity::Info].into_iter().find(|s| s.as_str() == name)
}

/// The findings, one per line, as a person reading a failure wants them.
fn describe(report: &Report) -> String {
    if report.findings.is_empty() {
        return "      (no findings)\n".to_string();
    }
    let mut out = String::new();
    for f in &report.findings {
        let span = f.span.map(|s| format!(" [{}..{}]", s.start, s.end)).unwrap_or_default();
        let fix = f.fix.as_ref().map(|x| format!(" fix {:?}", x.replacement)).unwrap_or_default();
        let _ =
            writeln!(out, "      {} ({}) on {}{span}{fix}: {}", f.rule.code(), f.severity.as_str(), f.field, f.message);
    }
    out
}

fn of_rule<'a>(report: &'a Report, code: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
    report.findings.iter().filter(move |f| f.rule.code() == code)
}

fn on_field(finding: &Finding, field: &Option<String>) -> bool {
    field.as_deref().is_none_or(|name| finding.field.key() == name)
}

/// What is wrong with one case, if anything.
fn problems(case: &Case) -> Vec<String> {
    let mut report = check(&case.setup);
    if let Some(console) = &case.console {
        let pair = threelo::cross_check(console, &case.setup);
        report.summary.errors += pair.summary.errors;
        report.summary.warnings += pair.summary.warnings;
        report.summary.infos += pair.summary.infos;
        report.findings.extend(pair.findings);
    }
    let mut problems = Vec::new();
    let produced: BTreeSet<&str> = report.findings.iter().map(|f| f.rule.code()).collect();

    for code in &case.expect {
        if !produced.contains(code.as_str()) {
            problems.push(format!("expected `{code}`, which did not fire"));
        }
    }
    for code in &case.forbid {
        if produced.contains(code.as_str()) {
            problems.push(format!("`{code}` fired, but is forbidden"));
        }
    }
    if case.exact {
        for code in produced.iter().filter(|code| !case.expect.iter().any(|e| e == *code)) {
            problems.push(format!("`{code}` fired, but the case lists its codes exactly"));
        }
    }
    for code in &case.unfixed {
        if of_rule(&report, code).any(|f| f.fix.is_some()) {
            problems.push(format!("`{code}` offers a fix, but must not"));
        }
        if !produced.contains(code.as_str()) {
            problems.push(format!("expected `{code}` (without a fix), which did not fire"));
        }
    }
    if case.silent {
        for f in &report.findings {
            problems.push(format!("silent case, but `{}` fired", f.rule.code()));
        }
    }
    if case.clean {
        for f in report.findings.iter().filter(|f| f.severity != Severity::Info) {
            problems.push(format!("clean case, but `{}` is a {}", f.rule.code(), f.severity.as_str()));
        }
    }
    for want in case.span.items() {
        let spans: Vec<_> = of_rule(&report, &want.rule).filter(|f| on_field(f, &want.field)).map(|f| f.span).collect();
        if !spans.iter().any(|s| s.is_some_and(|s| s.start == want.start && s.end == want.end)) {
            problems.push(format!(
                "expected a `{}` span {}..{}; its spans are {:?}",
                want.rule,
                want.start,
                want.end,
                spans.iter().map(|s| s.map(|s| (s.start, s.end))).collect::<Vec<_>>()
            ));
        }
    }
    for want in case.fix.items() {
        let found = of_rule(&report, &want.rule)
            .filter(|f| on_field(f, &want.field))
            .find(|f| f.fix.as_ref().is_some_and(|x| x.replacement == want.replacement));
        let Some(finding) = found else {
            let fixes: Vec<_> = of_rule(&report, &want.rule)
                .filter(|f| on_field(f, &want.field))
                .map(|f| f.fix.as_ref().map(|x| x.replacement.clone()))
                .collect();
            problems.push(format!("expected a `{}` fix {:?}; its fixes are {fixes:?}", want.rule, want.replacement));
            continue;
        };
        let fix = finding.fix.as_ref().unwrap();
        if let Some(applicability) = &want.applicability {
            if fix.applicability.as_str() != applicability {
                problems.push(format!(
                    "the `{}` fix is {}, not {applicability}",
                    want.rule,
                    fix.applicability.as_str()
                ));
            }
        }
        if let Some(edits) = &want.edits {
            let got: Vec<EditCheck> =
                fix.edits.iter().map(|e| EditCheck { start: e.start, end: e.end, insert: e.insert.clone() }).collect();
            if &got != edits {
                problems.push(format!("the `{}` fix's edits are {got:?}, not {edits:?}", want.rule));
            }
        }
        if want.resolves {
            let mut fixed = case.setup.clone();
            fixed.set(fix.field, Some(fix.replacement.clone()));
            let after = check(&fixed);
            if after.findings.iter().any(|f| f.rule == finding.rule && f.field == finding.field) {
                problems.push(format!(
                    "the `{}` fix {:?} does not make the finding go away; after it:\n{}",
                    want.rule,
                    want.replacement,
                    describe(&after).trim_end()
                ));
            }
        }
    }
    for (want, unsafe_fixes) in [(&case.fixed, false), (&case.fixed_unsafe, true)] {
        let Some(want) = want else { continue };
        let fixed = apply_fixes(&case.setup, &report, unsafe_fixes);
        let kind = if unsafe_fixes { "every fix" } else { "every safe fix" };
        if fixed.fixed != want.count {
            problems.push(format!("{kind} applied {} fixes, not {}", fixed.fixed, want.count));
        }
        let remaining: BTreeSet<&str> = fixed.report.findings.iter().map(|f| f.rule.code()).collect();
        let wanted: BTreeSet<&str> = want.remaining.iter().map(String::as_str).collect();
        if remaining != wanted {
            problems.push(format!("after {kind} the codes {remaining:?} remain, not {wanted:?}"));
        }
        for (key, text) in &want.setup {
            let Some(field) = Field::from_key(key) else {
                problems.push(format!("`{key}` is not a setup field"));
                continue;
            };
            if fixed.setup.get(field) != Some(text.as_str()) {
                problems.push(format!("after {kind} {key} is {:?}, not {text:?}", fixed.setup.get(field)));
            }
        }
    }
    for want in case.severity.items() {
        let Some(is) = severity_named(&want.is) else {
            problems.push(format!("`{}` is not a severity (error, warning, info)", want.is));
            continue;
        };
        let severities: Vec<Severity> = of_rule(&report, &want.rule).map(|f| f.severity).collect();
        if severities.is_empty() || severities.iter().any(|s| *s != is) {
            problems.push(format!("expected `{}` with severity {}; got {severities:?}", want.rule, want.is));
        }
    }
    for want in case.message.items() {
        let help = match want.place.as_deref() {
            None | Some("message") => false,
            Some("help") => true,
            Some(other) => {
                problems.push(format!("`in = {other:?}`: say \"message\" or \"help\""));
                continue;
            }
        };
        let texts: Vec<&str> =
            of_rule(&report, &want.rule).map(|f| if help { &*f.help } else { f.message.as_str() }).collect();
        if !texts.iter().any(|t| t.contains(&want.contains)) {
            problems.push(format!(
                "expected a `{}` {} containing {:?}; got {texts:?}",
                want.rule,
                if help { "help" } else { "message" },
                want.contains
            ));
        }
    }

    // What holds for every report, whatever the case asks.
    for f in &report.findings {
        let text = case.setup.get(f.field).unwrap_or("");
        if let Some(span) = f.span {
            if span.start > span.end || span.end > text.chars().count() {
                problems.push(format!(
                    "`{}` span {}..{} lies outside the {} characters of {}",
                    f.rule.code(),
                    span.start,
                    span.end,
                    text.chars().count(),
                    f.field
                ));
            }
        }
        if let Some(fix) = &f.fix {
            if fix.field != f.field {
                problems.push(format!("`{}` on {} offers a fix to {}", f.rule.code(), f.field, fix.field));
            }
        }
    }
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    if report.summary.omitted == 0
        && (report.summary.errors, report.summary.warnings, report.summary.infos)
            != (count(Severity::Error), count(Severity::Warning), count(Severity::Info))
    {
        problems.push(format!("the summary {:?} does not count the findings", report.summary));
    }

    if !problems.is_empty() {
        let codes: Vec<&str> = produced.into_iter().collect();
        problems.push(format!("produced: {codes:?}\n{}", describe(&report).trim_end()));
    }
    problems
}

#[test]
fn every_case_of_the_table_holds() {
    let table = load();
    let mut failures = String::new();
    let mut failed = 0;
    for case in &table.case {
        let problems = problems(case);
        if !problems.is_empty() {
            failed += 1;
            let _ = writeln!(failures, "\n✗ {}", case.name);
            for problem in problems {
                let _ = writeln!(failures, "    {problem}");
            }
        }
    }
    assert!(failed == 0, "{failed} of {} cases in tests/setups.toml fail:\n{failures}", table.case.len());
}

#[test]
fn the_table_is_large_and_well_formed() {
    let table = load();
    assert!(table.case.len() >= MIN_CASES, "only {} cases; the table needs at least {MIN_CASES}", table.case.len());

    let mut problems = Vec::new();
    let mut names = HashSet::new();
    for case in &table.case {
        if case.name.trim().is_empty() {
            problems.push("a case has an empty name".to_string());
        }
        if !names.insert(case.name.as_str()) {
            problems.push(format!("the name {:?} is used twice", case.name));
        }
        if case.expect.is_empty() && case.forbid.is_empty() && !case.clean && !case.silent {
            problems.push(format!("{:?} asserts nothing: give it `expect`, `forbid` or `clean`", case.name));
        }
        let named = case
            .expect
            .iter()
            .chain(&case.forbid)
            .chain(&case.unfixed)
            .chain(case.span.items().iter().map(|s| &s.rule))
            .chain(case.fix.items().iter().map(|s| &s.rule))
            .chain(case.severity.items().iter().map(|s| &s.rule))
            .chain(case.message.items().iter().map(|s| &s.rule));
        for code in named {
            if Rule::from_code(code).is_none() {
                problems.push(format!("{:?} names `{code}`, which is no rule code", case.name));
            }
        }
        for code in case.expect.iter().filter(|c| case.forbid.contains(c)) {
            problems.push(format!("{:?} both expects and forbids `{code}`", case.name));
        }
        let fields =
            case.span.items().iter().map(|s| &s.field).chain(case.fix.items().iter().map(|s| &s.field)).flatten();
        for field in fields {
            if field_named(field).is_none() {
                problems.push(format!("{:?} names the field `{field}`, which is no Setup field", case.name));
            }
        }
    }

    let silent = table.case.iter().filter(|c| c.silent).count();
    if silent < 3 {
        problems.push(format!("only {silent} silent cases: at least 3 sound setups must raise no finding at all"));
    }

    // Every rule is shown to fire somewhere, and shown not to fire on a near miss somewhere.
    // The `servicenow/*` rules need ServiceNow's records, not a setup: tests/servicenow.toml has them.
    for rule in Rule::ALL.iter().filter(|rule| !rule.code().starts_with("servicenow/")) {
        let code = rule.code();
        if !table.case.iter().any(|c| c.expect.iter().any(|e| e == code)) {
            problems.push(format!("no case expects `{code}`"));
        }
        if !table.case.iter().any(|c| c.forbid.iter().any(|e| e == code)) {
            problems.push(format!("no case forbids `{code}` (a near miss)"));
        }
    }
    assert!(problems.is_empty(), "tests/setups.toml:\n  {}", problems.join("\n  "));
}

#[test]
fn every_rule_code_ever_shipped_is_still_there() {
    let listed: BTreeSet<&str> = include_str!("rule-codes.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    let current: BTreeSet<&str> = threelo::rules().iter().map(|rule| rule.code).collect();
    let gone: Vec<&&str> = listed.difference(&current).collect();
    assert!(gone.is_empty(), "rule codes removed or renamed (never do that; bring them back): {gone:?}");
    let new: Vec<&&str> = current.difference(&listed).collect();
    assert!(new.is_empty(), "rule codes missing from tests/rule-codes.txt (add them): {new:?}");
}
