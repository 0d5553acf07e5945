//! End-to-end tests of the `webdataset` exporter on the fixtures: the shards
//! read back with the `tar` crate.

use std::fs;
use std::path::Path;

use ade20k_export::{ExportOptions, MediaMode};
use ade20k_test_support::synthetic::items;
use ade20k_tests::{assert_output_independent_of_threads, convert, file_contents, files, open};

fn with_photos() -> ExportOptions {
    ExportOptions {
        media: MediaMode::Copy,
        ..ExportOptions::default()
    }
}

/// The members of a shard: name, mode, owner, time and bytes.
fn members(path: &Path) -> Vec<(String, u32, u64, u64, Vec<u8>)> {
    let mut archive = tar::Archive::new(fs::File::open(path).unwrap());
    archive
        .entries()
        .unwrap()
        .map(|entry| {
            let mut entry = entry.unwrap();
            let header = entry.header();
            let described = (
                entry.path().unwrap().to_string_lossy().into_owned(),
                header.mode().unwrap(),
                header.uid().unwrap(),
                header.mtime().unwrap(),
            );
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            (described.0, described.1, described.2, described.3, bytes)
        })
        .collect()
}

#[test]
fn samples_hold_the_photo_the_class_map_and_the_objects() {
    let dataset = open("ade20k2020");
    let (_root, out, summary) = convert(&dataset, "webdataset", &with_photos());
    let mut listing = String::new();
    let mut objects = 0;
    for shard in ["train-000000.tar", "validation-000000.tar"] {
        listing.push_str(&format!("{shard}:\n"));
        for (name, mode, uid, mtime, bytes) in members(&out.join(shard)) {
            assert_eq!((mode, uid, mtime), (0o644, 0, 0), "{name}");
            listing.push_str(&format!("  {name} ({} bytes)\n", bytes.len()));
            let (key, field) = name.split_once('.').unwrap();
            let item = items(&dataset)
                .into_iter()
                .find(|item| item.id == key)
                .unwrap();
            match field {
                "jpg" => assert_eq!(bytes, fs::read(&item.image.path).unwrap()),
                "seg.png" => assert!(bytes.starts_with(b"\x89PNG")),
                "json" => {
                    let record: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                    assert_eq!(record["id"], item.id.as_str());
                    objects += record["objects"].as_array().unwrap().len();
                    if item.id == "ADE_val_00000001" {
                        insta::assert_snapshot!(
                            "validation_sample_json",
                            serde_json::to_string_pretty(&record).unwrap()
                        );
                    }
                }
                other => panic!("unexpected member {other}"),
            }
        }
    }
    assert_eq!(objects as u64, summary.annotations());
    insta::assert_snapshot!("members", listing);
    insta::assert_snapshot!(
        "labels",
        fs::read_to_string(out.join("labels.json")).unwrap()
    );
}

#[test]
fn small_shards_hold_one_sample_each_within_the_bound() {
    let options = ExportOptions {
        shard_bytes: Some(16_000),
        ..with_photos()
    };
    let (_root, out, _) = convert(&open("ade20k2020"), "webdataset", &options);
    let shards: Vec<String> = files(&out)
        .iter()
        .map(|file| file.to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tar"))
        .collect();
    assert_eq!(
        shards,
        [
            "train-000000.tar",
            "train-000001.tar",
            "validation-000000.tar"
        ]
    );
    for shard in shards {
        let path = out.join(&shard);
        assert!(fs::metadata(&path).unwrap().len() <= 16_000, "{shard}");
        assert_eq!(members(&path).len() % 3, 0, "{shard}");
    }
}

#[test]
fn output_does_not_depend_on_threads() {
    let dataset = open("ade20k2020_release");
    assert_output_independent_of_threads(
        &dataset,
        "webdataset",
        &with_photos(),
        &[1, 2, 4],
        file_contents,
    );
}
