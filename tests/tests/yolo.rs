//! End-to-end tests of the Ultralytics YOLO exporter on the fixtures.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_export::centre_trace::{fill_closed, trace_centres, Pixel};
use ade20k_export::{
    export, find_format, ExportError, ExportOptions, Format, LabelList, LabelNaming,
    LabelSelection, MediaMode, PartsMode, SimplifyTolerance, YoloTask,
};
use ade20k_model::{
    BinaryMask, Categories, ClassIndex, CroppedMask, InMemoryMasks, InstanceMask, Item, MaskKind,
    ObjectId,
};
use ade20k_test_support::synthetic::{items, synthetic_item, synthetic_object, Synthetic};
use ade20k_tests::{
    assert_image_placed, assert_output_independent_of_threads, convert, files, open, options,
    FIXTURES,
};

const NOT_SELECTED: &str = "objects of classes not selected";
const NO_PIXELS: &str = "objects with no pixels in their mask (wholly occluded)";

fn yolo() -> &'static Format {
    find_format("yolo").unwrap()
}

/// Polygons not simplified: through every turn of the exact outline.
fn exact() -> ExportOptions {
    ExportOptions {
        yolo_simplify: SimplifyTolerance::pixels(0.0).unwrap(),
        ..options()
    }
}

fn detect() -> ExportOptions {
    ExportOptions {
        yolo_task: YoloTask::Detect,
        ..options()
    }
}

/// `data.yaml` read back.
#[derive(Debug)]
struct DataYaml {
    path: String,
    /// (key, images folder) per subset, in file order.
    splits: Vec<(String, String)>,
    /// Names by class index.
    names: Vec<String>,
}

/// A scalar as the exporter writes it: plain, or double-quoted with escapes.
fn unquote(text: &str) -> String {
    let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
        return text.to_string();
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escape = chars.next().unwrap();
        let hex = |chars: &mut std::str::Chars, digits: usize| {
            let code: String = chars.take(digits).collect();
            char::from_u32(u32::from_str_radix(&code, 16).unwrap()).unwrap()
        };
        out.push(match escape {
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            'x' => hex(&mut chars, 2),
            'u' => hex(&mut chars, 4),
            other => other,
        });
    }
    out
}

fn read_data_yaml(out: &Path) -> DataYaml {
    let text = fs::read_to_string(out.join("data.yaml")).unwrap();
    let mut yaml = DataYaml {
        path: String::new(),
        splits: Vec::new(),
        names: Vec::new(),
    };
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        if let Some(entry) = line.strip_prefix("  ") {
            let (index, name) = entry.split_once(": ").unwrap();
            assert_eq!(index.parse::<usize>().unwrap(), yaml.names.len(), "{line}");
            yaml.names.push(unquote(name));
        } else if line != "names:" && line != "names: {}" {
            let (key, value) = line.split_once(": ").unwrap();
            match key {
                "path" => yaml.path = unquote(value),
                key => yaml.splits.push((unquote(key), unquote(value))),
            }
        }
    }
    yaml
}

fn label_path(out: &Path, item: &Item) -> PathBuf {
    out.join("labels")
        .join(&item.subset)
        .join(format!("{}.txt", item.id))
}

/// The lines of an item's label file: class index and coordinates.
fn read_labels(out: &Path, item: &Item) -> Vec<(usize, Vec<f64>)> {
    fs::read_to_string(label_path(out, item))
        .unwrap()
        .lines()
        .map(|line| {
            let mut fields = line.split(' ');
            let class = fields.next().unwrap().parse().unwrap();
            let values: Vec<f64> = fields.map(|field| field.parse().unwrap()).collect();
            assert!(
                values.iter().all(|v| (0.0..=1.0).contains(v)),
                "normalised: {line}"
            );
            (class, values)
        })
        .collect()
}

