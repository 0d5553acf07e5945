//! End-to-end tests of the `parquet` exporter on the fixtures: the rows read
//! back with the Parquet crate's own Arrow reader.

use std::fs;
use std::path::Path;

use ade20k_export::{ExportError, ExportOptions, LabelNaming, MediaMode, Setting};
use ade20k_model::ClassIndex;
use ade20k_test_support::images::read_png;
use ade20k_test_support::synthetic::items;
use ade20k_tests::{assert_output_independent_of_threads, convert, file_contents, files, open};
use arrow_array::{Array, BinaryArray, ListArray, RecordBatch, StringArray, StructArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn with_photos() -> ExportOptions {
    ExportOptions {
        media: MediaMode::Copy,
        ..ExportOptions::default()
    }
}

/// The rows of one shard, and its `huggingface` schema metadata.
fn read_shard(path: &Path) -> (Vec<RecordBatch>, String) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(path).unwrap()).unwrap();
    let metadata = builder.schema().metadata()["huggingface"].clone();
    let batches = builder.build().unwrap().map(Result::unwrap).collect();
    (batches, metadata)
}

fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str) -> &'a T {
    batch
        .column_by_name(name)
        .unwrap()
        .as_any()
        .downcast_ref::<T>()
        .unwrap()
}

#[test]
fn rows_hold_the_photos_class_maps_and_objects() {
    let dataset = open("ade20k2020");
    let (_root, out, summary) = convert(&dataset, "parquet", &with_photos());
    let mut names: Vec<String> = files(&out.join("data"))
        .iter()
        .map(|file| file.to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "train-00000-of-00001.parquet",
            "validation-00000-of-00001.parquet"
        ]
    );
    let mut objects = 0;
    let mut ids = Vec::new();
    for name in &names {
        let (batches, metadata) = read_shard(&out.join("data").join(name));
        assert!(metadata.starts_with("{\"info\":{\"features\":{\"image\":"));
        for batch in batches {
            let id = column::<StringArray>(&batch, "id");
            let image = column::<StructArray>(&batch, "image");
            let photo = image
                .column(0)
                .as_any()
                .downcast_ref::<BinaryArray>()
                .unwrap();
            let annotation = column::<StructArray>(&batch, "annotation");
            let maps = annotation
                .column(0)
                .as_any()
                .downcast_ref::<BinaryArray>()
                .unwrap();
            for row in 0..batch.num_rows() {
                let item = items(&dataset)
                    .into_iter()
                    .find(|item| item.id == id.value(row))
                    .unwrap();
                assert_eq!(photo.value(row), fs::read(&item.image.path).unwrap());
                let map = out.join("map.png");
                fs::write(&map, maps.value(row)).unwrap();
                let png = read_png(&map);
                assert_eq!(
                    (png.width, png.height),
                    (item.image.width, item.image.height)
                );
                // Every labelled pixel has its class's label id, the same for
                // one class throughout; unlabelled pixels are 0.
                let classes = item.class_map(0).unwrap();
                let mut label_of_class = std::collections::HashMap::new();
                for (&class, &value) in classes.classes().iter().zip(&png.samples) {
                    assert_eq!(class == ClassIndex::UNLABELED, value == 0, "{}", item.id);
                    assert_eq!(*label_of_class.entry(class).or_insert(value), value);
                }
                fs::remove_file(map).unwrap();
                ids.push(item.id);
            }
            objects += column::<ListArray>(&batch, "objects").values().len();
        }
    }
    assert_eq!(
        ids,
        [
            "home/kitchen/ADE_train_00000002",
            "urban/street/ADE_train_00000001",
            "ADE_val_00000001"
        ]
    );
    assert_eq!(objects as u64, summary.annotations());
}

#[test]
fn schema_metadata_and_card_are_the_features() {
    let (_root, out, _) = convert(&open("ade20k2020"), "parquet", &with_photos());
    let (_, metadata) = read_shard(&out.join("data/train-00000-of-00001.parquet"));
    insta::assert_snapshot!("huggingface_metadata", metadata);
    insta::assert_snapshot!("card", fs::read_to_string(out.join("README.md")).unwrap());
}

#[test]
fn small_shards_split_a_subset_and_count_their_number() {
    let options = ExportOptions {
        shard_bytes: Some(5_000),
        ..with_photos()
    };
    let (_root, out, _) = convert(&open("ade20k2020"), "parquet", &options);
    let names: Vec<String> = files(&out.join("data"))
        .iter()
        .map(|file| file.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "train-00000-of-00002.parquet",
            "train-00001-of-00002.parquet",
            "validation-00000-of-00001.parquet"
        ]
    );
    for name in names {
        let (batches, _) = read_shard(&out.join("data").join(name));
        assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 1);
    }
}

#[test]
fn output_does_not_depend_on_threads() {
    let dataset = open("ade20k2020_release");
    assert_output_independent_of_threads(
        &dataset,
        "parquet",
        &with_photos(),
        &[1, 2, 4],
        file_contents,
    );
}

#[test]
fn options_it_cannot_honour_are_refused() {
    let dataset = open("ade20k2020");
    for (format, options, refused) in [
        (
            "parquet",
            ExportOptions {
                media: MediaMode::Hardlink,
                ..ExportOptions::default()
            },
            None,
        ),
        (
            "parquet",
            ExportOptions {
                label_naming: LabelNaming::Raw,
                ..ExportOptions::default()
            },
            Some(Setting::LabelNaming),
        ),
        (
            "webdataset",
            ExportOptions {
                shard_bytes: Some(0),
                ..ExportOptions::default()
            },
            Some(Setting::ShardSize),
        ),
        (
            "coco",
            ExportOptions {
                shard_bytes: Some(16_000),
                ..ExportOptions::default()
            },
            Some(Setting::ShardSize),
        ),
    ] {
        let root = tempfile::tempdir().unwrap();
        let found = ade20k_export::find_format(format).unwrap();
        let error =
            ade20k_export::export(&dataset, found, &root.path().join("out"), &options, false)
                .unwrap_err();
        match refused {
            None => assert!(matches!(error, ExportError::Usage(_)), "{format}: {error}"),
            Some(expected) => assert!(
                matches!(error, ExportError::NotTaken { setting, .. } if setting == expected),
                "{format}: {error}"
            ),
        }
        assert!(!root.path().join("out").exists());
    }
}
