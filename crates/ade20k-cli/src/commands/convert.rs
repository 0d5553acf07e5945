//! `ade20k convert`: a dataset into another format.

use std::path::PathBuf;
use std::time::Instant;

use ade20k_export::{
    export_to, find_format, ExportOptions, IdPatterns, ItemFilter, LabelList, LabelNaming,
    LabelSelection, MaxShortSide, MediaMode, OutputTarget, PartsMode, SegmentationMode,
    SimplifyTolerance, YoloTask, FORMATS,
};
use ade20k_model::MaskKind;

use crate::input::{self, ImportFlags};
use crate::progress::{Progress, Verbosity};
use crate::{usage, Failure, SKIPPED};

#[derive(clap::Args)]
pub struct ConvertArgs {
    /// The dataset folder: the release root, `images/`, `images/ADE`, or a folder of subsets.
    #[arg(short, long)]
    input: PathBuf,
    /// Input format (also `-if`); detected when absent.
    #[arg(long = "input-format", value_enum)]
    input_format: Option<ade20k_import::InputFormat>,
    #[command(flatten)]
    import: ImportFlags,
    /// Output format (see `ade20k formats`).
    #[arg(short, long)]
    format: String,
    /// Output folder: absent, empty, or a previous output of ade20k (with
    /// --overwrite). A folder the tool did not write is never replaced.
    #[arg(short, long)]
    output: PathBuf,
    /// Replace a previous output (a folder holding .ade20k-output.json), only
    /// once the new output is complete.
    #[arg(long)]
    overwrite: bool,
    /// Leave out broken items (annotation or masks unreadable or inconsistent,
    /// image missing) instead of stopping at the first: each is listed with
    /// its reason in the summary and in skipped.txt in the output, one line
    /// per item: `<subset>/<item id>`, a tab, `<file>: <problem>`, with a
    /// backslash written `\\`, a tab `\t`, a line feed `\n`, a carriage
    /// return `\r`, other control characters and line separators
    /// `\u{<hex>}`. Exits with 3 when anything was skipped. Errors writing
    /// the output still stop the run.
    #[arg(long = "skip-broken")]
    skip_broken: bool,
    /// Whether parts become annotations of their own.
    #[arg(long, value_enum, default_value_t = PartsMode::Include)]
    parts: PartsMode,
    /// Part level whose class map per-pixel formats (semantic) write:
    /// 0 for whole objects, N for the parts of level N.
    #[arg(long = "parts-level", value_name = "N", default_value_t = 0)]
    parts_level: u32,
    /// Use the amodal mask (visible and hidden pixels) instead of the visible one.
    #[arg(long)]
    amodal: bool,
    /// How instance shapes are written.
    #[arg(long, value_enum, default_value_t = SegmentationMode::Rle)]
    segmentation: SegmentationMode,
    /// How categories are named.
    #[arg(long = "label-name", value_enum, default_value_t = LabelNaming::Canonical)]
    label_name: LabelNaming,
    /// How images reach the output. A photo that is a symbolic link is
    /// placed as the file it leads to.
    #[arg(long, value_enum, default_value_t = MediaMode::Copy)]
    media: MediaMode,
    /// Keep only these classes, in this order: a file with one class index or
    /// WordNet name per line (`a = b` merges class b into a; a class the
    /// dataset lacks is refused), or a benchmark's official table:
    /// `sceneparsing150` (150 SceneParsing classes), `instance100` (100
    /// instance segmentation classes).
    #[arg(long, value_name = "FILE|PRESET", conflicts_with = "top_classes")]
    labels: Option<PathBuf>,
    /// Keep only the K classes covering the most pixels.
    #[arg(long, value_name = "K")]
    top_classes: Option<usize>,
    /// Classes that are stuff, not things (coco_panoptic, cityscapes, kitti): a file in the
    /// --labels syntax; with a label selection it names the selected labels.
    #[arg(long, value_name = "FILE")]
    stuff: Option<PathBuf>,
    /// What yolo labels hold: a polygon or a box per object.
    #[arg(long, value_enum, default_value_t = YoloTask::Segment)]
    task: YoloTask,
    /// How far, in pixels, a yolo polygon may stray from the exact outline of
    /// its mask (Douglas–Peucker); 0 writes the exact outline.
    #[arg(long, value_name = "PIXELS", default_value_t = SimplifyTolerance::DEFAULT,
          value_parser = parse_tolerance)]
    simplify: SimplifyTolerance,
    /// Largest shard file of parquet and webdataset, in bytes, or with a
    /// suffix kB, MB or GB (powers of 1000); 500MB when absent. A shard is
    /// larger only when one item alone is.
    #[arg(long = "shard-size", value_name = "SIZE", value_parser = parse_size)]
    shard_size: Option<u64>,
    /// Scale images whose shorter side exceeds N pixels so that it is N (the
    /// longer side rounded), masks by nearest neighbour, every box, area and
    /// polygon from the scaled masks, photos encoded again (JPEG quality
    /// 90), so they cannot be links; `off` keeps the size; `benchmark` is
    /// 512 with square images kept, as the SceneParsing benchmark's converter
    /// leaves them. Default: benchmark for ade20k_challenge, off for the
    /// others; ade20k2020 refuses it.
    #[arg(long = "max-short-side", value_name = "N|off|benchmark")]
    max_short_side: Option<MaxShortSide>,
    /// Only these subsets (comma-separated).
    #[arg(long, value_delimiter = ',')]
    subsets: Option<Vec<String>>,
    /// Only the items whose id matches this glob (`*` within a folder, `**`
    /// across folders, e.g. `urban/**`); repeat for several.
    #[arg(long = "items", value_name = "GLOB")]
    items: Vec<String>,
    /// Only the first N items (after --subsets and --items): a quick trial.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Leave out objects and parts with fewer visible pixels (counted in the summary).
    #[arg(long = "min-area", value_name = "PIXELS", default_value_t = 0)]
    min_area: u64,
    /// Keep only objects of these classes, with their own class index and name:
    /// a file in the --labels syntax (without `=`) or a preset of --labels.
    #[arg(long = "include-labels", value_name = "FILE|PRESET")]
    include_labels: Option<PathBuf>,
    /// Leave out objects of these classes: a file in the --labels syntax
    /// (without `=`) or a preset of --labels.
    #[arg(long = "exclude-labels", value_name = "FILE|PRESET")]
    exclude_labels: Option<PathBuf>,
    /// Print nothing but errors and warnings (no progress bar, no summary).
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// Print a line per item written.
    #[arg(short, long)]
    verbose: bool,
    /// Worker threads; all cores when absent. At most 4 per core: a larger
    /// number is lowered to that, with a warning, since each thread costs
    /// time to start and memory for the items it prepares. The output does
    /// not depend on it.
    #[arg(long)]
    threads: Option<usize>,
}

