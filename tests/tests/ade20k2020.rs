//! End-to-end tests of the ade20k2020 exporter: every fixture written and read
//! back by the importer is the same model, object for object and pixel for
//! pixel; a label list and a subset cut a smaller ADE20K.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_export::{
    export, find_format, ExportError, ExportOptions, ItemFilter, LabelList, LabelSelection,
    MediaMode, PartsMode,
};
use ade20k_import::{Ade20k2020Dataset, ImportOptions};
use ade20k_model::{ClassIndex, InstanceMask, Item, ItemSource, MaskKind, Object, ObjectId};
use ade20k_test_support::folders::copy_dir;
use ade20k_test_support::images::read_png;
use ade20k_test_support::synthetic::items;
use ade20k_test_support::{fixture, read_json};
use ade20k_tests::{
    assert_output_independent_of_threads, convert, file_contents, open, options, FIXTURES,
};
use serde_json::json;

const NOT_SELECTED: &str = "objects of classes not selected";
const ORPHAN_PARTS: &str = "parts whose object is not written";

/// Default options, with the photos copied so that the output can be read back.
fn copy_options() -> ExportOptions {
    ExportOptions {
        media: MediaMode::Copy,
        ..ExportOptions::default()
    }
}

/// Asserts that `read` is `source` in every field of the model and every pixel
/// of its masks; the photo's path differs by nature, its bytes do not.
fn assert_same_item(source: &Item, read: &Item) {
    let id = &source.id;
    assert_eq!(read.id, source.id);
    assert_eq!(read.subset, source.subset, "{id}");
    assert_eq!(read.folder, source.folder, "{id}");
    assert_eq!(read.scene, source.scene, "{id}");
    assert_eq!(read.source, source.source, "{id}");
    assert_eq!(
        (read.image.width, read.image.height),
        (source.image.width, source.image.height),
        "{id}"
    );
    assert_eq!(read.image.path.file_name(), source.image.path.file_name());
    assert_eq!(
        fs::read(&read.image.path).unwrap(),
        fs::read(&source.image.path).unwrap(),
        "{id}: photo"
    );
    assert_eq!(read.part_levels, source.part_levels, "{id}");
    assert_eq!(read.objects.len(), source.objects.len(), "{id}");
    for (index, (read_object, object)) in read.objects.iter().zip(&source.objects).enumerate() {
        assert_eq!(read_object, object, "{id}: object {index}");
        assert_eq!(
            read.instance_mask(index).unwrap(),
            source.instance_mask(index).unwrap(),
            "{id}: instance mask of object {index}"
        );
    }
    for level in 0..=source.part_levels {
        assert_eq!(
            read.class_map(level).unwrap(),
            source.class_map(level).unwrap(),
            "{id}: class map of level {level}"
        );
    }
}

#[test]
fn every_fixture_reads_back_as_the_same_model() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "ade20k2020", &copy_options());
        let back = Ade20k2020Dataset::open(&out).unwrap();
        assert_eq!(back.subsets(), dataset.subsets(), "{name}");
        assert_eq!(back.len(), dataset.len(), "{name}");
        assert_eq!(back.label_order(), dataset.label_order(), "{name}");
        let sources = items(&dataset);
        for (source, read) in sources.iter().zip(items(&back)) {
            assert_same_item(source, &read);
        }
        let objects: usize = sources.iter().map(|item| item.objects.len()).sum();
        assert_eq!(summary.items(), dataset.len() as u64, "{name}");
        assert_eq!(summary.annotations(), objects as u64, "{name}");
        assert!(
            summary.left_out.is_empty() && summary.notes.is_empty(),
            "{name}"
        );
    }
}

/// The folder of fixture `name` whose children are the subsets.
fn subsets_folder(name: &str) -> PathBuf {
    match name {
        "ade20k2020_release" => fixture(name).join("ADE20K_2021_17_01/images/ADE"),
        _ => fixture(name),
    }
}

#[test]
fn with_nothing_cut_every_file_is_the_source_s_byte_for_byte() {
    for name in FIXTURES {
        let (_root, out, _) = convert(&open(name), "ade20k2020", &copy_options());
        let source = file_contents(&subsets_folder(name));
        let written = file_contents(&out);
        assert_eq!(
            written.keys().collect::<Vec<_>>(),
            source.keys().collect::<Vec<_>>(),
            "{name}"
        );
        for (path, bytes) in &source {
            assert!(written[path] == *bytes, "{name}: {path} differs");
        }
    }
}

