//! `ade20k formats`: what the command reads and writes.

use ade20k_export::FORMATS;
use ade20k_import::InputFormat;
use clap::ValueEnum;

/// Prints the input and output formats, one per line with a description.
pub fn run() {
    println!("input formats:");
    for input in InputFormat::value_variants() {
        if let Some(value) = input.to_possible_value() {
            println!(
                "  {:<14} {}",
                value.get_name(),
                value.get_help().unwrap_or_default()
            );
        }
    }
    println!("output formats:");
    for format in FORMATS {
        println!("  {:<14} {}", format.name, format.description);
    }
}
