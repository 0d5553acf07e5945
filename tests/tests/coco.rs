//! End-to-end tests of the COCO exporter on the fixtures.

use std::collections::HashMap;
use std::fs;

use ade20k_export::rle::Rle;
use ade20k_export::trace::rasterize_even_odd;
use ade20k_export::{ExportOptions, LabelNaming, MediaMode, PartsMode, SegmentationMode};
use ade20k_import::Ade20k2020Dataset;
use ade20k_model::{BinaryMask, Item, ItemSource, MaskKind, ObjectId};
use ade20k_test_support::read_json;
use ade20k_tests::{assert_output_independent_of_threads, convert, open, options, FIXTURES};
use serde_json::Value;

/// Every item of `dataset`, keyed by (subset, COCO file name).
fn items_by_file_name(dataset: &Ade20k2020Dataset) -> HashMap<(String, String), Item> {
    (0..dataset.len())
        .map(|index| {
            let item = dataset.load(index).unwrap();
            let ext = item.image.path.extension().unwrap().to_str().unwrap();
            ((item.subset.clone(), format!("{}.{ext}", item.id)), item)
        })
        .collect()
}

/// Calls `check` with each annotation of every subset file, its item and object index.
fn for_each_annotation(
    dataset: &Ade20k2020Dataset,
    out: &std::path::Path,
    mut check: impl FnMut(&Value, &Item, usize),
) -> usize {
    let items = items_by_file_name(dataset);
    let mut seen = 0;
    for subset in dataset.subsets() {
        let coco = read_json(&out.join(format!("annotations/instances_{subset}.json")));
        let file_names: HashMap<u64, String> = coco["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|image| {
                let file_name = image["file_name"].as_str().unwrap().to_string();
                (image["id"].as_u64().unwrap(), file_name)
            })
            .collect();
        for annotation in coco["annotations"].as_array().unwrap() {
            let file_name = &file_names[&annotation["image_id"].as_u64().unwrap()];
            let item = &items[&(subset.clone(), file_name.clone())];
            let ade_id = annotation["attributes"]["ade_id"].as_u64().unwrap() as u32;
            check(
                annotation,
                item,
                item.object_index(ObjectId(ade_id)).unwrap(),
            );
            seen += 1;
        }
    }
    seen
}

fn decode_rle(annotation: &Value) -> BinaryMask {
    let segmentation = &annotation["segmentation"];
    let size = segmentation["size"].as_array().unwrap();
    let (height, width) = (size[0].as_u64().unwrap(), size[1].as_u64().unwrap());
    Rle::from_coco_string(
        height as u32,
        width as u32,
        segmentation["counts"].as_str().unwrap(),
    )
    .unwrap()
    .decode()
    .unwrap()
}

/// Objects of `dataset` that have pixels of `kind` (and are not parts when
/// parts are excluded).
fn objects_with_pixels(dataset: &Ade20k2020Dataset, kind: MaskKind, parts: bool) -> usize {
    (0..dataset.len())
        .map(|index| {
            let item = dataset.load(index).unwrap();
            (0..item.objects.len())
                .filter(|&i| parts || !item.objects[i].is_part())
                .filter(|&i| !item.binary_mask(i, kind).unwrap().is_empty())
                .count()
        })
        .sum()
}

#[test]
fn snapshots_of_every_fixture() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "coco", &options());
        for subset in dataset.subsets() {
            let text = fs::read_to_string(out.join(format!("annotations/instances_{subset}.json")))
                .unwrap();
            insta::assert_snapshot!(format!("{name}_{subset}"), text);
        }
        insta::assert_snapshot!(format!("{name}_summary"), summary.to_string());
    }
}

#[test]
fn rle_gives_back_the_visible_mask_pixel_for_pixel() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "coco", &options());
        let annotations = for_each_annotation(&dataset, &out, |annotation, item, index| {
            let expected = item.binary_mask(index, MaskKind::Visible).unwrap();
            assert_eq!(
                decode_rle(annotation),
                expected,
                "{} object {index}",
                item.id
            );
            assert_eq!(annotation["area"].as_u64().unwrap(), expected.area());
            let bbox = expected.bbox().unwrap();
            assert_eq!(
                annotation["bbox"],
                serde_json::json!([bbox.x, bbox.y, bbox.width, bbox.height])
            );
            assert_eq!(annotation["iscrowd"], 0);
            assert_eq!(annotation["category_id"], item.objects[index].class.0);
        });
        assert_eq!(
            annotations,
            objects_with_pixels(&dataset, MaskKind::Visible, true)
        );
        assert_eq!(summary.annotations() as usize, annotations);
    }
}

