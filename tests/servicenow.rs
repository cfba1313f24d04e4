//! What ServiceNow holds, read as a setup: `tests/servicenow.toml` is a table of configuration
//! templates and XML exports and what each must give (the form, the setup it amounts to, where
//! each value came from, the `servicenow/*` findings, the fixed template). Hostile XML is below.

use std::collections::BTreeMap;

use serde::Deserialize;
use threelo::servicenow::{fix_template, form_of, read_servicenow, Form};
use threelo::{check, Field, Finding, Rule, Setup};

const TABLE: &str = include_str!("servicenow.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    file: Option<String>,
    text: Option<String>,
    form: Option<String>,
    error: Option<String>,
    equivalent: Option<Setup>,
    #[serde(default)]
    servicenow: Vec<String>,
    #[serde(default)]
    forbid: Vec<String>,
    #[serde(default)]
    origins: BTreeMap<String, String>,
    fixed: Option<FixedCheck>,
    fixed_unsafe: Option<FixedCheck>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixedCheck {
    scopes: Option<String>,
    remaining: Vec<String>,
}

impl Case {
    fn text(&self) -> String {
        match (&self.file, &self.text) {
            (Some(file), None) => std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR")))
                .unwrap_or_else(|e| panic!("{file}: {e}")),
            (None, Some(text)) => text.clone(),
            _ => panic!("{}: give `file` or `text`", self.name),
        }
    }
}

/// A finding as the equivalent setup's report has it: where it came from is the only difference.
fn without_origin(finding: &Finding) -> Finding {
    Finding { origin: None, ..finding.clone() }
}

fn codes(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule.code()).collect()
}

