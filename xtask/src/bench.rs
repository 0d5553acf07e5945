//! `cargo xtask bench`: conversion throughput against the decode floor.
//!
//! Generates (or reuses) a `bench-data` dataset, builds `ade20k` and the
//! `decode_floor` example in release, then runs the floor and one conversion
//! per format (photos placed as `--media` says, default none), each `--runs`
//! times under `/usr/bin/time -v`, and prints a Markdown table of the median
//! run: images per second, wall time, CPU per wall second, peak RSS and the
//! ratio to the floor's median wall time, with
//! the machine and its load average. It also checks that every format's
//! output on a small subset is the same bytes with `--threads 1` as with all
//! cores, and with `--datumaro K` compares the time per image with
//! Datumaro's on the first K images.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use clap::Args;

use crate::check;
use crate::files::{self, PathError};

/// Every output format, in the order of the table.
const FORMATS: [&str; 11] = [
    "coco",
    "coco_panoptic",
    "voc",
    "cityscapes",
    "semantic",
    "yolo",
    "datumaro",
    "ade20k2020",
    "ade20k_challenge",
    "parquet",
    "webdataset",
];

/// The manifest every output carries (`ade20k_export::MANIFEST_FILE`).
const MANIFEST_FILE: &str = ".ade20k-output.json";

/// How many images the `--threads 1` byte-identity check converts per format.
const IDENTITY_IMAGES: usize = 20;

/// The Datumaro release compared against.
const DATUMARO: &str = "datumaro==1.13.12";

/// Times every conversion of a synthetic dataset against the decode floor
/// (reading and decoding every mask PNG), as a Markdown table.
#[derive(Args)]
pub struct BenchArgs {
    /// How many images the generated dataset has.
    #[arg(long)]
    images: usize,
    /// Dataset folder: reused when it holds files, else generated into.
    /// Default: `target/bench/data-<images>`.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Only these formats (comma-separated); default all.
    #[arg(long, value_delimiter = ',')]
    formats: Option<Vec<String>>,
    /// How the conversions place the photos: `--media` of `ade20k convert`
    /// (`none`, `copy`, `hardlink`, `symlink`).
    #[arg(long, default_value = "none")]
    media: String,
    /// Convert with `--skip-broken`, as long runs over real data do.
    #[arg(long = "skip-broken")]
    skip_broken: bool,
    /// How many times each command runs; the table shows the median run.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Also convert the first K images to COCO with Datumaro (installed on
    /// demand in target/bench/venv) and with ade20k, and compare.
    #[arg(long, value_name = "K")]
    datumaro: Option<usize>,
}

/// What `/usr/bin/time -v` measured of one command.
#[derive(Clone, Copy, Debug, Default)]
struct Usage {
    wall: f64,
    cpu: f64,
    peak_rss_kb: u64,
}