#[test]
fn latin1_annotations_stay_latin1_when_copied_and_when_cut() {
    let name = "validation/ADE_val_00000001.json";
    let source = fs::read(fixture("ade20k2020").join(name)).unwrap();
    assert!(String::from_utf8(source.clone()).is_err());
    let (_root, out, _) = convert(&open("ade20k2020"), "ade20k2020", &copy_options());
    assert_eq!(fs::read(out.join(name)).unwrap(), source);
    // Without the sign, whose raw name is "café sign".
    let options = ExportOptions {
        labels: LabelSelection::List(LabelList::parse("sky\nwall\n").unwrap()),
        ..copy_options()
    };
    let (_root, out, _) = convert(&open("ade20k2020"), "ade20k2020", &options);
    let cut = fs::read(out.join(name)).unwrap();
    let contains = |bytes: &[u8], part: &[u8]| bytes.windows(part.len()).any(|w| w == part);
    assert!(contains(&cut, b"\"raw_name\": \"fa\xE7ade\""));
    assert!(!contains(&cut, b"caf\xE9 sign") && contains(&source, b"caf\xE9 sign"));
    let back = Ade20k2020Dataset::open(&out).unwrap();
    let item = back.load(back.len() - 1).unwrap();
    let raw_names: Vec<&str> = item.objects.iter().map(|o| o.raw_name.as_str()).collect();
    assert_eq!(raw_names, ["sky", "façade"]);
}

/// A written object of a cut: (id, parts written).
type KeptObject = (u32, Vec<u32>);

/// The objects of the cut, per item.
fn expected_cut() -> BTreeMap<&'static str, Vec<KeptObject>> {
    BTreeMap::from([
        (
            "urban/street/ADE_train_00000001",
            vec![
                (0, vec![]),     // sky
                (2, vec![3, 4]), // car; its window (5) is not selected
                (3, vec![]),     // wheel
                (4, vec![]),     // wheel
                (8, vec![]),     // person
            ],
        ),
        (
            "home/kitchen/ADE_train_00000002",
            vec![
                (6, vec![14]), // plant, flora (1910)
                (14, vec![]),  // its pot; the handle of the door goes with it
            ],
        ),
    ])
}

/// The training subset of the main sample, cut to cars, wheels, people, sky,
/// plants (flora), pots and handles.
fn cut_sample() -> (
    tempfile::TempDir,
    PathBuf,
    ade20k_export::Summary,
    Ade20k2020Dataset,
) {
    let options = ImportOptions {
        subsets: Some(vec!["training".into()]),
        ..ImportOptions::default()
    };
    let dataset = Ade20k2020Dataset::open_with(fixture("ade20k2020"), &options).unwrap();
    let list = LabelList::parse("car\nwheel\nperson\nsky\n1910\npot\nhandle\n").unwrap();
    let options = ExportOptions {
        labels: LabelSelection::List(list),
        ..copy_options()
    };
    let (root, out, summary) = convert(&dataset, "ade20k2020", &options);
    (root, out, summary, dataset)
}

#[test]
fn a_label_list_and_one_subset_cut_a_smaller_ade20k() {
    let (_root, out, summary, dataset) = cut_sample();
    assert_eq!(
        summary.left_out,
        BTreeMap::from([(NOT_SELECTED.into(), 11), (ORPHAN_PARTS.into(), 1)])
    );
    assert_eq!((summary.items(), summary.annotations()), (2, 7));
    let back = Ade20k2020Dataset::open(&out).unwrap();
    assert_eq!(back.subsets(), ["training"]);
    let expected = expected_cut();
    let (mut zeroed, mut kept) = (0, 0);
    for (source, read) in items(&dataset).iter().zip(items(&back)) {
        let table = &expected[source.id.as_str()];
        assert_eq!(read.id, source.id);
        assert_eq!(read.objects.len(), table.len(), "{}", source.id);
        let mut written_at = vec![Vec::new(); source.part_levels as usize + 1];
        for (id, children) in table {
            let index = source.object_index(ObjectId(*id)).unwrap();
            // Only the links to removed parts go.
            let want = Object {
                children: children.iter().copied().map(ObjectId).collect(),
                ..source.objects[index].clone()
            };
            let read_index = read.object_index(ObjectId(*id)).unwrap();
            assert_eq!(read.objects[read_index], want, "{}", source.id);
            let mask = source.instance_mask(index).unwrap();
            assert_eq!(read.instance_mask(read_index).unwrap(), mask);
            written_at[want.part_level as usize].push(mask);
        }
        // A pixel keeps its class and instance code where a written object
        // of its level is seen, and is 0 elsewhere.
        assert_eq!(read.part_levels, source.part_levels);
        for level in 0..=source.part_levels {
            let (map, read_map) = (
                source.class_map(level).unwrap(),
                read.class_map(level).unwrap(),
            );
            for pixel in 0..map.classes().len() {
                let seen = written_at[level as usize]
                    .iter()
                    .any(|mask| mask.pixels()[pixel] == InstanceMask::VISIBLE);
                let want = if seen {
                    kept += 1;
                    (map.classes()[pixel], map.instances()[pixel])
                } else {
                    zeroed += u32::from(map.classes()[pixel] != ClassIndex::UNLABELED);
                    (ClassIndex::UNLABELED, 0)
                };
                let got = (read_map.classes()[pixel], read_map.instances()[pixel]);
                assert_eq!(got, want, "{} level {level} pixel {pixel}", source.id);
            }
        }
    }
    assert!(kept > 1000 && zeroed > 1000, "kept {kept}, zeroed {zeroed}");
}

