//! The `threelo` binary: exit codes, both output formats, secret redaction, input handling.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const SECRET: &str = "ATOAxK7fQ2mZp9LrT4vW8yB1nC6hJ3sD5gF0aE2iU7oY9kM4qR8tX1zV6bN3wP5cLm7Q0A1B2C3D";

fn threelo(args: &[&str], stdin: Option<&str>) -> Output {
    threelo_coloured(args, stdin, false)
}

/// `colour`: forced on, as on a terminal; otherwise off (`NO_COLOR`), as in a pipe.
fn threelo_coloured(args: &[&str], stdin: Option<&str>, colour: bool) -> Output {
    threelo_in(args, stdin, colour, None)
}

/// `columns`: the `COLUMNS` the binary sees (none: as in a pipe, whatever the test's own shell exports).
fn threelo_in(args: &[&str], stdin: Option<&str>, colour: bool, columns: Option<usize>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_threelo"));
    match columns {
        Some(columns) => command.env("COLUMNS", columns.to_string()),
        None => command.env_remove("COLUMNS"),
    };
    if colour {
        command.env("CLICOLOR_FORCE", "1").env_remove("NO_COLOR");
    } else {
        command.env("NO_COLOR", "1");
    }
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the threelo binary runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn json_report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
}

/// The issue's acceptance case: ServiceNow's documented client-credentials setup.
#[test]
fn servicenow_client_credentials_example_fails_with_the_documented_mistakes() {
    let output = threelo(&["check", "examples/servicenow-client-credentials.toml", "--format", "json"], None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_report(&output);
    let codes = codes(&report);
    for expected in ["scope/unknown", "endpoint/revocation-url", "scope/no-user-context", "grant/service-account"] {
        assert!(codes.contains(&expected.to_string()), "{expected} missing from {codes:?}");
    }
    let unknown = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "scope/unknown").unwrap();
    assert_eq!(unknown["span"], serde_json::json!({"start": 0, "end": 14}));
    assert!(unknown["message"].as_str().unwrap().contains("ace:confluence"));
}

#[test]
fn a_clean_setup_exits_zero_and_prints_the_authorize_url() {
    let output = threelo(
        &[
            "check",
            "--client-id",
            "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
            "--callback-url",
            "https://dev12345.service-now.com/oauth_redirect.do",
            "--scopes",
            "read:page:confluence search:confluence offline_access",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("0 errors, 0 warnings"), "{text}");
    assert!(text.contains("authorize URL: https://auth.atlassian.com/authorize?audience=api.atlassian.com"), "{text}");
}

#[test]
fn human_output_reads_like_compiler_diagnostics() {
    let output = threelo(&["check", "--scopes", "read:page:confluence,ofline_access", "--client-id", "x"], None);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("error[scope/unknown]: `ofline_access` is not an Atlassian scope"), "{text}");
    assert!(text.contains("  --> scopes"), "{text}");
    // The underline sits under the offending text.
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.contains("error[scope/unknown]")).unwrap();
    let (source, marks) = (lines[at + 2], lines[at + 3]);
    let start = marks.find('^').unwrap();
    let len = marks.matches('^').count();
    assert_eq!(&source[start..start + len], "ofline_access", "{source}\n{marks}");
    assert!(text.contains("= fix (unsafe, a guess): set scopes to `read:page:confluence,offline_access`"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when not on a terminal");
}

#[test]
fn flags_override_the_file() {
    let output = threelo(
        &[
            "check",
            "examples/servicenow-client-credentials.toml",
            "--format",
            "json",
            "--scopes",
            "read:page:confluence",
        ],
        None,
    );
    let report = json_report(&output);
    assert!(!codes(&report).contains(&"scope/unknown".to_string()));
    assert_eq!(report["normalized"]["scope"], "read:page:confluence");
}

#[test]
fn reads_json_and_toml_from_standard_input() {
    let json = r#"{"client_id": "ari:cloud:ecosystem::app/8d5a6a47-1c1e-4b9e-9f4a-0c3f0d4f6b1a", "scopes": "read:me"}"#;
    let report = json_report(&threelo(&["check", "-", "--format", "json"], Some(json)));
    assert!(codes(&report).contains(&"client-id/app-ari".to_string()));
    let toml = "client_id = \"ari:cloud:ecosystem::app/8d5a6a47-1c1e-4b9e-9f4a-0c3f0d4f6b1a\"\n";
    let report = json_report(&threelo(&["check", "-", "--format", "json"], Some(toml)));
    assert!(codes(&report).contains(&"client-id/app-ari".to_string()));
}

#[test]
fn the_secret_is_never_printed_in_full() {
    let padded = format!("{SECRET}\n");
    for format in ["human", "json"] {
        let output = threelo(&["check", "--client-id", SECRET, "--client-secret", &padded, "--format", format], None);
        let all = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!all.contains(&SECRET[4..20]), "{format} output shows the secret:\n{all}");
        assert!(all.contains("ATOA… (76 characters)") || all.contains("ATOA… (77 characters)"), "{all}");
        assert!(all.contains("client-id/is-secret") && all.contains("client-secret/whitespace"), "{all}");
    }
}