#[test]
fn wholly_occluded_object_is_left_out_and_counted() {
    let dataset = open("ade20k2020");
    let (_root, out, summary) = convert(&dataset, "coco", &options());
    let coco = read_json(&out.join("annotations/instances_training.json"));
    let ashcan_annotations = coco["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|annotation| annotation["category_id"] == 113)
        .count();
    assert_eq!(ashcan_annotations, 0);
    assert_eq!(summary.left_out.values().sum::<u64>(), 1);
}

#[test]
fn amodal_masks_include_hidden_pixels() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        mask_kind: MaskKind::Amodal,
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "coco", &options);
    let mut hidden_pixels = 0;
    let annotations = for_each_annotation(&dataset, &out, |annotation, item, index| {
        let expected = item.binary_mask(index, MaskKind::Amodal).unwrap();
        let visible = item.binary_mask(index, MaskKind::Visible).unwrap();
        hidden_pixels += expected.area() - visible.area();
        assert_eq!(decode_rle(annotation), expected);
    });
    assert!(hidden_pixels > 0);
    assert_eq!(
        annotations,
        objects_with_pixels(&dataset, MaskKind::Amodal, true)
    );
    assert!(summary.left_out.is_empty(), "the ashcan has amodal pixels");
}

#[test]
fn parts_can_be_left_out() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        parts: PartsMode::Exclude,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "coco", &options);
    let annotations = for_each_annotation(&dataset, &out, |annotation, item, index| {
        assert!(!item.objects[index].is_part());
        assert_eq!(annotation["attributes"]["part_level"], 0);
    });
    assert_eq!(
        annotations,
        objects_with_pixels(&dataset, MaskKind::Visible, false)
    );
}

#[test]
fn parts_point_to_their_parent_annotation() {
    let dataset = open("ade20k2020");
    let (_root, out, _) = convert(&dataset, "coco", &options());
    let coco = read_json(&out.join("annotations/instances_training.json"));
    let annotations = coco["annotations"].as_array().unwrap();
    let by_id: HashMap<u64, &Value> = annotations
        .iter()
        .map(|annotation| (annotation["id"].as_u64().unwrap(), annotation))
        .collect();
    let mut parts = 0;
    for_each_annotation(&dataset, &out, |annotation, item, index| {
        let object = &item.objects[index];
        let Some(parent) = object.parent else {
            assert!(annotation["attributes"].get("parent_id").is_none());
            return;
        };
        if item.subset != "training" {
            return;
        }
        let parent_id = annotation["attributes"]["parent_id"].as_u64().unwrap();
        let parent_annotation = by_id[&parent_id];
        assert_eq!(parent_annotation["attributes"]["ade_id"], parent.0);
        assert_eq!(parent_annotation["image_id"], annotation["image_id"]);
        parts += 1;
    });
    assert_eq!(parts, 8, "5 parts in the street, 3 in the kitchen");
}

#[test]
fn traced_polygons_fill_back_to_the_mask() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        segmentation: SegmentationMode::Polygon,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "coco", &options);
    let mut several_polygons = 0;
    for_each_annotation(&dataset, &out, |annotation, item, index| {
        let expected = item.binary_mask(index, MaskKind::Visible).unwrap();
        let (width, height) = (expected.width(), expected.height());
        let polygons = annotation["segmentation"].as_array().unwrap();
        several_polygons += usize::from(polygons.len() > 1);
        let mut filled = vec![0u8; (width * height) as usize];
        for polygon in polygons {
            let coordinates: Vec<f64> = polygon
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert!(coordinates.len() >= 6);
            let points: Vec<[f64; 2]> = coordinates.chunks(2).map(|p| [p[0], p[1]]).collect();
            let mask = rasterize_even_odd(&points, width, height);
            for (pixel, set) in filled.iter_mut().zip(mask.pixels()) {
                *pixel |= set;
            }
        }
        assert_eq!(
            BinaryMask::from_pixels(width, height, filled).unwrap(),
            expected,
            "{} object {index}",
            item.id
        );
    });
    assert!(several_polygons > 0, "the tree is in two pieces");
}

