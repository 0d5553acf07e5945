//! End-to-end tests of the semantic-mask exporter on the fixtures.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_export::{
    export, find_format, ExportError, ExportOptions, LabelList, LabelNaming, LabelSelection,
    MediaMode, PartsMode, Summary,
};
use ade20k_model::{ClassIndex, ClassMap, Item, ItemSource};
use ade20k_test_support::images::read_png;
use ade20k_test_support::read_json;
use ade20k_test_support::synthetic::items;
use ade20k_tests::{
    assert_image_placed, assert_output_independent_of_threads, convert, file_contents, files, open,
    options, FIXTURES,
};
use serde_json::Value;

const NOT_SELECTED_PIXELS: &str = "pixels of classes not selected (written as 0)";

/// A decoded annotation PNG.
#[derive(Debug, PartialEq, Eq)]
struct Mask {
    width: u32,
    height: u32,
    /// Bits per pixel of the grey PNG.
    bits: u8,
    values: Vec<u32>,
}

impl Mask {
    fn read(path: &Path) -> Mask {
        let png = read_png(path);
        assert_eq!(png.color_type, png::ColorType::Grayscale, "{path:?}");
        let bits = match png.bit_depth {
            png::BitDepth::Eight => 8,
            png::BitDepth::Sixteen => 16,
            other => panic!("{path:?}: unexpected bit depth {other:?}"),
        };
        Mask {
            width: png.width,
            height: png.height,
            bits,
            values: png.samples,
        }
    }

    /// `width×height, N-bit grey: value ×pixels, …` (most pixels first).
    fn describe(&self) -> String {
        let mut histogram: BTreeMap<u32, usize> = BTreeMap::new();
        for &value in &self.values {
            *histogram.entry(value).or_default() += 1;
        }
        let mut counts: Vec<(u32, usize)> = histogram.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let counts: Vec<String> = counts.iter().map(|(v, n)| format!("{v} ×{n}")).collect();
        format!(
            "{}×{}, {}-bit grey: {}",
            self.width,
            self.height,
            self.bits,
            counts.join(", ")
        )
    }
}

fn mask_path(out: &Path, item: &Item) -> PathBuf {
    out.join("annotations")
        .join(&item.subset)
        .join(format!("{}.png", item.id))
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = files(dir)
        .iter()
        .map(|file| file.to_string_lossy().replace('\\', "/"))
        .collect();
    files.sort();
    files
}

/// The label map of `dataset_meta.json` as (value, name), by value.
fn label_map(out: &Path) -> Vec<(u32, String)> {
    let meta = read_json(&out.join("dataset_meta.json"));
    let mut labels: Vec<(u32, String)> = meta["label_map"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(key, name)| (key.parse().unwrap(), name.as_str().unwrap().to_string()))
        .collect();
    labels.sort();
    labels
}

/// The meta file, described compactly: the label map and the colour of each
/// listed value (the colour list itself covers every value up to the largest).
fn describe_meta(out: &Path) -> String {
    let meta = read_json(&out.join("dataset_meta.json"));
    let colors = meta["segmentation_colors"].as_array().unwrap();
    let mut text = format!(
        "background_label: {}\nsegmentation_colors: {} entries\nlabel_map:\n",
        meta["background_label"],
        colors.len()
    );
    for (value, name) in label_map(out) {
        let color = &colors[value as usize];
        writeln!(text, "  {value}: {name} {color}").unwrap();
    }
    text
}

/// The class index of every pixel of `map`, as a plain number.
fn class_values(map: &ClassMap) -> Vec<u32> {
    map.classes().iter().map(|class| class.0).collect()
}

/// Class map pixels of `item` at `level` through `ids` (absent → 0); the
/// number of labeled pixels that became 0.
fn mapped_class_map(item: &Item, level: u32, ids: &HashMap<ClassIndex, u32>) -> (Vec<u32>, u64) {
    let mut dropped = 0;
    let values = item
        .class_map(level)
        .unwrap()
        .classes()
        .iter()
        .map(|class| match ids.get(class) {
            Some(&id) => id,
            None => {
                dropped += u64::from(*class != ClassIndex::UNLABELED);
                0
            }
        })
        .collect();
    (values, dropped)
}

fn dropped_pixels(summary: &Summary) -> u64 {
    summary
        .left_out
        .get(NOT_SELECTED_PIXELS)
        .copied()
        .unwrap_or(0)
}

/// Distinct non-zero values of every mask, summed over items.
fn labels_present(masks: &[Mask]) -> u64 {
    masks
        .iter()
        .map(|mask| {
            let mut values: Vec<u32> = mask.values.iter().copied().filter(|&v| v != 0).collect();
            values.sort_unstable();
            values.dedup();
            values.len() as u64
        })
        .sum()
}

