//! End-to-end tests of the ade20k toolkit live in `tests/`; this library holds
//! what they share over the exporter: converting a dataset into a temporary
//! folder, on a given number of threads, listing and describing what an
//! output holds, and the label ids and colours several formats share.
//! Helpers that need no exporter are in `ade20k-test-support`.
#![warn(missing_docs)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Debug;
use std::path::{Path, PathBuf};

use ade20k_export::{
    export, find_format, ExportError, ExportOptions, MediaMode, Summary, MANIFEST_FILE,
};
use ade20k_import::Ade20k2020Dataset;
use ade20k_model::{ClassIndex, Item, ItemSource, MaskKind};
use ade20k_test_support::fixture;
use ade20k_test_support::images::read_png;
use ade20k_test_support::synthetic::items;

/// The fixture datasets written by `cargo xtask fixtures`.
pub const FIXTURES: &[&str] = &[
    "ade20k2020",
    "ade20k2020_binary",
    "ade20k2020_meta",
    "ade20k2020_release",
];

/// Opens fixture `name`.
pub fn open(name: &str) -> Ade20k2020Dataset {
    Ade20k2020Dataset::open(fixture(name)).expect("fixture opens")
}

/// Options of a test export: defaults, without image files.
pub fn options() -> ExportOptions {
    ExportOptions {
        media: MediaMode::None,
        ..ExportOptions::default()
    }
}

/// Converts `dataset` to `format` into a fresh temporary folder.
pub fn convert(
    dataset: &dyn ItemSource,
    format: &str,
    options: &ExportOptions,
) -> (tempfile::TempDir, PathBuf, Summary) {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let format = find_format(format).expect("format is registered");
    let summary = export(dataset, format, &out, options, false).expect("export succeeds");
    (root, out, summary)
}

/// Runs `work` on a pool of `threads` threads.
pub fn on_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(work)
}

/// Converts `dataset` to `format` once per entry of `threads`, on that many
/// threads, and asserts that `describe` gives the same for every output.
/// Returns the description of the first run.
pub fn assert_output_independent_of_threads<T: PartialEq + Debug + Send>(
    dataset: &dyn ItemSource,
    format: &str,
    options: &ExportOptions,
    threads: &[usize],
    describe: impl Fn(&Path) -> T + Sync,
) -> T {
    let run = |count: usize| {
        on_threads(count, || {
            let (_root, out, _) = convert(dataset, format, options);
            describe(&out)
        })
    };
    let first = run(threads[0]);
    for &count in &threads[1..] {
        assert_eq!(first, run(count), "output on {count} threads");
    }
    first
}

/// Every file below `dir`, relative, sorted; without the output manifest,
/// which records when it was written (the `manifest` tests check it).
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.strip_prefix(dir).unwrap() != Path::new(MANIFEST_FILE) {
                found.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// Every file below `dir` by its relative path (`/`-separated) with its bytes.
pub fn file_contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files(dir)
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(dir.join(&file)).unwrap();
            (file.to_string_lossy().replace('\\', "/"), bytes)
        })
        .collect()
}

/// Asserts that `placed` holds the bytes of `item`'s image.
pub fn assert_image_placed(placed: &Path, item: &Item) {
    assert_eq!(
        std::fs::read(placed).unwrap_or_else(|e| panic!("{placed:?}: {e}")),
        std::fs::read(&item.image.path).unwrap(),
        "{placed:?} is the image of {}",
        item.id
    );
}

/// The text a snapshot of an output shows: the summary, then every file
/// (PNGs described by their header and pixels, other files as text).
pub fn describe_output(out: &Path, summary: &Summary) -> String {
    let mut text = format!("summary:\n{summary}");
    for file in files(out) {
        let path = out.join(&file);
        let shown = match file.extension().and_then(|ext| ext.to_str()) {
            Some("png") => format!(" {}\n", read_png(&path).describe()),
            _ => format!("\n{}", std::fs::read_to_string(&path).unwrap()),
        };
        text.push_str(&format!("\n{}:{shown}", file.display()));
    }
    text
}

/// `label_colors.txt` of `out`: ((r, g, b), name) per label id.
pub fn label_colors(out: &Path) -> Vec<([u32; 3], String)> {
    std::fs::read_to_string(out.join("label_colors.txt"))
        .unwrap()
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            assert_eq!(fields.len(), 4, "`r g b name`: {line}");
            let channel = |i: usize| fields[i].parse::<u32>().unwrap();
            ([channel(0), channel(1), channel(2)], fields[3].to_string())
        })
        .collect()
}

/// Label ids without a selection: 1, 2, … for every class of the dataset
/// (objects and parts) by class index.
pub fn ids_by_class(dataset: &Ade20k2020Dataset) -> HashMap<ClassIndex, u32> {
    let classes: BTreeSet<ClassIndex> = items(dataset)
        .iter()
        .flat_map(|item| item.objects.iter().map(|object| object.class))
        .collect();
    classes.into_iter().zip(1..).collect()
}

/// Level-0 objects of `item` with visible pixels, in annotation order.
pub fn visible_objects(item: &Item) -> Vec<usize> {
    (0..item.objects.len())
        .filter(|&i| !item.objects[i].is_part())
        .filter(|&i| !item.binary_mask(i, MaskKind::Visible).unwrap().is_empty())
        .collect()
}

/// Asserts that `format`, whose files are named by the item id with `/`
/// replaced by `_`, refuses a dataset holding both
/// `training/urban/street/ADE_train_00000001` and
/// `training/urban_street/ADE_train_00000001`, naming the second item's
/// photo and saying which files the two would share (`shared`, e.g.
/// `its kitti files training/*/urban_street_ADE_train_00000001.png`), and
/// leaves no output behind.
pub fn assert_flattened_names_refused(format: &str, shared: &str) {
    let root = tempfile::tempdir().unwrap();
    let dataset_dir = root.path().join("dataset");
    let source = fixture("ade20k2020").join("training/urban/street");
    for folder in ["training/urban/street", "training/urban_street"] {
        let folder = dataset_dir.join(folder);
        std::fs::create_dir_all(folder.join("ADE_train_00000001")).unwrap();
        for file in files(&source) {
            std::fs::copy(source.join(&file), folder.join(&file)).unwrap();
        }
    }
    let dataset = Ade20k2020Dataset::open(&dataset_dir).unwrap();
    let out = root.path().join("out");
    let error = export(
        &dataset,
        find_format(format).unwrap(),
        &out,
        &options(),
        false,
    )
    .expect_err("two items map to urban_street_ADE_train_00000001");
    let ExportError::Data(error) = error else {
        panic!("{format}: expected a data error, got {error:?}");
    };
    assert!(
        error.path.ends_with("urban_street/ADE_train_00000001.jpg"),
        "{format}: {error}"
    );
    assert!(error.to_string().contains(shared), "{format}: {error}");
    assert!(!out.exists(), "{format}: nothing is left behind");
}

/// Defines the test `snapshots_of_every_fixture`: every fixture of
/// [`FIXTURES`] converted to `$format` with `$options`, and
/// [`describe_output`] of each snapshotted under the fixture's name.
#[macro_export]
macro_rules! snapshots_of_every_fixture {
    ($format:literal, $options:expr) => {
        #[test]
        fn snapshots_of_every_fixture() {
            for name in $crate::FIXTURES {
                let dataset = $crate::open(name);
                let (_root, out, summary) = $crate::convert(&dataset, $format, &$options);
                insta::assert_snapshot!(*name, $crate::describe_output(&out, &summary));
            }
        }
    };
}
