//! `ade20k info`: the counts of a dataset, as tables and as JSON.

use ade20k_test_support::{arg, fixture, text, Binary};

/// The binary under test.
const ADE20K: Binary = Binary::new(env!("CARGO_BIN_EXE_ade20k"));
use serde_json::Value;

#[test]
fn info_prints_aligned_tables() {
    let dataset = fixture("ade20k2020");
    let run = ADE20K.run(&["info", arg(&dataset)]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    assert!(stdout.contains("  training        2       11         6         2"));
    assert!(stdout.contains("image size: width 48–64, height 40–48"));
    insta::assert_snapshot!(stdout);
}

#[test]
fn info_json_counts_pixels_and_keeps_the_top_classes() {
    let dataset = fixture("ade20k2020");
    let run = ADE20K.run(&["info", arg(&dataset), "--json", "--pixels", "--top", "3"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let json: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["class_count"], 17);
    assert_eq!(json["classes"].as_array().unwrap().len(), 3);
    assert_eq!(json["total"]["items"], 3);
    // Each image's pixels are counted once, in its level-0 class map.
    let pixels: u64 = (0..3)
        .map(|i| json["classes"][i]["pixels"].as_u64().unwrap())
        .sum();
    assert!(pixels <= 64 * 48 + 56 * 40 + 48 * 40);
    insta::assert_json_snapshot!(json);
}

#[test]
fn info_all_lists_every_class() {
    let dataset = fixture("ade20k2020_meta");
    let run = ADE20K.run(&["info", arg(&dataset), "--all", "--json"]);
    let json: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(
        json["classes"].as_array().unwrap().len() as u64,
        json["class_count"].as_u64().unwrap()
    );
    let top = ADE20K.run(&["info", arg(&dataset), "--top", "1"]);
    assert!(text(&top.stdout).contains("(top 1 shown; --all for every one)"));
    let both = ADE20K.run(&["info", arg(&dataset), "--all", "--top", "1"]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn info_on_a_folder_that_is_not_a_dataset_names_it() {
    let root = tempfile::tempdir().unwrap();
    let run = ADE20K.run(&["info", arg(root.path())]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains(arg(root.path())));
}
