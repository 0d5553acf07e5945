//! End-to-end tests of the CVAT for images 1.1 exporter on the fixtures.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

use ade20k_export::trace::rasterize_even_odd;
use ade20k_export::{ExportOptions, MediaMode, PartsMode, SegmentationMode};
use ade20k_model::{BinaryMask, Item, MaskKind, ObjectId, Occlusion};
use ade20k_test_support::synthetic::items;
use ade20k_tests::{
    assert_image_placed, assert_output_independent_of_threads, convert, file_contents, open,
    options, snapshots_of_every_fixture, FIXTURES,
};

/// One shape element of `annotations.xml`: its tag, XML attributes and
/// `<attribute>` children.
#[derive(Debug)]
struct Shape {
    tag: String,
    fields: BTreeMap<String, String>,
    attributes: BTreeMap<String, String>,
}

/// The `key="value"` pairs of one start tag.
fn fields(start_tag: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    let mut rest = start_tag;
    while let Some(equals) = rest.find("=\"") {
        let key = rest[..equals].rsplit(' ').next().unwrap().to_string();
        let value_start = equals + 2;
        let value_end = value_start + rest[value_start..].find('"').unwrap();
        fields.insert(key, rest[value_start..value_end].to_string());
        rest = &rest[value_end + 1..];
    }
    fields
}

/// The `<image>` elements of `annotations.xml`, in order: their fields and shapes.
fn images(out: &Path) -> Vec<(BTreeMap<String, String>, Vec<Shape>)> {
    let xml = fs::read_to_string(out.join("annotations.xml")).unwrap();
    let mut images = Vec::new();
    for line in xml.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("<image ") {
            images.push((fields(trimmed), Vec::new()));
        } else if trimmed.starts_with("<mask ") || trimmed.starts_with("<polygon ") {
            let tag = trimmed[1..].split(' ').next().unwrap().to_string();
            let shapes = &mut images.last_mut().unwrap().1;
            shapes.push(Shape {
                tag,
                fields: fields(trimmed),
                attributes: BTreeMap::new(),
            });
        } else if let Some(attribute) = trimmed.strip_prefix("<attribute name=\"") {
            if let Some((_, shapes)) = images.last_mut() {
                if let Some(shape) = shapes.last_mut() {
                    let (name, rest) = attribute.split_once("\">").unwrap();
                    let value = rest.strip_suffix("</attribute>").unwrap();
                    shape.attributes.insert(name.to_string(), value.to_string());
                }
            }
        }
    }
    images
}

/// Decodes a `<mask>`: CVAT's row-major runs over its box, in a frame of
/// `width` × `height`.
fn decode_mask(shape: &Shape, width: u32, height: u32) -> BinaryMask {
    let number = |key: &str| shape.fields[key].parse::<u32>().unwrap();
    let (left, top, box_width, box_height) = (
        number("left"),
        number("top"),
        number("width"),
        number("height"),
    );
    let mut inside = Vec::new();
    for (run, count) in shape.fields["rle"].split(", ").enumerate() {
        let count: usize = count.parse().unwrap();
        inside.extend(std::iter::repeat_n(u8::from(run % 2 == 1), count));
    }
    assert_eq!(inside.len(), (box_width * box_height) as usize, "{shape:?}");
    BinaryMask::from_fn(width, height, |x, y| {
        (left..left + box_width).contains(&x)
            && (top..top + box_height).contains(&y)
            && inside[((y - top) * box_width + (x - left)) as usize] == 1
    })
}

/// The points of a `<polygon>`.
fn points(shape: &Shape) -> Vec<[f64; 2]> {
    shape.fields["points"]
        .split(';')
        .map(|pair| {
            let (x, y) = pair.split_once(',').unwrap();
            [x.parse().unwrap(), y.parse().unwrap()]
        })
        .collect()
}

