//! `ExportOptions::skip_broken`: broken items are left out of every format,
//! the output is that of the dataset without them, whatever the thread count.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_export::{
    export, ExportError, ExportOptions, LabelNaming, LabelSelection, MediaMode, Summary, FORMATS,
    SKIPPED_FILE,
};
use ade20k_import::Ade20k2020Dataset;
use ade20k_test_support::fixture;
use ade20k_test_support::folders::copy_dir;
use ade20k_test_support::images::read_png;
use ade20k_tests::{file_contents, on_threads};

/// The item broken in these tests, and the files that make it.
const BROKEN_SUBSET: &str = "training";
const BROKEN_ID: &str = "home/kitchen/ADE_train_00000002";
const BROKEN_STEM: &str = "training/home/kitchen/ADE_train_00000002";

/// Ways to break the item.
#[derive(Clone, Copy, Debug)]
enum Breakage {
    /// Its annotation cut in the middle.
    TruncatedJson,
    /// One of its instance masks deleted.
    MissingInstanceMask,
}

impl Breakage {
    const ALL: [Breakage; 2] = [Breakage::TruncatedJson, Breakage::MissingInstanceMask];

    /// Breaks the item in the dataset at `root`; returns the file named in the error.
    fn apply(self, root: &Path) -> PathBuf {
        match self {
            Breakage::TruncatedJson => {
                let path = root.join(format!("{BROKEN_STEM}.json"));
                let bytes = fs::read(&path).unwrap();
                fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
                path
            }
            Breakage::MissingInstanceMask => {
                let path = root.join(format!("{BROKEN_STEM}/instance_000_ADE_train_00000002.png"));
                fs::remove_file(&path).unwrap();
                path
            }
        }
    }
}

/// Removes every file of the broken item from the dataset at `root`.
fn remove_broken_item(root: &Path) {
    let stem = root.join(BROKEN_STEM);
    let folder = stem.parent().unwrap();
    let name = stem.file_name().unwrap().to_string_lossy().into_owned();
    for entry in fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&name)
        {
            if path.is_dir() {
                fs::remove_dir_all(&path).unwrap();
            } else {
                fs::remove_file(&path).unwrap();
            }
        }
    }
}

/// A temporary copy of the `ade20k2020` fixture.
struct Workspace {
    root: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        copy_dir(&fixture("ade20k2020"), &root.path().join("in"));
        Workspace { root }
    }

    fn input(&self) -> PathBuf {
        self.root.path().join("in")
    }

    fn output(&self) -> PathBuf {
        self.root.path().join("out")
    }

    /// Exports the dataset as it is now into `out` (removed first) and
    /// returns the result with the output's files.
    fn export(
        &self,
        format: &str,
        options: &ExportOptions,
    ) -> Result<(Summary, BTreeMap<String, Vec<u8>>), ExportError> {
        let out = self.output();
        if out.exists() {
            fs::remove_dir_all(&out).unwrap();
        }
        let dataset = Ade20k2020Dataset::open(self.input()).unwrap();
        let format = ade20k_export::find_format(format).unwrap();
        let summary = export(&dataset, format, &out, options, false)?;
        Ok((summary, file_contents(&out)))
    }
}

fn skipping(options: ExportOptions) -> ExportOptions {
    ExportOptions {
        skip_broken: true,
        ..options
    }
}

