//! `ade20k`: converts the ADE20K scene-parsing dataset into training formats.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use ade20k_export::{
    export, find_format, ExportError, ExportOptions, LabelList, LabelNaming, LabelSelection,
    MediaMode, PartsMode, SegmentationMode, YoloTask, FORMATS,
};
use ade20k_import::{detect, Ade20kDataset, ImportOptions};
use ade20k_model::{ItemSource, MaskKind};
use clap::{Parser, Subcommand, ValueEnum};

mod paths;

/// Exit code of a run stopped by bad data or a failed write.
const DATA_ERROR: u8 = 1;
/// Exit code of a run stopped by a wrong command line.
const USAGE_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "ade20k",
    version,
    about = "Read the ADE20K scene-parsing dataset and convert it to training formats",
    after_help = "Examples:
  ade20k convert -i ADE20K_2021_17_01 -f coco -o ade20k-coco
  ade20k convert -i tests/assets/ade20k2020 -f coco -o out/coco --parts exclude --media none
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
  ade20k convert -i data/ade -f coco -o out --labels sceneparsing150
  ade20k convert -i data/ade -f coco -o out --top-classes 100
  ade20k convert -i data/ade -f semantic -o out --labels sceneparsing150
  ade20k convert -i data/ade -f semantic -o out --parts-level 1
  ade20k convert -i data/ade -f coco_panoptic -o out --labels sceneparsing150
  ade20k convert -i data/ade -f yolo -o out --task detect")]
    Convert(ConvertArgs),
    /// Say whether a folder is an ADE20K dataset, and where its subsets are.
    Detect {
        /// The folder to look at.
        path: PathBuf,
    },
    /// List the input and output formats.
    Formats,
}

#[derive(clap::Args)]
struct ConvertArgs {
    /// The dataset folder: the release root, `images/`, `images/ADE`, or a folder of subsets.
    #[arg(short, long)]
    input: PathBuf,
    /// Input format (also `-if`); detected when absent.
    #[arg(long = "input-format", value_enum)]
    input_format: Option<InputFormat>,
    /// Output format (see `ade20k formats`).
    #[arg(short, long)]
    format: String,
    /// Output folder; must be empty or absent unless --overwrite is given.
    #[arg(short, long)]
    output: PathBuf,
    /// Replace a non-empty output folder (only once the new output is complete).
    #[arg(long)]
    overwrite: bool,
    /// Whether parts become annotations of their own.
    #[arg(long, value_enum, default_value_t = Parts::Include)]
    parts: Parts,
    /// Part level whose class map per-pixel formats (semantic) write:
    /// 0 for whole objects, N for the parts of level N.
    #[arg(long = "parts-level", value_name = "N", default_value_t = 0)]
    parts_level: u32,
    /// Use the amodal mask (visible and hidden pixels) instead of the visible one.
    #[arg(long)]
    amodal: bool,
    /// How instance shapes are written.
    #[arg(long, value_enum, default_value_t = Segmentation::Rle)]
    segmentation: Segmentation,
    /// How categories are named.
    #[arg(long = "label-name", value_enum, default_value_t = LabelName::Canonical)]
    label_name: LabelName,
    /// How images reach the output.
    #[arg(long, value_enum, default_value_t = Media::Hardlink)]
    media: Media,
    /// Keep only these classes, in this order: a file with one class index or
    /// WordNet name per line (`a = b` merges class b into a), or
    /// `sceneparsing150` for the 150 SceneParsing benchmark classes.
    #[arg(
        long,
        value_name = "FILE|sceneparsing150",
        conflicts_with = "top_classes"
    )]
    labels: Option<PathBuf>,
    /// Keep only the K classes covering the most pixels.
    #[arg(long, value_name = "K")]
    top_classes: Option<usize>,
    /// Classes that are stuff, not things (coco_panoptic, cityscapes): a file in the
    /// --labels syntax; with a label selection it names the selected labels.
    #[arg(long, value_name = "FILE")]
    stuff: Option<PathBuf>,
    /// What yolo labels hold: a polygon or a box per object.
    #[arg(long, value_enum, default_value_t = Task::Segment)]
    task: Task,
    /// Only these subsets (comma-separated).
    #[arg(long, value_delimiter = ',')]
    subsets: Option<Vec<String>>,
    /// Worker threads; all cores when absent. The output does not depend on it.
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(Clone, Copy, ValueEnum)]
enum InputFormat {
    /// ADE20K 2020/2021 (`<name>.json` + `_seg.png` + instance masks).
    Ade20k2020,
}

#[derive(Clone, Copy, ValueEnum)]
enum Parts {
    /// Objects and their parts of every level.
    Include,
    /// Whole objects only.
    Exclude,
}