/// The objects an export writes, in order: parts too unless excluded, and
/// only those with pixels of `kind`.
fn written(item: &Item, kind: MaskKind, parts: bool) -> Vec<usize> {
    (0..item.objects.len())
        .filter(|&i| parts || !item.objects[i].is_part())
        .filter(|&i| !item.binary_mask(i, kind).unwrap().is_empty())
        .collect()
}

/// Every class of `items` in class index order, canonically named.
fn classes(items: &[Item]) -> BTreeMap<ClassIndex, String> {
    let mut categories = Categories::new();
    for object in items.iter().flat_map(|item| &item.objects) {
        categories.observe(object);
    }
    categories.canonical_names()
}

/// The vertices of a label line as Ultralytics reads them: scaled to the
/// image in `float32` and truncated to pixels.
fn pixels_of(values: &[f64], width: u32, height: u32) -> Vec<Pixel> {
    values
        .chunks_exact(2)
        .map(|p| {
            let scale = |v: f64, size: u32| (v as f32 * size as f32) as i64;
            [scale(p[0], width), scale(p[1], height)]
        })
        .collect()
}

/// The polygon of a label line filled as `cv2.fillPoly` fills it, without
/// Ultralytics' resampling.
fn polygon_mask(values: &[f64], width: u32, height: u32) -> BinaryMask {
    fill_closed(&pixels_of(values, width, height), width, height)
}

/// Checks that an exact polygon fills its mask: exactly for a mask of one
/// component; for several, the mask and the pixels between them that the
/// links walked there and back draw.
fn assert_fills(values: &[f64], mask: &BinaryMask, what: &str) {
    let filled = polygon_mask(values, mask.width(), mask.height());
    let window = CroppedMask::new(mask.width(), mask.height(), 0, 0, mask.clone()).unwrap();
    if trace_centres(&window).len() == 1 {
        assert_eq!(&filled, mask, "{what}");
    } else {
        let covered = mask
            .pixels()
            .iter()
            .zip(filled.pixels())
            .all(|(&m, &f)| f >= m);
        assert!(covered && filled.area() > mask.area(), "{what}");
    }
}

/// The whole output: `data.yaml` (its absolute path replaced by `[out]`)
/// and every label file; images by name only.
fn describe_output(out: &Path) -> String {
    let mut text = String::new();
    for file in files(out) {
        let content = fs::read_to_string(out.join(&file));
        match (file.starts_with("images"), content) {
            (false, Ok(content)) => {
                let _ = writeln!(text, "== {}", file.display());
                let path = format!("\"{}\"", read_data_yaml(out).path);
                text.push_str(&content.replace(&path, "\"[out]\""));
            }
            _ => {
                let _ = writeln!(text, "== {} (image)", file.display());
            }
        }
    }
    text
}

#[test]
fn snapshots_of_every_fixture() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "yolo", &options());
        let text = format!("{summary}\n{}", describe_output(&out));
        insta::assert_snapshot!(name.to_string(), text);
    }
}

#[test]
fn snapshot_of_boxes() {
    let dataset = open("ade20k2020");
    let (_root, out, summary) = convert(&dataset, "yolo", &detect());
    let text = format!("{summary}\n{}", describe_output(&out));
    insta::assert_snapshot!("ade20k2020_detect", text);
}

#[test]
fn polygons_fill_the_source_masks_under_contiguous_classes() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "yolo", &exact());
        let items = items(&dataset);
        let classes = classes(&items);
        let yaml = read_data_yaml(&out);
        let names: Vec<&String> = classes.values().collect();
        assert_eq!(yaml.names.iter().collect::<Vec<_>>(), names, "{name}");
        let class_of: Vec<ClassIndex> = classes.keys().copied().collect();
        let mut lines = 0;
        for item in &items {
            let labels = read_labels(&out, item);
            let objects = written(item, MaskKind::Visible, true);
            assert_eq!(labels.len(), objects.len(), "{name}: {}", item.id);
            for ((class, values), &index) in labels.iter().zip(&objects) {
                let object = &item.objects[index];
                assert_eq!(class_of[*class], object.class, "{}", item.id);
                assert!(values.len() % 2 == 0 && values.len() >= 6);
                let mask = item.binary_mask(index, MaskKind::Visible).unwrap();
                assert_fills(
                    values,
                    &mask,
                    &format!("{name}: {} object {index}", item.id),
                );
            }
            lines += labels.len();
        }
        assert_eq!(summary.annotations() as usize, lines, "{name}");
        assert_eq!(summary.items(), items.len() as u64);
        assert_eq!(summary.categories, classes.len());
    }
}