#[test]
fn source_polygons_are_the_annotators() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        segmentation: SegmentationMode::SourcePolygon,
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "coco", &options);
    let annotations = for_each_annotation(&dataset, &out, |annotation, item, index| {
        let expected: Vec<f64> = item.objects[index]
            .polygon
            .iter()
            .flatten()
            .copied()
            .collect();
        assert_eq!(annotation["segmentation"], serde_json::json!([expected]));
    });
    let short_polygons: u64 = summary
        .left_out
        .iter()
        .filter(|(reason, _)| reason.contains("polygon"))
        .map(|(_, count)| *count)
        .sum();
    assert_eq!(short_polygons, 2, "the empty and the two-point polygon");
    assert_eq!(
        annotations as u64 + summary.left_out.values().sum::<u64>(),
        (0..dataset.len())
            .map(|i| dataset.load(i).unwrap().objects.len() as u64)
            .sum::<u64>()
    );
}

fn category_names(out: &std::path::Path, subset: &str) -> Vec<(u64, String)> {
    let coco = read_json(&out.join(format!("annotations/instances_{subset}.json")));
    coco["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let name = c["name"].as_str().unwrap().to_string();
            (c["id"].as_u64().unwrap(), name)
        })
        .collect()
}

#[test]
fn canonical_names_are_first_synonyms_unless_shared() {
    let dataset = open("ade20k2020");
    let (_root, out, _) = convert(&dataset, "coco", &options());
    let names: HashMap<u64, String> = category_names(&out, "training").into_iter().collect();
    assert_eq!(names[&401], "car");
    assert_eq!(names[&976], "floor");
    assert_eq!(names[&1910], "plant, flora, plant life");
    assert_eq!(names[&1911], "plant, works, industrial plant");
    assert_eq!(
        category_names(&out, "training"),
        category_names(&out, "validation"),
        "every subset lists the same categories"
    );
}

#[test]
fn raw_naming_keys_categories_by_the_annotators_word() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        label_naming: LabelNaming::Raw,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "coco", &options);
    let names: Vec<String> = category_names(&out, "training")
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    assert!(names.contains(&"cars".to_string()));
    assert!(names.contains(&"café sign".to_string()), "Latin-1 decoded");
    for_each_annotation(&dataset, &out, |annotation, item, index| {
        let id = annotation["category_id"].as_u64().unwrap() as usize;
        assert_eq!(names[id - 1], item.objects[index].raw_name);
    });
}

#[test]
fn dataset_meta_fixes_the_label_order() {
    let dataset = open("ade20k2020_meta");
    let options = ExportOptions {
        label_naming: LabelNaming::Raw,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "coco", &options);
    let categories = category_names(&out, "training");
    let expected = [
        "automobile",
        "wheel",
        "man",
        "tree",
        "sky",
        "wall",
        "floor",
        "bicycle",
    ];
    assert_eq!(
        categories,
        expected
            .iter()
            .enumerate()
            .map(|(i, name)| (i as u64 + 1, name.to_string()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let dataset = open("ade20k2020");
    assert_output_independent_of_threads(&dataset, "coco", &options(), &[1, 2, 4], |out| {
        dataset
            .subsets()
            .iter()
            .map(|subset| {
                fs::read(out.join(format!("annotations/instances_{subset}.json"))).unwrap()
            })
            .collect::<Vec<_>>()
    });
}

#[test]
fn images_are_linked_or_copied_under_their_subset() {
    let dataset = open("ade20k2020");
    for media in [MediaMode::Hardlink, MediaMode::Copy, MediaMode::Symlink] {
        let options = ExportOptions { media, ..options() };
        let (_root, out, _) = convert(&dataset, "coco", &options);
        for index in 0..dataset.len() {
            let item = dataset.load(index).unwrap();
            let copied = out
                .join("images")
                .join(&item.subset)
                .join(format!("{}.jpg", item.id));
            assert_eq!(
                fs::read(&copied).unwrap(),
                fs::read(&item.image.path).unwrap()
            );
        }
    }
    let (_root, out, _) = convert(&dataset, "coco", &options());
    assert!(
        !out.join("images").exists(),
        "--media none writes no images"
    );
}
