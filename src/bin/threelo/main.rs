//! The threelo command line: `threelo check` (with `--fix` and `--diff`), `threelo scopes`,
//! `threelo explain` (in `explain.rs`) and `threelo rules`.

mod explain;
mod servicenow;

use std::io::{self, IsTerminal, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use clap::{Args, Parser, Subcommand, ValueEnum};
use threelo::redact::{redacted_secret, Redactor};
use threelo::servicenow::form_of;
use threelo::uses::{scopes_for, use_items, ScopePlan};
use threelo::{apply_fixes, check, rules, Applicability, Field, Finding, Fixed, Report, Setup, Severity};
use unicode_width::UnicodeWidthStr;

#[derive(Parser)]
#[command(
    name = "threelo",
    version,
    about = "Checks Atlassian Confluence Cloud OAuth 2.0 setups and says how to fix them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a setup read from a JSON or TOML file, standard input (`-`), flags, or all three
    /// (flags win). FILE may also be what ServiceNow holds, recognised by its content: a
    /// configuration template's Default Data Template (JSON) or an XML export of the Application
    /// Registry records. Exits 0 without errors, 1 with errors, 2 when the input is unusable; with
    /// `--fix` or `--diff`, as a check of the fixed setup would.
    Check(Box<CheckArgs>),
    /// The least scopes for what a client calls, each with the uses that need it. A USE is as in a
    /// setup's `uses`: `METHOD /path` (or a URL), an operationId (`getPages`), `servicenow: <action>`,
    /// or `servicenow` for all of the spoke's actions. Exits 1 when a use is not understood.
    Scopes {
        uses: Vec<String>,
        /// Also the `uses` of this setup file (JSON or TOML).
        #[arg(long)]
        from: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// What an error from Atlassian means and what to change: give the answer (--status, --body,
    /// --header, with --method and --url for an API call) or what you saw (--text). Exits 0 when a
    /// cause was found, 1 when none matched, 2 when the input is unusable.
    Explain(Box<explain::ExplainArgs>),
    /// List every rule with its code, severity and explanation.
    Rules {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Args)]
struct CheckArgs {
    /// A JSON or TOML file holding the setup (keys as in `--help`'s flags, with `_`), a ServiceNow
    /// configuration template or XML export, or `-` for standard input.
    file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Rewrite FILE with every safe fix applied, keeping its comments and layout, then report what
    /// remains. With standard input, print the fixed setup instead. A ServiceNow XML export is
    /// never rewritten: the values to set in ServiceNow are printed.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// Print what `--fix` would change, as a unified diff, and write nothing.
    #[arg(long)]
    diff: bool,
    /// With `--fix` or `--diff`: apply the unsafe fixes too (guesses such as the closest scope to
    /// a typo; read them first).
    #[arg(long)]
    unsafe_fixes: bool,
    #[arg(long)]
    client_id: Option<String>,
    /// Prefer the file or standard input: a flag's value can show in the process list.
    #[arg(long)]
    client_secret: Option<String>,
    /// As registered in the Atlassian developer console.
    #[arg(long)]
    callback_url: Option<String>,
    /// As set on the client (ServiceNow: Redirect URL).
    #[arg(long)]
    redirect_url: Option<String>,
    /// As pasted: spaces, commas, anything.
    #[arg(long)]
    scopes: Option<String>,
    /// `authorization_code` (default) or `client_credentials`.
    #[arg(long)]
    grant_type: Option<String>,
    #[arg(long)]
    authorization_url: Option<String>,
    #[arg(long)]
    token_url: Option<String>,
    #[arg(long)]
    revocation_url: Option<String>,
    /// ServiceNow's Connection URL.
    #[arg(long)]
    api_base_url: Option<String>,
    /// The scopes enabled on the app in the developer console (names or the console's labels, one a line).
    #[arg(long)]
    app_scopes: Option<String>,
    /// What the client calls, one a line: `METHOD /path`, an operationId, `servicenow`.
    #[arg(long)]
    uses: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) if !args.unsafe_fixes || args.fix || args.diff => {
            let checked = match load_source(&args) {
                Ok(Some(source)) => match form_of(&source.text) {
                    Some(form) if args.fix || args.diff => servicenow::run_fix(&args, &source, form),
                    Some(form) => servicenow::run_check(&args, &source, form),
                    None => run_check(&args, Some(source)),
                },
                Ok(None) => run_check(&args, None),
                Err(message) => Err(message),
            };
            checked.unwrap_or_else(|message| usage_error(&message))
        }
        Command::Check(_) => {
            usage_error("--unsafe-fixes chooses which fixes --fix or --diff apply: give one of them too")
        }
        Command::Scopes { uses, from, format } => match uses_of(uses, from.as_deref()) {
            Ok(uses) => {
                let plan = scopes_for(uses.iter().map(String::as_str));
                let printed = match format {
                    Format::Json => print_json(&plan),
                    Format::Human => print_plan(&plan),
                };
                match printed {
                    Err(error) if error.kind() != io::ErrorKind::BrokenPipe => usage_error(&error.to_string()),
                    _ if plan.unknown.is_empty() => ExitCode::SUCCESS,
                    _ => ExitCode::from(1),
                }
            }
            Err(message) => usage_error(&message),
        },
        Command::Explain(args) => explain::run(&args),
        Command::Rules { format } => {
            let printed = match format {
                Format::Json => print_json(&rules()),
                Format::Human => print_rules(),
            };
            match printed {
                Err(error) if error.kind() != io::ErrorKind::BrokenPipe => usage_error(&error.to_string()),
                _ => ExitCode::SUCCESS,
            }
        }
    }
}

