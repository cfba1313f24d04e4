//! The `threelo` binary: exit codes, both output formats, secret redaction, input handling,
//! `--fix` and `--diff`.

use std::io::Write;
use std::path::{Path, PathBuf};
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
    assert!(text.contains("= fix (unsafe): set scopes to `read:page:confluence,offline_access`"), "{text}");
    assert!(text.contains("= fix (safe): set scopes to `read:page:confluence ofline_access`"), "{text}");
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

#[test]
fn json_fixes_carry_their_applicability_and_edits() {
    let report =
        json_report(&threelo(&["check", "--scopes", "read:page:confluence,ofline_access", "--format", "json"], None));
    let fixes: Vec<&serde_json::Value> =
        report["findings"].as_array().unwrap().iter().filter_map(|finding| finding.get("fix")).collect();
    assert!(
        fixes.contains(&&serde_json::json!({
            "field": "scopes",
            "applicability": "safe",
            "edits": [{"start": 20, "end": 21, "insert": " "}],
            "replacement": "read:page:confluence ofline_access",
        })),
        "{fixes:?}"
    );
    assert!(fixes.iter().any(|fix| fix["applicability"] == "unsafe"), "{fixes:?}");
}

/// A directory of its own for one test, empty.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("threelo-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// What the core's `apply_fixes` makes of a TOML setup: the fixed setup, and the counts the CLI
/// must print.
fn core_fixes(toml_text: &str, unsafe_fixes: bool) -> (threelo::Setup, usize, usize) {
    let setup: threelo::Setup = toml::from_str(toml_text).unwrap();
    let fixed = threelo::apply_fixes(&setup, &threelo::check(&setup), unsafe_fixes);
    let s = &fixed.report.summary;
    (fixed.setup, fixed.fixed, s.errors + s.warnings + s.infos)
}

fn remain(fixed: usize, remaining: usize) -> String {
    let findings = if fixed == 1 { "finding" } else { "findings" };
    let remain = if remaining == 1 { "remains" } else { "remain" };
    format!("fixed {fixed} {findings}, {remaining} {remain}")
}

