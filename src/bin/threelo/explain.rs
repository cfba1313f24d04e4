//! `threelo explain`: what an error a user saw means and what to change, from the core's
//! [`threelo::explain`]. The flags build an [`Incident`] (an HTTP answer and its request, or
//! text) and, optionally, a setup; the diagnosis is printed as words or as JSON.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use threelo::explain::{causes, Cause, Diagnosis};
use threelo::{explain, Incident, Setup, Severity};

use super::{
    for_terminal, format_of, parse_setup, print_json, severity_style, terminal_width, usage_error, wrap, Format,
    EMPHASIS,
};

#[derive(Args)]
pub struct ExplainArgs {
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// The answer's HTTP status.
    #[arg(long)]
    status: Option<u16>,
    /// A response header, `Name: value` (repeatable): `Retry-After` is read.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The answer's body, or `-` for standard input.
    #[arg(long)]
    body: Option<String>,
    /// The request's method, for an API call.
    #[arg(long)]
    method: Option<String>,
    /// The request's URL (or the address the browser landed on).
    #[arg(long)]
    url: Option<String>,
    /// Anything else the user saw: a consent page's message, ServiceNow's error, a landed-on
    /// address; `-` for standard input.
    #[arg(long)]
    text: Option<String>,
    /// The scopes the client requests (stands in for a setup's `scopes`).
    #[arg(long)]
    scopes: Option<String>,
    /// The grant the client uses (stands in for a setup's `grant_type`).
    #[arg(long)]
    grant_type: Option<String>,
    /// A setup file (JSON or TOML, as `threelo check` reads): the diagnosis names its findings.
    #[arg(long)]
    setup: Option<PathBuf>,
    /// List every cause with its explanation instead.
    #[arg(long, conflicts_with_all = ["status", "body", "text", "url", "method", "headers"])]
    causes: bool,
}

/// Exits 0 when a cause was found, 1 for `unknown`, 2 for unusable input.
pub fn run(args: &ExplainArgs) -> ExitCode {
    if args.causes {
        let printed = match args.format {
            Format::Json => print_json(&causes()),
            Format::Human => print_causes(),
        };
        return finished(printed, ExitCode::SUCCESS);
    }
    let (incident, setup) = match read(args) {
        Ok(read) => read,
        Err(message) => return usage_error(&message),
    };
    let diagnosis = explain(&incident, setup.as_ref());
    let printed = match args.format {
        Format::Json => print_json(&diagnosis),
        Format::Human => print_diagnosis(&diagnosis),
    };
    let code = if diagnosis.cause == Cause::Unknown { ExitCode::from(1) } else { ExitCode::SUCCESS };
    finished(printed, code)
}

fn finished(printed: io::Result<()>, code: ExitCode) -> ExitCode {
    match printed {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => usage_error(&error.to_string()),
        _ => code,
    }
}

fn read(args: &ExplainArgs) -> Result<(Incident, Option<Setup>), String> {
    if args.body.as_deref() == Some("-") && args.text.as_deref() == Some("-") {
        return Err("standard input can be read once: give --body - or --text -, not both".into());
    }
    let mut headers = std::collections::BTreeMap::new();
    for header in &args.headers {
        let Some((name, value)) = header.split_once(':').filter(|(name, _)| !name.trim().is_empty()) else {
            return Err(format!("--header {} is not `Name: value` (for example --header 'Retry-After: 30')", header));
        };
        headers.insert(name.trim().to_string(), value.trim().to_string());
    }
    let incident = Incident {
        status: args.status,
        headers,
        body: args.body.as_deref().map(or_stdin).transpose()?,
        method: args.method.clone(),
        url: args.url.clone(),
        text: args.text.as_deref().map(or_stdin).transpose()?,
    };
    if incident == Incident::default() {
        return Err("nothing to explain: give what Atlassian answered (--status, --body, --header, with --method and \
                    --url for an API call) or what you saw (--text 'the message'); see `threelo explain --help`"
            .into());
    }
    let mut setup = match &args.setup {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Some(parse_setup(&text, format_of(&text, Some(path)), &path.display().to_string())?)
        }
        None => None,
    };
    if args.scopes.is_some() || args.grant_type.is_some() {
        let setup = setup.get_or_insert_with(Setup::default);
        if let Some(scopes) = &args.scopes {
            setup.scopes = Some(scopes.clone());
        }
        if let Some(grant) = &args.grant_type {
            setup.grant_type = Some(grant.clone());
        }
    }
    Ok((incident, setup))
}

