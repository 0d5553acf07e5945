//! End-to-end tests of the `ade20k_challenge` exporter and of
//! `max_short_side` on the fixtures.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::num::NonZeroU32;
use std::path::Path;

use ade20k_export::rle::Rle;
use ade20k_export::{
    export, find_format, ExportError, ExportOptions, MaxShortSide, MediaMode, Setting,
};
use ade20k_test_support::images::read_png;
use ade20k_test_support::read_json;
use ade20k_tests::{
    assert_output_independent_of_threads, convert, file_contents, files, open, options, FIXTURES,
};

fn limit(pixels: u32) -> MaxShortSide {
    MaxShortSide::Pixels(NonZeroU32::new(pixels).unwrap())
}

/// The absolute path of the output folder as `data.yaml` records it.
fn yaml_root(out: &Path) -> String {
    let parent = out.parent().unwrap().canonicalize().unwrap();
    parent.join(out.file_name().unwrap()).display().to_string()
}

/// [`file_contents`] with the output's own path in `data.yaml` replaced by
/// `[out]`, so that outputs in different folders compare equal.
fn contents(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut contents = file_contents(out);
    let yaml = contents.get_mut("data.yaml").expect("data.yaml is written");
    let text = String::from_utf8(yaml.clone()).unwrap();
    *yaml = text.replace(&yaml_root(out), "[out]").into_bytes();
    contents
}

/// Every file of an output: PNGs by size, kind and value histogram (RGB
/// pixels as `r,g,b`), JSON a record a line, the classes of
/// `objectInfo150.csv` that the data holds, `data.yaml` without its
/// output path and with its first and last names, other text whole.
fn describe(out: &Path) -> String {
    let mut text = String::new();
    for file in files(out) {
        let path = out.join(&file);
        let _ = writeln!(text, "== {}", file.display());
        match path.extension().and_then(|ext| ext.to_str()) {
            Some("png") => {
                let png = read_png(&path);
                let channels = png.color_type.samples();
                let mut histogram: BTreeMap<Vec<u32>, usize> = BTreeMap::new();
                for pixel in png.samples.chunks_exact(channels) {
                    *histogram.entry(pixel.to_vec()).or_default() += 1;
                }
                let values: Vec<String> = histogram
                    .iter()
                    .map(|(value, n)| {
                        let value: Vec<String> = value.iter().map(u32::to_string).collect();
                        format!("{} ×{n}", value.join(","))
                    })
                    .collect();
                let _ = writeln!(
                    text,
                    "{}×{} {:?}: {}",
                    png.width,
                    png.height,
                    png.color_type,
                    values.join("; ")
                );
            }
            Some("json") => {
                // A record a line; the 150 or 100 categories by count and ends.
                let json = read_json(&path);
                for (key, records) in json.as_object().unwrap() {
                    let records = records.as_array().unwrap();
                    let _ = writeln!(text, "{key}: {}", records.len());
                    let shown: Vec<_> = match key.as_str() {
                        "categories" => vec![&records[0], records.last().unwrap()],
                        _ => records.iter().collect(),
                    };
                    for record in shown {
                        let _ = writeln!(text, "  {record}");
                    }
                }
            }
            Some("csv") => {
                // The header and the classes present.
                let table = std::fs::read_to_string(&path).unwrap();
                let _ = writeln!(text, "{} rows", table.lines().count());
                for line in table.lines().filter(|line| !line.contains(",0.0000,0,0,")) {
                    let _ = writeln!(text, "{line}");
                }
            }
            Some("yaml") => {
                let yaml = std::fs::read_to_string(&path).unwrap();
                let yaml = yaml.replace(&yaml_root(out), "[out]");
                let lines: Vec<&str> = yaml.lines().collect();
                let names = lines.iter().position(|line| *line == "names:").unwrap();
                for line in &lines[..=names + 1] {
                    let _ = writeln!(text, "{line}");
                }
                let _ = writeln!(text, "  … {} names in all", lines.len() - names - 1);
                let _ = writeln!(text, "{}", lines.last().unwrap());
            }
            Some("jpg") => {
                let photo = image::open(&path).unwrap();
                let _ = writeln!(text, "{}×{} photo", photo.width(), photo.height());
            }
            _ => text.push_str(&std::fs::read_to_string(&path).unwrap()),
        }
    }
    text
}

#[test]
fn snapshots_of_every_fixture() {
    for name in FIXTURES {
        let dataset = open(name);
        let text = assert_output_independent_of_threads(
            &dataset,
            "ade20k_challenge",
            &options(),
            &[1, 3],
            contents,
        );
        assert!(text
            .keys()
            .any(|file| file.starts_with("annotations_instance/")));
        let (_root, out, summary) = convert(&dataset, "ade20k_challenge", &options());
        insta::assert_snapshot!(format!("{name}"), format!("{summary}{}", describe(&out)));
    }
}

#[test]
fn scaled_output_snapshot_is_the_same_on_any_number_of_threads() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        max_short_side: limit(24),
        media: MediaMode::Copy,
        ..ExportOptions::default()
    };
    assert_output_independent_of_threads(&dataset, "ade20k_challenge", &options, &[1, 4], contents);
    let (_root, out, summary) = convert(&dataset, "ade20k_challenge", &options);
    insta::assert_snapshot!("ade20k2020_scaled", format!("{summary}{}", describe(&out)));
}

