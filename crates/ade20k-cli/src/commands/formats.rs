//! `ade20k formats`: what the command reads and writes.

use ade20k_export::FORMATS;
use ade20k_import::InputFormat;
use clap::ValueEnum;

/// Prints the input and output formats, one per line with a description.
pub fn run() {
    // One column of names, as wide as the longest.
    let width = FORMATS
        .iter()
        .map(|format| format.name.len())
        .chain(
            InputFormat::value_variants()
                .iter()
                .filter_map(|input| Some(input.to_possible_value()?.get_name().len())),
        )
        .max()
        .unwrap_or_default();
    println!("input formats:");
    for input in InputFormat::value_variants() {
        if let Some(value) = input.to_possible_value() {
            println!(
                "  {:<width$} {}",
                value.get_name(),
                value.get_help().unwrap_or_default()
            );
        }
    }
    println!("output formats:");
    for format in FORMATS {
        println!("  {:<width$} {}", format.name, format.description);
    }
}