#[test]
fn unusable_input_exits_two_with_a_reason() {
    let cases: &[(&[&str], Option<&str>, &str)] = &[
        (&["check"], None, "nothing to check"),
        (&["check", "no/such/file.toml"], None, "cannot read no/such/file.toml"),
        (&["check", "-"], Some("{\"client_id\": 5}"), "not a valid setup in JSON"),
        (&["check", "-"], Some("client-id = \"x\""), "unknown field `client-id`"),
        (&["check", "-"], Some("scopes = [\n"), "not a valid setup in TOML"),
        (&["check", "--format", "xml", "--scopes", "x"], None, "invalid value 'xml'"),
    ];
    for (args, stdin, reason) in cases {
        let output = threelo(args, *stdin);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(reason), "{args:?}: {}", stderr(&output));
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn rules_lists_every_rule_in_both_formats() {
    let output = threelo(&["rules", "--format", "json"], None);
    assert_eq!(output.status.code(), Some(0));
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rules.len(), threelo::Rule::ALL.len());
    for rule in &rules {
        for key in ["code", "severity", "field", "basis", "title", "explanation"] {
            assert!(rule.get(key).is_some(), "{key} missing in {rule}");
        }
    }
    let text = stdout(&threelo(&["rules"], None));
    for rule in threelo::Rule::ALL {
        assert!(text.contains(rule.code()), "{} missing", rule.code());
    }
}

/// Any eight characters of the secret after its first four would be a leak.
fn assert_no_piece_of_the_secret(shown: &str) {
    for at in (4..SECRET.len() - 8).step_by(4) {
        assert!(!shown.contains(&SECRET[at..at + 8]), "{} of the secret is shown:\n{shown}", &SECRET[at..at + 8]);
    }
}

#[test]
fn a_secret_typed_into_any_field_is_never_printed() {
    let placements = [
        ("--client-id", SECRET.to_string()),
        ("--scopes", format!("read:page:confluence {SECRET} offline_access")),
        ("--callback-url", format!("https://app.acme.io/cb?k={SECRET}")),
        ("--redirect-url", format!("https://app.acme.io/{SECRET}")),
        ("--grant-type", SECRET.to_string()),
        ("--authorization-url", format!("https://auth.atlassian.com/authorize?{SECRET}")),
        ("--token-url", SECRET.to_string()),
        ("--revocation-url", format!("https://auth.atlassian.com/{SECRET}")),
        ("--api-base-url", format!("https://{SECRET}.atlassian.net/")),
    ];
    for (flag, value) in &placements {
        for format in ["human", "json"] {
            let args = ["check", "--format", format, "--callback-url", "https://app.acme.io/cb", flag, value];
            let output = threelo(&args, None);
            assert_no_piece_of_the_secret(&stdout(&output));
            assert_no_piece_of_the_secret(&stderr(&output));
        }
    }
    // The mismatch fix would copy the secret from the callback into the redirect URL: withheld.
    let args =
        ["check", "--format", "json", "--callback-url", &placements[2].1, "--redirect-url", "https://app.acme.io/cb"];
    let report = json_report(&threelo(&args, None));
    let mismatch = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "callback/mismatch").unwrap();
    assert!(mismatch.get("fix").is_none(), "{mismatch}");
    // A setup file that does not parse: the parser's message quotes the line.
    let output = threelo(&["check", "-"], Some(&format!("client_secret = \"{SECRET}\nscopes = 1")));
    assert_eq!(output.status.code(), Some(2));
    assert_no_piece_of_the_secret(&stderr(&output));
}

