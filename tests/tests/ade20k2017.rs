//! End-to-end: an ADE20K 2017 dataset (`<name>_atr.txt`, instances in the B
//! channel of the class maps), detected and converted by every exporter; in
//! COCO, each RLE mask is exactly its instance's B region.

use std::collections::HashMap;
use std::path::Path;

use ade20k_export::rle::Rle;
use ade20k_export::FORMATS;
use ade20k_import::{detect_format, open, ImportOptions, InputFormat};
use ade20k_model::BinaryMask;
use ade20k_test_support::read_json;
use ade20k_tests::{convert, options};
use serde_json::{json, Value};

const W: u32 = 6;
const H: u32 = 4;

const SKY: u32 = 2;
const CAR: u32 = 401;
const HEAD: u32 = 1200;
const PERSON: u32 = 1831;
const ROAD: u32 = 2120;
const WHEEL: u32 = 3000;
const WINDOW: u32 = 3055;

/// One class map pixel: class index and instance code (B).
type Pixel = (u32, u8);
const NONE: Pixel = (0, 0);

/// Level 0: B 3 road (instance 1), 20 car (2), 50 sky (3), 80 person (4).
#[rustfmt::skip]
const SEG: [Pixel; 24] = [
    (SKY, 50), (SKY, 50), (SKY, 50), (SKY, 50), (SKY, 50), (SKY, 50),
    (CAR, 20), (CAR, 20), (CAR, 20), (PERSON, 80), (PERSON, 80), (SKY, 50),
    (CAR, 20), (CAR, 20), (CAR, 20), (PERSON, 80), (PERSON, 80), (ROAD, 3),
    (ROAD, 3), (ROAD, 3), (ROAD, 3), (ROAD, 3), (ROAD, 3), (ROAD, 3),
];
/// Level 1: B 11 window (instance 1), 12 head (2), 13 and 14 wheels (3, 4).
#[rustfmt::skip]
const PARTS: [Pixel; 24] = [
    NONE, NONE, NONE, NONE, NONE, NONE,
    (WINDOW, 11), (WINDOW, 11), NONE, (HEAD, 12), NONE, NONE,
    (WHEEL, 13), NONE, (WHEEL, 14), NONE, NONE, NONE,
    NONE, NONE, NONE, NONE, NONE, NONE,
];
const ATR: &str = "003 # 0 # 0 # sky # sky # \"\"\n\
    002 # 0 # 1 # car, auto, automobile, machine, motorcar # car # \"parked\"\n\
    004 # 0 # 0 # person, individual, someone, somebody, mortal, soul # person # \"walking\"\n\
    001 # 0 # 0 # road, route # road # \"\"\n\
    001 # 1 # 0 # windowpane, window # window # \"\"\n\
    003 # 1 # 0 # wheel # wheel # \"\"\n\
    004 # 1 # 1 # wheel # wheel # \"\"\n\
    002 # 1 # 0 # head # head # \"\"\n";

/// Per ADE id (line position): class, part level, B value and parent ADE id.
const OBJECTS: [(u32, u32, u8, Option<u64>); 8] = [
    (SKY, 0, 50, None),
    (CAR, 0, 20, None),
    (PERSON, 0, 80, None),
    (ROAD, 0, 3, None),
    (WINDOW, 1, 11, Some(1)),
    (WHEEL, 1, 13, Some(1)),
    (WHEEL, 1, 14, Some(1)),
    (HEAD, 1, 12, Some(2)),
];

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// An RGB class map PNG: R = class / 256 * 10 + 5, G = class % 256, B = the code.
fn class_map_and_file(pixels: &[Pixel]) -> Vec<u8> {
    let rgb: Vec<u8> = pixels
        .iter()
        .flat_map(|&(class, code)| {
            let red = if class == 0 { 0 } else { class / 256 * 10 + 5 };
            [red as u8, (class % 256) as u8, code]
        })
        .collect();
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, W, H);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&rgb).unwrap();
    writer.finish().unwrap();
    bytes
}