/// The objects of `item` written with default options: every object and part
/// with pixels in its visible mask, in annotation order.
fn written(item: &Item) -> Vec<usize> {
    (0..item.objects.len())
        .filter(|&i| !item.binary_mask(i, MaskKind::Visible).unwrap().is_empty())
        .collect()
}

snapshots_of_every_fixture!("cvat", options());

#[test]
fn masks_are_the_source_masks_with_occlusion_groups_and_attributes() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "cvat", &options());
        let images = images(&out);
        let items = items(&dataset);
        assert_eq!(images.len(), items.len());
        let mut shapes_written = 0;
        for (number, (item, (image, shapes))) in items.iter().zip(&images).enumerate() {
            assert_eq!(image["id"], number.to_string());
            assert_eq!(image["subset"], item.subset);
            assert_eq!(image["width"], item.image.width.to_string());
            let objects = written(item);
            assert_eq!(shapes.len(), objects.len(), "{name} {}", item.id);
            let ids: HashMap<ObjectId, usize> = item
                .objects
                .iter()
                .enumerate()
                .map(|(index, object)| (object.ade_id, index))
                .collect();
            for (shape, &index) in shapes.iter().zip(&objects) {
                let object = &item.objects[index];
                assert_eq!(shape.tag, "mask");
                let mask = item.binary_mask(index, MaskKind::Visible).unwrap();
                assert_eq!(
                    decode_mask(shape, item.image.width, item.image.height),
                    mask,
                    "{name} {} object {}",
                    item.id,
                    object.ade_id
                );
                let occluded = if object.occluded == Occlusion::Yes {
                    "1"
                } else {
                    "0"
                };
                assert_eq!(shape.fields["occluded"], occluded);
                assert_eq!(shape.attributes["crop"], object.crop.to_string());
                assert_eq!(
                    shape.attributes["part_level"],
                    object.part_level.to_string()
                );
                for word in &object.attributes {
                    if !word.is_empty() && !["crop", "part_level", "occluded"].contains(&&**word) {
                        assert_eq!(shape.attributes[word], "true");
                    }
                }
                let mut root = object;
                while let Some(&parent) = root.parent.and_then(|p| ids.get(&p)) {
                    root = &item.objects[parent];
                }
                let grouped = objects.iter().filter(|&&other| {
                    let mut other = &item.objects[other];
                    while let Some(&parent) = other.parent.and_then(|p| ids.get(&p)) {
                        other = &item.objects[parent];
                    }
                    other.ade_id == root.ade_id
                });
                match shape.fields.get("group_id") {
                    Some(group) => {
                        assert_eq!(*group, (root.ade_id.0 + 1).to_string());
                        assert!(grouped.count() > 1);
                    }
                    None => assert_eq!(grouped.count(), 1, "{} {}", item.id, object.ade_id),
                }
            }
            shapes_written += shapes.len() as u64;
        }
        assert_eq!(summary.annotations(), shapes_written);
    }
}

#[test]
fn z_order_follows_the_depth_ranks_front_most_highest() {
    let dataset = open("ade20k2020");
    let (_root, out, _) = convert(&dataset, "cvat", &options());
    let mut ranked = 0;
    for (item, (_, shapes)) in items(&dataset).iter().zip(images(&out)) {
        let deepest = item.objects.iter().filter_map(|o| o.depth_rank).max();
        for (shape, index) in shapes.iter().zip(written(item)) {
            let object = &item.objects[index];
            let z_order: u32 = shape.fields["z_order"].parse().unwrap();
            if let (Some(rank), Some(deepest)) = (object.depth_rank, deepest) {
                assert_eq!(z_order, deepest + 1 - rank, "{} {}", item.id, object.ade_id);
                ranked += 1;
            } else if object.parent.is_none() {
                assert_eq!(z_order, 0);
            }
        }
    }
    assert!(ranked > 0, "the fixture has depth ranks");
}