/// `threelo check` on a setup of threelo's own (JSON, TOML, flags), with `--fix` or `--diff` too.
/// `source`: FILE, read once (standard input cannot be read twice).
fn run_check(args: &CheckArgs, source: Option<Source>) -> Result<ExitCode, String> {
    if args.fix || args.diff {
        return run_fix(args, source);
    }
    let (setup, _) = read_setup(args, source)?;
    let report = check(&setup);
    let printed = match args.format {
        Format::Json => print_json(&report),
        Format::Human => print_report(&setup, &report),
    };
    Ok(exit_status(printed, &report))
}

/// As `threelo check` exits: 1 when the report has errors; 2 when the output could not be written
/// (a closed pipe is a reader that has seen enough, not a failure).
fn exit_status(printed: io::Result<()>, report: &Report) -> ExitCode {
    match printed {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => usage_error(&error.to_string()),
        _ if report.has_errors() => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

fn usage_error(message: &str) -> ExitCode {
    let mut err = anstream::stderr();
    // A parser's message quotes the input line, which may hold a secret or escape sequences.
    let message = for_terminal(&Redactor::default().redact(message));
    let _ = writeln!(err, "{}error:{} {message}", ERROR.render(), ERROR.render_reset());
    ExitCode::from(2)
}

/// Where a setup was read from, as it was: `--fix` rewrites it and `--diff` compares with it.
struct Source {
    /// `None`: standard input.
    path: Option<PathBuf>,
    name: String,
    text: String,
    format: SetupFormat,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetupFormat {
    Json,
    Toml,
}

impl CheckArgs {
    fn field_flags(&self) -> [(Field, &Option<String>); 12] {
        [
            (Field::ClientId, &self.client_id),
            (Field::ClientSecret, &self.client_secret),
            (Field::CallbackUrl, &self.callback_url),
            (Field::RedirectUrl, &self.redirect_url),
            (Field::Scopes, &self.scopes),
            (Field::GrantType, &self.grant_type),
            (Field::AuthorizationUrl, &self.authorization_url),
            (Field::TokenUrl, &self.token_url),
            (Field::RevocationUrl, &self.revocation_url),
            (Field::ApiBaseUrl, &self.api_base_url),
            (Field::AppScopes, &self.app_scopes),
            (Field::Uses, &self.uses),
        ]
    }
}

fn load_source(args: &CheckArgs) -> Result<Option<Source>, String> {
    Ok(match &args.file {
        Some(path) if path.as_os_str() == "-" => {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read standard input: {e}"))?;
            Some(Source { path: None, name: "standard input".to_string(), format: format_of(&text, None), text })
        }
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let format = format_of(&text, Some(path));
            Some(Source { path: Some(path.clone()), name: path.display().to_string(), text, format })
        }
        None => None,
    })
}

fn read_setup(args: &CheckArgs, source: Option<Source>) -> Result<(Setup, Option<Source>), String> {
    let mut setup = match &source {
        Some(source) => parse_setup(&source.text, source.format, &source.name)?,
        None => Setup::default(),
    };
    let flags = args.field_flags();
    let any_flag = flags.iter().any(|(_, value)| value.is_some());
    for (field, value) in flags {
        if let Some(value) = value {
            setup.set(field, Some(value.clone()));
        }
    }
    if args.file.is_none() && !any_flag {
        return Err(
            "nothing to check: give a setup FILE (JSON or TOML, a ServiceNow configuration template or an XML \
                    export of its Application Registry), `-` for standard input, or flags such as --client-id and \
                    --scopes (see `threelo check --help`)"
                .to_string(),
        );
    }
    Ok((setup, source))
}

/// The uses given as arguments, then those of the setup file `from`.
fn uses_of(mut uses: Vec<String>, from: Option<&Path>) -> Result<Vec<String>, String> {
    if let Some(path) = from {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let setup = parse_setup(&text, format_of(&text, Some(path)), &path.display().to_string())?;
        let listed = setup.uses.as_deref().map(use_items).into_iter().flatten();
        uses.extend(listed.map(|(item, _)| item.to_string()));
    }
    if uses.is_empty() {
        return Err("no uses: give each call as an argument (`threelo scopes servicenow 'GET /wiki/api/v2/pages'`), \
                    or --from a setup file whose `uses` lists them"
            .to_string());
    }
    Ok(uses)
}

fn print_plan(plan: &ScopePlan) -> io::Result<()> {
    let mut out = anstream::stdout().lock();
    let width = plan.scopes.iter().map(|planned| planned.scope.len()).max().unwrap_or(0);
    if plan.scopes.is_empty() {
        writeln!(out, "No scope is needed for these uses.")?;
    } else {
        writeln!(out, "{}Scopes needed{}", EMPHASIS.render(), EMPHASIS.render_reset())?;
    }
    for planned in &plan.scopes {
        let inferred = if planned.basis == "unsure" { " *" } else { "" };
        writeln!(out, "  {:width$}  {}{inferred}", planned.scope, planned.needed_by.join(", "))?;
    }
    if plan.scopes.iter().any(|planned| planned.basis == "unsure") {
        writeln!(out, "  * inferred from a ServiceNow spoke action: ServiceNow does not document the calls they make")?;
    }
    let blockable: Vec<&str> = plan
        .uses
        .iter()
        .filter(|planned| planned.access_rule_exempt == Some(false))
        .map(|planned| planned.use_.as_str())
        .collect();
    if !blockable.is_empty() {
        writeln!(out, "\nAn admin's app access rule can block, even with every scope: {}", blockable.join(", "))?;
    }
    for unknown in &plan.unknown {
        let style = severity_style(Severity::Error);
        let closest = match unknown.did_you_mean.as_slice() {
            [] => String::new(),
            names => format!(": did you mean {}?", names.join(", ")),
        };
        writeln!(
            out,
            "{}not understood{}: {}{closest}",
            style.render(),
            style.render_reset(),
            for_terminal(&unknown.use_)
        )?;
    }
    if !plan.scope.is_empty() {
        writeln!(out, "\nThe scope list to request:\n  {}", plan.scope)?;
        writeln!(
            out,
            "Add offline_access to it for refresh tokens (requested in the URL only, never enabled in the console)."
        )?;
    }
    Ok(())
}

/// JSON or TOML, by extension, else by content.
fn format_of(text: &str, path: Option<&Path>) -> SetupFormat {
    let extension = path.and_then(Path::extension).and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let json = match extension.as_deref() {
        Some("json") => true,
        Some("toml") => false,
        _ => text.trim_start().starts_with('{'),
    };
    if json {
        SetupFormat::Json
    } else {
        SetupFormat::Toml
    }
}

fn parse_setup(text: &str, format: SetupFormat, name: &str) -> Result<Setup, String> {
    match format {
        SetupFormat::Json => {
            serde_json::from_str(text).map_err(|e| format!("{name} is not a valid setup in JSON: {e}"))
        }
        SetupFormat::Toml => toml::from_str(text).map_err(|e| format!("{name} is not a valid setup in TOML: {e}")),
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    writeln!(io::stdout().lock(), "{text}")
}

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const INFO: Style = AnsiColor::Cyan.on_default().bold();
const EMPHASIS: Style = Style::new().bold();
const GUTTER: Style = AnsiColor::Blue.on_default().bold();

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Error => ERROR,
        Severity::Warning => WARNING,
        Severity::Info => INFO,
    }
}

/// One finding per block, like a compiler's diagnostics.
fn print_report(setup: &Setup, report: &Report) -> io::Result<()> {
    let mut out = anstream::stdout().lock();
    for finding in &report.findings {
        print_finding(&mut out, setup, finding)?;
    }
    let s = &report.summary;
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut summary = format!(
        "{}, {}, {}",
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        plural(s.infos, "info", "infos")
    );
    if s.omitted > 0 {
        summary.push_str(&format!(" ({} not listed: same rule, many times)", s.omitted));
    }
    let style = if s.errors > 0 {
        ERROR
    } else if s.warnings > 0 {
        WARNING
    } else {
        EMPHASIS
    };
    writeln!(out, "{}{summary}{}", style.render(), style.render_reset())?;
    let normalized = &report.normalized;
    if !normalized.scope.is_empty() {
        writeln!(out, "{}scope:{} {}", EMPHASIS.render(), EMPHASIS.render_reset(), for_terminal(&normalized.scope))?;
    }
    if let Some(url) = &normalized.authorize_url {
        writeln!(out, "{}authorize URL:{} {}", EMPHASIS.render(), EMPHASIS.render_reset(), for_terminal(url))?;
    }
    Ok(())
}

fn print_finding(out: &mut impl Write, setup: &Setup, finding: &Finding) -> io::Result<()> {
    let style = severity_style(finding.severity);
    let (g, r) = (GUTTER.render(), GUTTER.render_reset());
    let label_width = finding.severity.as_str().len() + finding.rule.code().len() + 4;
    writeln!(
        out,
        "{}{}[{}]{}: {}{}{}",
        style.render(),
        finding.severity.as_str(),
        finding.rule.code(),
        style.render_reset(),
        EMPHASIS.render(),
        wrapped_after(&for_terminal(&finding.message), label_width, label_width),
        EMPHASIS.render_reset()
    )?;
    match &finding.origin {
        Some(origin) => writeln!(out, "  {g}-->{r} {} (from {})", finding.field, for_terminal(origin))?,
        None => writeln!(out, "  {g}-->{r} {}", finding.field)?,
    }
    let text = setup.get(finding.field).unwrap_or("");
    let redactor = Redactor::new(setup);
    if redactor.hides(finding.field, text) {
        // Shown redacted and not underlined: the span's offsets are the hidden text's.
        if !text.trim().is_empty() {
            writeln!(out, "   {g}|{r} {}", for_terminal(&redactor.redact(text.trim())))?;
        }
    } else if let Some(span) = finding.span {
        let (shown, start, end) = excerpt(text, span.start, span.end);
        writeln!(out, "   {g}|{r} {shown}")?;
        writeln!(
            out,
            "   {g}|{r} {}{}{}{}",
            " ".repeat(start),
            style.render(),
            "^".repeat((end - start).max(1)),
            style.render_reset()
        )?;
    }
    let help = wrapped_after(&for_terminal(&finding.help), "   = help: ".len(), "   = help: ".len());
    writeln!(out, "   {g}={r} {}help:{} {help}", EMPHASIS.render(), EMPHASIS.render_reset())?;
    if let Some(fix) = &finding.fix {
        let replacement = if fix.replacement.is_empty() { "(empty)".to_string() } else { visible(&fix.replacement) };
        // A guess says so: `--fix` takes the safe ones, and the unsafe ones only when asked.
        let label = match fix.applicability {
            Applicability::Safe => "fix (safe):",
            Applicability::Unsafe => "fix (unsafe):",
        };
        writeln!(
            out,
            "   {g}={r} {}{label}{} set {} to {replacement}",
            EMPHASIS.render(),
            EMPHASIS.render_reset(),
            fix.field
        )?;
    }
    writeln!(out)
}

/// At most about 100 characters of `text` around the span, made safe for a terminal
/// ([`for_terminal`]), with the underline moved to where the span's characters now stand.
/// Returns the span's new offsets in terminal columns of the shown text: a wide character (CJK,
/// most emoji) takes two, so the carets stay under what they mark.
fn excerpt(text: &str, start: usize, end: usize) -> (String, usize, usize) {
    const CONTEXT: usize = 40;
    let chars: Vec<char> = text.chars().collect();
    let from = start.saturating_sub(CONTEXT);
    let to = (end + CONTEXT).min(chars.len()).max(from);
    let mut shown = String::new();
    let (mut shown_start, mut shown_end) = (None, None);
    if from > 0 {
        shown.push('…');
    }
    for (i, c) in chars[from..to].iter().enumerate() {
        if from + i == start {
            shown_start = Some(shown.width());
        }
        if from + i == end {
            shown_end = Some(shown.width());
        }
        shown.push_str(&terminal_char(*c));
    }
    let length = shown.width();
    if to < chars.len() {
        shown.push('…');
    }
    let shown_start = shown_start.unwrap_or(length);
    (shown, shown_start, shown_end.unwrap_or(length).max(shown_start))
}

/// `text` as a terminal may show it: escape sequences and other control characters, and the
/// invisible characters that reorder text, appear as escapes (`\u{1b}`) instead of acting on
/// the terminal, with colours on or off (without colours, the output stream would strip them
/// silently). Line breaks and tabs show as arrows.
fn for_terminal(text: &str) -> String {
    text.chars().map(terminal_char).collect()
}

fn terminal_char(c: char) -> std::borrow::Cow<'static, str> {
    match c {
        '\n' => "↵".into(),
        '\r' => "←".into(),
        '\t' => "→".into(),
        c if c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') =>
        {
            c.escape_unicode().to_string().into()
        }
        c => c.to_string().into(),
    }
}

