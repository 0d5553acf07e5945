//! Project automation for the ade20k workspace, run as `cargo xtask <command>`.

mod check;
mod classes;
mod files;
mod fixtures;
mod scene;
mod writer;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::files::PathError;

/// Project automation for the ade20k workspace.
#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes the synthetic test datasets under tests/assets, replacing the old ones.
    Fixtures {
        /// Compare freshly generated datasets with tests/assets instead of
        /// writing them; fail when any file is stale, missing or extra.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Fixtures { check: false } => write_fixtures(),
        Command::Fixtures { check: true } => check_fixtures(),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The folder the fixture datasets live in.
fn assets_folder() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).join("tests").join("assets")
}

fn write_fixtures() -> Result<ExitCode, PathError> {
    let assets = assets_folder();
    for fixture in fixtures::all() {
        let folder = assets.join(fixture.folder);
        files::remove_dir_if_present(&folder)?;
        fixture.write(&assets)?;
        let count = files::list_files(&folder)?.len();
        println!("wrote {count} files to {}", folder.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn check_fixtures() -> Result<ExitCode, PathError> {
    let assets = assets_folder();
    let scratch = tempfile::tempdir().map_err(|e| PathError::new(std::env::temp_dir(), e))?;
    let mut differences = Vec::new();
    for fixture in fixtures::all() {
        fixture.write(scratch.path())?;
        differences.extend(check::compare_trees(
            &assets.join(fixture.folder),
            &scratch.path().join(fixture.folder),
        )?);
    }
    if differences.is_empty() {
        println!("fixtures under {} are up to date", assets.display());
        return Ok(ExitCode::SUCCESS);
    }
    for difference in &differences {
        eprintln!("{difference}");
    }
    eprintln!(
        "{} fixture files differ from what `cargo xtask fixtures` writes",
        differences.len()
    );
    Ok(ExitCode::FAILURE)
}
