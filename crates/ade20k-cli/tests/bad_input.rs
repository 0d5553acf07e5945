//! How `ade20k convert` refuses broken input: one test per defect.
//!
//! Every case converts a dataset of `tests/assets/broken/` (written by
//! `cargo xtask fixtures`, each a small valid dataset with one defect) and
//! checks, through [`refused`]: exit code 1; one `error:` line on stderr that
//! names the offending file and says what is wrong; no panic; no output and
//! no staging folder left beside it; the input tree unchanged, byte for byte,
//! name for name and mode for mode.
//!
//! Defects git cannot carry are made here, in a copy of `broken/valid` or of
//! the main fixture: a file without read permission, a file name that is not
//! UTF-8, named pipes (FIFOs) and links to `/dev/zero`. Every run is killed
//! and fails its test should it hang ([`ade20k_test_support::TIME_LIMIT`]).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ade20k_test_support::folders::copy_dir;
use ade20k_test_support::{arg, fixture, output_within_limit, text, Binary};

/// The binary under test.
const ADE20K: Binary = Binary::new(env!("CARGO_BIN_EXE_ade20k"));

/// Path of the broken dataset `case`.
fn broken(case: &str) -> PathBuf {
    fixture("broken").join(case)
}

/// What a tree holds: every entry by relative path, with the modes of files
/// and folders, the bytes of files and the targets of symbolic links (links
/// are not followed, named pipes not opened).
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    Folder { mode: u32 },
    File { bytes: Vec<u8>, mode: u32 },
    Link(PathBuf),
    Fifo { mode: u32 },
}

fn tree(root: &Path) -> BTreeMap<PathBuf, Entry> {
    fn walk(root: &Path, relative: &Path, entries: &mut BTreeMap<PathBuf, Entry>) {
        let path = root.join(relative);
        let metadata = match fs::symlink_metadata(&path) {
            Ok(metadata) => metadata,
            Err(_) => return,
        };
        let mode = metadata.permissions().mode();
        let entry = if metadata.file_type().is_symlink() {
            Entry::Link(fs::read_link(&path).unwrap())
        } else if metadata.file_type().is_fifo() {
            Entry::Fifo { mode }
        } else if metadata.is_dir() {
            let mut children: Vec<_> = fs::read_dir(&path)
                .unwrap()
                .map(|entry| entry.unwrap().file_name())
                .collect();
            children.sort();
            for child in children {
                walk(root, &relative.join(child), entries);
            }
            Entry::Folder { mode }
        } else {
            // A file the test made unreadable is compared by size.
            let bytes = fs::read(&path).unwrap_or_else(|_| vec![0; metadata.len() as usize]);
            Entry::File { bytes, mode }
        };
        entries.insert(relative.to_path_buf(), entry);
    }
    let mut entries = BTreeMap::new();
    walk(root, Path::new(""), &mut entries);
    entries
}

/// The error message of a refused run, checked as the module says.
struct Refusal {
    /// The message, without `error: `.
    message: String,
}

/// Runs `convert -i <input> -f <format> -o <scratch>/out` with `extra` through
/// `run`, and checks that it is refused as the module says.
fn refused_with(
    input: &Path,
    format: &str,
    extra: &[&str],
    run: impl FnOnce(&[&str]) -> Output,
) -> Refusal {
    let scratch = tempfile::tempdir().unwrap();
    // Writable by all, for the run as `nobody` of `unreadable_file`.
    set_mode(scratch.path(), 0o777);
    let out = scratch.path().join("out");
    let before = tree(input);
    let mut args = vec!["convert", "-i", arg(input), "-f", format, "-o", arg(&out)];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--media", "none"]);
    let output = run(&args);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one message: {stderr}");
    let message = lines[0]
        .strip_prefix("error: ")
        .unwrap_or_else(|| panic!("an error message: {stderr}"))
        .to_string();
    assert!(!out.exists(), "no output: {message}");
    let left: Vec<_> = fs::read_dir(scratch.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "nothing left beside the output: {left:?}");
    assert!(tree(input) == before, "the input is unchanged");
    Refusal { message }
}

