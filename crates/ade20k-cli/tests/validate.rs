//! `ade20k validate`: the consistency report of a dataset.

use std::path::Path;

use ade20k_test_support::folders::copy_dir;
use ade20k_test_support::{arg, fixture, text, Binary};

/// The binary under test.
const ADE20K: Binary = Binary::new(env!("CARGO_BIN_EXE_ade20k"));
use serde_json::Value;

#[test]
fn every_fixture_is_consistent_but_for_a_click_beyond_the_border() {
    for (name, items) in [
        ("ade20k2020_binary", 1),
        ("ade20k2020_meta", 2),
        ("ade20k2020_release", 2),
    ] {
        let run = ADE20K.run(&["validate", arg(&fixture(name))]);
        assert_eq!(run.status.code(), Some(0), "{name}: {}", text(&run.stdout));
        assert_eq!(
            text(&run.stdout),
            format!("{items} items checked: no finding\n")
        );
    }
    // The kitchen's wall has a polygon point one pixel beyond the right
    // border, as the real release has (x = 2201 in a 2200-wide image): a
    // warning, which fails the run only with --strict.
    let main = fixture("ade20k2020");
    let run = ADE20K.run(&["validate", arg(&main)]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stdout));
    let kitchen = main.join("training/home/kitchen/ADE_train_00000002.json");
    let stdout = text(&run.stdout);
    let first = stdout.lines().next().unwrap();
    assert!(
        first.starts_with(&format!(
            "warning: polygon: {}: object 0: 1 of 4 polygon points lie outside the 56×40 \
             image, the first at (57, 26); the mask-based outputs ignore the polygon",
            kitchen.display()
        )),
        "{first}"
    );
    assert!(
        stdout.contains("3 items checked: 0 errors, 1 warning\n"),
        "{stdout}"
    );
    let strict = ADE20K.run(&["validate", arg(&main), "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    assert_eq!(
        strict.stdout, run.stdout,
        "--strict changes the exit code only"
    );
}

/// A copy of the main fixture in which the street's car has the person's
/// instance mask and the kitchen's annotation is cut short.
fn broken_copy(root: &Path) -> std::path::PathBuf {
    let dataset = root.join("ade20k2020");
    copy_dir(&fixture("ade20k2020"), &dataset);
    let masks = dataset.join("training/urban/street/ADE_train_00000001");
    std::fs::copy(
        masks.join("instance_008_ADE_train_00000001.png"),
        masks.join("instance_002_ADE_train_00000001.png"),
    )
    .unwrap();
    std::fs::write(
        dataset.join("training/home/kitchen/ADE_train_00000002.json"),
        "{\"annotation\": ",
    )
    .unwrap();
    dataset
}

#[test]
fn errors_are_listed_first_counted_and_fail_the_run() {
    let root = tempfile::tempdir().unwrap();
    let dataset = broken_copy(root.path());
    let run = ADE20K.run(&["validate", arg(&dataset)]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(text(&run.stderr), "", "findings are the report, not errors");
    let stdout = text(&run.stdout).replace(arg(&dataset), "<dataset>");
    let severities: Vec<&str> = stdout
        .lines()
        .map_while(|line| {
            line.split(": ")
                .next()
                .filter(|s| s.ends_with("error") || s.ends_with("warning"))
        })
        .collect();
    let first_warning = severities.iter().position(|&s| s == "warning").unwrap();
    assert!(first_warning > 0, "{stdout}");
    assert!(
        severities[first_warning..].iter().all(|&s| s == "warning"),
        "{stdout}"
    );
    assert!(stdout.contains(
        "warning: class-value: <dataset>/training/urban/street/ADE_train_00000001_seg.png: object 2: "
    ));
    insta::assert_snapshot!(stdout);
}

#[test]
fn findings_as_json() {
    let root = tempfile::tempdir().unwrap();
    let dataset = broken_copy(root.path());
    let run = ADE20K.run(&["validate", arg(&dataset), "--json"]);
    assert_eq!(run.status.code(), Some(1));
    let stdout = text(&run.stdout).replace(arg(&dataset), "<dataset>");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["clean"], false);
    assert_eq!(json["items"], 3);
    assert_eq!(json["counts"]["item"], 1);
    let findings = json["findings"].as_array().unwrap();
    let severity_of = |kind: &str| -> Vec<&str> {
        findings
            .iter()
            .filter(|finding| finding["kind"] == kind)
            .map(|finding| finding["severity"].as_str().unwrap())
            .collect()
    };
    assert_eq!(severity_of("item"), ["error"]);
    assert!(severity_of("instance-region")
        .iter()
        .all(|&s| s == "warning"));
    let errors = findings.iter().filter(|f| f["severity"] == "error").count();
    assert_eq!(json["errors"], errors);
    assert_eq!(json["warnings"], findings.len() - errors);
    let kinds: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"instance-region"), "{kinds:?}");
    insta::assert_json_snapshot!(json);
}
