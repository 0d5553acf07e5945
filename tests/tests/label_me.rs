//! End-to-end tests of the LabelMe 3.0 exporter on the fixtures.

use std::fs;
use std::path::Path;

use ade20k_export::{
    export, find_format, ExportError, ExportOptions, MediaMode, PartsMode, SegmentationMode,
};
use ade20k_model::{Item, MaskKind, Occlusion};
use ade20k_test_support::images::read_png;
use ade20k_test_support::synthetic::items;
use ade20k_tests::{
    assert_image_placed, assert_output_independent_of_threads, convert, file_contents, open,
    options, snapshots_of_every_fixture, FIXTURES,
};

/// The text of the first `<tag>` in `xml`.
fn tag<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("<{tag}> in {xml}"))
        + open.len();
    let end = start + xml[start..].find(&format!("</{tag}>")).unwrap();
    &xml[start..end]
}

/// The `<object>` elements of `item`'s annotation file.
fn objects(out: &Path, item: &Item) -> Vec<String> {
    let path = out
        .join("Annotations")
        .join(&item.subset)
        .join(format!("{}.xml", item.id));
    let xml = fs::read_to_string(path).unwrap();
    assert_eq!(tag(&xml, "folder"), item.subset);
    assert_eq!(tag(&xml, "nrows"), item.image.height.to_string());
    assert_eq!(tag(&xml, "ncols"), item.image.width.to_string());
    xml.split("<object>")
        .skip(1)
        .map(|object| object.split("</object>").next().unwrap().to_string())
        .collect()
}

/// The objects of `item` written with `parts`: every object (and part) with
/// pixels in its visible mask, in annotation order.
fn written(item: &Item, parts: bool) -> Vec<usize> {
    (0..item.objects.len())
        .filter(|&i| parts || !item.objects[i].is_part())
        .filter(|&i| !item.binary_mask(i, MaskKind::Visible).unwrap().is_empty())
        .collect()
}

snapshots_of_every_fixture!("label_me", options());

#[test]
fn masks_are_the_source_masks_and_parts_link_to_their_objects() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "label_me", &options());
        let mut count = 0;
        for item in items(&dataset) {
            let objects = objects(&out, &item);
            let indices = written(&item, true);
            assert_eq!(objects.len(), indices.len(), "{name} {}", item.id);
            for (xml, &index) in objects.iter().zip(&indices) {
                let object = &item.objects[index];
                assert_eq!(tag(xml, "id"), object.ade_id.to_string());
                assert_eq!(tag(xml, "deleted"), "0");
                let occluded = match object.occluded {
                    Occlusion::Yes => "yes",
                    Occlusion::No => "no",
                    Occlusion::Unknown => "",
                };
                assert_eq!(tag(xml, "occluded"), occluded);
                let attributes = tag(xml, "attributes");
                assert!(
                    attributes.ends_with(&format!(
                        "crop={}, part_level={}",
                        object.crop, object.part_level
                    )),
                    "{attributes}"
                );
                let parent = object
                    .parent
                    .filter(|p| indices.iter().any(|&i| item.objects[i].ade_id == *p));
                assert_eq!(
                    tag(xml, "ispartof"),
                    parent.map(|p| p.to_string()).unwrap_or_default()
                );
                let parts: Vec<String> = indices
                    .iter()
                    .map(|&i| &item.objects[i])
                    .filter(|o| o.parent == Some(object.ade_id))
                    .map(|o| o.ade_id.to_string())
                    .collect();
                assert_eq!(tag(xml, "hasparts"), parts.join(","));
                let mask_name = tag(xml, "mask");
                assert_eq!(mask_name, format!("{}_mask_{}.png", item.id, object.ade_id));
                let png = read_png(&out.join("Masks").join(&item.subset).join(mask_name));
                assert_eq!(png.color_type, png::ColorType::Rgb);
                let expected: Vec<u32> = item
                    .binary_mask(index, MaskKind::Visible)
                    .unwrap()
                    .pixels()
                    .iter()
                    .flat_map(|&set| [u32::from(set) * 255; 3])
                    .collect();
                assert_eq!(
                    png.samples, expected,
                    "{name} {} {}",
                    item.id, object.ade_id
                );
                count += 1;
            }
        }
        assert_eq!(summary.annotations(), count);
    }
}

#[test]
fn source_polygons_are_the_annotators_points() {
    let source = ExportOptions {
        segmentation: SegmentationMode::SourcePolygon,
        parts: PartsMode::Exclude,
        ..options()
    };
    let dataset = open("ade20k2020");
    let (_root, out, _) = convert(&dataset, "label_me", &source);
    assert!(!out.join("Masks").exists(), "no masks with polygons");
    for item in items(&dataset) {
        let expected: Vec<&Vec<[f64; 2]>> = written(&item, false)
            .into_iter()
            .map(|index| &item.objects[index].polygon)
            .filter(|polygon| polygon.len() >= 3)
            .collect();
        let found: Vec<Vec<[f64; 2]>> = objects(&out, &item)
            .iter()
            .map(|xml| {
                assert_eq!(tag(xml, "hasparts"), "");
                xml.split("<pt>")
                    .skip(1)
                    .map(|pt| [tag(pt, "x").parse().unwrap(), tag(pt, "y").parse().unwrap()])
                    .collect()
            })
            .collect();
        assert_eq!(found.iter().collect::<Vec<_>>(), expected, "{}", item.id);
    }
}

#[test]
fn traced_polygons_are_refused_up_front() {
    let dataset = open("ade20k2020");
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let polygon = ExportOptions {
        segmentation: SegmentationMode::Polygon,
        ..options()
    };
    let format = find_format("label_me").unwrap();
    match export(&dataset, format, &out, &polygon, false) {
        Err(ExportError::Usage(message)) => assert!(
            message.starts_with("label_me holds one polygon per object"),
            "{message}"
        ),
        other => panic!("expected a usage error, got {other:?}"),
    }
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn output_does_not_depend_on_threads() {
    let dataset = open("ade20k2020");
    assert_output_independent_of_threads(&dataset, "label_me", &options(), &[1, 3], file_contents);
}

#[test]
fn images_go_to_their_subset_folders() {
    let dataset = open("ade20k2020");
    let copy = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "label_me", &copy);
    for item in items(&dataset) {
        let xml = fs::read_to_string(
            out.join("Annotations")
                .join(&item.subset)
                .join(format!("{}.xml", item.id)),
        )
        .unwrap();
        let placed = out
            .join("Images")
            .join(tag(&xml, "folder"))
            .join(tag(&xml, "filename"));
        assert_image_placed(&placed, &item);
    }
}
