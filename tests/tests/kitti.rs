//! End-to-end tests of the KITTI segmentation exporter on the fixtures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ade20k_export::{
    export, find_format, ExportError, ExportOptions, LabelList, LabelSelection, MediaMode,
};
use ade20k_import::Ade20k2020Dataset;
use ade20k_model::{Item, MaskKind};
use ade20k_test_support::images::read_png;
use ade20k_test_support::synthetic::items;
use ade20k_tests::{
    assert_flattened_names_refused, assert_image_placed, assert_output_independent_of_threads,
    convert, file_contents, ids_by_class, label_colors, open, options, snapshots_of_every_fixture,
    visible_objects, FIXTURES,
};

/// The file `<subset>/<folder>/<name>.png` of `item`.
fn kitti_file(out: &Path, item: &Item, folder: &str) -> PathBuf {
    out.join(&item.subset)
        .join(folder)
        .join(format!("{}.png", item.id.replace('/', "_")))
}

snapshots_of_every_fixture!("kitti", options());

#[test]
fn semantic_pixels_are_the_class_map_through_the_label_ids() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "kitti", &options());
        let ids = ids_by_class(&dataset);
        let colors = label_colors(&out);
        assert_eq!(colors.len(), ids.len() + 1);
        assert_eq!(colors[0], ([0, 0, 0], "unlabeled".to_string()));
        assert_eq!(summary.categories, ids.len());
        for item in items(&dataset) {
            let class_map = item.class_map(0).unwrap();
            let semantic = read_png(&kitti_file(&out, &item, "semantic"));
            assert_eq!(semantic.color_type, png::ColorType::Grayscale);
            assert_eq!(semantic.bit_depth, png::BitDepth::Eight);
            let expected: Vec<u32> = class_map
                .classes()
                .iter()
                .map(|class| ids.get(class).copied().unwrap_or(0))
                .collect();
            assert_eq!(semantic.samples, expected, "{name} {}", item.id);
            let rgb = read_png(&kitti_file(&out, &item, "semantic_rgb"));
            assert_eq!(rgb.color_type, png::ColorType::Rgb);
            let expected: Vec<u32> = expected
                .iter()
                .flat_map(|&id| colors[id as usize].0)
                .collect();
            assert_eq!(rgb.samples, expected, "{name} {}", item.id);
        }
    }
}

#[test]
fn each_visible_object_is_one_instance_numbered_from_one_per_class() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "kitti", &options());
        let mut instances_written = 0;
        for item in items(&dataset) {
            let semantic = read_png(&kitti_file(&out, &item, "semantic")).samples;
            let instance = read_png(&kitti_file(&out, &item, "instance"));
            assert_eq!(instance.bit_depth, png::BitDepth::Sixteen);
            for (&label, &value) in semantic.iter().zip(&instance.samples) {
                assert_eq!(label, value >> 8, "the high byte is the label id");
                assert_eq!(label == 0, value == 0, "every class is a thing");
            }
            let mut per_class: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
            for object in visible_objects(&item) {
                let mask = item.binary_mask(object, MaskKind::Visible).unwrap();
                let values: BTreeSet<u32> = mask
                    .pixels()
                    .iter()
                    .zip(&instance.samples)
                    .filter(|(&set, _)| set == 1)
                    .map(|(_, &value)| value)
                    .collect();
                assert_eq!(values.len(), 1, "{} object {object}", item.id);
                let value = *values.first().unwrap();
                per_class.entry(value >> 8).or_default().push(value & 0xff);
                instances_written += 1;
            }
            for (class, numbers) in per_class {
                let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
                assert_eq!(
                    numbers, expected,
                    "{} class {class}: numbered from 1 in annotation order",
                    item.id
                );
            }
        }
        assert_eq!(summary.annotations(), instances_written);
    }
}

/// The street scene of the main fixture.
fn street(dataset: &Ade20k2020Dataset) -> Item {
    items(dataset)
        .into_iter()
        .find(|item| item.id == "urban/street/ADE_train_00000001")
        .unwrap()
}

