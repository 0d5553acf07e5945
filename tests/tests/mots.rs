//! End-to-end tests of the MOTS PNG exporter on the fixtures.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_export::{
    export, find_format, ExportError, ExportOptions, LabelList, LabelSelection, MediaMode,
};
use ade20k_model::{Item, MaskKind};
use ade20k_test_support::images::read_png;
use ade20k_test_support::synthetic::items;
use ade20k_tests::{
    assert_image_placed, assert_output_independent_of_threads, convert, file_contents,
    ids_by_class, open, options, snapshots_of_every_fixture, FIXTURES,
};

/// The instance map of `item`.
fn instances(out: &Path, item: &Item) -> PathBuf {
    out.join(&item.subset)
        .join("instances")
        .join(format!("{}.png", item.id))
}

snapshots_of_every_fixture!("mots", options());

#[test]
fn each_visible_object_is_its_class_times_1000_plus_its_instance() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "mots", &options());
        let ids = ids_by_class(&dataset);
        let labels = fs::read_to_string(out.join("training/instances/labels.txt")).unwrap();
        assert_eq!(labels.lines().count(), ids.len(), "{name}: one line per id");
        assert_eq!(summary.categories, ids.len());
        let mut written = 0;
        for item in items(&dataset) {
            let map = read_png(&instances(&out, &item));
            assert_eq!(map.color_type, png::ColorType::Grayscale);
            assert_eq!(map.bit_depth, png::BitDepth::Sixteen);
            let class_map = item.class_map(0).unwrap();
            let mut covered = vec![false; map.samples.len()];
            let mut per_class: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
            for (index, object) in item.objects.iter().enumerate() {
                if object.is_part() {
                    continue;
                }
                let mask = item.binary_mask(index, MaskKind::Visible).unwrap();
                let values: BTreeSet<u32> = mask
                    .pixels()
                    .iter()
                    .zip(&map.samples)
                    .filter(|(&set, _)| set == 1)
                    .map(|(_, &value)| value)
                    .collect();
                if values.is_empty() {
                    continue;
                }
                assert_eq!(values.len(), 1, "{} object {index}", item.id);
                let value = *values.first().unwrap();
                assert_eq!(
                    value / 1000,
                    ids[&object.class],
                    "{} object {index}",
                    item.id
                );
                per_class
                    .entry(value / 1000)
                    .or_default()
                    .push(value % 1000);
                for (cover, &set) in covered.iter_mut().zip(mask.pixels()) {
                    *cover |= set == 1;
                }
                written += 1;
            }
            for (class, numbers) in per_class {
                let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
                assert_eq!(numbers, expected, "{} class {class}", item.id);
            }
            for ((&value, &cover), &class) in
                map.samples.iter().zip(&covered).zip(class_map.classes())
            {
                assert_eq!(
                    value == 0,
                    !cover,
                    "{}: background where no object is",
                    item.id
                );
                if cover {
                    assert_eq!(value / 1000, ids[&class], "{}", item.id);
                }
            }
        }
        assert_eq!(summary.annotations(), written);
    }
}

#[test]
fn labels_txt_names_the_ids_in_every_subset() {
    let list = LabelList::parse("sky\ncar\nperson\n").unwrap();
    let selected = ExportOptions {
        labels: LabelSelection::List(list),
        ..options()
    };
    let (_root, out, summary) = convert(&open("ade20k2020"), "mots", &selected);
    for subset in ["training", "validation"] {
        let labels = fs::read_to_string(out.join(subset).join("instances/labels.txt")).unwrap();
        assert_eq!(labels, "sky\ncar\nperson\n");
    }
    let street = items(&open("ade20k2020"))
        .into_iter()
        .find(|item| item.id == "urban/street/ADE_train_00000001")
        .unwrap();
    let values: BTreeSet<u32> = read_png(&instances(&out, &street))
        .samples
        .into_iter()
        .collect();
    assert_eq!(values, BTreeSet::from([0, 1001, 2001, 3001]));
    assert!(summary.left_out["objects of classes not selected"] > 0);
}

#[test]
fn label_ids_must_fit_sixteen_bits_with_the_instance() {
    let many: String = (1..=66).map(|index| format!("{index}\n")).collect();
    let dataset = open("ade20k2020");
    let root = tempfile::tempdir().unwrap();
    let format = find_format("mots").unwrap();
    let options = ExportOptions {
        labels: LabelSelection::List(LabelList::parse(&many).unwrap()),
        ..options()
    };
    let message = match export(&dataset, format, &root.path().join("out"), &options, false) {
        Err(ExportError::Usage(message)) => message,
        other => panic!("expected a usage error, got {other:?}"),
    };
    assert_eq!(
        message,
        "mots holds at most 65 classes but 66 are asked for; \
         choose fewer with --labels FILE, --labels sceneparsing150 or --top-classes K"
    );
}

#[test]
fn output_does_not_depend_on_threads() {
    let dataset = open("ade20k2020");
    assert_output_independent_of_threads(&dataset, "mots", &options(), &[1, 3], file_contents);
}

#[test]
fn images_go_to_images_under_their_scene_folders() {
    let dataset = open("ade20k2020");
    let copy = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "mots", &copy);
    for item in items(&dataset) {
        let placed = out
            .join(&item.subset)
            .join("images")
            .join(format!("{}.jpg", item.id));
        assert_image_placed(&placed, &item);
    }
    let (_root, out, _) = convert(&dataset, "mots", &options());
    assert!(
        !out.join("training/images").exists(),
        "--media none writes no images"
    );
}