/// Runs the benchmark.
pub fn run(args: BenchArgs) -> Result<ExitCode, PathError> {
    let root = workspace_root();
    let target = target_dir(&root);
    let work = target.join("bench");
    let data = args
        .data
        .clone()
        .unwrap_or_else(|| work.join(format!("data-{}", args.images)));
    let has_files = data
        .read_dir()
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    if !has_files {
        eprintln!("generating {} images in {}", args.images, data.display());
        cargo(
            &root,
            &[
                "run",
                "--quiet",
                "--release",
                "-p",
                "xtask",
                "--",
                "bench-data",
            ],
            &[
                "--images".as_ref(),
                args.images.to_string().as_ref(),
                "--out".as_ref(),
                data.as_os_str(),
            ],
        )?;
    }
    eprintln!("building ade20k and decode_floor (release)");
    cargo(
        &root,
        &["build", "--quiet", "--release", "-p", "ade20k-cli"],
        &[],
    )?;
    cargo(
        &root,
        &[
            "build",
            "--quiet",
            "--release",
            "-p",
            "ade20k-import",
            "--example",
            "decode_floor",
        ],
        &[],
    )?;
    let release = target.join("release");
    let ade20k = release.join("ade20k");
    let floor_bin = release.join("examples").join("decode_floor");
    let out = work.join("out");
    files::remove_dir_if_present(&out)?;
    files::create_dir_all(&out)?;

    let load_before = load_average();
    eprintln!("decode floor");
    let (floor, floor_output) = timed_runs(
        &out,
        "floor",
        args.runs,
        Command::new(&floor_bin).arg(&data),
        None,
    )?;
    let images: f64 = floor_output
        .split_whitespace()
        .nth(1)
        .and_then(|count| count.parse().ok())
        .ok_or_else(|| PathError::new(&floor_bin, format!("unexpected output {floor_output}")))?;

    let formats: Vec<String> = args
        .formats
        .clone()
        .unwrap_or_else(|| FORMATS.iter().map(|f| f.to_string()).collect());
    let mut rows = vec![("decode floor".to_string(), floor)];
    for format in &formats {
        eprintln!("convert -f {format}");
        let target = out.join(format);
        let mut command = Command::new(&ade20k);
        command
            .args(["convert", "-q", "--media", &args.media, "-f", format, "-i"])
            .arg(&data)
            .arg("-o")
            .arg(&target);
        command.args(extra_args(format));
        if args.skip_broken {
            command.arg("--skip-broken");
        }
        match timed_runs(&out, format, args.runs, &mut command, Some(&target)) {
            Ok((usage, _)) => rows.push((format.clone(), usage)),
            Err(error) => eprintln!("{format} left out: {error}"),
        }
    }
    let load_after = load_average();

    println!("{} images in {}", images, data.display());
    println!("machine: {}", machine());
    println!(
        "load average (1, 5, 15 min) before: {load_before}; after: {load_after}; \
         median of {} runs each; --media {}{}\n",
        args.runs,
        args.media,
        if args.skip_broken {
            "; --skip-broken"
        } else {
            ""
        }
    );
    println!("| format | images/s | wall s | CPU/wall | peak RSS MB | × decode floor |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, usage) in &rows {
        println!(
            "| {name} | {:.1} | {:.2} | {:.2} | {:.0} | {:.2} |",
            images / usage.wall,
            usage.wall,
            usage.cpu / usage.wall,
            usage.peak_rss_kb as f64 / 1024.0,
            usage.wall / floor.wall,
        );
    }

    println!();
    let mut identical = true;
    for format in &formats {
        let same = check_thread_independence(&ade20k, &data, &out, format)?;
        println!(
            "{format} on {IDENTITY_IMAGES} images, --threads 1 vs all cores: {}",
            if same { "byte-identical" } else { "DIFFERENT" }
        );
        identical &= same;
    }
    if let Some(count) = args.datumaro {
        compare_with_datumaro(&ade20k, &data, &work, count)?;
    }
    Ok(if identical {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Options a format needs on this data: VOC and Cityscapes hold at most 254
/// and 65 classes, so they keep the classes covering the most pixels.
fn extra_args(format: &str) -> &'static [&'static str] {
    match format {
        "voc" => &["--top-classes", "150"],
        "cityscapes" => &["--top-classes", "60"],
        _ => &[],
    }
}

/// The folder of the workspace's Cargo.toml.
fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

/// The folder cargo builds into: `CARGO_TARGET_DIR` (relative to `root`
/// when relative), else `root/target`.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}

/// Runs cargo with `args` then `more` in `root`, failing on a failed status.
fn cargo(root: &Path, args: &[&str], more: &[&OsStr]) -> Result<(), PathError> {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(program)
        .current_dir(root)
        .args(args)
        .args(more)
        .status()
        .map_err(|e| PathError::new(root, format!("cargo: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(PathError::new(
            root,
            format!("cargo {} failed", args.join(" ")),
        ))
    }
}

/// Runs `command` `runs` times (at least once) under `/usr/bin/time -v`,
/// removing its `output` folder, when it has one, before and after each run
/// (outside the time measured); returns the run of median wall time and its
/// stdout.
fn timed_runs(
    work: &Path,
    name: &str,
    runs: usize,
    command: &mut Command,
    output: Option<&Path>,
) -> Result<(Usage, String), PathError> {
    let remove_output = || output.map_or(Ok(()), files::remove_dir_if_present);
    let mut measured = Vec::new();
    for _ in 0..runs.max(1) {
        remove_output()?;
        let run = timed(work, name, command);
        remove_output()?;
        measured.push(run?);
    }
    measured.sort_by(|a, b| a.0.wall.total_cmp(&b.0.wall));
    Ok(measured.swap_remove(measured.len() / 2))
}

/// The 1, 5 and 15-minute load averages, from `/proc/loadavg`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}

/// Cores, processor model and memory, from `/proc`.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map_or("unknown processor", |rest| {
            rest.trim_start_matches([' ', '\t', ':'])
        });
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_gib = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.trim().trim_end_matches(" kB").parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!("{cores} cores, {model}, {memory_gib:.1} GiB")
}

