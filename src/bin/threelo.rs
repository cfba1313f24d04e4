//! The threelo command line: `threelo check` and `threelo rules`.

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use clap::{Args, Parser, Subcommand, ValueEnum};
use threelo::redact::Redactor;
use threelo::{check, rules, Applicability, Field, Finding, Report, Setup, Severity};
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
    /// (flags win). Exits 0 without errors, 1 with errors, 2 when the input is unusable.
    Check(Box<CheckArgs>),
    /// List every rule with its code, severity and explanation.
    Rules {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Args)]
struct CheckArgs {
    /// A JSON or TOML file holding the setup (keys as in `--help`'s flags, with `_`), or `-` for standard input.
    file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
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
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => match read_setup(&args) {
            Ok(setup) => {
                let report = check(&setup);
                let printed = match args.format {
                    Format::Json => print_json(&report),
                    Format::Human => print_report(&setup, &report),
                };
                match printed {
                    Err(error) if error.kind() != io::ErrorKind::BrokenPipe => usage_error(&error.to_string()),
                    _ if report.has_errors() => ExitCode::from(1),
                    _ => ExitCode::SUCCESS,
                }
            }
            Err(message) => usage_error(&message),
        },
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

fn usage_error(message: &str) -> ExitCode {
    let mut err = anstream::stderr();
    // A parser's message quotes the input line, which may hold a secret or escape sequences.
    let message = for_terminal(&Redactor::default().redact(message));
    let _ = writeln!(err, "{}error:{} {message}", ERROR.render(), ERROR.render_reset());
    ExitCode::from(2)
}

fn read_setup(args: &CheckArgs) -> Result<Setup, String> {
    let mut setup = match &args.file {
        Some(path) if path.as_os_str() == "-" => {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read standard input: {e}"))?;
            parse_setup(&text, None, "standard input")?
        }
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            parse_setup(&text, Some(path), &path.display().to_string())?
        }
        None => Setup::default(),
    };
    let flags = [
        (Field::ClientId, &args.client_id),
        (Field::ClientSecret, &args.client_secret),
        (Field::CallbackUrl, &args.callback_url),
        (Field::RedirectUrl, &args.redirect_url),
        (Field::Scopes, &args.scopes),
        (Field::GrantType, &args.grant_type),
        (Field::AuthorizationUrl, &args.authorization_url),
        (Field::TokenUrl, &args.token_url),
        (Field::RevocationUrl, &args.revocation_url),
        (Field::ApiBaseUrl, &args.api_base_url),
    ];
    let any_flag = flags.iter().any(|(_, value)| value.is_some());
    for (field, value) in flags {
        if let Some(value) = value {
            setup.set(field, Some(value.clone()));
        }
    }
    if args.file.is_none() && !any_flag {
        return Err("nothing to check: give a setup FILE (JSON or TOML), `-` for standard input, or flags such as \
                    --client-id and --scopes (see `threelo check --help`)"
            .to_string());
    }
    Ok(setup)
}

/// JSON or TOML, by extension, else by content.
fn parse_setup(text: &str, path: Option<&Path>, name: &str) -> Result<Setup, String> {
    let extension = path.and_then(Path::extension).and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let json = match extension.as_deref() {
        Some("json") => true,
        Some("toml") => false,
        _ => text.trim_start().starts_with('{'),
    };
    if json {
        serde_json::from_str(text).map_err(|e| format!("{name} is not a valid setup in JSON: {e}"))
    } else {
        toml::from_str(text).map_err(|e| format!("{name} is not a valid setup in TOML: {e}"))
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
    writeln!(out, "  {g}-->{r} {}", finding.field)?;
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
        // A guess says so: a person should read it before taking it.
        let label = match fix.applicability {
            Applicability::Safe => "fix:",
            Applicability::Unsafe => "fix (unsafe, a guess):",
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
