//! `ade20k validate`: whether a dataset agrees with itself.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ade20k_import::{validate_with_progress, Finding, FindingKind, Severity};
use serde::Serialize;

use crate::input::{self, ImportFlags};
use crate::progress::{Progress, Verbosity};
use crate::table::{Align, Table};
use crate::{Failure, DATA_ERROR};

#[derive(clap::Args)]
pub struct ValidateArgs {
    /// The dataset folder (as `convert -i` takes it).
    dataset: PathBuf,
    /// Input format (also `-if`); detected when absent.
    #[arg(long = "input-format", value_enum)]
    input_format: Option<ade20k_import::InputFormat>,
    #[command(flatten)]
    import: ImportFlags,
    /// Fail (exit 1) on warnings too, not only on errors.
    #[arg(long)]
    strict: bool,
    /// Print JSON (the schema is in docs/user-guide.md) instead of text.
    #[arg(long)]
    json: bool,
}

/// The JSON report.
#[derive(Serialize)]
struct JsonReport<'a> {
    items: usize,
    clean: bool,
    errors: usize,
    warnings: usize,
    counts: BTreeMap<FindingKind, usize>,
    findings: &'a [Finding],
}

/// Checks the dataset and prints what it found, errors first; fails (exit 1)
/// when it found an error, or any finding with `--strict`.
pub fn run(args: ValidateArgs) -> Result<(), Failure> {
    let dataset = input::open(&args.dataset, args.input_format, &args.import.options(None))?;
    let progress = Progress::start(Verbosity::Normal);
    let report = validate_with_progress(&*dataset, progress.phases().as_ref());
    progress.finish();
    let counts = report.counts();
    let errors = report.count_of(Severity::Error);
    let warnings = report.count_of(Severity::Warning);
    if args.json {
        let json = serde_json::to_string_pretty(&JsonReport {
            items: report.items,
            clean: report.is_clean(),
            errors,
            warnings,
            counts: counts.clone(),
            findings: &report.findings,
        })
        .map_err(|e| Failure::data(format!("cannot write the report as JSON: {e}")))?;
        println!("{json}");
    } else {
        for severity in [Severity::Error, Severity::Warning] {
            for finding in report.findings.iter().filter(|f| f.severity == severity) {
                println!("{finding}");
            }
        }
        if report.is_clean() {
            println!("{} items checked: no finding", report.items);
        } else {
            println!(
                "{} items checked: {errors} {}, {warnings} {}",
                report.items,
                plural(errors, "error"),
                plural(warnings, "warning"),
            );
            let mut table = Table::new(&[
                ("kind", Align::Left),
                ("severity", Align::Left),
                ("findings", Align::Right),
            ]);
            let mut by_severity: Vec<_> = counts.iter().collect();
            by_severity.sort_by_key(|(kind, _)| kind.severity());
            for (kind, count) in by_severity {
                table.row(vec![
                    kind.to_string(),
                    kind.severity().to_string(),
                    count.to_string(),
                ]);
            }
            print!("{table}");
        }
    }
    if report.fails(args.strict) {
        Err(Failure::silent(DATA_ERROR))
    } else {
        Ok(())
    }
}

/// `word`, or `word` + `s` unless `count` is 1.
fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