#[test]
fn a_mask_of_several_components_is_one_joined_polygon() {
    let dataset = open("ade20k2020");
    let (_root, out, _) = convert(&dataset, "yolo", &options());
    let street = items(&dataset)
        .into_iter()
        .find(|item| item.id == "urban/street/ADE_train_00000001")
        .unwrap();
    // The tree: a canopy ring (with the sky seen through its hole) and the
    // trunk below the car, joined at their nearest vertices, the pixels
    // (15, 27) and (15, 44), by a link walked there and back.
    let labels = read_labels(&out, &street);
    let objects = written(&street, MaskKind::Visible, true);
    let tree = objects.iter().position(|&i| i == 9).unwrap();
    let points = pixels_of(&labels[tree].1, 64, 48);
    let link = points
        .windows(2)
        .filter(|pair| pair[0] == [15, 27] && pair[1] == [15, 44])
        .count();
    assert_eq!(link, 1, "{points:?}");
    // The trunk is walked last, from (15, 44) once around, and the polygon
    // closes back to the canopy's (15, 27), where it started.
    assert_eq!(points.first(), Some(&[15, 27]));
    assert_eq!(points.last(), Some(&[15, 44]));
}

#[test]
fn boxes_are_the_tight_boxes_of_the_masks() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "yolo", &detect());
        let mut lines = 0;
        for item in items(&dataset) {
            let labels = read_labels(&out, &item);
            let objects = written(&item, MaskKind::Visible, true);
            assert_eq!(labels.len(), objects.len(), "{name}: {}", item.id);
            for ((_, values), &index) in labels.iter().zip(&objects) {
                let mask = item.binary_mask(index, MaskKind::Visible).unwrap();
                let bbox = mask.bbox().unwrap();
                let (width, height) = (f64::from(mask.width()), f64::from(mask.height()));
                let expected = [
                    (f64::from(bbox.x) + f64::from(bbox.width) / 2.0) / width,
                    (f64::from(bbox.y) + f64::from(bbox.height) / 2.0) / height,
                    f64::from(bbox.width) / width,
                    f64::from(bbox.height) / height,
                ];
                assert_eq!(values.len(), 4);
                for (value, expected) in values.iter().zip(expected) {
                    assert!((value - expected).abs() <= 5e-7, "{value} vs {expected}");
                }
            }
            lines += labels.len();
        }
        assert_eq!(summary.annotations() as usize, lines);
        assert_eq!(
            summary.notes[0],
            "labels are boxes (`class cx cy w h`, normalised)"
        );
    }
}

#[test]
fn scene_parsing_150_numbers_its_classes_from_0() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        labels: LabelSelection::List(LabelList::scene_parsing_150()),
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "yolo", &options);
    let yaml = read_data_yaml(&out);
    let listed: Vec<String> = LabelList::scene_parsing_150()
        .labels
        .into_iter()
        .map(|label| label.name)
        .collect();
    assert_eq!(yaml.names, listed);
    assert_eq!(yaml.names[0], "wall");
    assert_eq!(summary.categories, 150);
    let street = items(&dataset)
        .into_iter()
        .find(|item| item.id == "urban/street/ADE_train_00000001")
        .unwrap();
    // Class index = position in the list: sky is 2, wall 0.
    let street_classes: Vec<usize> = read_labels(&out, &street)
        .iter()
        .map(|(class, _)| *class)
        .collect();
    assert_eq!(street_classes[..2], [2, 0]);
    // Every object is written, or left out as not selected (the wholly hidden
    // ashcan among them: the fixture's ashcan index is not the release's).
    let objects: usize = items(&dataset).iter().map(|item| item.objects.len()).sum();
    assert_eq!(
        summary.annotations() as usize + summary.left_out[NOT_SELECTED] as usize,
        objects
    );
    assert!(!summary.left_out.contains_key(NO_PIXELS));
}

