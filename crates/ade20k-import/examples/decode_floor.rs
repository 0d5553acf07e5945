//! The decode floor of an ADE20K 2020 dataset: reads and decodes every mask
//! PNG a conversion has to decode, with the importer's own decoders, and
//! nothing else.
//!
//! For every item (a `<name>.json` beside a `<name>_seg.png`) it decodes the
//! class map `<name>_seg.png`, every `<name>_parts_N.png`, and every instance
//! mask the JSON lists. No conversion can take less time than this on the same
//! threads, so a conversion's time divided by the floor's tells how much it
//! adds to the decoding it cannot avoid.
//!
//! ```text
//! cargo run --release -p ade20k-import --example decode_floor -- DATASET [--threads N]
//! ```
//!
//! Prints one line: `images N pngs N seconds S`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use ade20k_import::{decode, DEFAULT_MAX_PIXELS};
use rayon::prelude::*;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut dataset = None;
    let mut threads = 0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" => {
                let value = args.next().ok_or("--threads needs a number")?;
                threads = value
                    .parse()
                    .map_err(|_| format!("--threads: not a number: {value}"))?;
            }
            "-h" | "--help" => {
                println!("usage: decode_floor DATASET [--threads N]");
                return Ok(());
            }
            _ if dataset.is_none() => dataset = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    let dataset = dataset.ok_or("usage: decode_floor DATASET [--threads N]")?;
    // 0 threads lets rayon take one per core.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| e.to_string())?;

    let start = Instant::now();
    let mut annotations = Vec::new();
    find_items(&dataset, &mut annotations)?;
    annotations.sort();
    let pngs = pool.install(|| {
        annotations
            .par_iter()
            .map(|json| decode_item(json))
            .try_reduce(|| 0, |a, b| Ok(a + b))
    })?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "images {} pngs {pngs} seconds {seconds:.3}",
        annotations.len()
    );
    Ok(())
}

/// Collects the annotation files under `folder`: every `<name>.json` that has
/// a `<name>_seg.png` beside it.
fn find_items(folder: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("{}: {e}", folder.display()))?
            .path();
        if path.is_dir() {
            find_items(&path, found)?;
        } else if path.extension().is_some_and(|ext| ext == "json")
            && sibling(&path, "_seg.png").is_file()
        {
            found.push(path);
        }
    }
    Ok(())
}

/// `<folder>/<name><suffix>` for the annotation `<folder>/<name>.json`.
fn sibling(json: &Path, suffix: &str) -> PathBuf {
    let stem = json.file_stem().unwrap_or_default().to_string_lossy();
    json.with_file_name(format!("{stem}{suffix}"))
}

/// Reads the annotation of one item and decodes all its masks; returns how
/// many PNGs it decoded.
fn decode_item(json: &Path) -> Result<usize, String> {
    let read = |path: &Path| std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()));
    let annotation =
        decode::annotation(&read(json)?).map_err(|e| format!("{}: {e}", json.display()))?;
    let mut pngs = 0;
    let mut class_map = |path: &Path| -> Result<(), String> {
        decode::class_map(&read(path)?, DEFAULT_MAX_PIXELS)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        pngs += 1;
        Ok(())
    };
    class_map(&sibling(json, "_seg.png"))?;
    for level in 1.. {
        let parts = sibling(json, &format!("_parts_{level}.png"));
        if !parts.is_file() {
            break;
        }
        class_map(&parts)?;
    }
    let folder = json.parent().unwrap_or(Path::new("."));
    for object in &annotation.objects {
        if object.instance_mask.is_empty() {
            continue;
        }
        let path = folder.join(&object.instance_mask);
        decode::instance_mask(&read(&path)?, DEFAULT_MAX_PIXELS)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        pngs += 1;
    }
    Ok(pngs)
}
