//! Project automation for the ade20k workspace, run as `cargo xtask <command>`.

mod bench;
mod bench_data;
mod broken;
mod check;
mod classes;
mod files;
mod fixtures;
mod random;
mod scene;
mod standard_png;
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
    /// Writes a synthetic dataset of the size and shape of the ADE20K 2020
    /// release (full-size images, about 50 objects and 20 parts each), for benchmarks.
    BenchData {
        /// How many images to generate; one in ten goes to `validation`.
        #[arg(long)]
        images: usize,
        /// Folder to write the subsets into; it must be missing or empty.
        #[arg(long)]
        out: PathBuf,
        /// Seed of the pseudo-random choices: a seed always gives the same dataset.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    Bench(bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Fixtures { check: false } => write_fixtures(),
        Command::Fixtures { check: true } => check_fixtures(),
        Command::BenchData { .. } if cfg!(debug_assertions) => run_optimised(),
        Command::Bench(args) => bench::run(args),
        Command::BenchData { images, out, seed } => {
            bench_data::write(images, &out, seed).map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs this command again from the release build of xtask, building it first
/// if needed. Full-size benchmark data takes several times longer to write in
/// the dev profile, where the PNG and JPEG encoders keep their overflow checks.
fn run_optimised() -> Result<ExitCode, PathError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    eprintln!("running the release build of xtask");
    let status = std::process::Command::new(cargo)
        .args(["run", "--quiet", "--release", "--manifest-path"])
        .arg(&manifest)
        .arg("--")
        .args(std::env::args_os().skip(1))
        .status()
        .map_err(|e| PathError::new(&manifest, e))?;
    Ok(
        match status.code().and_then(|code| u8::try_from(code).ok()) {
            Some(code) => ExitCode::from(code),
            None => ExitCode::FAILURE,
        },
    )
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