/// Runs `command` under `/usr/bin/time -v`, its report written to
/// `<work>/<name>.time`; returns what was measured and the command's stdout.
fn timed(work: &Path, name: &str, command: &mut Command) -> Result<(Usage, String), PathError> {
    let report = work.join(format!("{name}.time"));
    let time = Path::new("/usr/bin/time");
    if !time.is_file() {
        return Err(PathError::new(
            time,
            "missing; install GNU time (apt-get install time)",
        ));
    }
    let mut timed = Command::new(time);
    timed
        .arg("-v")
        .arg("-o")
        .arg(&report)
        .arg(command.get_program())
        .args(command.get_args());
    let output = timed
        .output()
        .map_err(|e| PathError::new(command.get_program(), e))?;
    if !output.status.success() {
        return Err(PathError::new(
            command.get_program(),
            format!(
                "failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ),
        ));
    }
    let text = String::from_utf8_lossy(&files::read(&report)?).into_owned();
    Ok((
        parse_time_report(&text),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

/// Reads wall time, user + system CPU time and peak RSS from a GNU time
/// `-v` report.
fn parse_time_report(text: &str) -> Usage {
    let mut usage = Usage::default();
    for line in text.lines() {
        let Some((key, value)) = line.trim().rsplit_once(": ") else {
            continue;
        };
        if key.starts_with("User time") || key.starts_with("System time") {
            usage.cpu += value.parse::<f64>().unwrap_or(0.0);
        } else if key.starts_with("Maximum resident set size") {
            usage.peak_rss_kb = value.parse().unwrap_or(0);
        } else if key.starts_with("Elapsed (wall clock) time") {
            // h:mm:ss or m:ss.ss
            usage.wall = value.split(':').fold(0.0, |total, part| {
                total * 60.0 + part.parse().unwrap_or(0.0)
            });
        }
    }
    usage
}

/// Converts the first images of `data` to `format` with one thread and with
/// all cores, both into the same folder (YOLO's `data.yaml` names it); true
/// when both outputs are the same bytes.
fn check_thread_independence(
    ade20k: &Path,
    data: &Path,
    out: &Path,
    format: &str,
) -> Result<bool, PathError> {
    let target = out.join(format!("identity-{format}"));
    let one_thread = out.join(format!("identity-{format}-1"));
    for threads in ["1", "0"] {
        let mut command = Command::new(ade20k);
        command
            .args(["convert", "-q", "--media", "none", "-f", format, "--limit"])
            .arg(IDENTITY_IMAGES.to_string())
            .arg("-i")
            .arg(data)
            .arg("-o")
            .arg(&target);
        command.args(extra_args(format));
        if threads == "1" {
            command.args(["--threads", "1"]);
        }
        run_quietly(&mut command)?;
        if threads == "1" {
            std::fs::rename(&target, &one_thread).map_err(|e| PathError::new(&target, e))?;
        }
    }
    // The manifest records the run's times: it is the one file that may differ.
    let differences: Vec<_> = check::compare_trees(&one_thread, &target)?
        .into_iter()
        .filter(|difference| {
            *difference != check::Difference::Stale(one_thread.join(MANIFEST_FILE))
        })
        .collect();
    for difference in &differences {
        eprintln!("{difference}");
    }
    for folder in [&one_thread, &target] {
        files::remove_dir_if_present(folder)?;
    }
    Ok(differences.is_empty())
}

/// Runs `command`, failing with its stderr when it fails.
fn run_quietly(command: &mut Command) -> Result<String, PathError> {
    let output = command
        .output()
        .map_err(|e| PathError::new(command.get_program(), e))?;
    if !output.status.success() {
        return Err(PathError::new(
            command.get_program(),
            format!(
                "failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ),
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The Python that Datumaro runs: imports the dataset, exports COCO without
/// images, and prints the seconds that took (interpreter start-up and the
/// import of the datumaro package excluded). Datumaro 1.13's COCO exporter
/// fails on a mask with no pixel (an object hidden wholly behind others), so
/// such masks are dropped first.
const DATUMARO_SNIPPET: &str = "\
import sys, time
import datumaro as dm
from datumaro.components.annotation import Mask
start = time.perf_counter()
dataset = dm.Dataset.import_from(sys.argv[1], 'ade20k2020')
items = [item.wrap(annotations=[a for a in item.annotations
                                if not isinstance(a, Mask) or a.image.any()])
         for item in dataset]
dataset = dm.Dataset.from_iterable(items, categories=dataset.categories())
dataset.export(sys.argv[2], 'coco', save_media=False)
print(time.perf_counter() - start)
";

/// Converts the first `count` images with Datumaro and with ade20k and
/// prints the seconds per image of each.
fn compare_with_datumaro(
    ade20k: &Path,
    data: &Path,
    work: &Path,
    count: usize,
) -> Result<(), PathError> {
    let subset = work.join(format!("first-{count}"));
    files::remove_dir_if_present(&subset)?;
    link_first_items(data, &subset, count)?;

    let venv = work.join("venv");
    let python = venv.join("bin").join("python");
    if !python.is_file() {
        eprintln!("installing {DATUMARO} into {}", venv.display());
        run_quietly(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run_quietly(Command::new(&python).args(["-m", "pip", "install", "-q", DATUMARO]))?;
    }
    let datumaro_out = work.join("datumaro-out");
    files::remove_dir_if_present(&datumaro_out)?;
    eprintln!("Datumaro on {count} images");
    let printed = run_quietly(
        Command::new(&python)
            .arg("-c")
            .arg(DATUMARO_SNIPPET)
            .arg(&subset)
            .arg(&datumaro_out),
    )?;
    let datumaro_seconds: f64 = printed
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .ok_or_else(|| PathError::new(&python, format!("unexpected output {printed}")))?;

    let ours_out = work.join("ade20k-out");
    files::remove_dir_if_present(&ours_out)?;
    let started = Instant::now();
    run_quietly(
        Command::new(ade20k)
            .args(["convert", "-q", "--media", "none", "-f", "coco", "-i"])
            .arg(&subset)
            .arg("-o")
            .arg(&ours_out),
    )?;
    let ours_seconds = started.elapsed().as_secs_f64();
    let per_image = |seconds: f64| seconds / count as f64;
    println!(
        "\nCOCO of the first {count} images: Datumaro {:.3} s/image, ade20k {:.4} s/image \
         (whole process), ratio {:.0}×",
        per_image(datumaro_seconds),
        per_image(ours_seconds),
        datumaro_seconds / ours_seconds
    );
    Ok(())
}

/// Hard-links the first `count` items of `data` (in path order) into
/// `subset`, at the same relative paths: annotation, photo, class maps and
/// the folder of instance masks.
fn link_first_items(data: &Path, subset: &Path, count: usize) -> Result<(), PathError> {
    let mut annotations: Vec<PathBuf> = files::list_files(data)?
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    annotations.sort();
    for json in annotations.into_iter().take(count) {
        let stem = json
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let folder = json.parent().unwrap_or(Path::new("")).to_path_buf();
        let entries = data
            .join(&folder)
            .read_dir()
            .map_err(|e| PathError::new(data.join(&folder), e))?;
        files::create_dir_all(&subset.join(&folder))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = name == stem
                || name.strip_prefix(stem.as_str()).is_some_and(|rest| {
                    rest.starts_with('.') || rest.starts_with("_seg") || rest.starts_with("_parts_")
                });
            if ours {
                link_tree(&entry.path(), &subset.join(&folder).join(&name))?;
            }
        }
    }
    Ok(())
}

/// Hard-links the file `from` to `to`, or every file of the folder `from`.
fn link_tree(from: &Path, to: &Path) -> Result<(), PathError> {
    if from.is_dir() {
        files::create_dir_all(to)?;
        for entry in from
            .read_dir()
            .map_err(|e| PathError::new(from, e))?
            .flatten()
        {
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::hard_link(from, to)
            .or_else(|_| std::fs::copy(from, to).map(|_| ()))
            .map_err(|e| PathError::new(to, e))
    }
}