/// `--fix` on a copy of an example: one run fixes it all, only the changed values' lines differ,
/// comments byte for byte, and the fixed values are the core's.
fn fixes_example_in_place(example: &str, scopes: &str, exit: i32) {
    let original = read(Path::new("examples").join(example).as_path());
    let dir = scratch(example.trim_end_matches(".toml"));
    let path = write(&dir, example, &original);
    let (fixed, count, remaining) = core_fixes(&original, false);
    assert_eq!(fixed.scopes.as_deref(), Some(scopes), "the core's fix changed: update the expected scopes");
    assert_eq!(fixed.revocation_url.as_deref(), Some(""));

    let output = threelo(&["check", "--fix", arg(&path)], None);
    assert_eq!(output.status.code(), Some(exit), "{}{}", stdout(&output), stderr(&output));
    let text = stdout(&output);
    assert!(text.trim_end().ends_with(&remain(count, remaining)), "{text}");
    assert!(count > 0, "{example} has safe fixes");

    let rewritten = read(&path);
    assert_eq!(rewritten.lines().count(), original.lines().count(), "{rewritten}");
    assert_eq!(rewritten.ends_with('\n'), original.ends_with('\n'));
    for (was, now) in original.lines().zip(rewritten.lines()) {
        match was.split_once(" = ").map(|(key, _)| key) {
            Some("scopes") => assert_eq!(now, format!("scopes = \"{scopes}\"")),
            Some("revocation_url") => assert_eq!(now, "revocation_url = \"\""),
            _ => assert_eq!(now, was, "a line that had nothing to fix changed"),
        }
    }
    let comments = |text: &str| text.lines().filter(|line| line.starts_with('#')).collect::<Vec<_>>().join("\n");
    assert!(!comments(&original).is_empty());
    assert_eq!(comments(&rewritten), comments(&original));
    let read_back: threelo::Setup = toml::from_str(&rewritten).unwrap();
    assert_eq!(read_back, fixed, "the file says what apply_fixes gave");

    // One run was enough: a second fixes nothing and leaves the file alone.
    let again = threelo(&["check", "--fix", arg(&path)], None);
    assert_eq!(again.status.code(), Some(exit));
    assert!(stdout(&again).trim_end().ends_with(&remain(0, remaining)), "{}", stdout(&again));
    assert_eq!(read(&path), rewritten);
    // And the fixed file checks as the fix said.
    let report = json_report(&threelo(&["check", arg(&path), "--format", "json"], None));
    assert_eq!(report["findings"].as_array().unwrap().len(), remaining, "{report}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn fix_rewrites_the_client_credentials_example_in_one_run() {
    let scopes = "read:page:confluence search:confluence read:confluence-groups write:confluence-groups \
                  read:confluence-user";
    // What remains is the service-account reminder, an info: exit 0.
    fixes_example_in_place("servicenow-client-credentials.toml", scopes, 0);
}

#[test]
fn fix_rewrites_the_authorization_code_example_in_one_run() {
    let scopes = "read:page:confluence search:confluence read:confluence-groups write:confluence-groups \
                  read:confluence-user read:me read:account offline_access";
    // The placeholder instance has no fix: still errors, exit 1.
    fixes_example_in_place("servicenow-authorization-code.toml", scopes, 1);
}

#[test]
fn unsafe_fixes_are_applied_only_when_asked() {
    let dir = scratch("unsafe");
    let original = "client_id = \"Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\"\n\
                    callback_url = \"https://dev12345.service-now.com/oauth_redirect.do\"\n\
                    scopes = \"read:page:confluence\" # no refresh token\n";
    let path = write(&dir, "setup.toml", original);
    let safe = threelo(&["check", "--fix", arg(&path)], None);
    assert_eq!(safe.status.code(), Some(0), "a warning is no error");
    assert!(stdout(&safe).contains("warning[scope/offline-access-missing]"), "{}", stdout(&safe));
    assert!(stdout(&safe).contains("= fix (unsafe): set scopes to `read:page:confluence offline_access`"));
    assert!(stdout(&safe).trim_end().ends_with("fixed 0 findings, 1 remains"), "{}", stdout(&safe));
    assert_eq!(read(&path), original, "adding a scope is a guess: not without --unsafe-fixes");

    let (fixed, count, remaining) = core_fixes(original, true);
    let output = threelo(&["check", "--fix", "--unsafe-fixes", arg(&path)], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).trim_end().ends_with(&remain(count, remaining)), "{}", stdout(&output));
    assert_eq!(fixed.scopes.as_deref(), Some("read:page:confluence offline_access"));
    assert_eq!(
        read(&path),
        original.replace("\"read:page:confluence\"", "\"read:page:confluence offline_access\""),
        "the comment after the value stays"
    );

    for args in [&["check", "--unsafe-fixes", arg(&path)][..], &["check", "--unsafe-fixes", "--scopes", "read:me"]] {
        let output = threelo(args, None);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains("--unsafe-fixes") && stderr(&output).contains("--fix or --diff"));
        assert!(stdout(&output).is_empty());
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn diff_prints_the_hunks_and_writes_nothing() {
    let dir = scratch("diff");
    let original = read(Path::new("examples/servicenow-client-credentials.toml"));
    let path = write(&dir, "setup.toml", &original);
    let (_, count, remaining) = core_fixes(&original, false);
    let output = threelo(&["check", "--diff", arg(&path)], None);
    assert_eq!(output.status.code(), Some(0), "as --fix would: the fixed setup has no errors");
    assert_eq!(read(&path), original, "--diff writes nothing");
    let name = arg(&path);
    let expected = format!(
        "--- {name}\n+++ {name}\n@@ -3,7 +3,7 @@\n \
         client_id = \"Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\"\n \
         client_secret = ATOA… (76 characters)\n \
         grant_type = \"Client Credentials\"\n\
         -scopes = \"ace:confluence read:page:confluence search:confluence read:confluence-groups \
         write:confluence-groups read:confluence-user read:me read:account offline_access\"\n\
         +scopes = \"read:page:confluence search:confluence read:confluence-groups write:confluence-groups \
         read:confluence-user\"\n \
         token_url = \"https://auth.atlassian.com/oauth/token\"\n\
         -revocation_url = \"https://auth.atlassian.com/oauth/token\"\n\
         +revocation_url = \"\"\n \
         api_base_url = \"https://api.atlassian.com/\"\n"
    );
    assert_eq!(stdout(&output), expected);
    let would = format!("would fix {count} findings, {remaining} would remain");
    assert_eq!(stderr(&output).trim_end(), would);

    // With the unsafe fixes, on the authorization-code example: the hunks say what --fix would write.
    let original = read(Path::new("examples/servicenow-authorization-code.toml"));
    let path = write(&dir, "code.toml", &original);
    let output = threelo(&["check", "--diff", "--unsafe-fixes", arg(&path)], None);
    assert_eq!(output.status.code(), Some(1), "the placeholder host remains an error");
    assert_eq!(read(&path), original);
    let diff = stdout(&output);
    assert!(diff.starts_with(&format!("--- {0}\n+++ {0}\n@@ -", arg(&path))), "{diff}");
    let removed: Vec<&str> = diff.lines().filter(|l| l.starts_with('-') && !l.starts_with("---")).collect();
    let added: Vec<&str> = diff.lines().filter(|l| l.starts_with('+') && !l.starts_with("+++")).collect();
    let (fixed, _, _) = core_fixes(&original, true);
    assert_eq!(added, [format!("+scopes = \"{}\"", fixed.scopes.unwrap()), "+revocation_url = \"\"".to_string()]);
    assert_eq!(removed.len(), 2, "{diff}");
    // Nothing to fix: no diff at all.
    let sound = read(Path::new("examples/sound-authorization-code.toml"));
    let path = write(&dir, "sound.toml", &sound);
    let output = threelo(&["check", "--diff", arg(&path)], None);
    assert_eq!((output.status.code(), stdout(&output).as_str()), (Some(0), ""));
    assert!(stderr(&output).starts_with("would fix 0 findings"), "{}", stderr(&output));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_secret_never_appears_in_a_diff() {
    let dir = scratch("diff-secret");
    let short = "hunter2hunter2";
    let toml = format!(
        "# rotated: the old one was {SECRET}\n\
         client_secret = \"{SECRET}\"\n\
         # and the one before: {}\n\
         scopes = \"read:page:confluence,search:confluence\"\n\
         client_id = \"Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\"\n",
        "Zq".repeat(34)
    );
    let json = format!(
        "{{\n  \"client_secret\": \"{SECRET}\",\n  \"scopes\": \"read:page:confluence,search:confluence\",\n  \
         \"redirect_url\": \"https://dev12345.service-now.com/oauth_redirect.do/\"\n}}\n"
    );
    let short_secret = format!("client_secret = \"{short}\"\nscopes = \"read:page:confluence,search:confluence\"\n");
    let escaped = "client_secret = \"\\u0068unter2hunter2\"\n# hunter2hunter2\nscopes = \"read:page:confluence,search:confluence\"\n";
    // Each file, and what of it must not be shown: the secret, a secret-shaped comment, a short
    // secret (not secret-shaped) in its field and in a comment, the same written with an escape.
    let cases = [
        ("a.toml", toml.as_str(), "ZqZqZqZqZqZqZqZq"),
        ("a.json", &json, &SECRET[4..20]),
        ("b.toml", &short_secret, &short[4..]),
        ("c.toml", escaped, &short[4..]),
    ];
    for (name, text, hidden) in cases {
        let path = write(&dir, name, text);
        for unsafe_fixes in [false, true] {
            let mut args = vec!["check", "--diff", arg(&path)];
            args.extend(unsafe_fixes.then_some("--unsafe-fixes"));
            let output = threelo(&args, None);
            let diff = stdout(&output);
            assert!(diff.contains("\n-") && diff.contains("\n+"), "{name}: a change to show:\n{diff}");
            assert_no_piece_of_the_secret(&diff);
            assert_no_piece_of_the_secret(&stderr(&output));
            assert!(!diff.contains(hidden), "{name}: {hidden} is shown:\n{diff}");
        }
        assert_eq!(read(&path), text);
    }
    // The diff shows where the secret stands, redacted, as the check does.
    let output = threelo(&["check", "--diff", arg(&dir.join("a.toml"))], None);
    assert!(stdout(&output).contains(" client_secret = ATOA… (76 characters)\n"), "{}", stdout(&output));
    // The rewritten file keeps it, of course.
    let path = dir.join("a.toml");
    assert_eq!(threelo(&["check", "--fix", arg(&path)], None).status.code(), Some(1));
    assert_eq!(read(&path), toml.replace(",search", " search"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn fix_on_standard_input_prints_the_fixed_setup_in_its_format() {
    let original = read(Path::new("examples/servicenow-client-credentials.toml"));
    let (fixed, count, remaining) = core_fixes(&original, false);
    let output = threelo(&["check", "--fix", "-"], Some(&original));
    assert_eq!(output.status.code(), Some(0));
    let printed = stdout(&output);
    let expected: String = original
        .split_inclusive('\n')
        .map(|line| match line.split_once(" = ").map(|(key, _)| key) {
            Some("scopes") => format!("scopes = \"{}\"\n", fixed.scopes.as_deref().unwrap()),
            Some("revocation_url") => "revocation_url = \"\"\n".to_string(),
            _ => line.to_string(),
        })
        .collect();
    assert_eq!(printed, expected);
    assert_eq!(stderr(&output).trim_end(), remain(count, remaining));

    let json = "{\"scopes\": \"read:page:confluence,search:confluence\",\n \"client_id\": \"Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\"}";
    let output = threelo(&["check", "--fix", "-"], Some(json));
    assert_eq!(output.status.code(), Some(1), "no callback URL: still an error");
    assert_eq!(
        stdout(&output),
        "{\"scopes\": \"read:page:confluence search:confluence\",\n \"client_id\": \"Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\"}"
    );
    assert!(stderr(&output).starts_with("fixed 1 finding, "), "{}", stderr(&output));

    let output = threelo(&["check", "--fix", "-", "--format", "json"], Some(json));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("leave out --format json"), "{}", stderr(&output));
}

#[test]
fn a_json_file_keeps_its_key_order_and_layout() {
    let dir = scratch("json");
    let original = "{\n\
        \x20   \"redirect_url\": \"http://dev12345.service-now.com/oauth_redirect.do/\",\n\
        \x20   \"scopes\": [\n\
        \x20       \"read:page:confluence\",\n\
        \x20       \"ace:confluence\",\n\
        \x20       \"read:me\"\n\
        \x20   ],\n\
        \x20   \"client_id\":\"Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\",\n\
        \x20   \"callback_url\": \"https://dev12345.service-now.com/oauth_redirect.do\",\n\
        \x20   \"grant_type\": null\n\
        }\n";
    let path = write(&dir, "setup.json", original);
    let output = threelo(&["check", "--fix", arg(&path)], None);
    assert!(output.status.code().is_some_and(|code| code < 2), "{}", stderr(&output));
    let expected = original
        .replace(
            "http://dev12345.service-now.com/oauth_redirect.do/",
            "https://dev12345.service-now.com/oauth_redirect.do",
        )
        .replace("        \"ace:confluence\",\n", "");
    assert_eq!(read(&path), expected, "only the changed values differ");
    let keys: Vec<&str> = ["redirect_url", "scopes", "client_id", "callback_url", "grant_type"].to_vec();
    let at: Vec<usize> = keys.iter().map(|key| read(&path).find(&format!("\"{key}\"")).unwrap()).collect();
    assert!(at.windows(2).all(|pair| pair[0] < pair[1]), "key order kept: {at:?}");
    let scopes: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
    assert_eq!(scopes["scopes"], serde_json::json!(["read:page:confluence", "read:me"]), "still a list");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn hostile_files_are_refused_and_left_alone() {
    let dir = scratch("hostile");
    let cargo = read(Path::new("Cargo.toml"));
    let cases: &[(&str, &str, &str)] = &[
        ("Cargo.toml", cargo.as_str(), "not a valid setup in TOML"),
        ("broken.toml", "scopes = \"read:me\nclient_id = \"x\"\n", "not a valid setup in TOML"),
        ("unknown.toml", "# a comment\nclient-id = \"x\"\nscopes = \"read:me,\"\n", "unknown field `client-id`"),
        ("nested.toml", "scopes = \"read:me,\"\n[client_id]\nx = 1\n", "not a valid setup in TOML"),
        ("unknown.json", "{\"scopes\": \"read:me,\", \"scope\": \"x\"}", "unknown field `scope`"),
        ("number.json", "{\"scopes\": \"read:me,\", \"client_id\": 5}", "not a valid setup in JSON"),
        ("twice.json", "{\"scopes\": \"read:me,\", \"scopes\": \"x\"}", "duplicate field `scopes`"),
        ("binary.toml", "\u{0}\u{1}scopes\u{7f}", "not a valid setup in TOML"),
    ];
    for (name, text, reason) in cases {
        let path = write(&dir, name, text);
        for mode in ["--fix", "--diff"] {
            let output = threelo(&["check", mode, arg(&path)], None);
            assert_eq!(output.status.code(), Some(2), "{name} {mode}: {}", stderr(&output));
            assert!(stderr(&output).contains(reason), "{name} {mode}: {}", stderr(&output));
            assert!(stdout(&output).is_empty(), "{name} {mode}: {}", stdout(&output));
            assert_eq!(read(&path), *text, "{name} {mode}: rewritten");
        }
    }
    // Not UTF-8 at all.
    let path = dir.join("latin1.toml");
    std::fs::write(&path, b"scopes = \"caf\xe9,read:me\"\n").unwrap();
    let output = threelo(&["check", "--fix", arg(&path)], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read"), "{}", stderr(&output));
    assert_eq!(std::fs::read(&path).unwrap(), b"scopes = \"caf\xe9,read:me\"\n");
    // Values given as flags are not in the file: --fix cannot write them back.
    let path = write(&dir, "setup.toml", "scopes = \"read:me,offline_access\"\n");
    for mode in ["--fix", "--diff"] {
        let output = threelo(&["check", mode, arg(&path), "--client-id", "x"], None);
        assert_eq!(output.status.code(), Some(2));
        assert!(stderr(&output).contains("--client-id cannot be used with --fix or --diff"), "{}", stderr(&output));
        assert_eq!(read(&path), "scopes = \"read:me,offline_access\"\n");
    }
    let output = threelo(&["check", "--fix", "--diff", arg(&path)], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot be used with"), "{}", stderr(&output));
    let output = threelo(&["check", "--diff", "--format", "json", arg(&path)], None);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(read(&path), "scopes = \"read:me,offline_access\"\n");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_toml_scope_list_stays_a_list_with_its_comments() {
    let dir = scratch("toml-list");
    let original = "# the spoke's scopes\n\
                    scopes = [ # as granted\n  \
                    \"ace:confluence\",\n  \
                    \"read:me\", # the user\n  \
                    \"read:page:confluence\",\n\
                    ] # end\n\
                    client_id = \"Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\"   # from the console\n";
    let path = write(&dir, "setup.toml", original);
    let output = threelo(&["check", "--fix", "--unsafe-fixes", arg(&path)], None);
    assert_eq!(output.status.code(), Some(1), "no callback URL: {}", stdout(&output));
    let expected = original
        .replace("  \"ace:confluence\",\n", "")
        .replace("  \"read:page:confluence\",\n", "  \"read:page:confluence\",\n  \"offline_access\",\n");
    assert_eq!(read(&path), expected);
    let (fixed, _, _) = core_fixes(original, true);
    let written: threelo::Setup = toml::from_str(&read(&path)).unwrap();
    assert_eq!(written, fixed);
    let _ = std::fs::remove_dir_all(dir);
}

// ─── threelo explain ─────────────────────────────────────────────────────────────────────────

const SCOPE_MISMATCH: &str = r#"{"code":401,"message":"Unauthorized; scope does not match"}"#;
const V2_PAGES: &str = "https://api.atlassian.com/ex/confluence/0a1b2c3d-0000-4000-8000-0123456789ab/wiki/api/v2/pages";

#[test]
fn explain_names_the_cause_and_the_missing_scope_in_json() {
    let output = threelo(
        &[
            "explain",
            "--format",
            "json",
            "--status",
            "401",
            "--method",
            "GET",
            "--url",
            V2_PAGES,
            "--body",
            SCOPE_MISMATCH,
            "--scopes",
            "read:confluence-content.all offline_access",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let diagnosis = json_report(&output);
    assert_eq!(
        stdout(&output).trim_start().lines().nth(1).map(str::trim),
        Some(r#""cause": "api/scope-does-not-match","#)
    );
    assert_eq!(diagnosis["operation"]["operation"], "GET /wiki/api/v2/pages");
    assert_eq!(diagnosis["operation"]["lacking"], serde_json::json!(["read:page:confluence"]));
    assert_eq!(diagnosis["findings"][0]["rule"], "scope/classic-only");
}

#[test]
fn explain_reads_the_body_from_standard_input_and_retry_after_from_a_header() {
    let output = threelo(
        &["explain", "--format", "json", "--status", "429", "--header", "Retry-After: 12", "--body", "-"],
        Some("{}"),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let diagnosis = json_report(&output);
    assert_eq!((diagnosis["cause"].as_str(), diagnosis["retry_after"].as_u64()), (Some("api/rate-limited"), Some(12)));
}

#[test]
fn explain_reads_a_setup_file_and_names_its_findings() {
    let output = threelo(
        &[
            "explain",
            "--text",
            "The app requested scopes that have not been added to the app",
            "--setup",
            "examples/servicenow-authorization-code.toml",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("consent/scope-not-on-app: "), "{text}");
    assert!(text.contains("scope/not-on-app: `read:page:confluence` is requested but not enabled"), "{text}");
}

#[test]
fn explain_exits_one_when_nothing_matches_and_two_on_unusable_input() {
    let unknown = threelo(&["explain", "--status", "418", "--text", "it does not work"], None);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stdout(&unknown).starts_with("unknown: "), "{}", stdout(&unknown));
    assert!(stdout(&unknown).contains("Not recognised: status 418."), "{}", stdout(&unknown));

    let nothing = threelo(&["explain"], None);
    assert_eq!(nothing.status.code(), Some(2));
    assert!(stderr(&nothing).contains("nothing to explain"), "{}", stderr(&nothing));
    let bad_header = threelo(&["explain", "--status", "429", "--header", "Retry-After 30"], None);
    assert_eq!(bad_header.status.code(), Some(2));
    assert!(stderr(&bad_header).contains("is not `Name: value`"), "{}", stderr(&bad_header));
    let twice = threelo(&["explain", "--body", "-", "--text", "-"], None);
    assert_eq!(twice.status.code(), Some(2));
}

#[test]
fn explain_never_prints_a_pasted_secret_or_token() {
    let token = "eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20tQUNDRVNTIiwiYWxnIjoiUlMyNTYifQ";
    let body = format!(r#"{{"error":"access_denied","error_description":"Unauthorized {SECRET} {token}"}}"#);
    for format in ["human", "json"] {
        let output = threelo(&["explain", "--format", format, "--status", "401", "--body", &body], None);
        assert_eq!(output.status.code(), Some(0));
        let shown = stdout(&output);
        assert!(shown.contains("token/client-auth-failed"), "{shown}");
        assert!(!shown.contains(&SECRET[8..]) && !shown.contains(&token[8..]), "{shown}");
    }
}

#[test]
fn explain_lists_every_cause() {
    let output = threelo(&["explain", "--causes", "--format", "json"], None);
    assert_eq!(output.status.code(), Some(0));
    let causes = json_report(&output);
    let codes: Vec<&str> = causes.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    for code in ["consent/scope-not-on-app", "token/refresh-token-rotated", "api/scope-does-not-match", "unknown"] {
        assert!(codes.contains(&code), "{codes:?}");
    }
}

fn example_text(name: &str) -> String {
    read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name))
}

/// ServiceNow's forms, recognised by content whatever the file is called, from a file and from
/// standard input, with where each value came from.
#[test]
fn check_reads_servicenow_templates_and_exports_by_content() {
    let dir = scratch("servicenow-forms");
    for (example, extra) in [
        ("servicenow-authorization-code.template.json", None),
        ("servicenow-client-credentials.template.json", None),
        ("servicenow-authorization-code.export.xml", Some("servicenow/encrypted-secret")),
        ("servicenow-client-credentials.export.xml", Some("servicenow/encrypted-secret")),
    ] {
        let text = example_text(example);
        // A misleading name: the content decides.
        let path = write(&dir, "setup.toml", &text);
        for output in [
            threelo(&["check", "--format", "json", arg(&path)], None),
            threelo(&["check", "--format", "json", "-"], Some(&text)),
        ] {
            assert_eq!(output.status.code(), Some(1), "{example}: {}", stderr(&output));
            let report = json_report(&output);
            let codes = codes(&report);
            assert!(codes.contains(&"scope/unknown".to_string()), "{example}: {codes:?}");
            assert_eq!(codes.iter().any(|c| Some(c.as_str()) == extra), extra.is_some(), "{example}: {codes:?}");
            let origin = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "scope/unknown").unwrap()
                ["origin"]
                .clone();
            assert!(origin.as_str().is_some_and(|o| o.contains("oauth_entity_scope")), "{example}: {origin}");
        }
    }
    let human = threelo(&["check", "-"], Some(&example_text("servicenow-authorization-code.template.json")));
    assert!(
        stdout(&human).contains("--> redirect_url (from credential.oauth_entity.redirect_url)"),
        "{}",
        stdout(&human)
    );
    assert!(!stdout(&human).contains(SECRET), "the template's secret is not printed");
    // The console's Callback URL, which ServiceNow does not hold, given as a flag.
    let with_callback = threelo(
        &["check", "--format", "json", "--callback-url", "https://acme.service-now.com/oauth_redirect.do", "-"],
        Some(&example_text("servicenow-authorization-code.template.json")),
    );
    assert!(
        codes(&json_report(&with_callback)).contains(&"callback/mismatch".to_string()),
        "{}",
        stdout(&with_callback)
    );
}

#[test]
fn fix_rewrites_a_template_and_lists_an_exports_values() {
    let dir = scratch("servicenow-fix");
    let template = write(&dir, "template.json", &example_text("servicenow-client-credentials.template.json"));
    let output = threelo(&["check", "--fix", arg(&template)], None);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("fixed 5 findings, 1 remains"), "{}", stdout(&output));
    let fixed = read(&template);
    assert!(fixed.contains("\"oauth_entity_scope\": \"read:page:confluence search:confluence read:confluence-groups write:confluence-groups read:confluence-user\""), "{fixed}");
    assert!(fixed.contains(SECRET), "the template keeps its secret");
    assert_eq!(threelo(&["check", arg(&template)], None).status.code(), Some(0), "the fixed file checks clean");

    let original = example_text("servicenow-client-credentials.export.xml");
    let export = write(&dir, "export.xml", &original);
    let output = threelo(&["check", "--fix", arg(&export)], None);
    assert_eq!(read(&export), original, "an export is never rewritten");
    let shown = stdout(&output);
    assert!(shown.contains("set these values in ServiceNow"), "{shown}");
    assert!(
        shown.contains("oauth_entity_scope \"Confluence Cloud scopes\", column oauth_entity_scope, line 18"),
        "{shown}"
    );
    assert!(shown.contains("column revoke_token_url, line 11\n    set to (empty)"), "{shown}");
    assert!(stderr(&output).contains("would fix 5 findings"), "{}", stderr(&output));
}

#[test]
fn hostile_servicenow_input_exits_two_with_a_reason() {
    let dir = scratch("servicenow-hostile");
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE unload [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><unload><oauth_entity><name>&b;</name></oauth_entity></unload>";
    let external = "<!DOCTYPE unload [<!ENTITY x SYSTEM \"http://127.0.0.1:9/secret\">]><unload>&x;</unload>";
    let deep = format!("<unload>{}</unload>", "<a>".repeat(50_000));
    let junk = format!("<unload>{}", "\u{1}junk".repeat(2_200_000));
    for (what, text, reason) in [
        ("an entity bomb", bomb.to_string(), "DOCTYPE"),
        ("an external entity", external.to_string(), "DOCTYPE"),
        ("deep nesting", deep, "not well-formed"),
        ("10 MB of junk", junk, "over the 2 MB"),
    ] {
        let path = write(&dir, "export.xml", &text);
        for fix in [false, true] {
            let args: Vec<&str> = if fix { vec!["check", "--fix", arg(&path)] } else { vec!["check", arg(&path)] };
            let output = threelo(&args, None);
            assert_eq!(output.status.code(), Some(2), "{what}: {}", stderr(&output));
            assert!(stderr(&output).contains(reason), "{what}: {}", stderr(&output));
            assert!(stdout(&output).is_empty(), "{what}");
        }
    }
}