#[test]
fn coco_of_a_cut_read_back_names_the_source_objects_by_ade_id() {
    let (_root, out, _, dataset) = cut_sample();
    let cut = Ade20k2020Dataset::open(&out).unwrap();
    let (_coco_root, coco, _) = convert(&cut, "coco", &options());
    let sources: BTreeMap<String, Item> = items(&dataset)
        .into_iter()
        .map(|item| (item.id.clone(), item))
        .collect();
    let json = read_json(&coco.join("annotations/instances_training.json"));
    let item_of: BTreeMap<u64, String> = json["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|image| {
            let file_name = image["file_name"].as_str().unwrap();
            let id = file_name.strip_suffix(".jpg").unwrap().to_string();
            (image["id"].as_u64().unwrap(), id)
        })
        .collect();
    let mut named = Vec::new();
    for annotation in json["annotations"].as_array().unwrap() {
        let source = &sources[&item_of[&annotation["image_id"].as_u64().unwrap()]];
        let ade_id = annotation["attributes"]["ade_id"].as_u64().unwrap() as u32;
        let index = source.object_index(ObjectId(ade_id)).unwrap();
        let object = &source.objects[index];
        let area = source.binary_mask(index, MaskKind::Visible).unwrap().area();
        assert_eq!(
            (
                &annotation["attributes"]["ade_class"],
                &annotation["attributes"]["raw_name"],
                &annotation["area"]
            ),
            (&json!(object.class), &json!(object.raw_name), &json!(area)),
            "{} object {ade_id}",
            source.id
        );
        named.push((source.id.as_str(), ade_id));
    }
    // Every written object, by its source id (not its position in the cut).
    let mut expected: Vec<(&str, u32)> = expected_cut()
        .into_iter()
        .flat_map(|(item, objects)| objects.into_iter().map(move |(id, _)| (item, id)))
        .collect();
    named.sort();
    expected.sort();
    assert_eq!(named, expected);
}

#[test]
fn a_filtered_item_is_its_source_text_without_the_removed_objects() {
    let name = "training/home/kitchen/ADE_train_00000002.json";
    let source = fs::read_to_string(fixture("ade20k2020").join(name)).unwrap();
    let mut filter = ItemFilter::default();
    filter.exclude = Some(LabelList::parse("hinge\n").unwrap());
    let options = ExportOptions {
        filter,
        ..copy_options()
    };
    let (_root, out, summary) = convert(&open("ade20k2020"), "ade20k2020", &options);
    assert_eq!(summary.annotations(), 21);
    // The hinge (id 11) leaves the list and the door's hasparts; every
    // other byte is the source's: one line, "crop":"1", click_date, the
    // annotator field, the wall's point at x = 57.
    let (start, end) = (
        source.find(r#",{"id":11,"#).unwrap(),
        source.find(r#",{"id":14,"#).unwrap(),
    );
    let expected = format!("{}{}", &source[..start], &source[end..]).replacen(
        r#""hasparts":[9,11]"#,
        r#""hasparts":[9]"#,
        1,
    );
    assert_ne!(expected, source);
    assert_eq!(fs::read_to_string(out.join(name)).unwrap(), expected);
}

#[test]
fn a_mask_named_otherwise_is_written_under_its_id_and_the_summary_says_so() {
    let root = tempfile::tempdir().unwrap();
    let input = root.path().join("in");
    copy_dir(&fixture("ade20k2020"), &input);
    let name = "training/home/kitchen/ADE_train_00000002.json";
    let (usual, other) = (
        r#""instance_mask":"ADE_train_00000002/instance_005_ADE_train_00000002.png""#,
        r#""instance_mask":"./ADE_train_00000002/instance_005_ADE_train_00000002.png""#,
    );
    let source = fs::read_to_string(input.join(name)).unwrap();
    fs::write(input.join(name), source.replacen(usual, other, 1)).unwrap();
    let dataset = Ade20k2020Dataset::open(&input).unwrap();
    let (_root, out, summary) = convert(&dataset, "ade20k2020", &copy_options());
    assert_eq!(fs::read_to_string(out.join(name)).unwrap(), source);
    assert_eq!(
        summary.notes,
        [
            "1 instance masks were named otherwise in the source: they are written as \
          <stem>/instance_<id>_<stem>.png, and their annotations say so"
        ]
    );
}

#[test]
fn excluding_parts_writes_whole_objects_and_their_map_only() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        parts: PartsMode::Exclude,
        ..copy_options()
    };
    let (_root, out, summary) = convert(&dataset, "ade20k2020", &options);
    assert!(summary.left_out.is_empty());
    let back = Ade20k2020Dataset::open(&out).unwrap();
    for (source, read) in items(&dataset).iter().zip(items(&back)) {
        let wholes: Vec<(usize, &Object)> = source
            .objects
            .iter()
            .enumerate()
            .filter(|(_, object)| !object.is_part())
            .collect();
        assert_eq!(read.objects.len(), wholes.len());
        for (read_index, (index, object)) in wholes.into_iter().enumerate() {
            let want = Object {
                children: vec![],
                ..object.clone()
            };
            assert_eq!(read.objects[read_index], want);
            assert_eq!(
                read.instance_mask(read_index).unwrap(),
                source.instance_mask(index).unwrap()
            );
        }
        assert_eq!(read.part_levels, 0);
        assert_eq!(read.class_map(0).unwrap(), source.class_map(0).unwrap());
    }
}