/// Writes the dataset: `training/street/ADE_train_00000001` with levels 0 and 1.
fn write_dataset(root: &Path) {
    let folder = root.join("training/street");
    let mut photo = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut photo)
        .encode(
            &vec![128; (W * H * 3) as usize],
            W,
            H,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    write(&folder.join("ADE_train_00000001.jpg"), &photo);
    write(&folder.join("ADE_train_00000001_atr.txt"), ATR.as_bytes());
    write(
        &folder.join("ADE_train_00000001_seg.png"),
        &class_map_and_file(&SEG),
    );
    write(
        &folder.join("ADE_train_00000001_parts_1.png"),
        &class_map_and_file(&PARTS),
    );
}

/// The region of B value `code` in the class map of `level`, from the tables.
fn region(level: u32, code: u8) -> BinaryMask {
    let pixels = if level == 0 { &SEG } else { &PARTS };
    BinaryMask::from_fn(W, H, |x, y| pixels[(y * W + x) as usize].1 == code)
}

#[test]
fn coco_rle_masks_are_the_b_regions() {
    let root = tempfile::tempdir().unwrap();
    write_dataset(root.path());
    let (format, _) = detect_format(root.path()).unwrap();
    assert_eq!(format, InputFormat::Ade20k2017);
    let dataset = open(root.path(), &ImportOptions::default()).unwrap();
    let (_out_root, out, summary) = convert(dataset.as_ref(), "coco", &options());
    let coco = read_json(&out.join("annotations/instances_training.json"));
    assert_eq!(
        coco["images"],
        json!([{"id": 1, "file_name": "street/ADE_train_00000001.jpg", "width": W, "height": H, "scene": []}])
    );
    let annotations = coco["annotations"].as_array().unwrap();
    assert_eq!(annotations.len(), OBJECTS.len());
    assert_eq!(summary.annotations() as usize, OBJECTS.len());
    let coco_id_of_ade_id: HashMap<u64, &Value> = annotations
        .iter()
        .map(|a| (a["attributes"]["ade_id"].as_u64().unwrap(), &a["id"]))
        .collect();
    for annotation in annotations {
        let ade_id = annotation["attributes"]["ade_id"].as_u64().unwrap();
        let (class, level, code, parent) = OBJECTS[ade_id as usize];
        let segmentation = &annotation["segmentation"];
        assert_eq!(segmentation["size"], json!([H, W]));
        let mask = Rle::from_coco_string(H, W, segmentation["counts"].as_str().unwrap())
            .unwrap()
            .decode()
            .unwrap();
        let expected = region(level, code);
        assert_eq!(mask, expected, "object {ade_id}");
        assert_eq!(annotation["area"], expected.area());
        assert_eq!(annotation["category_id"], class);
        assert_eq!(annotation["attributes"]["part_level"], level);
        assert_eq!(
            annotation["attributes"].get("parent_id"),
            parent.map(|parent| coco_id_of_ade_id[&parent])
        );
    }
    let car = &annotations[1]["attributes"];
    assert_eq!(
        (&car["occluded"], &car["raw_name"], &car["words"]),
        (&json!(true), &json!("car"), &json!(["parked"]))
    );
    let names: Vec<(&Value, &Value)> = coco["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (&c["id"], &c["name"]))
        .collect();
    assert_eq!(
        names,
        [
            (&json!(SKY), &json!("sky")),
            (&json!(CAR), &json!("car")),
            (&json!(HEAD), &json!("head")),
            (&json!(PERSON), &json!("person")),
            (&json!(ROAD), &json!("road")),
            (&json!(WHEEL), &json!("wheel")),
            (&json!(WINDOW), &json!("windowpane")),
        ]
    );
}

#[test]
fn every_exporter_reads_it() {
    let root = tempfile::tempdir().unwrap();
    write_dataset(root.path());
    let dataset = open(root.path(), &ImportOptions::default()).unwrap();
    for format in FORMATS {
        let (_out_root, _out, summary) = convert(dataset.as_ref(), format.name, &options());
        assert_eq!(summary.items(), 1, "{}", format.name);
    }
}