fn visible(text: &str) -> String {
    let shown: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        format!("`{}…`", for_terminal(&shown))
    } else {
        format!("`{}`", for_terminal(&shown))
    }
}

fn print_rules() -> io::Result<()> {
    let mut out = anstream::stdout().lock();
    let width = terminal_width().unwrap_or(100).min(110);
    for rule in rules() {
        let style = severity_style(rule.severity);
        writeln!(
            out,
            "{}{}{} [{}{}{}] {}",
            EMPHASIS.render(),
            rule.code,
            EMPHASIS.render_reset(),
            style.render(),
            rule.severity.as_str(),
            style.render_reset(),
            rule.title
        )?;
        for line in wrap(rule.explanation, width - 4) {
            writeln!(out, "    {line}")?;
        }
        writeln!(out, "    Basis: {}.\n", rule.basis.describe())?;
    }
    Ok(())
}

/// The columns to wrap diagnostics to: `COLUMNS` when set (as `ls` and most tools honour), else
/// the terminal's width when standard output is one; `None` in a pipe, whose readers (grep, CI
/// logs) are better served by whole lines.
fn terminal_width() -> Option<usize> {
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|c| *c >= 20);
    columns.or_else(|| {
        io::stdout().is_terminal().then(terminal_size::terminal_size).flatten().map(|(width, _)| usize::from(width.0))
    })
}

