//! `ade20k info`: what a dataset holds, counted.

use std::path::PathBuf;

use ade20k_export::Manifest;
use ade20k_import::{dataset_stats_with_progress, DatasetStats, StatsOptions, SubsetStats};

use crate::input::{self, ImportFlags};
use crate::progress::{Progress, Verbosity};
use crate::table::{Align, Table};
use crate::Failure;

/// Ranked entries shown without `--top` or `--all`.
const DEFAULT_TOP: usize = 20;

#[derive(clap::Args)]
pub struct InfoArgs {
    /// The dataset folder (as `convert -i` takes it).
    dataset: PathBuf,
    /// Input format (also `-if`); detected when absent.
    #[arg(long = "input-format", value_enum)]
    input_format: Option<ade20k_import::InputFormat>,
    #[command(flatten)]
    import: ImportFlags,
    /// Show every class, scene and object–part pair.
    #[arg(long, conflicts_with = "top")]
    all: bool,
    /// Show the N classes, scenes and object–part pairs with the most instances.
    #[arg(long, value_name = "N")]
    top: Option<usize>,
    /// Also count the pixels of each class in the level-0 class maps (slower:
    /// decodes every `_seg.png`).
    #[arg(long)]
    pixels: bool,
    /// Print JSON (the schema is in docs/user-guide.md) instead of tables.
    #[arg(long)]
    json: bool,
}

/// Counts what the dataset holds and prints it. On an output folder of
/// `ade20k convert`, prints its manifest first; the counts follow only where
/// the output is itself a dataset (`ade20k2020`).
pub fn run(args: InfoArgs) -> Result<(), Failure> {
    if let Some(manifest) = Manifest::read(&args.dataset)? {
        let is_dataset = manifest.format == "ade20k2020";
        if args.json && !is_dataset {
            println!("{}", to_json(&manifest)?);
        } else if !args.json {
            print_manifest(&manifest);
        }
        if !is_dataset {
            return Ok(());
        }
        if !args.json {
            println!();
        }
    }
    let dataset = input::open(&args.dataset, args.input_format, &args.import.options(None))?;
    let options = StatsOptions {
        pixels: args.pixels,
    };
    let progress = Progress::start(Verbosity::Normal);
    let stats = dataset_stats_with_progress(&*dataset, &options, progress.phases().as_ref());
    progress.finish();
    let mut stats = stats?;
    if !args.all {
        stats.keep_top(args.top.unwrap_or(DEFAULT_TOP));
    }
    if args.json {
        println!("{}", to_json(&stats)?);
    } else {
        print_tables(&stats, args.pixels);
    }
    Ok(())
}

fn to_json(value: &impl serde::Serialize) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map_err(|e| Failure::data(format!("cannot write the counts as JSON: {e}")))
}

/// The manifest of an output folder, as lines of text.
fn print_manifest(manifest: &Manifest) {
    println!(
        "an output of ade20k {} in the {} format",
        manifest.version, manifest.format
    );
    if let Some(input) = &manifest.input {
        println!("  input: {}", input.display());
    }
    println!(
        "  written: {} items, {} annotations, {} broken items skipped",
        manifest.items, manifest.annotations, manifest.skipped
    );
    for (name, subset) in &manifest.subsets {
        println!(
            "    {name}: {} items, {} annotations",
            subset.items, subset.annotations
        );
    }
    println!(
        "  started {}, finished {}",
        manifest.started, manifest.finished
    );
    println!("  options: {}", manifest.options);
}

fn print_tables(stats: &DatasetStats, pixels: bool) {
    // A column per part level that has parts.
    let levels: Vec<u32> = stats.total.parts.keys().copied().collect();
    let mut columns = vec![
        ("subset", Align::Left),
        ("items", Align::Right),
        ("objects", Align::Right),
    ];
    let part_headers: Vec<String> = levels
        .iter()
        .map(|level| format!("parts L{level}"))
        .collect();
    columns.extend(
        part_headers
            .iter()
            .map(|header| (header.as_str(), Align::Right)),
    );
    columns.extend([("occluded", Align::Right), ("cropped", Align::Right)]);
    let mut table = Table::new(&columns);
    let row = |subset: &SubsetStats| {
        let mut cells = vec![
            subset.name.clone(),
            subset.items.to_string(),
            subset.objects.to_string(),
        ];
        cells.extend(
            levels
                .iter()
                .map(|level| subset.parts.get(level).copied().unwrap_or(0).to_string()),
        );
        cells.extend([subset.occluded.to_string(), subset.cropped.to_string()]);
        cells
    };
    for subset in &stats.subsets {
        table.row(row(subset));
    }
    table.row(row(&stats.total));
    print!("{table}");

    if let Some(size) = &stats.image_size {
        println!(
            "\nimage size: width {}–{}, height {}–{}",
            size.min_width, size.max_width, size.min_height, size.max_height
        );
    }

    println!(
        "\nclasses: {}{}",
        stats.class_count,
        shown(stats.classes.len(), stats.class_count)
    );
    let mut columns = vec![
        ("index", Align::Right),
        ("name", Align::Left),
        ("objects", Align::Right),
        ("parts", Align::Right),
    ];
    if pixels {
        columns.push(("pixels", Align::Right));
    }
    let mut table = Table::new(&columns);
    for class in &stats.classes {
        let mut cells = vec![
            class.index.to_string(),
            class.name.clone(),
            class.objects.to_string(),
            class.parts.to_string(),
        ];
        cells.extend(class.pixels.map(|count| count.to_string()));
        table.row(cells);
    }
    print!("{table}");

    println!(
        "\nscenes: {}{}",
        stats.scene_count,
        shown(stats.scenes.len(), stats.scene_count)
    );
    let mut table = Table::new(&[("items", Align::Right), ("scene", Align::Left)]);
    for scene in &stats.scenes {
        let name = if scene.scene.is_empty() {
            "(none)"
        } else {
            &scene.scene
        };
        table.row(vec![scene.items.to_string(), name.to_string()]);
    }
    print!("{table}");

    println!(
        "\nobject → part pairs: {}{}",
        stats.part_pair_count,
        shown(stats.part_pairs.len(), stats.part_pair_count)
    );
    let mut table = Table::new(&[
        ("parts", Align::Right),
        ("object", Align::Left),
        ("part", Align::Left),
    ]);
    for pair in &stats.part_pairs {
        table.row(vec![
            pair.count.to_string(),
            pair.object.clone(),
            pair.part.clone(),
        ]);
    }
    print!("{table}");
}

/// `" (top 20 shown; --all for every one)"` when a list was shortened.
fn shown(shown: usize, count: usize) -> String {
    if shown < count {
        format!(" (top {shown} shown; --all for every one)")
    } else {
        String::new()
    }
}