#[test]
fn traced_polygons_cover_exactly_the_masks() {
    let polygon = ExportOptions {
        segmentation: SegmentationMode::Polygon,
        parts: PartsMode::Exclude,
        ..options()
    };
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "cvat", &polygon);
        let mut polygons = 0;
        for (item, (_, shapes)) in items(&dataset).iter().zip(images(&out)) {
            let (width, height) = (item.image.width, item.image.height);
            let mut shapes = shapes.iter().peekable();
            for index in written(item) {
                let object = &item.objects[index];
                if object.is_part() {
                    continue;
                }
                let mask = item.binary_mask(index, MaskKind::Visible).unwrap();
                let mut covered = BinaryMask::from_fn(width, height, |_, _| false);
                // The polygons of one object come together, each a component.
                let mut remaining = mask.area();
                while remaining > 0 {
                    let shape = shapes.next().expect("a polygon per component");
                    assert_eq!(shape.tag, "polygon");
                    let raster = rasterize_even_odd(&points(shape), width, height);
                    remaining -= raster.area();
                    covered = BinaryMask::from_fn(width, height, |x, y| {
                        covered.get(x, y) || raster.get(x, y)
                    });
                    polygons += 1;
                }
                assert_eq!(covered, mask, "{name} {} object {}", item.id, object.ade_id);
            }
            assert!(shapes.peek().is_none());
        }
        assert_eq!(summary.annotations(), polygons);
    }
}

#[test]
fn source_polygons_are_the_annotators_points() {
    let source = ExportOptions {
        segmentation: SegmentationMode::SourcePolygon,
        ..options()
    };
    let dataset = open("ade20k2020");
    let (_root, out, _) = convert(&dataset, "cvat", &source);
    for (item, (_, shapes)) in items(&dataset).iter().zip(images(&out)) {
        let expected: Vec<&Vec<[f64; 2]>> = written(item)
            .into_iter()
            .map(|index| &item.objects[index].polygon)
            .filter(|polygon| polygon.len() >= 3)
            .collect();
        let found: Vec<Vec<[f64; 2]>> = shapes.iter().map(points).collect();
        assert_eq!(found.iter().collect::<Vec<_>>(), expected, "{}", item.id);
    }
}

#[test]
fn meta_declares_labels_attributes_and_one_task_per_subset() {
    let dataset = open("ade20k2020");
    let (_root, out, _) = convert(&dataset, "cvat", &options());
    let xml = fs::read_to_string(out.join("annotations.xml")).unwrap();
    assert!(xml.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotations>\n  <version>1.1</version>\n"
    ));
    assert!(xml.ends_with("</annotations>\n"));
    let tasks: Vec<&str> = xml
        .split("<subset>")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap())
        .collect();
    assert_eq!(tasks, ["training", "validation"]);
    assert!(xml.contains("<name>car</name>"));
    for image in images(&out) {
        let task = if image.0["subset"] == "training" {
            "1"
        } else {
            "2"
        };
        assert_eq!(image.0["task_id"], task);
    }
    // Every attribute a shape uses is declared for its label.
    let labels: Vec<&str> = xml.split("<label>").skip(1).collect();
    for (_, shapes) in images(&out) {
        for shape in shapes {
            let label = labels
                .iter()
                .find(|block| block.contains(&format!("<name>{}</name>", shape.fields["label"])))
                .unwrap();
            for attribute in shape.attributes.keys() {
                assert!(
                    label.contains(&format!("<name>{attribute}</name>")),
                    "{attribute} of {}",
                    shape.fields["label"]
                );
            }
        }
    }
}

#[test]
fn output_does_not_depend_on_threads() {
    let dataset = open("ade20k2020");
    assert_output_independent_of_threads(&dataset, "cvat", &options(), &[1, 3], file_contents);
}

#[test]
fn images_go_to_their_subset_folders() {
    let dataset = open("ade20k2020");
    let copy = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "cvat", &copy);
    for (item, (image, _)) in items(&dataset).iter().zip(images(&out)) {
        assert_image_placed(
            &out.join("images").join(&item.subset).join(&image["name"]),
            item,
        );
    }
}