/// Converts the dataset `args` name into the format it names.
pub fn run(args: ConvertArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let format = find_format(&args.format).ok_or_else(|| {
        let names: Vec<&str> = FORMATS.iter().map(|format| format.name).collect();
        usage(format!(
            "unknown output format '{}'; choose one of: {}",
            args.format,
            names.join(", ")
        ))
    })?;
    let target = OutputTarget::resolve(&args.output)?.apart_from(&args.input)?;
    if let Some(requested) = args.threads {
        let threads = worker_threads(requested);
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|e| usage(format!("cannot start {threads} threads: {e}")))?;
    }
    let import_options = args.import.options(args.subsets.clone());
    let dataset = input::open(&args.input, args.input_format, &import_options)?;
    let labels = match (&args.labels, args.top_classes) {
        (Some(path), _) => LabelSelection::List(LabelList::read_or_preset(path)?),
        (None, Some(0)) => return Err(usage("--top-classes must be at least 1".into())),
        (None, Some(k)) => LabelSelection::TopClasses(k),
        (None, None) => LabelSelection::All,
    };
    let stuff = args.stuff.as_deref().map(LabelList::read).transpose()?;
    let items = if args.items.is_empty() {
        None
    } else {
        Some(IdPatterns::new(args.items.iter().cloned()).map_err(usage)?)
    };
    let mut filter = ItemFilter::default();
    filter.items = items;
    filter.limit = args.limit;
    filter.min_area = args.min_area;
    filter.include = args
        .include_labels
        .as_deref()
        .map(LabelList::read_or_preset)
        .transpose()?;
    filter.exclude = args
        .exclude_labels
        .as_deref()
        .map(LabelList::read_or_preset)
        .transpose()?;
    let verbosity = match (args.quiet, args.verbose) {
        (true, _) => Verbosity::Quiet,
        (false, true) => Verbosity::PerItem,
        (false, false) => Verbosity::Normal,
    };
    let progress = Progress::start(verbosity);
    let options = ExportOptions {
        labels,
        stuff,
        parts: args.parts,
        mask_kind: if args.amodal {
            MaskKind::Amodal
        } else {
            MaskKind::Visible
        },
        segmentation: args.segmentation,
        label_naming: args.label_name,
        media: args.media,
        part_level: args.parts_level,
        yolo_task: args.task,
        yolo_simplify: args.simplify,
        shard_bytes: args.shard_size,
        destination: None,
        filter,
        progress: progress.hook(),
        phases: progress.phases(),
        skip_broken: args.skip_broken,
        max_short_side: args.max_short_side.unwrap_or_default(),
    };
    let result = export_to(&*dataset, format, &target, &options, args.overwrite);
    progress.finish();
    let summary = result?;
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    let outcome = if summary.skipped.is_empty() {
        Ok(())
    } else {
        Err(Failure::silent(SKIPPED))
    };
    if verbosity == Verbosity::Quiet {
        return outcome;
    }
    println!(
        "converted {} items to {} in {}: {} annotations in {:.2} s",
        summary.items(),
        format.name,
        args.output.display(),
        summary.annotations(),
        started.elapsed().as_secs_f64()
    );
    print!("{summary}");
    outcome
}

/// A `--shard-size` value: bytes, or kB, MB, GB (powers of 1000), at least 1.
fn parse_size(text: &str) -> Result<u64, String> {
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let scale: u64 = match unit {
        "" => 1,
        "kB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        _ => return Err(format!("`{text}` is not a size: use bytes or kB, MB, GB")),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|&bytes| bytes > 0)
        .ok_or_else(|| format!("`{text}` is not a size of at least one byte"))
}

/// A `--simplify` value: a number of pixels, not negative.
fn parse_tolerance(text: &str) -> Result<SimplifyTolerance, String> {
    text.parse()
        .ok()
        .and_then(SimplifyTolerance::pixels)
        .ok_or_else(|| format!("`{text}` is not a number of pixels (0 or more)"))
}

/// Most worker threads per core that `--threads` may start: beyond a few per
/// core, more threads only cost time to start them (most of a minute for
/// 10,000) and memory for the items each prepares.
const MAX_THREADS_PER_CORE: usize = 4;

/// The number of worker threads for `--threads requested`: at least 1, at most
/// [`MAX_THREADS_PER_CORE`] per core, with a warning on stderr when lowered.
fn worker_threads(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let most = cores * MAX_THREADS_PER_CORE;
    if requested > most {
        eprintln!(
            "warning: --threads {requested} is more than {MAX_THREADS_PER_CORE} per core \
             ({cores} cores): using {most} threads"
        );
        most
    } else {
        requested.max(1)
    }
}
