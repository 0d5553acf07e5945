//! Label files and presets as a user gives them: a class the dataset lacks
//! stops the run before anything is written; presets are the official tables.

use std::fs;
use std::path::Path;

use ade20k_test_support::{arg, fixture, text, Binary};

/// The binary under test.
const ADE20K: Binary = Binary::new(env!("CARGO_BIN_EXE_ade20k"));
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
fn a_misspelt_class_is_a_usage_error_for_every_list_flag() {
    let root = tempfile::tempdir().unwrap();
    let list = root.path().join("classes.txt");
    fs::write(&list, "car\n\npersn\n").unwrap();
    for flag in [
        "--labels",
        "--include-labels",
        "--exclude-labels",
        "--stuff",
    ] {
        let out = root.path().join("out");
        let run = ADE20K.convert(
            &fixture("ade20k2020"),
            "coco_panoptic",
            &out,
            &[flag, arg(&list)],
        );
        assert_eq!(run.status.code(), Some(2), "{flag}: {}", text(&run.stderr));
        assert_eq!(
            text(&run.stderr).replace(arg(root.path()), "<root>"),
            "error: <root>/classes.txt, line 3: no class of the dataset is called `persn`; \
             the closest: `person`, `car`, `handle`\n",
            "{flag}"
        );
        assert!(text(&run.stdout).is_empty());
        let left: Vec<_> = fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{flag}: nothing written beside the list");
    }
}

#[test]
fn class_indices_beyond_the_release_are_refused_and_absent_ones_warned_of() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("ade20k2020");
    let beyond = root.path().join("beyond.txt");
    fs::write(&beyond, "car\n3689\n").unwrap();
    let run = ADE20K.convert(
        &input,
        "coco",
        &root.path().join("a"),
        &["--labels", arg(&beyond)],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).ends_with(
            "beyond.txt, line 2: the dataset has no class 3689, and the ADE20K \
             release's classes are 1 to 3688\n"
        ),
        "{}",
        text(&run.stderr)
    );
    assert!(!root.path().join("a").exists());

    let absent = root.path().join("absent.txt");
    fs::write(&absent, "car\n3688\n").unwrap();
    let out = root.path().join("b");
    let run = ADE20K.convert(&input, "coco", &out, &["--labels", arg(&absent)]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(
        text(&run.stderr).replace(arg(root.path()), "<root>"),
        "warning: <root>/absent.txt, line 2: no object of the dataset is of class 3688\n"
    );
    assert_eq!(
        categories(&out),
        [(1, "car".to_string()), (2, "3688".to_string())]
    );
}

#[test]
fn a_class_given_by_index_is_named_after_its_class() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("ade20k2020");
    let list = root.path().join("classes.txt");
    fs::write(&list, "401\nwall\nhome = 1910\n").unwrap();
    let out = root.path().join("canonical");
    let run = ADE20K.convert(&input, "coco", &out, &["--labels", arg(&list)]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(
        categories(&out),
        [(1, "car"), (2, "wall"), (3, "home")].map(|(id, name)| (id, name.to_string()))
    );

    let out = root.path().join("full");
    let run = ADE20K.convert(
        &input,
        "coco",
        &out,
        &["--labels", arg(&list), "--label-name", "full"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(
        categories(&out)[0].1,
        "car, auto, automobile, machine, motorcar"
    );

    fs::write(&list, "car\n401\n").unwrap();
    let run = ADE20K.convert(
        &input,
        "coco",
        &root.path().join("twice"),
        &["--labels", arg(&list)],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).ends_with(
            "classes.txt, line 2: class 401 is called `car` in the dataset, like the label \
             of line 1; give it another name (`name = 401`)\n"
        ),
        "{}",
        text(&run.stderr)
    );
}

#[test]
fn instance100_is_the_instance_benchmark_table() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("ade20k2020");
    let out = root.path().join("labels");
    let run = ADE20K.convert(&input, "coco", &out, &["--labels", "instance100"]);
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
    let run = ADE20K.convert(&input, "coco", &out, &["--include-labels", "instance100"]);
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

#[test]
fn the_check_reads_broken_items_as_the_conversion_does() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("broken/json_truncated");
    let list = root.path().join("classes.txt");
    fs::write(&list, "sky\n").unwrap();
    let run = ADE20K.convert(
        &input,
        "coco",
        &root.path().join("stops"),
        &["--labels", arg(&list)],
    );
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    assert!(
        text(&run.stderr).contains("ADE_train_00000002.json"),
        "{}",
        text(&run.stderr)
    );
    let out = root.path().join("skips");
    let run = ADE20K.convert(
        &input,
        "coco",
        &out,
        &["--labels", arg(&list), "--skip-broken"],
    );
    assert_eq!(run.status.code(), Some(3), "{}", text(&run.stderr));
    assert_eq!(categories(&out), [(1, "sky".to_string())]);
}