/// Exports every format with a broken item, skipping it, and compares with
/// the export of the dataset without the item: same files (images too), plus
/// `skipped.txt` naming the item and the file.
fn assert_broken_item_left_out(options: ExportOptions, formats: &[&str]) {
    let options = skipping(options);
    for breakage in Breakage::ALL {
        for &format in formats {
            let workspace = Workspace::new();
            let bad_file = breakage.apply(&workspace.input());
            let (summary, mut files) = workspace
                .export(format, &options)
                .unwrap_or_else(|e| panic!("{format}, {breakage:?}: {e}"));
            let listed =
                String::from_utf8(files.remove(SKIPPED_FILE).expect("skipped.txt")).unwrap();
            let line = format!("{BROKEN_SUBSET}/{BROKEN_ID}\t{}: ", bad_file.display());
            assert!(
                listed.starts_with(&line) && listed.lines().count() == 1,
                "{format}, {breakage:?}: skipped.txt is {listed:?}"
            );
            assert_eq!(summary.skipped.len(), 1);
            assert_eq!(summary.skipped[0].id, BROKEN_ID);
            assert_eq!(summary.skipped[0].path, bad_file);
            assert_eq!(format!("{}\n", summary.skipped[0]), listed);

            remove_broken_item(&workspace.input());
            let (mut reference_summary, reference) = workspace.export(format, &options).unwrap();
            assert!(
                !reference.contains_key(SKIPPED_FILE),
                "nothing skipped, no skipped.txt"
            );
            let names =
                |files: &BTreeMap<String, Vec<u8>>| files.keys().cloned().collect::<Vec<_>>();
            assert_eq!(
                names(&files),
                names(&reference),
                "{format}, {breakage:?}: the files of the dataset without the item"
            );
            for (name, bytes) in &reference {
                assert!(
                    files[name] == *bytes,
                    "{format}, {breakage:?}: {name} differs"
                );
            }
            reference_summary.skipped = summary.skipped.clone();
            assert_eq!(summary, reference_summary, "{format}, {breakage:?}");
        }
    }
}

fn all_formats() -> Vec<&'static str> {
    FORMATS.iter().map(|format| format.name).collect()
}

#[test]
fn every_format_leaves_a_broken_item_out_whole() {
    // coco, voc, semantic, yolo and the others, images copied so that a
    // placed image of the broken item would show.
    assert_broken_item_left_out(
        ExportOptions {
            media: MediaMode::Copy,
            ..ExportOptions::default()
        },
        &all_formats(),
    );
}

#[test]
fn whole_dataset_passes_leave_broken_items_out_too() {
    // Pixel counts of --top-classes, raw label order and label collection.
    assert_broken_item_left_out(
        ExportOptions {
            media: MediaMode::None,
            labels: LabelSelection::TopClasses(3),
            ..ExportOptions::default()
        },
        &[
            "coco",
            "voc",
            "semantic",
            "yolo",
            "cityscapes",
            "kitti",
            "mots",
            "camvid",
            "cvat",
            "label_me",
            "segment_anything",
            "open_images",
            "coco_panoptic",
        ],
    );
    assert_broken_item_left_out(
        ExportOptions {
            media: MediaMode::None,
            label_naming: LabelNaming::Raw,
            ..ExportOptions::default()
        },
        &["coco", "datumaro", "yolo"],
    );
}

/// `semantic` decodes no instance mask: one whose pixels are wrong (a value
/// other than 0, 128 and 255) breaks nothing for it, though its header, which
/// every format reads, is that of a good mask. A missing one breaks the item.
#[test]
fn pixels_of_an_instance_mask_semantic_does_not_decode_break_nothing_for_it() {
    let workspace = Workspace::new();
    let options = skipping(ExportOptions::default());
    let (_, complete) = workspace.export("semantic", &options).unwrap();
    let mask = workspace
        .input()
        .join(format!("{BROKEN_STEM}/instance_000_ADE_train_00000002.png"));
    let good = read_png(&mask);
    let image = image::GrayImage::from_pixel(good.width, good.height, image::Luma([7]));
    image.save(&mask).unwrap();
    let (summary, files) = workspace.export("semantic", &options).unwrap();
    assert!(summary.skipped.is_empty());
    assert!(files == complete);
    let (summary, _) = workspace.export("coco", &options).unwrap();
    assert_eq!(summary.skipped.len(), 1, "coco decodes it");
    assert!(summary.skipped[0].problem.contains("value 7"));

    Breakage::MissingInstanceMask.apply(&workspace.input());
    let (summary, _) = workspace.export("semantic", &options).unwrap();
    assert_eq!(summary.skipped.len(), 1, "the header of every file is read");
    assert_eq!(summary.skipped[0].id, BROKEN_ID);
}