#[test]
fn escape_sequences_typed_into_a_field_reach_the_terminal_escaped() {
    let args = [
        "check",
        "--client-id",
        "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\u{1b}[2J",
        "--callback-url",
        "https://app.acme.io/cb\u{1b}]8;;https://evil.example/\u{7}",
        "--scopes",
        "read:page:confluence \u{1b}[31mred\u{9b}1m \u{202e}lmth.exe offline_access",
    ];
    for colour in [false, true] {
        let output = threelo_coloured(&args, None, colour);
        let shown = stdout(&output);
        // Only the CLI's own colours may reach the terminal: SGR sequences `ESC [ … m` of its styles.
        let mut rest = shown.as_str();
        while let Some(at) = rest.find('\u{1b}') {
            let sequence: String = rest[at..].chars().take_while(|c| *c != 'm').collect();
            assert!(
                colour
                    && sequence.len() <= 8
                    && sequence[1..].starts_with('[')
                    && sequence[2..].bytes().all(|b| b.is_ascii_digit() || b == b';'),
                "a raw escape sequence reaches the terminal (colour {colour}): {sequence:?} in\n{shown}"
            );
            rest = &rest[at + 1..];
        }
        for control in ['\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!shown.contains(control), "{control:?} reaches the terminal (colour {colour}):\n{shown}");
        }
        for escaped in ["\\u{1b}[2J", "\\u{1b}[31mred", "\\u{9b}", "\\u{202e}", "\\u{7}"] {
            assert!(shown.contains(escaped), "{escaped} is not shown escaped (colour {colour}):\n{shown}");
        }
    }
}

#[test]
fn carets_stand_under_what_they_mark_after_wide_characters() {
    // Two CJK characters take four terminal columns: the carets of `ace:confluence` start at
    // column 5 of the excerpt (after "読み "), and those of `読み` are four wide.
    let setup = r#"{"scopes": "読み ace:confluence read:page:confluence offline_access"}"#;
    let output = threelo(&["check", "-", "--format", "human"], Some(setup));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    let excerpt =
        lines.iter().position(|line| line.ends_with("| 読み ace:confluence read:page:confluence offline_access"));
    let excerpt = excerpt.unwrap_or_else(|| panic!("no excerpt line in:\n{text}"));
    let carets: Vec<&str> = lines.iter().filter(|line| line.contains('^')).copied().collect();
    let prefix = &lines[excerpt][..lines[excerpt].find("| ").unwrap() + 2];
    let underline =
        |caret_line: &str| caret_line.strip_prefix(prefix).unwrap_or_else(|| panic!("{caret_line:?}")).to_string();
    let underlines: Vec<String> = carets.iter().map(|line| underline(line)).collect();
    assert!(underlines.contains(&"^^^^".to_string()), "{text}");
    assert!(underlines.contains(&format!("     {}", "^".repeat(14))), "{text}");
}

#[test]
fn diagnostics_wrap_to_the_terminals_width_and_stay_whole_in_a_pipe() {
    let setup = r#"{"scopes": "ace:confluence read:page:confluence"}"#;
    let wrapped = stdout(&threelo_in(&["check", "-"], Some(setup), false, Some(60)));
    for line in wrapped.lines() {
        // An excerpt is never broken (its carets must line up), nor a fix (its value is copied whole);
        // a URL longer than a line stands alone.
        let excerpt = line.starts_with("   | ") || line.starts_with("   = fix");
        let one_word = !line.trim().contains(' ');
        assert!(unicode_columns(line) <= 60 || excerpt || one_word, "{} columns: {line:?}", unicode_columns(line));
    }
    assert!(
        wrapped.contains("help: copy it from the Atlassian developer console:\n           your app"),
        "help lines go on under the help: {wrapped}"
    );
    // In a pipe, each message and help is one line, as grep and CI logs want it.
    let whole = stdout(&threelo(&["check", "-"], Some(setup)));
    let help = whole.lines().find(|line| line.contains("help: remove it: ServiceNow's Confluence")).unwrap();
    assert!(unicode_columns(help) > 60, "{help}");
}

fn unicode_columns(line: &str) -> usize {
    line.chars().count()
}
