//! `ade20k`: converts the ADE20K scene-parsing dataset into training formats.

use std::process::ExitCode;

use ade20k_export::ExportError;
use clap::{Parser, Subcommand};

mod commands;
mod input;
mod progress;
mod table;

use commands::convert::ConvertArgs;
use commands::info::InfoArgs;
use commands::preview::PreviewArgs;
use commands::validate::ValidateArgs;

/// Exit code of a run stopped by bad data or a failed write.
const DATA_ERROR: u8 = 1;
/// Exit code of a run stopped by a wrong command line.
const USAGE_ERROR: u8 = 2;
/// Exit code of a `convert --skip-broken` that completed but left out broken
/// items: the output is whole but partial, which scripts should notice.
const SKIPPED: u8 = 3;

#[derive(Parser)]
#[command(
    name = "ade20k",
    version,
    about = "Read the ADE20K scene-parsing dataset and convert it to training formats",
    after_help = "Examples:
  ade20k convert -i ADE20K_2021_17_01 -f coco -o ade20k-coco
  ade20k convert -i tests/assets/ade20k2020 -f coco -o out/coco --parts exclude --media none
  ade20k info tests/assets/ade20k2020
  ade20k validate tests/assets/ade20k2020
  ade20k preview tests/assets/ade20k2020 urban/street/ADE_train_00000001 -o street.png
  ade20k detect ADE20K_2021_17_01/images
  ade20k formats"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Convert a dataset into another format.
    #[command(after_help = "Examples:
  ade20k convert -i ADE20K_2021_17_01 -f coco -o ade20k-coco
  ade20k convert -i data/ade -f coco -o out --amodal --segmentation polygon --overwrite
  ade20k convert -i data/ade -f coco -o out --label-name raw --parts exclude --media symlink
  ade20k convert -i data/ade -f coco -o out --labels instance100
  ade20k convert -i data/ade -f coco -o out --top-classes 100
  ade20k convert -i data/ade -f semantic -o out --labels sceneparsing150
  ade20k convert -i data/ade -f semantic -o out --parts-level 1
  ade20k convert -i data/ade -f coco_panoptic -o out --labels sceneparsing150
  ade20k convert -i data/ade -f yolo -o out --task detect
  ade20k convert -i data/ade -f coco -o out --items 'urban/**' --limit 100 --min-area 50
  ade20k convert -i data/ade -f coco -o out --include-labels sceneparsing150 --exclude-labels people.txt
  ade20k convert -i data/ade -f coco -o out --skip-broken

Exit codes: 0 converted, 1 data or write error (the output is left as it was),
2 usage error, 3 converted with --skip-broken but broken items were left out
(listed in skipped.txt in the output).")]
    Convert(Box<ConvertArgs>),
    /// Count what a dataset holds: items, objects, parts, classes, sizes, scenes.
    #[command(after_help = "Examples:
  ade20k info ADE20K_2021_17_01
  ade20k info data/ade --all --pixels
  ade20k info data/ade --top 50 --json > counts.json")]
    Info(InfoArgs),
    /// Check that a dataset's annotations, instance masks and class maps agree.
    #[command(
        after_help = "Each finding is an error (it breaks a conversion: a missing or unreadable file, a
part whose parent is not in the item) or a warning (an inconsistency of the source that
conversions tolerate; its message says which source they follow).

Exit codes: 0 no error (warnings allowed unless --strict), 1 errors (with --strict: any
finding; or a dataset that cannot be read), 2 usage error.

Examples:
  ade20k validate ADE20K_2021_17_01
  ade20k validate data/ade --strict
  ade20k validate data/ade --json > findings.json"
    )]
    Validate(ValidateArgs),
    /// Draw an item's masks, outlines and class names over its image, as a PNG.
    #[command(after_help = "Examples:
  ade20k preview data/ade urban/street/ADE_train_00016869 -o street.png
  ade20k preview data/ade urban/street/ADE_train_00016869 -o street.png --instances --level 1
  ade20k preview data/ade urban/street/ADE_train_00016869 -o check.png \\
      --coco out/coco/annotations/instances_training.json")]
    Preview(PreviewArgs),
    /// Say whether a folder is an ADE20K dataset, and where its subsets are.
    Detect {
        /// The folder to look at.
        path: std::path::PathBuf,
    },
    /// List the input and output formats.
    Formats,
}

fn main() -> ExitCode {
    // `-if` (as Datumaro spells it) is not a single-letter flag clap can parse.
    let args = std::env::args_os().map(|arg| {
        if arg == "-if" {
            "--input-format".into()
        } else {
            arg
        }
    });
    let cli = Cli::parse_from(args);
    let result = match cli.command {
        Command::Convert(args) => commands::convert::run(*args),
        Command::Info(args) => commands::info::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Preview(args) => commands::preview::run(args),
        Command::Detect { path } => commands::detect::run(&path),
        Command::Formats => {
            commands::formats::run();
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                eprintln!("error: {}", failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}

/// Why a command failed, and the exit code that says so.
struct Failure {
    /// What to print after `error: `; nothing when empty.
    message: String,
    code: u8,
}

impl Failure {
    /// A data error (exit 1) saying `message`.
    fn data(message: String) -> Self {
        Failure {
            message,
            code: DATA_ERROR,
        }
    }

    /// Exit with `code` and print nothing more: the command has said why.
    fn silent(code: u8) -> Self {
        Failure {
            message: String::new(),
            code,
        }
    }
}

impl From<ade20k_model::Error> for Failure {
    fn from(error: ade20k_model::Error) -> Self {
        Failure {
            message: error.to_string(),
            code: DATA_ERROR,
        }
    }
}

impl From<ExportError> for Failure {
    fn from(error: ExportError) -> Self {
        let code = match error {
            ExportError::Data(_) => DATA_ERROR,
            ExportError::Usage(_) => USAGE_ERROR,
            ExportError::NotTaken { .. } => return usage(error.in_flags()),
        };
        Failure {
            message: error.to_string(),
            code,
        }
    }
}

fn usage(message: String) -> Failure {
    Failure {
        message,
        code: USAGE_ERROR,
    }
}