/// `data.yaml` read as Ultralytics' semantic task reads it: every photo of
/// `train` and `val` finds its mask by `masks_dir` in place of `images`, a
/// map of class ids below 150 and 255 (ignored), the value − 1 of
/// `annotations/`.
#[test]
fn data_yaml_leads_ultralytics_from_each_photo_to_its_mask() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        media: MediaMode::Copy,
        ..ExportOptions::default()
    };
    let (_root, out, _) = convert(&dataset, "ade20k_challenge", &options);
    let yaml = std::fs::read_to_string(out.join("data.yaml")).unwrap();
    let value = |key: &str| -> String {
        let line = yaml
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("{key} in {yaml}"));
        line.trim_matches('"').to_string()
    };
    assert_eq!(value("path"), yaml_root(&out));
    let masks_dir = value("masks_dir");
    let names = yaml.lines().filter(|line| line.starts_with("  ")).count();
    assert_eq!(names, 150);
    let mut photos = 0;
    for (key, subset) in [("train", "training"), ("val", "validation")] {
        let images = value(key);
        assert_eq!(images, format!("images/{subset}"));
        for entry in std::fs::read_dir(out.join(&images)).unwrap() {
            let photo = entry.unwrap().path();
            let relative = photo.strip_prefix(&out).unwrap().to_str().unwrap();
            let mask = out
                .join(relative.replacen("images", &masks_dir, 1))
                .with_extension("png");
            let classes = read_png(&mask);
            let semantic = read_png(&out.join(format!(
                "annotations/{subset}/{}",
                mask.file_name().unwrap().to_str().unwrap()
            )));
            assert_eq!(classes.samples.len(), semantic.samples.len());
            for (&class, &value) in classes.samples.iter().zip(&semantic.samples) {
                assert!(class < 150 || class == 255, "{}: {class}", mask.display());
                assert_eq!(class, (value as u8).wrapping_sub(1) as u32);
            }
            photos += 1;
        }
    }
    assert_eq!(photos, 3);
}

#[test]
fn every_format_writing_pixels_follows_the_scaled_masks() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        max_short_side: limit(20),
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "coco", &options);
    for subset in ["training", "validation"] {
        let coco = read_json(&out.join(format!("annotations/instances_{subset}.json")));
        let sizes: BTreeMap<u64, (u32, u32)> = coco["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|image| {
                let (width, height) = (
                    image["width"].as_u64().unwrap(),
                    image["height"].as_u64().unwrap(),
                );
                assert_eq!(width.min(height), 20, "{image}");
                (image["id"].as_u64().unwrap(), (width as u32, height as u32))
            })
            .collect();
        for annotation in coco["annotations"].as_array().unwrap() {
            let (width, height) = sizes[&annotation["image_id"].as_u64().unwrap()];
            let segmentation = &annotation["segmentation"];
            assert_eq!(segmentation["size"], serde_json::json!([height, width]));
            let rle =
                Rle::from_coco_string(height, width, segmentation["counts"].as_str().unwrap())
                    .unwrap();
            assert_eq!(annotation["area"], rle.area());
            let bbox = rle.bbox().unwrap();
            assert_eq!(
                annotation["bbox"],
                serde_json::json!([bbox.x, bbox.y, bbox.width, bbox.height])
            );
        }
    }
}

#[test]
fn options_that_cannot_be_honoured_are_refused() {
    let dataset = open("ade20k2020");
    let root = tempfile::tempdir().unwrap();
    let refused = |format: &str, options: ExportOptions| {
        let out = root.path().join(format!("out_{format}"));
        let error = export(
            &dataset,
            find_format(format).unwrap(),
            &out,
            &options,
            false,
        )
        .unwrap_err();
        assert!(!out.exists());
        match error {
            ExportError::Usage(message) => message,
            other => panic!("{other}"),
        }
    };
    let linked = ExportOptions {
        media: MediaMode::Symlink,
        ..ExportOptions::default()
    };
    assert!(refused("ade20k_challenge", linked.clone()).contains("cannot be links"));
    let linked_coco = ExportOptions {
        max_short_side: limit(16),
        ..linked
    };
    assert!(refused("coco", linked_coco).contains("cannot be links"));
    let scaled = ExportOptions {
        max_short_side: limit(16),
        ..options()
    };
    assert!(refused("ade20k2020", scaled).contains("cannot scale"));
    let amodal = ExportOptions {
        mask_kind: ade20k_model::MaskKind::Amodal,
        ..options()
    };
    let out = root.path().join("out_amodal");
    let error = export(
        &dataset,
        find_format("ade20k_challenge").unwrap(),
        &out,
        &amodal,
        false,
    )
    .unwrap_err();
    assert!(!out.exists());
    assert!(
        matches!(
            error,
            ExportError::NotTaken {
                format: "ade20k_challenge",
                setting: Setting::MaskKind,
                ..
            }
        ),
        "{error}"
    );
    // Without scaling, links are fine.
    let unscaled = ExportOptions {
        media: MediaMode::Symlink,
        max_short_side: MaxShortSide::Off,
        ..ExportOptions::default()
    };
    let (_root, out, _) = convert(&dataset, "ade20k_challenge", &unscaled);
    assert!(out
        .join("images/training/ADE_train_00000001.jpg")
        .symlink_metadata()
        .unwrap()
        .file_type()
        .is_symlink());
}