/// `text` in lines of at most `width` terminal columns (the first at most `first_width`), broken
/// between words; a word longer than a line stands alone on its own.
fn wrap_from(text: &str, first_width: usize, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let budget = if lines.len() == 1 { first_width } else { width };
        let line = lines.last_mut().expect("never empty");
        if !line.is_empty() && line.width() + 1 + word.width() > budget {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    wrap_from(text, width, width)
}

/// `text` after a label `label_width` columns wide: wrapped to the terminal's width when there is
/// one, the lines after the first indented by `indent` columns.
fn wrapped_after(text: &str, label_width: usize, indent: usize) -> String {
    let Some(width) = terminal_width() else { return text.to_string() };
    let lines = wrap_from(text, width.saturating_sub(label_width).max(20), width.saturating_sub(indent).max(20));
    lines.join(&format!("\n{}", " ".repeat(indent)))
}

/// `check --fix` and `check --diff`: the setup's fixes, through the core's [`apply_fixes`], written
/// back in the file's own format (only the changed values replaced), or shown as a diff.
/// `--fix` and `--diff` change FILE: a flag's value would be written nowhere.
fn refuse_flags_with_fix(args: &CheckArgs) -> Result<(), String> {
    match args.field_flags().into_iter().find(|(_, value)| value.is_some()) {
        Some((field, _)) => Err(format!(
            "--{} cannot be used with --fix or --diff: they change the setup FILE, so change {} there",
            field.key().replace('_', "-"),
            field.key()
        )),
        None => Ok(()),
    }
}

fn run_fix(args: &CheckArgs, source: Option<Source>) -> Result<ExitCode, String> {
    refuse_flags_with_fix(args)?;
    let (setup, source) = read_setup(args, source)?;
    let source = source.ok_or("nothing to fix: give a setup FILE (JSON or TOML), or `-` for standard input")?;
    let json_report = matches!(args.format, Format::Json);
    if json_report && args.diff {
        return Err("--diff prints a diff, not a report: leave out --format json".to_string());
    }
    if json_report && source.path.is_none() {
        return Err("--fix on standard input prints the fixed setup, not a report: leave out --format json".to_string());
    }
    let mut fixed = apply_fixes(&setup, &check(&setup), args.unsafe_fixes);
    let text = if fixed.setup == setup { source.text.clone() } else { rewritten(&source, &setup, &fixed.setup)? };
    let written = parse_setup(&text, source.format, &source.name)?;
    if written != fixed.setup {
        // A scope list written back as an array of names: what the file says is what remains.
        fixed.report = check(&written);
        fixed.setup = written;
    }

    if args.diff {
        let diff = unified_diff(&source, &setup, &text, &fixed.setup);
        let printed = write!(anstream::stdout().lock(), "{diff}");
        let _ = writeln!(io::stderr(), "{}", fixed_line(&fixed, true));
        return Ok(exit_status(printed, &fixed.report));
    }
    let Some(path) = &source.path else {
        // Standard input: the fixed setup goes to standard output, byte for byte (no colour
        // stripping: it is the file), the count beside it.
        let printed = io::stdout().lock().write_all(text.as_bytes());
        let _ = writeln!(io::stderr(), "{}", fixed_line(&fixed, false));
        return Ok(exit_status(printed, &fixed.report));
    };
    if text != source.text {
        // In place, not through a new file renamed over it: the file keeps its permissions
        // (it holds the secret), and a link stays a link.
        std::fs::write(path, &text).map_err(|e| format!("cannot write {}: {e}", source.name))?;
    }
    let printed = if json_report {
        let printed = print_json(&fixed.report);
        let _ = writeln!(io::stderr(), "{}", fixed_line(&fixed, false));
        printed
    } else {
        print_report(&fixed.setup, &fixed.report)
            .and_then(|()| writeln!(anstream::stdout().lock(), "{}", fixed_line(&fixed, false)))
    };
    Ok(exit_status(printed, &fixed.report))
}

/// `fixed 3 findings, 2 remain`; with `would`, what `--diff` shows.
fn fixed_line(fixed: &Fixed, would: bool) -> String {
    let s = &fixed.report.summary;
    let remain = s.errors + s.warnings + s.infos;
    let findings = if fixed.fixed == 1 { "finding" } else { "findings" };
    match (would, remain) {
        (false, 1) => format!("fixed {} {findings}, 1 remains", fixed.fixed),
        (false, _) => format!("fixed {} {findings}, {remain} remain", fixed.fixed),
        (true, _) => format!("would fix {} {findings}, {remain} would remain", fixed.fixed),
    }
}

/// The source's text with the values of the fields `fixed` changed replaced, and nothing else:
/// comments, key order, quoting and layout stay as they were. It must read back as `fixed` (a
/// scope list that was an array: as its names), or it is not used.
fn rewritten(source: &Source, original: &Setup, fixed: &Setup) -> Result<String, String> {
    let changes: Vec<(Field, &str)> = Field::ALL
        .into_iter()
        .filter(|field| original.get(*field) != fixed.get(*field))
        .map(|field| (field, fixed.get(field).unwrap_or("")))
        .collect();
    let text = match source.format {
        SetupFormat::Toml => rewrite_toml(&source.text, &changes),
        SetupFormat::Json => rewrite_json(&source.text, &changes),
    };
    let unchanged = || format!("cannot write the fixes into {} without changing more than their values", source.name);
    let (text, scopes_listed) = text.ok_or_else(unchanged)?;
    let names = |setup: &Setup| setup.scopes.as_deref().map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
    match parse_setup(&text, source.format, &source.name) {
        Ok(read_back) if read_back == *fixed => Ok(text),
        Ok(read_back)
            if scopes_listed
                && names(&read_back) == names(fixed)
                && Field::ALL.iter().all(|f| *f == Field::Scopes || read_back.get(*f) == fixed.get(*f)) =>
        {
            Ok(text)
        }
        _ => Err(unchanged()),
    }
}

/// A TOML setup with the given values replaced through `toml_edit`, which keeps every comment,
/// the key order and the layout. Each value keeps its own decoration (the spaces around it, a
/// comment after it); a scope list that was an array stays one.
/// Also says whether the scopes were written as a list.
fn rewrite_toml(text: &str, changes: &[(Field, &str)]) -> Option<(String, bool)> {
    use toml_edit::{Item, Value};
    let mut document: toml_edit::DocumentMut = text.parse().ok()?;
    let listed = document.get(Field::Scopes.key()).is_some_and(Item::is_array);
    for (field, value) in changes {
        let Some(Item::Value(old)) = document.get_mut(field.key()) else { return None };
        let mut new = match (field, &*old) {
            (Field::Scopes, Value::Array(array)) => Value::Array(toml_array(array, value)),
            // A list of lines stays one: each line an element.
            (Field::AppScopes | Field::Uses, Value::Array(_)) => Value::Array(value.lines().collect()),
            _ => Value::from(*value),
        };
        *new.decor_mut() = old.decor().clone();
        *old = new;
    }
    Some((document.to_string(), listed))
}

/// The scope names of `scopes` (split on whitespace) as an array laid out like `old`, its
/// comments kept with what they stand beside. toml_edit keeps what stands before an element as its
/// prefix: up to the first line break, the rest of the line before it (after `[`, or after the
/// previous element and its comma); from there, the lines above it and its indentation. So a name
/// that was there (or that replaces the name in its place) keeps the lines above it, and the rest
/// of the line before it when what stood before it still does; the first takes the rest of the `[`
/// line; a new name takes the layout's spacing. The last keeps what stood after the old last.
fn toml_array(old: &toml_edit::Array, scopes: &str) -> toml_edit::Array {
    let prefix_of = |k: usize| {
        old.get(k).and_then(|value| value.decor().prefix()).and_then(|raw| raw.as_str()).unwrap_or("").to_string()
    };
    let line_rest = |prefix: &str| prefix.split('\n').next().unwrap_or("").to_string();
    let lines_above = |prefix: &str| prefix.find('\n').map_or(String::new(), |at| prefix[at..].to_string());
    let old_names: Vec<Option<&str>> = old.iter().map(|value| value.as_str()).collect();
    let names: Vec<&str> = scopes.split_whitespace().collect();
    let mut kept = vec![false; old.len()];
    for name in &names {
        if let Some(k) = (0..old.len()).find(|k| !kept[*k] && old_names[*k] == Some(*name)) {
            kept[k] = true;
        }
    }
    // Where each new name stood: the same name, or the name it replaces in its place.
    let mut taken = vec![false; old.len()];
    let from: Vec<Option<usize>> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let same = (0..old.len()).find(|k| !taken[*k] && old_names[*k] == Some(*name));
            let k = same.or_else(|| (i < old.len() && !kept[i] && !taken[i]).then_some(i))?;
            taken[k] = true;
            Some(k)
        })
        .collect();
    // The layout's spacing, comments left out: a line break and the indentation, or a space.
    let last = prefix_of(old.len().saturating_sub(1));
    let spacing = match last.rfind('\n') {
        Some(at) => last[at..].to_string(),
        None => " ".to_string(),
    };
    let mut array = toml_edit::Array::new();
    for (i, name) in names.iter().enumerate() {
        let (before, above) = match from[i] {
            Some(k) => (
                if i == 0 {
                    line_rest(&prefix_of(0))
                } else if k > 0 && from[i - 1] == Some(k - 1) {
                    line_rest(&prefix_of(k))
                } else {
                    line_rest(&spacing)
                },
                lines_above(&prefix_of(k)),
            ),
            None if i == 0 => (line_rest(&prefix_of(0)), lines_above(&spacing)),
            None => (line_rest(&spacing), lines_above(&spacing)),
        };
        let suffix = match i + 1 == names.len() {
            true => old.iter().last().and_then(|value| value.decor().suffix()).and_then(|raw| raw.as_str()),
            false => None,
        };
        let value = toml_edit::Value::from(*name).decorated(before + &above, suffix.unwrap_or(""));
        array.push_formatted(value);
    }
    array.set_trailing(old.trailing().clone());
    array.set_trailing_comma(old.trailing_comma() && !array.is_empty());
    array
}

