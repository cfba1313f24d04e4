//! `threelo check` on what ServiceNow holds: a configuration template (JSON) or an XML export
//! of the Application Registry, recognised by content. `--fix` writes a template's fixes back
//! into it; an export is never rewritten, so its corrected values are listed instead.

use std::io::{self, Write};
use std::process::ExitCode;

use threelo::servicenow::{fix_template, read_servicenow, Form, Imported};
use threelo::{apply_fixes, check, Field, Fixed};

use super::{
    exit_status, fixed_line, for_terminal, print_json, print_report, unified_diff, visible, CheckArgs, Format, Source,
    EMPHASIS,
};

fn unreadable(source: &Source, form: Form, error: impl std::fmt::Display) -> String {
    format!("{} looks like {} but cannot be read: {error}", source.name, form.describe())
}

/// Checks the records; the flags given fill or replace fields (the console's Callback URL,
/// which ServiceNow does not hold).
pub(super) fn run_check(args: &CheckArgs, source: &Source, form: Form) -> Result<ExitCode, String> {
    let mut imported = read_servicenow(&source.text).map_err(|e| unreadable(source, form, e))?;
    for (field, value) in args.field_flags() {
        if let Some(value) = value {
            imported.set(field, Some(value.clone()));
        }
    }
    let report = imported.check();
    let printed = match args.format {
        Format::Json => print_json(&report),
        Format::Human => print_report(&imported.setup, &report),
    };
    Ok(exit_status(printed, &report))
}

/// `--fix` and `--diff` on a template or an export.
pub(super) fn run_fix(args: &CheckArgs, source: &Source, form: Form) -> Result<ExitCode, String> {
    super::refuse_flags_with_fix(args)?;
    if matches!(args.format, Format::Json) && (args.diff || source.path.is_none() || form == Form::Export) {
        return Err("--fix here prints a fixed template, a diff or the values to set, not a report: leave out \
                    --format json"
            .to_string());
    }
    match form {
        Form::Template => fix_template_file(args, source),
        Form::Export => list_export_fixes(args, source),
    }
}

fn fix_template_file(args: &CheckArgs, source: &Source) -> Result<ExitCode, String> {
    let before = read_servicenow(&source.text).map_err(|e| unreadable(source, Form::Template, e))?;
    let fixed = fix_template(&source.text, args.unsafe_fixes).map_err(|e| unreadable(source, Form::Template, e))?;
    let summary = Fixed { setup: fixed.imported.setup.clone(), fixed: fixed.fixed, report: fixed.report.clone() };
    if args.diff {
        let diff = unified_diff(source, &before.setup, &fixed.text, &fixed.imported.setup);
        let printed = write!(anstream::stdout().lock(), "{diff}");
        let _ = writeln!(io::stderr(), "{}", fixed_line(&summary, true));
        return Ok(exit_status(printed, &fixed.report));
    }
    let Some(path) = &source.path else {
        let printed = io::stdout().lock().write_all(fixed.text.as_bytes());
        let _ = writeln!(io::stderr(), "{}", fixed_line(&summary, false));
        return Ok(exit_status(printed, &fixed.report));
    };
    if fixed.text != source.text {
        std::fs::write(path, &fixed.text).map_err(|e| format!("cannot write {}: {e}", source.name))?;
    }
    let printed = match args.format {
        Format::Json => {
            let printed = print_json(&fixed.report);
            let _ = writeln!(io::stderr(), "{}", fixed_line(&summary, false));
            printed
        }
        Format::Human => print_report(&fixed.imported.setup, &fixed.report)
            .and_then(|()| writeln!(anstream::stdout().lock(), "{}", fixed_line(&summary, false))),
    };
    Ok(exit_status(printed, &fixed.report))
}

/// An export's fixes as the values to set in ServiceNow, record by record.
fn list_export_fixes(args: &CheckArgs, source: &Source) -> Result<ExitCode, String> {
    let imported = read_servicenow(&source.text).map_err(|e| unreadable(source, Form::Export, e))?;
    let fixed = apply_fixes(&imported.setup, &check(&imported.setup), args.unsafe_fixes);
    let changes = changed_values(&imported, &fixed);
    // What remains: the fixed values' findings and the records' own.
    let mut remaining = fixed.report.clone();
    for finding in imported.servicenow_findings() {
        remaining.push(finding);
    }
    let summary = Fixed { setup: fixed.setup.clone(), fixed: fixed.fixed, report: remaining.clone() };
    let mut out = anstream::stdout().lock();
    let printed = (|| -> io::Result<()> {
        if changes.is_empty() {
            writeln!(out, "Nothing to change in ServiceNow: no fix applies.")?;
        } else {
            writeln!(
                out,
                "{}An export is never rewritten: set these values in ServiceNow.{}",
                EMPHASIS.render(),
                EMPHASIS.render_reset()
            )?;
        }
        for (origin, value) in &changes {
            let value = if value.is_empty() { "(empty)".to_string() } else { visible(value) };
            writeln!(out, "  {}\n    set to {value}", for_terminal(origin))?;
        }
        Ok(())
    })();
    let _ = writeln!(io::stderr(), "{}", fixed_line(&summary, true));
    Ok(exit_status(printed, &remaining))
}

/// Each changed field's new value, by where it came from in the export.
fn changed_values(imported: &Imported, fixed: &Fixed) -> Vec<(String, String)> {
    Field::ALL
        .into_iter()
        .filter(|field| !field.is_secret() && imported.setup.get(*field) != fixed.setup.get(*field))
        .filter_map(|field| {
            let origin = imported.origin_of(field, None)?;
            Some((origin, fixed.setup.get(field).unwrap_or("").to_string()))
        })
        .collect()
}