#[test]
fn snapshots_of_every_fixture() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "semantic", &options());
        let mut text = format!("summary:\n{summary}\nfiles:\n");
        for file in files_under(&out) {
            writeln!(text, "  {file}").unwrap();
        }
        text.push_str("\nmasks:\n");
        for item in items(&dataset) {
            let mask = Mask::read(&mask_path(&out, &item));
            writeln!(text, "  {}/{}: {}", item.subset, item.id, mask.describe()).unwrap();
        }
        text.push_str("\ndataset_meta.json:\n");
        text.push_str(&describe_meta(&out));
        insta::assert_snapshot!(name.to_string(), text);
    }
}

#[test]
fn sceneparsing150_output_snapshot() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        labels: LabelSelection::List(LabelList::scene_parsing_150()),
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "semantic", &options);
    let mut text = format!("summary:\n{summary}\nmasks:\n");
    for item in items(&dataset) {
        let mask = Mask::read(&mask_path(&out, &item));
        writeln!(text, "  {}/{}: {}", item.subset, item.id, mask.describe()).unwrap();
    }
    insta::assert_snapshot!("ade20k2020_sceneparsing150", text);
    let meta = fs::read_to_string(out.join("dataset_meta.json")).unwrap();
    insta::assert_snapshot!("ade20k2020_sceneparsing150_meta", meta);
}

#[test]
fn pixels_are_the_class_indices_of_the_class_map() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "semantic", &options());
        let mut masks = Vec::new();
        for item in items(&dataset) {
            let mask = Mask::read(&mask_path(&out, &item));
            let class_map = item.class_map(0).unwrap();
            assert_eq!(
                (mask.width, mask.height),
                (item.image.width, item.image.height)
            );
            assert_eq!(mask.bits, 16, "class indices need 16 bits");
            assert_eq!(mask.values, class_values(&class_map), "{name} {}", item.id);
            masks.push(mask);
        }
        assert_eq!(summary.items(), dataset.len() as u64);
        assert_eq!(summary.annotations(), labels_present(&masks));
        assert!(
            summary.left_out.is_empty(),
            "{name}: {:?}",
            summary.left_out
        );
        assert!(summary.notes[0].starts_with("masks are 16-bit grey PNGs"));
    }
}

#[test]
fn meta_lists_the_classes_present_by_index() {
    let dataset = open("ade20k2020");
    let (_root, out, summary) = convert(&dataset, "semantic", &options());
    let names: BTreeMap<u32, String> = label_map(&out).into_iter().collect();
    let mut present: Vec<u32> = items(&dataset)
        .iter()
        .flat_map(|item| class_values(&item.class_map(0).unwrap()))
        .collect();
    present.push(0);
    present.sort_unstable();
    present.dedup();
    assert_eq!(names.keys().copied().collect::<Vec<_>>(), present);
    assert_eq!(summary.categories, present.len() - 1);
    assert_eq!(names[&0], "background");
    assert_eq!(names[&401], "car");
    assert_eq!(
        names[&1910], "plant, flora, plant life",
        "shared first synonym"
    );
    assert!(!names.contains_key(&113), "the ashcan has no visible pixel");
    let meta = read_json(&out.join("dataset_meta.json"));
    let colors = meta["segmentation_colors"].as_array().unwrap();
    assert_eq!(
        colors.len(),
        2979,
        "a colour for every value up to wall (2978)"
    );
    assert_eq!(colors[0], serde_json::json!([0, 0, 0]));
    assert_eq!(colors[1], serde_json::json!([128, 0, 0]), "VOC colours");
    assert_eq!(meta["background_label"], "0");

    let full = ExportOptions {
        label_naming: LabelNaming::Full,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "semantic", &full);
    let names: BTreeMap<u32, String> = label_map(&out).into_iter().collect();
    assert_eq!(names[&401], "car, auto, automobile, machine, motorcar");
}