fn refused(input: &Path, extra: &[&str]) -> Refusal {
    refused_with(input, "coco", extra, |args| ADE20K.run(args))
}

impl Refusal {
    /// Checks that the message names `file` (a path ending) and says every one of `words`.
    fn says(self, file: &str, words: &[&str]) -> Self {
        let (path, problem) = self
            .message
            .split_once(": ")
            .unwrap_or_else(|| panic!("`<path>: <problem>`: {}", self.message));
        assert!(path.ends_with(file), "names {file}: {}", self.message);
        for word in words {
            assert!(problem.contains(word), "says {word:?}: {}", self.message);
        }
        self
    }

    /// The message with the fixture folder written `<broken>`, for snapshots.
    fn normalised(&self) -> String {
        let mut message = self.message.clone();
        let folder = fixture("broken");
        for path in [fs::canonicalize(&folder).unwrap(), folder] {
            message = message.replace(&path.display().to_string(), "<broken>");
        }
        message
    }
}

macro_rules! snapshot {
    ($refusal:expr) => {
        insta::assert_snapshot!($refusal.normalised())
    };
}

#[test]
fn the_valid_base_converts() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let output = ADE20K.convert(&broken("valid"), "coco", &out, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

// The annotation JSON.

#[test]
fn json_truncated() {
    let refusal = refused(&broken("json_truncated"), &[])
        .says("training/ADE_train_00000002.json", &["invalid JSON", "EOF"]);
    snapshot!(refusal);
}

#[test]
fn json_empty() {
    let refusal =
        refused(&broken("json_empty"), &[]).says("training/ADE_train_00000002.json", &["empty"]);
    snapshot!(refusal);
}

#[test]
fn json_not_object() {
    let refusal = refused(&broken("json_not_object"), &[]).says(
        "training/ADE_train_00000002.json",
        &["top level must be an object"],
    );
    snapshot!(refusal);
}

#[test]
fn json_annotation_missing() {
    let refusal = refused(&broken("json_annotation_missing"), &[])
        .says("training/ADE_train_00000002.json", &["no key `annotation`"]);
    snapshot!(refusal);
}

#[test]
fn json_object_wrong_type() {
    let refusal = refused(&broken("json_object_wrong_type"), &[]).says(
        "training/ADE_train_00000001.json",
        &["`object`", "must be a list"],
    );
    snapshot!(refusal);
}

#[test]
fn json_field_wrong_type() {
    let refusal = refused(&broken("json_field_wrong_type"), &[]).says(
        "training/ADE_train_00000001.json",
        &[
            "object 1",
            "`name_ndx`",
            "must be a non-negative integer",
            "\"2262\"",
        ],
    );
    snapshot!(refusal);
}

#[test]
fn json_repeated_ids() {
    let refusal = refused(&broken("json_repeated_ids"), &[]).says(
        "training/ADE_train_00000001.json",
        &["object id 0 is used twice"],
    );
    snapshot!(refusal);
}

#[test]
fn json_missing_parent() {
    let refusal = refused(&broken("json_missing_parent"), &[]).says(
        "training/ADE_train_00000001.json",
        &["parent 7", "not an object of this item"],
    );
    snapshot!(refusal);
}

#[test]
fn json_parent_cycle() {
    let refusal = refused(&broken("json_parent_cycle"), &[])
        .says("training/ADE_train_00000001.json", &["cycle of parents"]);
    snapshot!(refusal);
}

/// A dataset whose every annotation is broken is still found, by the
/// `_seg.png` beside each: the run stops at the first annotation, naming it,
/// and `--skip-broken` converts the nothing that is left, lists every item
/// in skipped.txt and exits 3.
#[test]
fn json_every_one_broken() {
    let input = broken("json_every_one_broken");
    let refusal = refused(&input, &[]).says(
        "training/ADE_train_00000001.json",
        &["invalid JSON", "EOF while parsing"],
    );
    snapshot!(refusal);
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let before = tree(&input);
    let run = ADE20K.convert(&input, "coco", &out, &["--skip-broken"]);
    assert_eq!(run.status.code(), Some(3), "{}", text(&run.stderr));
    assert!(
        text(&run.stdout).starts_with(&format!("converted 0 items to coco in {}", out.display())),
        "{}",
        text(&run.stdout)
    );
    let written: Vec<PathBuf> = tree(&out).into_keys().collect();
    let expected = ["", ".ade20k-output.json", "annotations", "skipped.txt"].map(PathBuf::from);
    assert_eq!(written, expected, "COCO of no item, and the list");
    assert_eq!(
        fs::read_to_string(out.join("skipped.txt")).unwrap(),
        format!("training/ADE_train_00000001\t{}\n", refusal.message)
    );
    assert!(tree(&input) == before, "the input is unchanged");
}

/// When no item is found and a photo has a JSON beside it, detection names
/// that JSON and why it is no ADE20K annotation.
#[test]
fn not_ade20k_json() {
    let refusal = refused(&broken("not_ade20k_json"), &[]).says(
        "photos/cat.json",
        &[
            "the top level has no key `annotation`",
            "no ADE20K item was found under",
            "the first annotation beside a photo",
        ],
    );
    snapshot!(refusal);
}

/// An absurd part level is refused where the annotation is read, by every
/// command: `info` made a table column per level up to it, `validate` went
/// through every level up to it.
#[test]
fn json_part_level_absurd() {
    let input = broken("json_part_level_absurd");
    let refusal = refused(&input, &[]).says(
        "training/ADE_train_00000001.json",
        &[
            "object 1",
            "`parts.part_level` is 4294967295",
            "deeper than the limit of 32",
        ],
    );
    let info = ADE20K.run(&["info", arg(&input)]);
    assert_eq!(info.status.code(), Some(1));
    assert_eq!(only_error(&info), refusal.message);
    let validate = ADE20K.run(&["validate", arg(&input)]);
    assert_eq!(validate.status.code(), Some(1));
    assert_eq!(
        text(&validate.stdout).lines().next(),
        Some(format!("error: item: {}", refusal.message).as_str())
    );
    snapshot!(refusal);
}

// The mask PNGs.

const MASK_1: &str = "training/ADE_train_00000001/instance_001_ADE_train_00000001.png";

#[test]
fn png_truncated() {
    let refusal = refused(&broken("png_truncated"), &[]).says(MASK_1, &["invalid image"]);
    snapshot!(refusal);
}

#[test]
fn png_empty() {
    let refusal = refused(&broken("png_empty"), &[]).says(MASK_1, &["empty"]);
    snapshot!(refusal);
}

#[test]
fn png_not_png() {
    let refusal = refused(&broken("png_not_png"), &[]).says(MASK_1, &["not a PNG"]);
    snapshot!(refusal);
}

/// Every output format.
const FORMATS: [&str; 17] = [
    "coco",
    "coco_panoptic",
    "voc",
    "cityscapes",
    "semantic",
    "yolo",
    "datumaro",
    "ade20k2020",
    "kitti",
    "mots",
    "camvid",
    "cvat",
    "label_me",
    "segment_anything",
    "open_images",
    "parquet",
    "webdataset",
];

/// Converts `case` to every format and checks that each refuses it with the
/// same message, which it returns.
fn refused_by_every_format(case: &str) -> Refusal {
    let refusals: Vec<Refusal> = FORMATS
        .iter()
        .map(|format| refused_with(&broken(case), format, &[], |args| ADE20K.run(args)))
        .collect();
    for (format, refusal) in FORMATS.iter().zip(&refusals) {
        assert_eq!(refusal.message, refusals[0].message, "{format}");
    }
    refusals.into_iter().next().unwrap()
}

/// Formats that decode no class map (coco, yolo, datumaro) still read the
/// header of every class map, and refuse a grey one.
#[test]
fn png_seg_grey() {
    let refusal = refused_by_every_format("png_seg_grey").says(
        "training/ADE_train_00000001_seg.png",
        &["class map must be RGB", "grayscale"],
    );
    snapshot!(refusal);
}

#[test]
fn png_parts_grey() {
    let refusal = refused_by_every_format("png_parts_grey").says(
        "training/ADE_train_00000001_parts_1.png",
        &["class map must be RGB", "grayscale"],
    );
    snapshot!(refusal);
}

/// `semantic`, which decodes no instance mask, reads the header of each.
#[test]
fn png_mask_rgb() {
    let refusal = refused_by_every_format("png_mask_rgb")
        .says(MASK_1, &["instance mask must be grayscale", "RGB"]);
    snapshot!(refusal);
}

/// The photo's header is read when the item is loaded, whatever `--media`.
#[test]
fn image_not_image() {
    let refusal = refused_by_every_format("image_not_image").says(
        "training/ADE_train_00000001.jpg",
        &["not an image", "JPEG, PNG, BMP, TIFF and WebP"],
    );
    snapshot!(refusal);
}

#[test]
fn png_wrong_size() {
    let refusal = refused(&broken("png_wrong_size"), &[]).says(
        MASK_1,
        &[
            "instance mask is 12×8 pixels",
            "ADE_train_00000001.jpg is 24×16",
        ],
    );
    snapshot!(refusal);
}

#[test]
fn png_bomb() {
    let refusal = refused(&broken("png_bomb"), &[]).says(
        MASK_1,
        &["100000×100000", "more than the limit of 178956970"],
    );
    snapshot!(refusal);
}

#[test]
fn max_pixels_sets_the_limit() {
    let refusal = refused(&broken("valid"), &["--max-pixels", "383"]).says(
        "training/ADE_train_00000001_seg.png",
        &["24×16 = 384 pixels", "limit of 383"],
    );
    snapshot!(refusal);
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let at_limit = ADE20K.convert(&broken("valid"), "coco", &out, &["--max-pixels", "384"]);
    assert_eq!(
        at_limit.status.code(),
        Some(0),
        "{}",
        text(&at_limit.stderr)
    );
    let info = ADE20K.run(&[
        "info",
        arg(&broken("valid")),
        "--pixels",
        "--max-pixels",
        "383",
    ]);
    assert_eq!(info.status.code(), Some(1));
    assert!(
        text(&info.stderr).contains("_seg.png: invalid image: the PNG header claims"),
        "{}",
        text(&info.stderr)
    );
}

#[test]
fn max_annotation_bytes_sets_the_limit() {
    let annotation = broken("valid").join("training/ADE_train_00000001.json");
    let size = fs::metadata(&annotation).unwrap().len();
    let below = (size - 1).to_string();
    let refusal = refused(&broken("valid"), &["--max-annotation-bytes", &below]).says(
        "training/ADE_train_00000001.json",
        &[&format!(
            "the file is {size} bytes, more than the limit of {below} bytes"
        )],
    );
    snapshot!(refusal);
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let at_limit = ADE20K.convert(
        &broken("valid"),
        "coco",
        &out,
        &["--max-annotation-bytes", &size.to_string()],
    );
    assert_eq!(
        at_limit.status.code(),
        Some(0),
        "{}",
        text(&at_limit.stderr)
    );
    let info = ADE20K.run(&[
        "info",
        arg(&broken("valid")),
        "--max-annotation-bytes",
        &below,
    ]);
    assert_eq!(info.status.code(), Some(1));
    assert_eq!(only_error(&info), refusal.message);
}

// Files and folders.

#[test]
fn missing_seg() {
    let refusal = refused(&broken("missing_seg"), &[])
        .says("training/ADE_train_00000001_seg.png", &["not found"]);
    snapshot!(refusal);
}

#[test]
fn missing_mask() {
    let refusal = refused(&broken("missing_mask"), &[]).says(MASK_1, &["No such file"]);
    snapshot!(refusal);
}

#[test]
fn missing_image() {
    let refusal = refused(&broken("missing_image"), &[]).says(
        "training/ADE_train_00000002.json",
        &["no photo beside this annotation"],
    );
    snapshot!(refusal);
}

#[test]
fn json_without_image() {
    let refusal = refused(&broken("json_without_image"), &[]).says(
        "training/ADE_train_00000002.json",
        &["no photo beside this annotation"],
    );
    snapshot!(refusal);
}

#[test]
fn empty_subset() {
    let refusal =
        refused(&broken("empty_subset"), &[]).says("empty_subset/validation", &["no items"]);
    snapshot!(refusal);
}

#[test]
fn dataset_folder_does_not_exist() {
    let scratch = tempfile::tempdir().unwrap();
    let input = scratch.path().join("ADE20K_2021_17_01");
    let refusal = refused(&input, &[]).says("ADE20K_2021_17_01", &["does not exist"]);
    assert!(!input.exists());
    assert_eq!(
        refusal.message,
        format!(
            "{}: does not exist; expected an ADE20K dataset folder",
            input.display()
        )
    );
}

#[test]
fn not_ade20k() {
    let refusal = refused(&broken("not_ade20k"), &[]).says(
        "not_ade20k",
        &["not an ADE20K dataset", "<name>.jpg + <name>.json"],
    );
    snapshot!(refusal);
}

/// As root, permissions do not stop reading: the binary then runs as the
/// unprivileged user `nobody` (65534), with `setpriv` or else `runuser`.
#[test]
fn unreadable_file() {
    let scratch = tempfile::tempdir().unwrap();
    let input = scratch.path().join("dataset");
    copy_dir(&broken("valid"), &input);
    let mask = input.join(MASK_1);
    set_mode(&mask, 0o000);
    let refusal = if is_root() {
        // `nobody` must traverse the dataset's copy and write beside the output.
        set_mode(scratch.path(), 0o755);
        refused_with(&input, "coco", &[], as_nobody)
    } else {
        refused(&input, &[])
    };
    let refusal = refusal.says(MASK_1, &["Permission denied"]);
    assert!(refusal.message.contains("Permission denied"));
}

#[test]
fn non_utf8_file_name() {
    use std::os::unix::ffi::OsStrExt;
    let scratch = tempfile::tempdir().unwrap();
    let input = scratch.path().join("dataset");
    copy_dir(&broken("valid"), &input);
    let name = std::ffi::OsStr::from_bytes(b"ADE_train_\xFF.jpg");
    fs::copy(
        input.join("training/ADE_train_00000001.jpg"),
        input.join("training").join(name),
    )
    .unwrap();
    refused(&input, &[]).says("training/ADE_train_\u{FFFD}.jpg", &["not valid UTF-8"]);
}

// Paths that lead out of the dataset or the output.

#[test]
fn mask_absolute() {
    let refusal = refused(&broken("mask_absolute"), &[]).says(
        "training/ADE_train_00000001.json",
        &["object 1", "is an absolute path"],
    );
    snapshot!(refusal);
}

#[test]
fn mask_dotdot() {
    let refusal = refused(&broken("mask_dotdot"), &[]).says(
        "training/ADE_train_00000001.json",
        &["object 1", "leads outside the subset folder"],
    );
    snapshot!(refusal);
}

#[test]
fn mask_symlink_outside() {
    let refusal = refused(&broken("mask_symlink_outside"), &[]).says(
        MASK_1,
        &["outside-the-dataset.png", "outside the subset folder"],
    );
    snapshot!(refusal);
}

/// Output file names come from item ids and subsets, which are file and
/// folder names inside the dataset; what the annotation says (`filename`,
/// `folder`, scene, source, class and raw names) never becomes a path. A
/// dataset whose annotation names climb out converts, in every format, to
/// files inside the output only.
#[test]
fn names_that_climb_stay_inside_the_output() {
    let input = broken("names_that_climb");
    let before = tree(&fixture("broken"));
    for format in FORMATS {
        let scratch = tempfile::tempdir().unwrap();
        let nested = scratch.path().join("a/b/c/d");
        let out = nested.join("out");
        let output = ADE20K.convert(&input, format, &out, &[]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {}",
            text(&output.stderr)
        );
        let written: Vec<PathBuf> = tree(scratch.path()).into_keys().collect();
        for path in &written {
            assert!(
                path.starts_with("a/b/c/d/out") || Path::new("a/b/c/d").starts_with(path),
                "{format} wrote {} outside the output",
                path.display()
            );
        }
    }
    assert!(tree(&fixture("broken")) == before, "the input is unchanged");
    assert!(!Path::new("/tmp/escaped").exists());
}

// Special files: named pipes (FIFOs), which block whoever opens them to read
// until a writer comes, and devices such as `/dev/zero`, which never end.

/// The item of the main fixture whose files are made special.
const STREET: &str = "training/urban/street/ADE_train_00000001";

/// What every command says of a named pipe where a file should be.
const FIFO: &str = "is a named pipe (FIFO), not a regular file; only regular files are read";

/// Replaces the file at `path` with a named pipe no one ever writes to.
fn make_fifo(path: &Path) {
    if path.exists() {
        fs::remove_file(path).unwrap();
    }
    let made = output_within_limit(Command::new("mkfifo").arg(path)).expect("mkfifo runs");
    assert!(made.status.success(), "mkfifo: {}", text(&made.stderr));
}

/// A copy of the main fixture in `scratch` with the file `STREET` + `suffix`
/// replaced by a named pipe; returns the dataset and the pipe.
fn fixture_with_fifo(scratch: &Path, suffix: &str) -> (PathBuf, PathBuf) {
    let input = scratch.join("dataset");
    copy_dir(&fixture("ade20k2020"), &input);
    let fifo = input.join(format!("{STREET}{suffix}"));
    make_fifo(&fifo);
    (input, fifo)
}

/// The one line of `stderr`, which must be an error message, without `error: `.
fn only_error(output: &Output) -> String {
    let stderr = text(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one message: {stderr}");
    lines[0]
        .strip_prefix("error: ")
        .unwrap_or_else(|| panic!("an error message: {stderr}"))
        .to_string()
}

/// Converts `input` to COCO with `--skip-broken`, checks that the street
/// item alone is left out, listed in skipped.txt with `file: problem`, that
/// the two other items are converted and the input is unchanged.
fn skips_the_street_item(input: &Path, file: &Path, problem: &str) {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let before = tree(input);
    let run = ADE20K.convert(input, "coco", &out, &["--skip-broken"]);
    assert_eq!(run.status.code(), Some(3), "{}", text(&run.stderr));
    assert_eq!(
        fs::read_to_string(out.join("skipped.txt")).unwrap(),
        format!(
            "training/urban/street/ADE_train_00000001\t{}: {problem}\n",
            file.display()
        )
    );
    let images = |subset: &str| -> Vec<String> {
        let path = out.join(format!("annotations/instances_{subset}.json"));
        let coco: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
        coco["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|image| image["file_name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(images("training"), ["home/kitchen/ADE_train_00000002.jpg"]);
    assert_eq!(images("validation"), ["ADE_val_00000001.jpg"]);
    assert!(tree(input) == before, "the input is unchanged");
}

/// A named pipe as an annotation, photo, class map or instance mask stops
/// `convert` (or is skipped with `--skip-broken`), `info` (which reads no
/// instance mask), `validate` and `preview` with a message naming it, at
/// once and whatever the command.
#[test]
fn a_fifo_in_the_dataset_is_refused_by_every_command_without_blocking() {
    for (suffix, read_by_info) in [
        (".json", true),
        (".jpg", true),
        ("_seg.png", true),
        ("/instance_000_ADE_train_00000001.png", false),
    ] {
        let scratch = tempfile::tempdir().unwrap();
        let (input, fifo) = fixture_with_fifo(scratch.path(), suffix);
        let expected = format!("{}: {FIFO}", fifo.display());

        let refusal = refused(&input, &[]);
        assert_eq!(refusal.message, expected);
        skips_the_street_item(&input, &fifo, FIFO);

        let before = tree(&input);
        let info = ADE20K.run(&["info", arg(&input)]);
        if read_by_info {
            assert_eq!(info.status.code(), Some(1), "{suffix}");
            assert_eq!(only_error(&info), expected);
        } else {
            assert_eq!(info.status.code(), Some(0), "{}", text(&info.stderr));
        }

        let validate = ADE20K.run(&["validate", arg(&input)]);
        assert_eq!(validate.status.code(), Some(1), "{suffix}");
        let stdout = text(&validate.stdout);
        let findings: Vec<&str> = stdout.lines().filter(|l| l.contains(FIFO)).collect();
        assert_eq!(findings.len(), 1, "{stdout}");
        assert!(
            findings[0].contains(&fifo.display().to_string()),
            "{stdout}"
        );
        // The FIFO is the one error; the fixture's polygon point beyond the
        // border is a warning.
        assert!(
            stdout.contains("3 items checked: 1 error, 1 warning\n"),
            "{stdout}"
        );

        let png = scratch.path().join("preview.png");
        let preview = ADE20K.run(&[
            "preview",
            arg(&input),
            "urban/street/ADE_train_00000001",
            "-o",
            arg(&png),
        ]);
        assert_eq!(preview.status.code(), Some(1), "{suffix}");
        assert_eq!(only_error(&preview), expected);
        assert!(!png.exists());
        assert!(tree(&input) == before, "the input is unchanged");
    }
}

/// An annotation that is a link to `/dev/zero` is refused before a byte of
/// it is read, by `convert` and `info` alike.
#[test]
fn an_annotation_linked_to_dev_zero_is_refused_before_it_is_read() {
    let scratch = tempfile::tempdir().unwrap();
    let input = scratch.path().join("dataset");
    copy_dir(&fixture("ade20k2020"), &input);
    let annotation = input.join(format!("{STREET}.json"));
    fs::remove_file(&annotation).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &annotation).unwrap();
    let expected = format!(
        "{}: leads through a symbolic link to a character device, not a regular file; \
         only regular files are read",
        annotation.display()
    );
    assert_eq!(refused(&input, &[]).message, expected);
    let info = ADE20K.run(&["info", arg(&input)]);
    assert_eq!(info.status.code(), Some(1));
    assert_eq!(only_error(&info), expected);
}

/// Label files (`--labels`, `--include-labels`, `--exclude-labels`,
/// `--stuff`) that are named pipes or devices are refused without blocking,
/// and so is one larger than 16 MiB, before it is read.
#[test]
fn label_files_must_be_regular_files_of_at_most_16_mib() {
    let scratch = tempfile::tempdir().unwrap();
    let fifo = scratch.path().join("labels.txt");
    make_fifo(&fifo);
    let large = scratch.path().join("large.txt");
    fs::File::create(&large)
        .unwrap()
        .set_len((16 << 20) + 1)
        .unwrap();
    for flag in [
        "--labels",
        "--include-labels",
        "--exclude-labels",
        "--stuff",
    ] {
        for (file, problem) in [
            (fifo.as_path(), FIFO),
            (
                Path::new("/dev/zero"),
                "is a character device, not a regular file; only regular files are read",
            ),
            (
                large.as_path(),
                "the file is 16777217 bytes, more than the limit of 16777216 bytes",
            ),
        ] {
            let refusal = refused(&broken("valid"), &[flag, arg(file)]);
            assert_eq!(refusal.message, format!("{}: {problem}", file.display()));
        }
    }
}

fn is_root() -> bool {
    // The owner of a file this process creates is the process's user.
    use std::os::unix::fs::MetadataExt;
    let file = tempfile::NamedTempFile::new().unwrap();
    file.as_file().metadata().unwrap().uid() == 0
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Runs the binary as the user `nobody`, with `setpriv` or else `runuser`;
/// fails the test, saying why, when neither can.
fn as_nobody(args: &[&str]) -> Output {
    let binary = env!("CARGO_BIN_EXE_ade20k");
    let mut failures = Vec::new();
    for (tool, prefix) in [
        (
            "setpriv",
            &["--reuid=65534", "--regid=65534", "--clear-groups"][..],
        ),
        ("runuser", &["-u", "nobody", "--"][..]),
    ] {
        match output_within_limit(Command::new(tool).args(prefix).arg(binary).args(args)) {
            // The tool's own failures start with its name.
            Ok(output) if !text(&output.stderr).starts_with(&format!("{tool}:")) => return output,
            Ok(output) => failures.push(text(&output.stderr)),
            Err(error) => failures.push(format!("{tool}: {error}")),
        }
    }
    panic!(
        "running as root, this test runs the binary as the unprivileged user nobody \
         (65534) with `setpriv` or `runuser` (util-linux), and neither worked:\n{}",
        failures.join("\n")
    )
}