#[test]
fn a_label_list_keeps_its_classes_in_its_order() {
    let dataset = open("ade20k2020");
    let list = LabelList::parse("vehicle = car\nperson\n").unwrap();
    let options = ExportOptions {
        labels: LabelSelection::List(list),
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "yolo", &options);
    assert_eq!(read_data_yaml(&out).names, ["vehicle", "person"]);
    let street = items(&dataset)
        .into_iter()
        .find(|item| item.id == "urban/street/ADE_train_00000001")
        .unwrap();
    let classes: Vec<usize> = read_labels(&out, &street)
        .iter()
        .map(|(class, _)| *class)
        .collect();
    assert_eq!(classes, [0, 1]);
    let kitchen = items(&dataset)
        .into_iter()
        .find(|item| item.id == "home/kitchen/ADE_train_00000002")
        .unwrap();
    assert_eq!(
        fs::read_to_string(label_path(&out, &kitchen)).unwrap(),
        "",
        "an item without a kept object has an empty label file"
    );
    // Street: sky, wall, 2 wheels, window, 2 windowpanes, tree, ashcan;
    // kitchen: its 8 objects and parts; validation: its 3 objects.
    assert_eq!(summary.left_out[NOT_SELECTED], 20);
    assert_eq!(summary.annotations(), 2);
}

#[test]
fn raw_names_number_the_annotators_words() {
    let options = ExportOptions {
        label_naming: LabelNaming::Raw,
        ..options()
    };
    for name in ["ade20k2020", "ade20k2020_meta"] {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "yolo", &options);
        let yaml = read_data_yaml(&out);
        for item in items(&dataset) {
            let objects = written(&item, MaskKind::Visible, true);
            for ((class, _), index) in read_labels(&out, &item).iter().zip(objects) {
                assert_eq!(yaml.names[*class], item.objects[index].raw_name);
            }
        }
        assert_eq!(summary.categories, yaml.names.len());
    }
    // The dataset's label order comes first, used or not ("bicycle").
    let dataset = open("ade20k2020_meta");
    let (_root, out, _) = convert(&dataset, "yolo", &options);
    assert_eq!(
        read_data_yaml(&out).names,
        [
            "automobile",
            "wheel",
            "man",
            "tree",
            "sky",
            "wall",
            "floor",
            "bicycle"
        ]
    );
    let with_selection = ExportOptions {
        labels: LabelSelection::TopClasses(2),
        ..options
    };
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("out");
    let error = export(&dataset, yolo(), &target, &with_selection, false).unwrap_err();
    assert!(matches!(error, ExportError::Usage(_)));
    assert!(error.to_string().starts_with("--label-name raw"), "{error}");
    assert!(!target.exists());
}

#[test]
fn full_names_are_the_wordnet_names() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        label_naming: LabelNaming::Full,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "yolo", &options);
    let mut categories = Categories::new();
    for object in items(&dataset).iter().flat_map(|item| &item.objects) {
        categories.observe(object);
    }
    let full: Vec<String> = categories.iter().map(|c| c.name.clone()).collect();
    assert_eq!(read_data_yaml(&out).names, full);
    assert!(full.contains(&"car, auto, automobile, machine, motorcar".to_string()));
}

#[test]
fn names_and_subsets_are_quoted_yaml() {
    let dataset = open("ade20k2020");
    let list = "car: \"red\" #1 \\ = car\ncafé, sign\t = signboard\n";
    let options = ExportOptions {
        labels: LabelSelection::List(LabelList::parse(list).unwrap()),
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "yolo", &options);
    let text = fs::read_to_string(out.join("data.yaml")).unwrap();
    assert!(
        text.ends_with("names:\n  0: \"car: \\\"red\\\" #1 \\\\\"\n  1: \"café, sign\"\n"),
        "{text}"
    );
    assert_eq!(
        read_data_yaml(&out).names,
        ["car: \"red\" #1 \\", "café, sign"]
    );
}

