//! explain on data: `tests/incidents.toml` is a table of what users saw and the cause each must
//! be diagnosed as, with fixes, scopes and findings for some. Every case is checked and every
//! failure collected; every cause needs at least two cases; and no diagnosis may carry a long
//! token run (a secret, token or code) from what was pasted.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;
use threelo::explain::{causes, Cause};
use threelo::{explain, Incident, Setup};

const TABLE: &str = include_str!("incidents.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    cause: String,
    #[serde(default)]
    also: Vec<String>,
    #[serde(default)]
    fix: OneOrMany,
    summary: Option<String>,
    operation: Option<String>,
    lacking: Option<Vec<String>>,
    findings: Option<Vec<String>>,
    retry_after: Option<u64>,
    #[serde(default)]
    seen_html: bool,
    #[serde(default)]
    hidden: Vec<String>,
    #[serde(default)]
    incident: Incident,
    setup: Option<Setup>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(one) => vec![one.as_str()],
            OneOrMany::Many(many) => many.iter().map(String::as_str).collect(),
        }
    }
}

/// Runs of 33 or more token characters in `text`: what no diagnosis may repeat.
fn long_runs(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).filter(|run| run.len() >= 33).collect()
}

fn check_case(case: &Case) -> Vec<String> {
    let mut failures = Vec::new();
    let diagnosis = explain(&case.incident, case.setup.as_ref());
    let json = serde_json::to_string(&diagnosis).unwrap();
    if diagnosis.cause.code() != case.cause {
        failures.push(format!(
            "cause {} (expected {}); summary: {}",
            diagnosis.cause.code(),
            case.cause,
            diagnosis.summary
        ));
    }
    let also: Vec<&str> = diagnosis.also_possible.iter().map(|c| c.code()).collect();
    if also != case.also.iter().map(String::as_str).collect::<Vec<_>>() {
        failures.push(format!("also_possible {also:?} (expected {:?})", case.also));
    }
    for wanted in case.fix.items() {
        if !diagnosis.fixes.iter().any(|fix| fix.text.contains(wanted)) {
            let texts: Vec<&str> = diagnosis.fixes.iter().map(|f| f.text.as_str()).collect();
            failures.push(format!("no fix contains {wanted:?}: {texts:?}"));
        }
    }
    if let Some(wanted) = &case.summary {
        if !diagnosis.summary.contains(wanted.as_str()) {
            failures.push(format!("summary {:?} lacks {wanted:?}", diagnosis.summary));
        }
    }
    let operation = diagnosis.operation.as_ref();
    if let Some(wanted) = &case.operation {
        if operation.map(|o| o.operation.as_str()) != Some(wanted) {
            failures.push(format!("operation {:?} (expected {wanted})", operation.map(|o| &o.operation)));
        }
    }
    if let Some(wanted) = &case.lacking {
        let lacking: Vec<&str> = operation.map(|o| o.lacking.clone()).unwrap_or_default();
        if lacking != wanted.iter().map(String::as_str).collect::<Vec<_>>() {
            failures.push(format!("lacking {lacking:?} (expected {wanted:?})"));
        }
    }
    let codes: Vec<&str> = diagnosis.findings.iter().map(|f| f.rule.code()).collect();
    match &case.findings {
        Some(wanted) if wanted.is_empty() && !codes.is_empty() => {
            failures.push(format!("findings {codes:?} (expected none)"))
        }
        Some(wanted) => {
            for code in wanted {
                if !codes.contains(&code.as_str()) {
                    failures.push(format!("no {code} among the findings {codes:?}"));
                }
            }
        }
        None if case.setup.is_none() && !codes.is_empty() => {
            failures.push(format!("findings {codes:?} without a setup"))
        }
        None => {}
    }
    if diagnosis.retry_after != case.retry_after {
        failures.push(format!("retry_after {:?} (expected {:?})", diagnosis.retry_after, case.retry_after));
    }
    if case.seen_html && !diagnosis.seen.html {
        failures.push("seen.html is false".into());
    }
    let pasted = [&case.incident.body, &case.incident.text, &case.incident.url];
    let runs = pasted.iter().filter_map(|t| t.as_deref()).flat_map(long_runs);
    for hidden in case.hidden.iter().map(String::as_str).chain(runs) {
        if json.contains(hidden) {
            failures.push(format!("the diagnosis shows {hidden:?}: {json}"));
        }
    }
    failures
}

#[test]
fn every_incident_is_diagnosed_as_its_table_says() {
    let table: Table = toml::from_str(TABLE).expect("tests/incidents.toml parses");
    let mut report = String::new();
    let mut names = BTreeMap::new();
    for case in &table.case {
        if names.insert(case.name.as_str(), ()).is_some() {
            writeln!(report, "duplicate case name: {}", case.name).unwrap();
        }
        if Cause::from_code(&case.cause).is_none() {
            writeln!(report, "{}: no cause {}", case.name, case.cause).unwrap();
        }
        for failure in check_case(case) {
            writeln!(report, "{}: {failure}", case.name).unwrap();
        }
    }
    assert!(report.is_empty(), "\n{report}");
}

#[test]
fn every_cause_has_at_least_two_cases() {
    let table: Table = toml::from_str(TABLE).unwrap();
    let thin: Vec<&str> = causes()
        .iter()
        .map(|info| info.code)
        .filter(|code| table.case.iter().filter(|case| case.cause == *code).count() < 2)
        .collect();
    assert!(thin.is_empty(), "causes with fewer than two cases: {thin:?}");
}