#[derive(Clone, Copy, ValueEnum)]
enum Segmentation {
    /// Compressed RLE of the mask: pixel-exact.
    Rle,
    /// Polygons traced along the mask's pixel borders.
    Polygon,
    /// The polygon the annotator drew.
    SourcePolygon,
}

#[derive(Clone, Copy, ValueEnum)]
enum Task {
    /// Instance segmentation: `class x1 y1 x2 y2 …`.
    Segment,
    /// Detection: `class cx cy w h`.
    Detect,
}

#[derive(Clone, Copy, ValueEnum)]
enum LabelName {
    /// WordNet first synonym (`car`), full name where two classes share it.
    Canonical,
    /// Full WordNet name (`car, auto, automobile, machine, motorcar`).
    Full,
    /// The annotator's word, as Datumaro labels.
    Raw,
}

#[derive(Clone, Copy, ValueEnum)]
enum Media {
    /// Hard links, copies across file systems.
    Hardlink,
    /// Copies.
    Copy,
    /// Symbolic links to the source images.
    Symlink,
    /// No images.
    None,
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
        Command::Convert(args) => convert(args),
        Command::Detect { path } => detect_command(&path),
        Command::Formats => {
            list_formats();
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// Why a command failed, and the exit code that says so.
struct Failure {
    message: String,
    code: u8,
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

fn convert(args: ConvertArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let format = find_format(&args.format).ok_or_else(|| {
        let names: Vec<&str> = FORMATS.iter().map(|format| format.name).collect();
        usage(format!(
            "unknown output format '{}'; choose one of: {}",
            args.format,
            names.join(", ")
        ))
    })?;
    paths::check_separate(&args.input, &args.output).map_err(usage)?;
    if let Some(threads) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global()
            .map_err(|e| usage(format!("cannot start {threads} threads: {e}")))?;
    }
    let import_options = ImportOptions {
        subsets: args.subsets.clone(),
        ..ImportOptions::default()
    };
    let dataset = Ade20kDataset::open_with(&args.input, &import_options)?;
    let labels = match (&args.labels, args.top_classes) {
        (Some(path), _) if path.as_os_str() == "sceneparsing150" => {
            LabelSelection::List(LabelList::scene_parsing_150())
        }
        (Some(path), _) => LabelSelection::List(LabelList::read(path)?),
        (None, Some(0)) => return Err(usage("--top-classes must be at least 1".into())),
        (None, Some(k)) => LabelSelection::TopClasses(k),
        (None, None) => LabelSelection::All,
    };
    let stuff = args.stuff.as_deref().map(LabelList::read).transpose()?;
    let options = ExportOptions {
        labels,
        stuff,
        parts: match args.parts {
            Parts::Include => PartsMode::Include,
            Parts::Exclude => PartsMode::Exclude,
        },
        mask_kind: if args.amodal {
            MaskKind::Amodal
        } else {
            MaskKind::Visible
        },
        segmentation: match args.segmentation {
            Segmentation::Rle => SegmentationMode::Rle,
            Segmentation::Polygon => SegmentationMode::Polygon,
            Segmentation::SourcePolygon => SegmentationMode::SourcePolygon,
        },
        label_naming: match args.label_name {
            LabelName::Canonical => LabelNaming::Canonical,
            LabelName::Full => LabelNaming::Full,
            LabelName::Raw => LabelNaming::Raw,
        },
        media: match args.media {
            Media::Hardlink => MediaMode::Hardlink,
            Media::Copy => MediaMode::Copy,
            Media::Symlink => MediaMode::Symlink,
            Media::None => MediaMode::None,
        },
        part_level: args.parts_level,
        yolo_task: match args.task {
            Task::Segment => YoloTask::Segment,
            Task::Detect => YoloTask::Detect,
        },
        destination: None,
    };
    let summary = export(&dataset, format, &args.output, &options, args.overwrite)?;
    println!(
        "converted {} items to {} in {}: {} annotations in {:.2} s",
        summary.items(),
        format.name,
        args.output.display(),
        summary.annotations(),
        started.elapsed().as_secs_f64()
    );
    print!("{summary}");
    Ok(())
}

fn detect_command(path: &Path) -> Result<(), Failure> {
    let layout = detect(path)?;
    let dataset = Ade20kDataset::open(path)?;
    println!("ade20k2020 dataset");
    println!("  subsets in: {}", layout.subset_root.display());
    for subset in dataset.subsets() {
        let items = (0..dataset.len())
            .filter(|&index| dataset.subset_of(index) == subset)
            .count();
        println!("  {subset}: {items} items");
    }
    Ok(())
}

fn list_formats() {
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