fn or_stdin(value: &str) -> Result<String, String> {
    if value != "-" {
        return Ok(value.to_string());
    }
    let mut text = String::new();
    io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(text)
}

fn print_diagnosis(diagnosis: &Diagnosis) -> io::Result<()> {
    let mut out = anstream::stdout().lock();
    let width = terminal_width().unwrap_or(100).min(110) - 2;
    let style = if diagnosis.cause == Cause::Unknown { severity_style(Severity::Warning) } else { EMPHASIS };
    writeln!(out, "{}{}{}: {}", style.render(), diagnosis.cause.code(), style.render_reset(), diagnosis.title)?;
    for line in wrap(&for_terminal(&diagnosis.summary), width) {
        writeln!(out, "  {line}")?;
    }
    writeln!(out)?;
    for line in wrap(diagnosis.explanation, width) {
        writeln!(out, "  {line}")?;
    }
    writeln!(out, "\n{}What to change{}", EMPHASIS.render(), EMPHASIS.render_reset())?;
    for remedy in &diagnosis.fixes {
        let field = remedy.field.map(|field| format!("[{}] ", field.key())).unwrap_or_default();
        let lines = wrap(&format!("{field}{}", for_terminal(&remedy.text)), width - 2);
        for (at, line) in lines.iter().enumerate() {
            writeln!(out, "  {} {line}", if at == 0 { "-" } else { " " })?;
        }
    }
    if let Some(needs) = &diagnosis.operation {
        let sets: Vec<String> = needs.needs.iter().map(|set| set.join(" + ")).collect();
        let needs_text = if sets.is_empty() { "no scope".to_string() } else { sets.join(", or ") };
        writeln!(out, "\n  The call is {} ({}); it needs {needs_text}.", needs.operation, needs.operation_id)?;
    }
    if !diagnosis.also_possible.is_empty() {
        let codes: Vec<&str> = diagnosis.also_possible.iter().map(|cause| cause.code()).collect();
        writeln!(out, "\n  The same answer can also mean: {}.", codes.join(", "))?;
    }
    if !diagnosis.findings.is_empty() {
        writeln!(out, "\n{}In the setup{}", EMPHASIS.render(), EMPHASIS.render_reset())?;
        for finding in &diagnosis.findings {
            let style = severity_style(finding.severity);
            let severity = finding.severity.as_str();
            let text = format!("{severity} {}: {}", finding.rule.code(), for_terminal(&finding.message));
            for (at, line) in wrap(&text, width - 2).iter().enumerate() {
                match line.strip_prefix(severity).filter(|_| at == 0) {
                    Some(rest) => writeln!(out, "  {}{severity}{}{rest}", style.render(), style.render_reset())?,
                    None => writeln!(out, "  {}{line}", if at == 0 { "" } else { "  " })?,
                }
            }
        }
    }
    let seen = &diagnosis.seen;
    let mut told = Vec::new();
    if let Some(status) = seen.status {
        told.push(format!("status {status}"));
    }
    if let Some(endpoint) = &seen.endpoint {
        told.push(format!("from {endpoint}"));
    }
    if seen.html {
        told.push("an HTML page".to_string());
    }
    if let Some(error) = &seen.error {
        told.push(format!("error {}", for_terminal(error)));
    }
    if let Some(message) = &seen.message {
        told.push(format!("\"{}\"", for_terminal(message)));
    }
    if !told.is_empty() {
        writeln!(out, "\n  Seen: {}.", told.join("; "))?;
    }
    writeln!(out, "  Basis: {}.", diagnosis.basis.describe())
}

fn print_causes() -> io::Result<()> {
    let mut out = anstream::stdout().lock();
    let width = terminal_width().unwrap_or(100).min(110);
    for cause in causes() {
        writeln!(out, "{}{}{} {}", EMPHASIS.render(), cause.code, EMPHASIS.render_reset(), cause.title)?;
        for line in wrap(cause.explanation, width - 4) {
            writeln!(out, "    {line}")?;
        }
        for line in wrap(&format!("To change: {}", cause.change), width - 4) {
            writeln!(out, "    {line}")?;
        }
        writeln!(out, "    Basis: {}.\n", cause.basis_text)?;
    }
    Ok(())
}