/// Fixture classes the SceneParsing benchmark's map from class index
/// (`mapFromADE.txt`) lists: (class index, output id, benchmark name). The
/// preset follows the index, as the benchmark's converter does, whatever the
/// object's name: the fixtures' indices are not all the release's, so the
/// fixture's signboard (2262) becomes the release's class 2262, sculpture, and
/// the car's window (3055) the release's windowpane; the fixture's road
/// (2097), windowpane (3057), pot (1963) and ashcan (113) have indices the map
/// leaves out, as it does the industrial plant (1911), wheel, handle and hinge.
const SCENE_PARSING_IDS: &[(ClassIndex, u32, &str)] = &[
    (ClassIndex(2978), 1, "wall"),
    (ClassIndex(2420), 3, "sky"),
    (ClassIndex(976), 4, "floor, flooring"),
    (ClassIndex(2855), 5, "tree"),
    (ClassIndex(3055), 9, "windowpane, window"),
    (
        ClassIndex(1831),
        13,
        "person, individual, someone, somebody, mortal, soul",
    ),
    (ClassIndex(774), 15, "door, double door"),
    (ClassIndex(1910), 18, "plant, flora, plant life"),
    (
        ClassIndex(401),
        21,
        "car, auto, automobile, machine, motorcar",
    ),
    (ClassIndex(2262), 133, "sculpture"),
];

#[test]
fn sceneparsing150_is_a_drop_in_ade_challenge_layout() {
    let list = LabelList::scene_parsing_150();
    for (_, id, name) in SCENE_PARSING_IDS {
        assert_eq!(list.labels[*id as usize - 1].name, *name);
    }
    let ids: HashMap<ClassIndex, u32> = SCENE_PARSING_IDS
        .iter()
        .map(|(class, id, _)| (*class, *id))
        .collect();
    let options = ExportOptions {
        labels: LabelSelection::List(list.clone()),
        ..options()
    };
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "semantic", &options);
        let mut dropped = 0;
        let mut masks = Vec::new();
        for item in items(&dataset) {
            let mask = Mask::read(&mask_path(&out, &item));
            let (expected, item_dropped) = mapped_class_map(&item, 0, &ids);
            assert_eq!(mask.bits, 8, "150 labels fit 8 bits");
            assert_eq!(mask.values, expected, "{name} {}", item.id);
            assert!(mask.values.iter().all(|&v| v <= 150));
            dropped += item_dropped;
            masks.push(mask);
        }
        assert_eq!(dropped_pixels(&summary), dropped, "{name}");
        assert_eq!(summary.annotations(), labels_present(&masks));
        assert_eq!(summary.categories, 150);
        let labels = label_map(&out);
        assert_eq!(labels.len(), 151);
        assert_eq!(labels[0], (0, "background".to_string()));
        for (position, listed) in list.labels.iter().enumerate() {
            assert_eq!(
                labels[position + 1],
                (position as u32 + 1, listed.name.clone())
            );
        }
        let colors = read_json(&out.join("dataset_meta.json"))["segmentation_colors"].clone();
        assert_eq!(colors[1], serde_json::json!([120, 120, 120]), "wall");
        assert_eq!(colors[150], serde_json::json!([92, 0, 255]), "flag");
    }
    let dataset = open("ade20k2020");
    let (_root, _out, summary) = convert(&dataset, "semantic", &options);
    assert!(
        dropped_pixels(&summary) > 0,
        "the industrial plant is not a benchmark class"
    );
}

#[test]
fn a_label_list_numbers_and_merges_classes() {
    let dataset = open("ade20k2020");
    let list = LabelList::parse("sky\nbuilding = wall\nbuilding = 2262\n").unwrap();
    let options = ExportOptions {
        labels: LabelSelection::List(list),
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "semantic", &options);
    let ids =
        HashMap::from([(2420, 1), (2978, 2), (2262, 2)].map(|(class, id)| (ClassIndex(class), id)));
    let mut dropped = 0;
    for item in items(&dataset) {
        let mask = Mask::read(&mask_path(&out, &item));
        let (expected, item_dropped) = mapped_class_map(&item, 0, &ids);
        assert_eq!(mask.bits, 8);
        assert_eq!(mask.values, expected, "{}", item.id);
        dropped += item_dropped;
    }
    assert_eq!(dropped_pixels(&summary), dropped);
    assert_eq!(
        label_map(&out),
        [(0, "background"), (1, "sky"), (2, "building")].map(|(v, n)| (v, n.to_string()))
    );
    let colors = read_json(&out.join("dataset_meta.json"))["segmentation_colors"].clone();
    assert_eq!(
        colors,
        serde_json::json!([[0, 0, 0], [128, 0, 0], [0, 128, 0]]),
        "VOC colours where the list gives none"
    );
}