#[test]
fn data_yaml_names_the_finished_folder_and_its_splits() {
    let dataset = open("ade20k2020");
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("out");
    export(&dataset, yolo(), &target, &options(), false).unwrap();
    let yaml = read_data_yaml(&target);
    let absolute = fs::canonicalize(&target).unwrap();
    assert_eq!(
        yaml.path,
        absolute.to_str().unwrap(),
        "not the staging folder"
    );
    assert_eq!(
        yaml.splits,
        [
            ("train".to_string(), "images/training".to_string()),
            ("val".to_string(), "images/validation".to_string())
        ]
    );
    // Written in place, it names the folder written into.
    let dir = root.path().join("in-place");
    fs::create_dir(&dir).unwrap();
    yolo().write_into(&dataset, &dir, &options()).unwrap();
    let absolute = fs::canonicalize(&dir).unwrap();
    assert_eq!(read_data_yaml(&dir).path, absolute.to_str().unwrap());
}

#[test]
fn without_a_validation_subset_the_summary_says_val_is_missing() {
    let dataset = open("ade20k2020_meta");
    let (_root, out, summary) = convert(&dataset, "yolo", &options());
    let keys: Vec<String> = read_data_yaml(&out)
        .splits
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    assert_eq!(keys, ["train"]);
    assert!(summary.notes.iter().any(|note| note.contains("no `val`")));
}

#[test]
fn parts_can_be_left_out() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        parts: PartsMode::Exclude,
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "yolo", &options);
    for item in items(&dataset) {
        let objects = written(&item, MaskKind::Visible, false);
        assert_eq!(read_labels(&out, &item).len(), objects.len());
    }
    assert_eq!(summary.annotations(), 13, "objects only");
    assert!(!summary.left_out.contains_key(NOT_SELECTED));
}

#[test]
fn amodal_polygons_include_hidden_pixels() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        mask_kind: MaskKind::Amodal,
        ..exact()
    };
    let (_root, out, summary) = convert(&dataset, "yolo", &options);
    for item in items(&dataset) {
        let objects = written(&item, MaskKind::Amodal, true);
        let labels = read_labels(&out, &item);
        assert_eq!(labels.len(), objects.len());
        for ((_, values), index) in labels.iter().zip(objects) {
            let mask = item.binary_mask(index, MaskKind::Amodal).unwrap();
            assert_fills(values, &mask, &format!("{} object {index}", item.id));
        }
    }
    assert!(
        !summary.left_out.contains_key(NO_PIXELS),
        "the hidden ashcan is written"
    );
}

#[test]
fn labels_are_where_ultralytics_looks_for_them() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "yolo", &options);
    let images: Vec<PathBuf> = files(&out)
        .into_iter()
        .filter(|file| file.starts_with("images"))
        .collect();
    assert_eq!(images.len(), 3);
    for image in images {
        // img2label_paths: the last `/images/` becomes `/labels/`, the
        // extension `.txt`.
        let path = out.join(&image).to_str().unwrap().to_string();
        let (before, after) = path.rsplit_once("/images/").unwrap();
        let label = format!("{before}/labels/{after}");
        let label = format!("{}.txt", label.rsplit_once('.').unwrap().0);
        assert!(Path::new(&label).is_file(), "{label}");
    }
    for item in items(&dataset) {
        let placed = out
            .join("images")
            .join(&item.subset)
            .join(format!("{}.jpg", item.id));
        assert_image_placed(&placed, &item);
    }
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let dataset = open("ade20k2020");
    assert_output_independent_of_threads(&dataset, "yolo", &options(), &[1, 2, 4], |out| {
        describe_output(out)
    });
}