#[test]
fn merges_and_renames_are_refused() {
    let dataset = open("ade20k2020");
    let refused = |options: ExportOptions| {
        let root = tempfile::tempdir().unwrap();
        let format = find_format("ade20k2020").unwrap();
        match export(&dataset, format, &root.path().join("out"), &options, false) {
            Err(ExportError::Usage(message)) => message,
            other => panic!("expected a usage error, got {other:?}"),
        }
    };
    let list = |text: &str| ExportOptions {
        labels: LabelSelection::List(LabelList::parse(text).unwrap()),
        ..copy_options()
    };
    let merge = refused(list("vehicle = car\nvehicle = 3054\n"));
    assert!(
        merge.contains("`vehicle` merges several classes"),
        "{merge}"
    );
    let rename = refused(list("auto = car\n"));
    assert!(rename.contains("`auto` renames a class"), "{rename}");
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let dataset = open("ade20k2020");
    assert_output_independent_of_threads(
        &dataset,
        "ade20k2020",
        &copy_options(),
        &[1, 3],
        file_contents,
    );
}

/// One line per file: its path and what it holds. PNGs are described by
/// size, colour type and a histogram (class/instance code pairs for RGB class
/// maps, values for grey instance masks), most pixels first.
fn describe_files(out: &Path) -> String {
    let mut text = String::new();
    for (path, bytes) in file_contents(out) {
        let description = if path.ends_with(".png") {
            let png = read_png(&out.join(&path));
            let channels = png.color_type.samples();
            let mut histogram: BTreeMap<String, usize> = BTreeMap::new();
            for pixel in png.samples.chunks(channels) {
                let key = match pixel {
                    [r, g, b] => format!("{}/{b}", r / 10 * 256 + g),
                    other => format!("{other:?}").trim_matches(['[', ']']).to_string(),
                };
                *histogram.entry(key).or_default() += 1;
            }
            let mut counts: Vec<(String, usize)> = histogram.into_iter().collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let counts: Vec<String> = counts.iter().map(|(v, n)| format!("{v} ×{n}")).collect();
            let kind = match channels {
                3 => "RGB, class/B",
                _ => "grey",
            };
            format!(
                "{}×{} {kind}, {}-bit: {}",
                png.width,
                png.height,
                png.bit_depth as u8,
                counts.join(", ")
            )
        } else if path.ends_with(".json") {
            // Counting objects needs no more than ASCII (the sign's JSON is Latin-1).
            let text = String::from_utf8_lossy(&bytes);
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            match json["annotation"]["object"].as_array() {
                Some(objects) => format!("annotation, {} objects", objects.len()),
                None => format!("{json}"),
            }
        } else {
            format!("{} bytes", bytes.len())
        };
        writeln!(text, "{path}: {description}").unwrap();
    }
    text
}

#[test]
fn snapshot_of_the_written_files() {
    let (_root, out, summary) = convert(&open("ade20k2020"), "ade20k2020", &copy_options());
    insta::assert_snapshot!(
        "ade20k2020_files",
        format!("{summary}\n{}", describe_files(&out))
    );
    let (_root, out, summary) = convert(&open("ade20k2020_meta"), "ade20k2020", &copy_options());
    insta::assert_snapshot!(
        "ade20k2020_meta_files",
        format!("{summary}\n{}", describe_files(&out))
    );
}

#[test]
fn snapshot_of_a_cut() {
    let (_root, out, summary, _) = cut_sample();
    insta::assert_snapshot!("cut_files", format!("{summary}\n{}", describe_files(&out)));
    let json = fs::read_to_string(out.join("training/home/kitchen/ADE_train_00000002.json"));
    insta::assert_snapshot!("cut_kitchen_json", json.unwrap());
}
