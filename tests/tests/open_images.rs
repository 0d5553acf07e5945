//! End-to-end tests of the Open Images V6 segmentation exporter on the fixtures.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use ade20k_export::{ExportOptions, LabelList, LabelSelection, MediaMode, PartsMode};
use ade20k_model::MaskKind;
use ade20k_test_support::images::read_png;
use ade20k_test_support::synthetic::items;
use ade20k_tests::{
    assert_flattened_names_refused, assert_image_placed, assert_output_independent_of_threads,
    convert, file_contents, open, options, snapshots_of_every_fixture, FIXTURES,
};

/// The rows of `<subset>-annotations-object-segmentation.csv` by `BoxID`,
/// for each `ImageID` (no field of the fixtures needs quoting).
fn mask_rows(out: &Path, subset: &str) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let path = out.join(format!(
        "annotations/{subset}-annotations-object-segmentation.csv"
    ));
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "MaskPath,ImageID,LabelName,BoxID,BoxXMin,BoxXMax,BoxYMin,BoxYMax,PredictedIoU,Clicks"
        )
    );
    let mut rows: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for line in lines {
        let fields: Vec<String> = line.split(',').map(str::to_string).collect();
        assert_eq!(fields.len(), 10, "{line}");
        rows.entry(fields[1].clone())
            .or_default()
            .insert(fields[3].clone(), fields);
    }
    rows
}

snapshots_of_every_fixture!("open_images", options());

#[test]
fn every_object_with_pixels_is_one_mask_at_the_image_size() {
    for kind in [MaskKind::Visible, MaskKind::Amodal] {
        for name in FIXTURES {
            let dataset = open(name);
            let chosen = ExportOptions {
                mask_kind: kind,
                ..options()
            };
            let (_root, out, summary) = convert(&dataset, "open_images", &chosen);
            let mut rows = BTreeMap::new();
            let mut written = 0;
            for item in items(&dataset) {
                let rows = rows
                    .entry(item.subset.clone())
                    .or_insert_with(|| mask_rows(&out, &item.subset));
                let image_id = item.id.replace('/', "_");
                let of_item = rows.remove(&image_id).unwrap_or_default();
                let (width, height) = (item.image.width, item.image.height);
                let mut kept = 0;
                for (index, object) in item.objects.iter().enumerate() {
                    let mask = item.binary_mask(index, kind).unwrap();
                    let box_id = format!("{:08x}", object.ade_id.0);
                    let Some(row) = of_item.get(&box_id) else {
                        assert!(mask.is_empty(), "{} object {index} is written", item.id);
                        continue;
                    };
                    kept += 1;
                    let what = format!("{name} {} object {index}", item.id);
                    let mask_path = format!("{image_id}_ade20k{}_{box_id}.png", object.class);
                    assert_eq!(row[0], mask_path, "{what}");
                    assert_eq!(row[2], format!("/ade20k/{}", object.class), "{what}");
                    let bbox = mask.bbox().unwrap();
                    let edges = [
                        f64::from(bbox.x) / f64::from(width),
                        f64::from(bbox.x + bbox.width) / f64::from(width),
                        f64::from(bbox.y) / f64::from(height),
                        f64::from(bbox.y + bbox.height) / f64::from(height),
                    ];
                    let written_edges: Vec<f64> =
                        row[4..8].iter().map(|v| v.parse().unwrap()).collect();
                    assert_eq!(written_edges, edges, "{what}");
                    assert_eq!(&row[8..], ["", ""], "{what}");
                    let png = read_png(&out.join("masks").join(&item.subset).join(&mask_path));
                    assert_eq!(png.color_type, png::ColorType::Grayscale);
                    assert_eq!(png.bit_depth, png::BitDepth::Eight);
                    assert_eq!((png.width, png.height), (width, height), "{what}");
                    let expected: Vec<u32> = mask
                        .pixels()
                        .iter()
                        .map(|&set| u32::from(set) * 255)
                        .collect();
                    assert_eq!(png.samples, expected, "{what}");
                }
                assert_eq!(of_item.len(), kept, "{}: no other rows", item.id);
                written += kept;
            }
            for (subset, left) in rows {
                assert!(left.is_empty(), "{subset}: rows of unknown images {left:?}");
            }
            assert_eq!(summary.annotations(), written as u64);
        }
    }
}

#[test]
fn images_are_listed_and_sized_and_classes_described() {
    let dataset = open("ade20k2020");
    let (_root, out, summary) = convert(&dataset, "open_images", &options());
    let meta = fs::read_to_string(out.join("annotations/images.meta")).unwrap();
    let training =
        fs::read_to_string(out.join("annotations/training-images-with-rotation.csv")).unwrap();
    let mut lines = training.lines().skip(1);
    for item in items(&dataset) {
        let image_id = item.id.replace('/', "_");
        let line = format!("{image_id} {} {}", item.image.height, item.image.width);
        assert!(meta.lines().any(|l| l == line), "{line} in images.meta");
        if item.subset == "training" {
            assert_eq!(
                lines.next(),
                Some(format!("{image_id},training,,,,,,,,,,").as_str())
            );
        }
    }
    assert_eq!(lines.next(), None);
    let descriptions =
        fs::read_to_string(out.join("annotations/oidv6-class-descriptions.csv")).unwrap();
    let mut lines = descriptions.lines();
    assert_eq!(lines.next(), Some("LabelName,DisplayName"));
    let described: Vec<&str> = lines.collect();
    assert_eq!(described.len(), summary.categories);
    assert!(described.contains(&"/ade20k/2978,wall"));
    assert!(described.contains(&"/ade20k/401,car"));
}

#[test]
fn a_label_list_gives_its_ids_and_quoted_names() {
    let list = LabelList::parse("sky\ncar\npeople, folk = person\n").unwrap();
    let selected = ExportOptions {
        labels: LabelSelection::List(list),
        parts: PartsMode::Exclude,
        ..options()
    };
    let (_root, out, summary) = convert(&open("ade20k2020"), "open_images", &selected);
    let descriptions =
        fs::read_to_string(out.join("annotations/oidv6-class-descriptions.csv")).unwrap();
    assert_eq!(
        descriptions,
        "LabelName,DisplayName\n/ade20k/1,sky\n/ade20k/2,car\n/ade20k/3,\"people, folk\"\n"
    );
    let rows = mask_rows(&out, "training");
    let labels: Vec<&str> = rows["urban_street_ADE_train_00000001"]
        .values()
        .map(|row| row[2].as_str())
        .collect();
    assert_eq!(labels, ["/ade20k/1", "/ade20k/2", "/ade20k/3"]);
    assert!(summary.left_out["objects of classes not selected"] > 0);
}

#[test]
fn output_does_not_depend_on_threads() {
    let dataset = open("ade20k2020");
    let copy = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    assert_output_independent_of_threads(&dataset, "open_images", &copy, &[1, 3], file_contents);
}

#[test]
fn images_go_to_images_of_their_subset() {
    let dataset = open("ade20k2020");
    let copy = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "open_images", &copy);
    for item in items(&dataset) {
        let name = item.id.replace('/', "_");
        let placed = out
            .join("images")
            .join(&item.subset)
            .join(format!("{name}.jpg"));
        assert_image_placed(&placed, &item);
    }
    let (_root, out, _) = convert(&dataset, "open_images", &options());
    assert!(
        !out.join("images").exists(),
        "--media none writes no images"
    );
}

#[test]
fn items_whose_ids_flatten_to_one_name_are_refused() {
    assert_flattened_names_refused(
        "open_images",
        "its open_images masks masks/training/urban_street_ADE_train_00000001_*.png",
    );
}
