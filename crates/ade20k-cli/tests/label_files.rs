//! Label lists as a user gives them: the presets are the official tables.

mod common;

use std::fs;
use std::path::Path;

use common::{convert, fixture, text};
use serde_json::Value;

/// The categories of a COCO output's training subset: (id, name).
fn categories(out: &Path) -> Vec<(u64, String)> {
    let json: Value = serde_json::from_str(
        &fs::read_to_string(out.join("annotations/instances_training.json")).unwrap(),
    )
    .unwrap();
    json["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_u64().unwrap(),
                c["name"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn instance100_is_the_instance_benchmark_table() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("ade20k2020");
    let out = root.path().join("labels");
    let run = convert(&input, "coco", &out, &["--labels", "instance100"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let listed = categories(&out);
    assert_eq!(listed.len(), 100);
    assert_eq!(listed[0], (1, "bed".to_string()));
    assert_eq!(listed[57], (58, "television receiver".to_string()));
    assert_eq!(listed[99], (100, "flag".to_string()));

    // As a filter, objects keep their own class index: the fixture's car,
    // person and door, and the classes whose fixture indices are the
    // release's windowpane (3055) and sculpture (2262).
    let out = root.path().join("include");
    let run = convert(&input, "coco", &out, &["--include-labels", "instance100"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let kept: Vec<(u64, String)> = categories(&out);
    assert_eq!(
        kept,
        [
            (401, "car"),
            (774, "door"),
            (1831, "person"),
            (2262, "signboard"),
            (3055, "window")
        ]
        .map(|(id, name)| (id, name.to_string()))
    );
}