fn check_case(case: &Case, problems: &mut Vec<String>) {
    let text = case.text();
    let mut fail = |what: String| problems.push(format!("{:?}: {what}", case.name));
    let imported = match (read_servicenow(&text), &case.error) {
        (Err(error), Some(expected)) => {
            if !error.to_string().contains(expected.as_str()) {
                fail(format!("refused with {error:?}, not a message holding {expected:?}"));
            }
            return;
        }
        (Ok(_), Some(expected)) => return fail(format!("read, but must be refused with {expected:?}")),
        (Err(error), None) => return fail(format!("refused: {error}")),
        (Ok(imported), None) => imported,
    };
    let form = match imported.form {
        Form::Template => "template",
        Form::Export => "export",
    };
    if case.form.as_deref() != Some(form) {
        fail(format!("read as {form}, expected {:?}", case.form));
    }
    if form_of(&text) != Some(imported.form) {
        fail(format!("form_of gives {:?}", form_of(&text)));
    }
    let Some(equivalent) = &case.equivalent else { return fail("no `equivalent` setup".to_string()) };
    if imported.setup != *equivalent {
        fail(format!("amounts to {:?}, not {equivalent:?}", imported.setup));
    }
    let report = imported.check();
    let (servicenow, setup_findings): (Vec<Finding>, Vec<Finding>) =
        report.findings.iter().cloned().partition(|f| f.rule.code().starts_with("servicenow/"));
    let own: Vec<Finding> = setup_findings.iter().map(without_origin).collect();
    let mut expected = check(equivalent).findings;
    expected.sort_by_key(|f| (f.severity, f.field));
    if own != expected {
        fail(format!("findings {:?}, the equivalent setup's {:?}", codes(&own), codes(&expected)));
    }
    if codes(&servicenow) != case.servicenow.iter().map(String::as_str).collect::<Vec<_>>() {
        fail(format!("servicenow findings {:?}, expected {:?}", codes(&servicenow), case.servicenow));
    }
    for code in &case.forbid {
        if report.findings.iter().any(|f| f.rule.code() == code) {
            fail(format!("{code} fired"));
        }
    }
    let errors = report.findings.iter().filter(|f| f.severity == threelo::Severity::Error).count();
    if report.summary.errors != errors {
        fail(format!("summary counts {} errors, the list {errors}", report.summary.errors));
    }
    // A finding on a field that holds a value says where it came from.
    for finding in report.findings.iter().filter(|f| imported.setup.get(f.field).is_some()) {
        if finding.origin.is_none() {
            fail(format!("{} on {} says not where its value came from", finding.rule.code(), finding.field));
        }
    }
    let origins = imported.origins();
    // A face holding only `origins()` says for each finding what the core says (the docs page and
    // the extension do exactly this).
    for finding in report.findings.iter().filter(|f| !f.rule.code().starts_with("servicenow/")) {
        let of_field = || origins.iter().filter(|origin| origin.field == finding.field);
        let inside = |origin: &&threelo::servicenow::Origin| match (origin.within, finding.span) {
            (Some(within), Some(span)) => within.start <= span.start && span.start < within.end,
            _ => false,
        };
        let said = of_field().find(inside).or_else(|| of_field().find(|origin| origin.within.is_none()));
        if said.map(|origin| &origin.origin) != finding.origin.as_ref() {
            fail(format!("{}: origins() says {:?}, the finding {:?}", finding.rule.code(), said, finding.origin));
        }
    }
    if origins.iter().any(|origin| origin.within.is_some()) {
        SEVERAL_PIECES.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    for (key, expected) in &case.origins {
        let field = Field::from_key(key).unwrap_or_else(|| panic!("{}: no field {key}", case.name));
        match origins.iter().find(|origin| origin.field == field) {
            Some(origin) if origin.origin == *expected => {}
            found => fail(format!("{key} came from {:?}, expected {expected:?}", found.map(|o| &o.origin))),
        }
    }
    for (check, unsafe_fixes) in [(&case.fixed, false), (&case.fixed_unsafe, true)] {
        let Some(check) = check else { continue };
        let fixed = match fix_template(&text, unsafe_fixes) {
            Ok(fixed) => fixed,
            Err(error) => return fail(format!("fix_template: {error}")),
        };
        if fixed.imported.setup.scopes != check.scopes {
            fail(format!("fixed scopes {:?}, expected {:?}", fixed.imported.setup.scopes, check.scopes));
        }
        if codes(&fixed.report.findings) != check.remaining.iter().map(String::as_str).collect::<Vec<_>>() {
            fail(format!("after the fixes {:?} remain, expected {:?}", codes(&fixed.report.findings), check.remaining));
        }
        // Written back, it reads as it checks: the fixed text is the template the report is of.
        let again = read_servicenow(&fixed.text).expect("the fixed template reads");
        if again.setup != fixed.imported.setup {
            fail("the fixed text does not read back as the fixed setup".to_string());
        }
    }
}

/// Set when a case's scopes come from several entity scopes, so that `within` was exercised.
static SEVERAL_PIECES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[test]
fn every_servicenow_case_reads_as_its_table_says() {
    let table: Table = toml::from_str(TABLE).expect("tests/servicenow.toml parses");
    let mut problems = Vec::new();
    for case in &table.case {
        check_case(case, &mut problems);
    }
    if !SEVERAL_PIECES.load(std::sync::atomic::Ordering::Relaxed) {
        problems.push("no case has scopes from several entity scopes".to_string());
    }
    for rule in Rule::ALL.iter().filter(|rule| rule.code().starts_with("servicenow/")) {
        if !table.case.iter().any(|case| case.servicenow.iter().any(|code| code == rule.code())) {
            problems.push(format!("no case expects {}", rule.code()));
        }
        if !table.case.iter().any(|case| case.forbid.iter().any(|code| code == rule.code())) {
            problems.push(format!("no case forbids {} (a near miss)", rule.code()));
        }
    }
    assert!(problems.is_empty(), "tests/servicenow.toml:\n  {}", problems.join("\n  "));
}

#[test]
fn a_template_fixed_keeps_its_key_order_and_its_other_keys() {
    let path = format!("{}/examples/servicenow-authorization-code.template.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let fixed = fix_template(&text, false).unwrap();
    let keys = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|line| line.trim().strip_prefix('"')?.split_once("\":").map(|(k, _)| k.to_string()))
            .collect()
    };
    assert_eq!(keys(&fixed.text), keys(&text), "the same keys, in the same order");
    assert!(fixed.text.contains("\"send_client_credentials_as\": \"basic_authorization_header\""));
    // The profile scope named the entity scope by its value: it follows the fixed value.
    let document: serde_json::Value = serde_json::from_str(&fixed.text).unwrap();
    let entity = &document["credential"]["oauth_entity"];
    assert_eq!(
        entity["oauth_entity_scope"][0]["oauth_entity_scope"],
        entity["oauth_entity_profile"][0]["oauth_entity_profile_scope"][0]
    );
    assert_eq!(fixed.fixed, 3, "ace:confluence removed, the commas made spaces, the revocation URL fixed");
}

#[test]
fn an_entity_scope_left_empty_is_removed_with_the_profile_scopes_that_name_it() {
    let text = r#"{"credential": {"oauth_entity": {
        "client_id": "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "default_grant_type": "authorization_code",
        "redirect_url": "https://acme.service-now.com/oauth_redirect.do",
        "oauth_entity_scope": [
            {"name": "ace", "oauth_entity_scope": "ace:confluence"},
            {"name": "pages", "oauth_entity_scope": "read:page:Confluence"},
            {"name": "refresh", "oauth_entity_scope": "offline_access"}],
        "oauth_entity_profile": [{"name": "default", "grant_type": "authorization_code", "default": true,
            "oauth_entity_profile_scope": ["ace:confluence", "read:page:Confluence", "offline_access"]}]}}}"#;
    let fixed = fix_template(text, false).unwrap();
    let document: serde_json::Value = serde_json::from_str(&fixed.text).unwrap();
    let entity = &document["credential"]["oauth_entity"];
    assert_eq!(
        entity["oauth_entity_scope"],
        serde_json::json!([
            {"name": "pages", "oauth_entity_scope": "read:page:confluence"},
            {"name": "refresh", "oauth_entity_scope": "offline_access"}
        ])
    );
    assert_eq!(
        entity["oauth_entity_profile"][0]["oauth_entity_profile_scope"],
        serde_json::json!(["read:page:confluence", "offline_access"])
    );
    assert!(fixed.report.findings.is_empty(), "{:?}", codes(&fixed.report.findings));
    assert!(fixed.text.contains("\n  \"credential\": {"), "a template on several lines is written indented");
    let one_line = fix_template(&text.replace('\n', " "), false).unwrap();
    assert!(!one_line.text.contains('\n'), "a template on one line stays on one line");
}

