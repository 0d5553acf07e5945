//! `ade20k validate`: whether a dataset agrees with itself.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ade20k_import::{validate, Finding, FindingKind};
use serde::Serialize;

use crate::input::{self, ImportFlags, InputFormat};
use crate::table::{Align, Table};
use crate::{Failure, DATA_ERROR};

#[derive(clap::Args)]
pub struct ValidateArgs {
    /// The dataset folder (as `convert -i` takes it).
    dataset: PathBuf,
    /// Input format (also `-if`); detected when absent.
    #[arg(long = "input-format", value_enum)]
    input_format: Option<InputFormat>,
    #[command(flatten)]
    import: ImportFlags,
    /// Print JSON (the schema is in docs/user-guide.md) instead of text.
    #[arg(long)]
    json: bool,
}

/// The JSON report.
#[derive(Serialize)]
struct JsonReport<'a> {
    items: usize,
    clean: bool,
    counts: BTreeMap<FindingKind, usize>,
    findings: &'a [Finding],
}

/// Checks the dataset and prints what it found; fails (exit 1) when it found anything.
pub fn run(args: ValidateArgs) -> Result<(), Failure> {
    let dataset = input::open(&args.dataset, args.input_format, &args.import.options(None))?;
    let report = validate(&*dataset);
    let counts = report.counts();
    if args.json {
        let json = serde_json::to_string_pretty(&JsonReport {
            items: report.items,
            clean: report.is_clean(),
            counts: counts.clone(),
            findings: &report.findings,
        })
        .map_err(|e| Failure::data(format!("cannot write the report as JSON: {e}")))?;
        println!("{json}");
    } else {
        for finding in &report.findings {
            println!("{finding}");
        }
        if report.is_clean() {
            println!("{} items checked: no finding", report.items);
        } else {
            println!(
                "{} items checked: {} findings",
                report.items,
                report.findings.len()
            );
            let mut table = Table::new(&[("kind", Align::Left), ("findings", Align::Right)]);
            for (kind, count) in &counts {
                table.row(vec![kind.to_string(), count.to_string()]);
            }
            print!("{table}");
        }
    }
    if report.is_clean() {
        Ok(())
    } else {
        Err(Failure::silent(DATA_ERROR))
    }
}