#[test]
fn output_with_a_broken_item_does_not_depend_on_threads() {
    let options = skipping(ExportOptions {
        media: MediaMode::Copy,
        ..ExportOptions::default()
    });
    for breakage in Breakage::ALL {
        let workspace = Workspace::new();
        breakage.apply(&workspace.input());
        for format in all_formats() {
            let run = |threads: usize| on_threads(threads, || workspace.export(format, &options));
            let (_, first) = run(1).unwrap();
            for threads in [2, 3, 8] {
                let (_, other) = run(threads).unwrap();
                assert!(
                    first == other,
                    "{format}, {breakage:?}: output on {threads} threads differs"
                );
            }
        }
    }
}

#[test]
fn without_skip_broken_a_broken_item_stops_the_export_and_writes_nothing() {
    for format in ["coco", "voc", "semantic", "yolo"] {
        let workspace = Workspace::new();
        let bad_file = Breakage::TruncatedJson.apply(&workspace.input());
        let error = match workspace.export(format, &ExportOptions::default()) {
            Ok(_) => panic!("{format}: the export succeeded"),
            Err(error) => error,
        };
        assert!(
            error.to_string().contains(&*bad_file.to_string_lossy()),
            "{format}: {error}"
        );
        assert_eq!(fs::read_dir(workspace.root.path()).unwrap().count(), 1);
    }
}

/// When every item is broken, every format writes what it writes of no
/// item, and skipped.txt lists them all: a complete output of nothing, as
/// `--skip-broken` promises, rather than an error.
#[test]
fn a_dataset_of_only_broken_items_converts_to_its_skipped_list() {
    let workspace = Workspace::new();
    for class_map in [
        "training/urban/street/ADE_train_00000001_seg.png",
        "validation/ADE_val_00000001_seg.png",
    ] {
        fs::write(workspace.input().join(class_map), "not a PNG").unwrap();
    }
    Breakage::TruncatedJson.apply(&workspace.input());
    assert_eq!(FORMATS.len(), 18, "every format is listed below");
    for (format, written) in [
        ("coco", &[][..]),
        ("coco_panoptic", &[]),
        ("semantic", &["dataset_meta.json"]),
        ("voc", &["labelmap.txt"]),
        ("cityscapes", &["label_colors.txt"]),
        ("datumaro", &[]),
        ("ade20k2020", &[]),
        ("yolo", &["data.yaml"]),
        (
            "ade20k_challenge",
            &["data.yaml", "objectInfo150.csv", "sceneCategories.txt"],
        ),
        ("kitti", &["label_colors.txt"]),
        ("mots", &[]),
        ("camvid", &["label_colors.txt"]),
        ("cvat", &["annotations.xml"]),
        ("label_me", &[]),
        ("segment_anything", &[]),
        (
            "open_images",
            &[
                "annotations/images.meta",
                "annotations/oidv6-class-descriptions.csv",
            ],
        ),
        ("parquet", &["README.md"]),
        ("webdataset", &["README.md", "labels.json"]),
    ] {
        let (summary, mut files) = workspace
            .export(format, &skipping(ExportOptions::default()))
            .unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(summary.items(), 0, "{format}");
        let ids: Vec<&str> = summary
            .skipped
            .iter()
            .map(|item| item.id.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "home/kitchen/ADE_train_00000002",
                "urban/street/ADE_train_00000001",
                "ADE_val_00000001"
            ],
            "{format}"
        );
        let listed = String::from_utf8(files.remove(SKIPPED_FILE).expect("skipped.txt")).unwrap();
        assert_eq!(listed.lines().count(), 3, "{format}: {listed}");
        assert_eq!(files.keys().collect::<Vec<_>>(), written, "{format}");
    }
}