#[test]
fn an_export_is_never_rewritten() {
    let path = format!("{}/examples/servicenow-authorization-code.export.xml", env!("CARGO_MANIFEST_DIR"));
    let error = fix_template(&std::fs::read_to_string(path).unwrap(), false).unwrap_err();
    assert!(error.to_string().contains("never rewritten"), "{error}");
}

#[test]
fn an_exported_secret_is_never_checked_nor_shown() {
    let path = format!("{}/examples/servicenow-authorization-code.export.xml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let imported = read_servicenow(&text).unwrap();
    assert_eq!(imported.setup.client_secret, None);
    let json = serde_json::to_string(&imported.check()).unwrap();
    assert!(!json.contains("1Xz9QmT4hLw8pR2vK6nB0cF3jY7sD5gA"), "the encrypted value is not shown");
}

#[test]
fn a_template_secret_is_redacted_wherever_a_message_quotes_it() {
    let secret = "ATOAxK7fQ2mZp9LrT4vW8yB1nC6hJ3sD5gF0aE2iU7oY9kM4qR8tX1zV6bN3wP5cLm7Q0A1B2C3D";
    // The secret pasted as a profile scope and as a grant: the messages quoting them hide it.
    let text = format!(
        r#"{{"credential": {{"oauth_entity": {{"client_secret": "{secret}", "default_grant_type": "{secret}",
        "oauth_entity_scope": [{{"name": "x", "oauth_entity_scope": "read:page:confluence"}}],
        "oauth_entity_profile": [{{"grant_type": "authorization_code", "default": true,
            "oauth_entity_profile_scope": ["{secret}"]}}]}}}}}}"#
    );
    let report = read_servicenow(&text).unwrap().check();
    let codes = codes(&report.findings);
    assert!(
        codes.contains(&"servicenow/profile-scope-unmatched") && codes.contains(&"servicenow/profile-grant-mismatch")
    );
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains(secret), "{json}");
}

/// Hostile XML: each refused with a clear message, none expanded, fetched or recursed into.
#[test]
fn hostile_xml_is_refused_with_a_reason() {
    let laughs = {
        let mut dtd = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE unload [\n<!ENTITY lol \"lol\">\n");
        for level in 1..10 {
            let previous = if level == 1 { "lol".to_string() } else { format!("lol{}", level - 1) };
            dtd.push_str(&format!("<!ENTITY lol{level} \"{}\">\n", format!("&{previous};").repeat(10)));
        }
        dtd + "]>\n<unload><oauth_entity><name>&lol9;</name></oauth_entity></unload>"
    };
    let external = "<?xml version=\"1.0\"?><!DOCTYPE unload [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\
                    <unload><oauth_entity><name>&xxe;</name></oauth_entity></unload>"
        .to_string();
    let deep = format!("<unload>{}{}</unload>", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let junk: String = (0..10 * 1024 * 1024).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    let junk_xml = format!("<{junk}");
    let wide = format!("<unload>{}</unload>", "<x/>".repeat(300_000));
    let payload_doctype = "<unload><sys_update_xml><payload>&lt;!DOCTYPE x [&lt;!ENTITY a \"b\"&gt;]&gt;&lt;record_update/&gt;</payload></sys_update_xml></unload>".to_string();
    let cases = [
        ("an entity expansion bomb", laughs, "DOCTYPE"),
        ("an external entity", external, "DOCTYPE"),
        ("a DOCTYPE inside an update set's payload", payload_doctype, "DOCTYPE"),
        ("deep nesting", deep, "nests deeper"),
        ("10 MB of junk", junk_xml, "over the 2 MB"),
        ("too many elements", wide, "too many elements"),
    ];
    for (what, text, expected) in cases {
        assert_eq!(form_of(&text), Some(Form::Export), "{what}");
        let error = read_servicenow(&text).expect_err(what).to_string();
        assert!(error.contains(expected), "{what}: {error}");
    }
    // 10 MB of JSON-looking junk is no template, and refused too when read as one.
    let junk: String = format!("{{\"credential\": \"{}\"}}", "x".repeat(10 * 1024 * 1024));
    assert!(read_servicenow(&junk).expect_err("10 MB template").to_string().contains("over the 2 MB"));
}