#[test]
fn more_than_255_labels_need_16_bits() {
    let dataset = open("ade20k2020");
    // The fixture's wall and sky first, then 254 classes of the release it
    // does not use.
    let text: String = ["2978", "2420"]
        .into_iter()
        .map(String::from)
        .chain((1..=254).map(|class| format!("{}", 3100 + class)))
        .map(|line| line + "\n")
        .collect();
    let options = ExportOptions {
        labels: LabelSelection::List(LabelList::parse(&text).unwrap()),
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "semantic", &options);
    let ids = HashMap::from([(2978, 1), (2420, 2)].map(|(class, id)| (ClassIndex(class), id)));
    for item in items(&dataset) {
        let mask = Mask::read(&mask_path(&out, &item));
        assert_eq!(mask.bits, 16, "256 labels");
        assert_eq!(mask.values, mapped_class_map(&item, 0, &ids).0);
    }
    assert_eq!(summary.categories, 256);
    assert!(summary.notes[0].starts_with("masks are 16-bit"));
    assert_eq!(
        summary.warnings.len(),
        254,
        "one per class the dataset lacks"
    );
    assert_eq!(
        summary.warnings[0],
        "the label list, line 3: no object of the dataset is of class 3101"
    );
}

fn export_error(options: &ExportOptions) -> String {
    let dataset = open("ade20k2020");
    let root = tempfile::tempdir().unwrap();
    let format = find_format("semantic").unwrap();
    match export(&dataset, format, &root.path().join("out"), options, false) {
        Err(ExportError::Usage(message)) => message,
        other => panic!("expected a usage error, got {other:?}"),
    }
}

#[test]
fn impossible_requests_fail_up_front() {
    let too_many: String = (1..=65536).map(|n| format!("car {n} = car\n")).collect();
    let message = export_error(&ExportOptions {
        labels: LabelSelection::List(LabelList::parse(&too_many).unwrap()),
        ..options()
    });
    assert_eq!(
        message,
        "a 16-bit semantic mask holds at most 65535 classes but 65536 are asked for; \
         choose fewer with --labels FILE, --labels sceneparsing150 or --top-classes K"
    );
    let message = export_error(&ExportOptions {
        parts: PartsMode::Exclude,
        part_level: 1,
        ..options()
    });
    assert!(message.contains("part level above 0"), "{message}");
    let message = export_error(&ExportOptions {
        labels: LabelSelection::List(LabelList::parse("background = sky\n").unwrap()),
        ..options()
    });
    assert!(message.contains("reserved for pixel value 0"), "{message}");
}

#[test]
fn a_part_level_writes_its_class_map_or_an_empty_mask() {
    let dataset = open("ade20k2020");
    for level in [1, 2, 3] {
        let options = ExportOptions {
            part_level: level,
            ..options()
        };
        let (_root, out, summary) = convert(&dataset, "semantic", &options);
        let mut missing = 0;
        for item in items(&dataset) {
            let mask = Mask::read(&mask_path(&out, &item));
            assert_eq!(
                (mask.width, mask.height),
                (item.image.width, item.image.height)
            );
            if level <= item.part_levels {
                assert_eq!(mask.values, class_values(&item.class_map(level).unwrap()));
            } else {
                assert!(mask.values.iter().all(|&v| v == 0));
                missing += 1;
            }
        }
        assert_eq!(
            summary.left_out[&format!("items without part level {level} (written empty)")],
            missing
        );
        assert_eq!(missing, [1, 2, 3][level as usize - 1], "level {level}");
    }
    let options = ExportOptions {
        part_level: 1,
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "semantic", &options);
    let names: BTreeMap<u32, String> = label_map(&out).into_iter().collect();
    assert_eq!(names[&3054], "wheel");
    assert_eq!(names[&1180], "handle");
    assert!(summary.notes[0].contains("_parts_1.png"));
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let dataset = open("ade20k2020");
    assert_output_independent_of_threads(
        &dataset,
        "semantic",
        &options(),
        &[1, 2, 4],
        file_contents,
    );
}

#[test]
fn images_are_placed_beside_the_annotations() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "semantic", &options);
    for item in items(&dataset) {
        let image = out
            .join("images")
            .join(&item.subset)
            .join(format!("{}.jpg", item.id));
        assert_image_placed(&image, &item);
        assert!(mask_path(&out, &item).is_file());
    }
    let (_root, out, _) = convert(&dataset, "semantic", &ade20k_tests::options());
    assert!(
        !out.join("images").exists(),
        "--media none writes no images"
    );
}

#[test]
fn meta_file_is_valid_json_with_a_colour_per_listed_value() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, _) = convert(&dataset, "semantic", &options());
        let meta: Value = read_json(&out.join("dataset_meta.json"));
        let largest = label_map(&out).iter().map(|(v, _)| *v).max().unwrap();
        let colors = meta["segmentation_colors"].as_array().unwrap();
        assert_eq!(colors.len(), largest as usize + 1);
        assert!(colors.iter().all(|c| c.as_array().unwrap().len() == 3));
    }
}