/// A JSON setup with the given values replaced in place: the text around them (key order,
/// indentation, whatever else) is not touched, so nothing is reformatted, and serde_json needs
/// no order-keeping map (its `preserve_order` feature would reach the wasm builds too).
fn rewrite_json(text: &str, changes: &[(Field, &str)]) -> Option<(String, bool)> {
    let members = json_members(text)?;
    let listed = members.iter().any(|member| member.key == Field::Scopes.key() && member.elements.is_some());
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for (field, value) in changes {
        let member = members.iter().find(|member| member.key == field.key())?;
        let replacement = match &member.elements {
            Some(elements) if *field == Field::Scopes => json_array(text, &member.value, elements, value),
            Some(_) if matches!(field, Field::AppScopes | Field::Uses) => {
                serde_json::to_string(&value.lines().collect::<Vec<_>>()).ok()?
            }
            _ => serde_json::to_string(value).ok()?,
        };
        edits.push((member.value.clone(), replacement));
    }
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (range, replacement) in edits {
        out.push_str(&text[copied..range.start]);
        out.push_str(&replacement);
        copied = range.end;
    }
    out.push_str(&text[copied..]);
    Some((out, listed))
}

/// The scope names of `scopes` as a JSON array spaced like the old one at `value`.
fn json_array(text: &str, value: &Range<usize>, elements: &[Range<usize>], scopes: &str) -> String {
    let names: Vec<String> = scopes.split_whitespace().filter_map(|name| serde_json::to_string(name).ok()).collect();
    let (Some(first), Some(last)) = (elements.first(), elements.last()) else {
        return format!("[{}]", names.join(", "));
    };
    let open = &text[value.start + 1..first.start];
    let close = &text[last.end..value.end - 1];
    let separator = match elements.get(1) {
        Some(second) => text[first.end..second.start].to_string(),
        None if open.contains('\n') => format!(",{open}"),
        None => ", ".to_string(),
    };
    if names.is_empty() {
        return "[]".to_string();
    }
    format!("[{open}{}{close}]", names.join(&separator))
}