/// An item of `width`×`height` whose object `i` (class `i + 1`) is the
/// `#` pixels of `masks[i]`.
fn drawn_item(subset: &str, id: &str, masks: &[&[&str]]) -> Item {
    let (height, width) = (masks[0].len() as u32, masks[0][0].len() as u32);
    let mut in_memory = InMemoryMasks::default();
    let objects = masks
        .iter()
        .enumerate()
        .map(|(position, rows)| {
            let ade_id = position as u32;
            let pixels = rows
                .iter()
                .flat_map(|row| row.bytes())
                .map(|b| match b {
                    b'#' => InstanceMask::VISIBLE,
                    _ => InstanceMask::ABSENT,
                })
                .collect();
            let mask = InstanceMask::from_pixels(width, height, pixels).unwrap();
            in_memory.instance_masks.insert(ObjectId(ade_id), mask);
            synthetic_object(
                ObjectId(ade_id),
                ClassIndex(ade_id + 1),
                &format!("thing {}", ade_id + 1),
                "thing",
            )
        })
        .collect();
    synthetic_item(subset, id, (width, height), objects, in_memory)
}

#[test]
fn components_are_chained_through_their_nearest_vertices() {
    let rows: &[&str] = &[
        "##.......##",
        "##.......##",
        "...........",
        "....###....",
        "....###....",
    ];
    let source = Synthetic {
        subsets: vec!["training".into()],
        items: vec![drawn_item("training", "dots", &[rows])],
    };
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    export(&source, yolo(), &out, &exact(), false).unwrap();
    let text = fs::read_to_string(out.join("labels/training/dots.txt")).unwrap();
    let values: Vec<f64> = text
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    let points = pixels_of(&values, 11, 5);
    // Components go in row-major order of their first pixels: left square,
    // right square, block. The left square once around from (1, 0); to the
    // right square's (9, 0) and along it to (9, 1); to the block's (6, 3),
    // once around it; back to (9, 1), along the rest of the right square to
    // (9, 0), and back to (1, 0).
    assert_eq!(
        points,
        [
            [1, 0],
            [1, 1],
            [0, 1],
            [0, 0],
            [1, 0],
            [9, 0],
            [10, 0],
            [10, 1],
            [9, 1],
            [6, 3],
            [6, 4],
            [4, 4],
            [4, 3],
            [6, 3],
            [9, 1],
            [9, 0],
        ]
    );
    // Filled, the squares, the block, and the horizontal link's pixels; the
    // other link has no pixel centre between its ends.
    let mask = source.items[0].binary_mask(0, MaskKind::Visible).unwrap();
    let expected = BinaryMask::from_fn(11, 5, |x, y| mask.get(x, y) || (y == 0 && x < 9));
    assert_eq!(polygon_mask(&values, 11, 5), expected);
}

#[test]
fn a_folder_called_images_stops_the_export() {
    let source = Synthetic {
        subsets: vec!["training".into()],
        items: vec![drawn_item("training", "scenes/images/x", &[&["#."]])],
    };
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let error = export(&source, yolo(), &out, &options(), false).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, ExportError::Data(_)));
    assert!(
        message.contains("training/scenes/images/x.jpg"),
        "{message}"
    );
    assert!(
        message.contains("has a folder called `images`"),
        "{message}"
    );
    assert!(!out.exists());
}

#[test]
fn subsets_that_would_clash_in_data_yaml_fail_up_front() {
    let source = Synthetic {
        subsets: vec!["names".into()],
        items: vec![drawn_item("names", "x", &[&["#."]])],
    };
    let root = tempfile::tempdir().unwrap();
    let error = export(&source, yolo(), &root.path().join("out"), &options(), false).unwrap_err();
    assert!(matches!(error, ExportError::Usage(_)));
    assert_eq!(
        error.to_string(),
        "yolo cannot write subset `names` in data.yaml: `names` is a key Ultralytics reads \
         from data.yaml; choose the subsets with --subsets"
    );
}