#[test]
fn stuff_pixels_have_instance_zero() {
    let dataset = open("ade20k2020");
    let mut list = LabelList::parse("sky\nwall\ncar\nperson\ntree\n").unwrap();
    list.labels[0].is_thing = Some(false);
    let listed = ExportOptions {
        labels: LabelSelection::List(list),
        stuff: None,
        ..options()
    };
    let named_stuff = ExportOptions {
        labels: LabelSelection::List(LabelList::parse("sky\nwall\ncar\nperson\ntree\n").unwrap()),
        stuff: Some(LabelList::parse("sky\nwall\n").unwrap()),
        ..options()
    };
    for (options, stuff) in [(listed, [1].as_slice()), (named_stuff, &[1, 2])] {
        let (_root, out, summary) = convert(&dataset, "kitti", &options);
        let names: Vec<String> = label_colors(&out).into_iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["unlabeled", "sky", "wall", "car", "person", "tree"]);
        let instance = read_png(&kitti_file(&out, &street(&dataset), "instance")).samples;
        let values: BTreeSet<u32> = instance.iter().copied().collect();
        let mut expected: BTreeSet<u32> = [0, 3 * 256 + 1, 4 * 256 + 1, 5 * 256 + 1].into();
        expected.extend(stuff.iter().map(|id| id * 256));
        if stuff.len() == 1 {
            expected.insert(2 * 256 + 1);
        }
        assert_eq!(
            values, expected,
            "stuff as id × 256, things from id × 256 + 1"
        );
        let things = 5 - stuff.len();
        assert!(
            summary.notes.contains(&format!(
                "instance: {things} thing classes as id × 256 + instance, {} stuff classes as id × 256",
                stuff.len()
            )),
            "{:?}",
            summary.notes
        );
    }
}

/// The usage error of exporting the main fixture with `options`.
fn export_error(options: &ExportOptions) -> String {
    let dataset = open("ade20k2020");
    let root = tempfile::tempdir().unwrap();
    let format = find_format("kitti").unwrap();
    match export(&dataset, format, &root.path().join("out"), options, false) {
        Err(ExportError::Usage(message)) => message,
        other => panic!("expected a usage error, got {other:?}"),
    }
}

#[test]
fn label_ids_must_fit_eight_bits() {
    let many: String = (1..=256).map(|index| format!("{index}\n")).collect();
    let message = export_error(&ExportOptions {
        labels: LabelSelection::List(LabelList::parse(&many).unwrap()),
        ..options()
    });
    assert_eq!(
        message,
        "kitti holds at most 255 classes but 256 are asked for; \
         choose fewer with --labels FILE, --labels sceneparsing150 or --top-classes K"
    );
    let scene_parsing = ExportOptions {
        labels: LabelSelection::List(LabelList::scene_parsing_150()),
        ..options()
    };
    let (_root, out, _) = convert(&open("ade20k2020"), "kitti", &scene_parsing);
    assert_eq!(label_colors(&out).len(), 151, "sceneparsing150 fits");
}

#[test]
fn output_does_not_depend_on_threads() {
    let dataset = open("ade20k2020");
    assert_output_independent_of_threads(&dataset, "kitti", &options(), &[1, 3], file_contents);
}

#[test]
fn images_go_to_image_2_under_their_flat_names() {
    let dataset = open("ade20k2020");
    let copy = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "kitti", &copy);
    for (item, path) in items(&dataset).iter().zip([
        "training/image_2/home_kitchen_ADE_train_00000002.jpg",
        "training/image_2/urban_street_ADE_train_00000001.jpg",
        "validation/image_2/ADE_val_00000001.jpg",
    ]) {
        assert_image_placed(&out.join(path), item);
    }
    let (_root, out, _) = convert(&dataset, "kitti", &options());
    assert!(
        !out.join("training/image_2").exists(),
        "--media none writes no images"
    );
}

#[test]
fn items_whose_ids_flatten_to_one_name_are_refused() {
    assert_flattened_names_refused(
        "kitti",
        "its kitti files training/*/urban_street_ADE_train_00000001.png",
    );
}