/// A member of a JSON text's top-level object: its key, where its value stands, and, for an
/// array, where each element does.
struct JsonMember {
    key: String,
    value: Range<usize>,
    elements: Option<Vec<Range<usize>>>,
}

/// The members of the top-level object of `text`, which serde_json has already read as a setup
/// (so duplicate keys are refused and values are strings, lists of strings or null); `None` if the
/// text is not what that implies.
fn json_members(text: &str) -> Option<Vec<JsonMember>> {
    let bytes = text.as_bytes();
    let mut at = json_space(bytes, 0);
    let mut members = Vec::new();
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    at = json_space(bytes, at + 1);
    if bytes.get(at) == Some(&b'}') {
        return Some(members);
    }
    loop {
        let key_end = json_string_end(bytes, at)?;
        let key = serde_json::from_str(&text[at..key_end]).ok()?;
        at = json_space(bytes, key_end);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at = json_space(bytes, at + 1);
        let (end, elements) = json_value_end(bytes, at, 0)?;
        members.push(JsonMember { key, value: at..end, elements });
        at = json_space(bytes, end);
        match bytes.get(at) {
            Some(b',') => at = json_space(bytes, at + 1),
            Some(b'}') => return Some(members),
            _ => return None,
        }
    }
}

fn json_space(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// Where the string starting at `at` ends (after its closing quote).
fn json_string_end(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let mut at = at + 1;
    loop {
        match bytes.get(at)? {
            b'\\' => at += 2,
            b'"' => return Some(at + 1),
            _ => at += 1,
        }
    }
}

/// Where the value starting at `at` ends, and for an array where its elements stand.
fn json_value_end(bytes: &[u8], at: usize, depth: usize) -> Option<(usize, Option<Vec<Range<usize>>>)> {
    match bytes.get(at)? {
        b'"' => Some((json_string_end(bytes, at)?, None)),
        b'[' if depth < 8 => {
            let mut elements = Vec::new();
            let mut at = json_space(bytes, at + 1);
            if bytes.get(at) == Some(&b']') {
                return Some((at + 1, Some(elements)));
            }
            loop {
                let (end, _) = json_value_end(bytes, at, depth + 1)?;
                elements.push(at..end);
                at = json_space(bytes, end);
                match bytes.get(at)? {
                    b',' => at = json_space(bytes, at + 1),
                    b']' => return Some((at + 1, Some(elements))),
                    _ => return None,
                }
            }
        }
        b'[' | b'{' => None,
        _ => {
            let end = at + bytes[at..].iter().take_while(|b| !b",]} \t\r\n".contains(b)).count();
            (end > at).then_some((end, None))
        }
    }
}

/// Where the client secret's value stands in a setup's text, quotes included.
fn secret_span(text: &str, format: SetupFormat) -> Option<Range<usize>> {
    let key = Field::ClientSecret.key();
    match format {
        SetupFormat::Toml => toml_edit::Document::parse(text).ok()?.as_table().get(key)?.span(),
        SetupFormat::Json => json_members(text)?.into_iter().find(|member| member.key == key).map(|m| m.value),
    }
}

/// The lines of a setup's text as a diff may show them: the client secret's value as its first
/// four characters and its length (wherever it stands: a diff's context shows unchanged lines
/// too), and on every line, comments included, the secret or anything shaped like one hidden by
/// the crate's one predicate. One shown line per line of `text`.
fn shown_lines(text: &str, format: SetupFormat, setup: &Setup, secrets: &[&str]) -> Vec<String> {
    let masked = match (secret_span(text, format), &setup.client_secret) {
        (Some(span), Some(secret)) => {
            let lines_inside = text[span.clone()].matches('\n').count();
            format!(
                "{}{}{}{}",
                &text[..span.start],
                redacted_secret(secret),
                "\n".repeat(lines_inside),
                &text[span.end..]
            )
        }
        _ => text.to_string(),
    };
    let mut shown: Vec<String> = masked
        .split_inclusive('\n')
        .map(|line| {
            let line = line.strip_suffix('\n').unwrap_or(line);
            let mut line = Redactor::default().redact(line).into_owned();
            for secret in secrets {
                // The predicate for a setup whose secret is `secret` and which holds this line:
                // it looks for the secret inside the line (and for its shape).
                let probe = Setup {
                    client_secret: Some(secret.to_string()),
                    client_id: Some(line.clone()),
                    ..Setup::default()
                };
                line = Redactor::new(&probe).redact(&line).into_owned();
            }
            line.chars().map(|c| if c == '\t' { "\t".into() } else { terminal_char(c) }).collect()
        })
        .collect();
    shown.resize(text.split_inclusive('\n').count(), String::new());
    shown
}

/// One line of a diff: unchanged (in both texts), removed (from the old), or added (to the new),
/// by its index in its text.
#[derive(Clone, Copy)]
enum LineOp {
    Same(usize),
    Removed(usize),
    Added(usize),
}

/// The lines of `old` and `new` as a shortest edit: the common lines (longest common subsequence,
/// after the common head and tail), then what was removed and what was added. Setups are a few
/// lines; a middle too big for the table is shown as removed whole, then added whole.
fn line_ops(old: &[&str], new: &[&str]) -> Vec<LineOp> {
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..].iter().rev().zip(new[head..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (a, b) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    let mut ops: Vec<LineOp> = (0..head).map(LineOp::Same).collect();
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) <= 1 << 20 {
        // common[i * (m + 1) + j]: the longest common subsequence of a[i..] and b[j..].
        let mut common = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                common[i * (m + 1) + j] = if a[i] == b[j] {
                    common[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    common[(i + 1) * (m + 1) + j].max(common[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && a[i] == b[j] {
                ops.push(LineOp::Same(head + i));
                (i, j) = (i + 1, j + 1);
            } else if i < n && (j == m || common[(i + 1) * (m + 1) + j] >= common[i * (m + 1) + j + 1]) {
                ops.push(LineOp::Removed(head + i));
                i += 1;
            } else {
                ops.push(LineOp::Added(head + j));
                j += 1;
            }
        }
    } else {
        ops.extend((head..head + n).map(LineOp::Removed));
        ops.extend((head..head + m).map(LineOp::Added));
    }
    ops.extend((old.len() - tail..old.len()).map(LineOp::Same));
    ops
}

/// `--diff`: the change from `old_text` to `new_text` as a unified diff with three lines of
/// context, every line shown through [`shown_lines`]; empty when nothing changes.
fn unified_diff(source: &Source, old: &Setup, new_text: &str, new: &Setup) -> String {
    const CONTEXT: usize = 3;
    let (old_lines, new_lines): (Vec<&str>, Vec<&str>) =
        (source.text.split_inclusive('\n').collect(), new_text.split_inclusive('\n').collect());
    let secrets: Vec<&str> = [old, new].iter().filter_map(|setup| setup.client_secret.as_deref()).collect();
    let old_shown = shown_lines(&source.text, source.format, old, &secrets);
    let new_shown = shown_lines(new_text, source.format, new, &secrets);
    let ops = line_ops(&old_lines, &new_lines);
    let changed: Vec<usize> = (0..ops.len()).filter(|k| !matches!(ops[*k], LineOp::Same(_))).collect();
    if changed.is_empty() {
        return String::new();
    }
    let (red, green, cyan) = (AnsiColor::Red.on_default(), AnsiColor::Green.on_default(), AnsiColor::Cyan.on_default());
    let name = for_terminal(&source.name);
    let mut out = format!("{}--- {name}\n+++ {name}{}\n", EMPHASIS.render(), EMPHASIS.render_reset());
    let mut next = 0;
    while next < changed.len() {
        let (first, mut last) = (changed[next], changed[next]);
        next += 1;
        // Changes at most twice the context apart share a hunk.
        while next < changed.len() && changed[next] - last <= 2 * CONTEXT + 1 {
            last = changed[next];
            next += 1;
        }
        let (start, stop) = (first.saturating_sub(CONTEXT), (last + CONTEXT + 1).min(ops.len()));
        let in_old = |op: &LineOp| !matches!(op, LineOp::Added(_));
        let in_new = |op: &LineOp| !matches!(op, LineOp::Removed(_));
        let range = |before: usize, count: usize| match count {
            0 => format!("{before},0"),
            1 => format!("{}", before + 1),
            _ => format!("{},{count}", before + 1),
        };
        let old_range = range(
            ops[..start].iter().filter(|op| in_old(op)).count(),
            ops[start..stop].iter().filter(|op| in_old(op)).count(),
        );
        let new_range = range(
            ops[..start].iter().filter(|op| in_new(op)).count(),
            ops[start..stop].iter().filter(|op| in_new(op)).count(),
        );
        out.push_str(&format!("{}@@ -{old_range} +{new_range} @@{}\n", cyan.render(), cyan.render_reset()));
        for op in &ops[start..stop] {
            let (mark, style, shown, raw) = match *op {
                LineOp::Same(i) => (' ', Style::new(), &old_shown[i], old_lines[i]),
                LineOp::Removed(i) => ('-', red, &old_shown[i], old_lines[i]),
                LineOp::Added(j) => ('+', green, &new_shown[j], new_lines[j]),
            };
            out.push_str(&format!("{}{mark}{shown}{}\n", style.render(), style.render_reset()));
            if !raw.ends_with('\n') {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
}
