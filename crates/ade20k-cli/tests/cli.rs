//! Tests of the `ade20k` command as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/assets")
        .join(name)
}

fn ade20k(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ade20k"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The summary without its timing, which varies from run to run.
fn without_timing(stdout: &[u8], out: &Path) -> String {
    text(stdout)
        .replace(&out.display().to_string(), "<out>")
        .lines()
        .map(|line| match line.rsplit_once(" in ") {
            Some((head, seconds)) if seconds.ends_with(" s") => head,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn convert_writes_coco_and_prints_a_summary() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("coco");
    let input = fixture("ade20k2020");
    let run = ade20k(&[
        "convert",
        "-i",
        input.to_str().unwrap(),
        "-f",
        "coco",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    insta::assert_snapshot!(without_timing(&run.stdout, &out));
    assert!(out.join("annotations/instances_training.json").is_file());
    assert!(out
        .join("images/training/urban/street/ADE_train_00000001.jpg")
        .is_file());
}

#[test]
fn output_is_byte_identical_with_one_thread_and_many() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("ade20k2020");
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = root.path().join(threads);
        let run = ade20k(&[
            "convert",
            "-i",
            input.to_str().unwrap(),
            "-f",
            "coco",
            "-o",
            out.to_str().unwrap(),
            "--threads",
            threads,
        ]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        outputs.push(std::fs::read(out.join("annotations/instances_training.json")).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn a_non_empty_output_is_replaced_only_with_overwrite() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("coco");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let input = fixture("ade20k2020");
    let args = [
        "convert",
        "-i",
        input.to_str().unwrap(),
        "-f",
        "coco",
        "-o",
        out.to_str().unwrap(),
        "--media",
        "none",
    ];
    let refused = ade20k(&args);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("not empty; pass --overwrite"));
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "mine"
    );

    let replaced = ade20k(&[&args[..], &["--overwrite"]].concat());
    assert_eq!(
        replaced.status.code(),
        Some(0),
        "{}",
        text(&replaced.stderr)
    );
    assert!(!out.join("keep.txt").exists());
    assert!(out.join("annotations/instances_validation.json").is_file());
    assert_eq!(
        std::fs::read_dir(root.path()).unwrap().count(),
        1,
        "no leftovers"
    );
}

#[test]
fn output_inside_the_input_is_refused() {
    let input = fixture("ade20k2020");
    let out = input.join("training/coco");
    let run = ade20k(&[
        "convert",
        "-i",
        input.to_str().unwrap(),
        "-f",
        "coco",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("must not be inside the input"));
    assert!(!out.exists());
}

#[test]
fn a_folder_that_is_not_a_dataset_is_a_data_error_naming_it() {
    let root = tempfile::tempdir().unwrap();
    let empty = root.path().join("nothing-here");
    std::fs::create_dir(&empty).unwrap();
    let out = root.path().join("coco");
    let run = ade20k(&[
        "convert",
        "-i",
        empty.to_str().unwrap(),
        "-f",
        "coco",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("nothing-here"));
    assert!(!out.exists());
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let input = fixture("ade20k2020");
    let run = ade20k(&[
        "convert",
        "-i",
        input.to_str().unwrap(),
        "-f",
        "png-soup",
        "-o",
        "/tmp/never",
    ]);
    assert_eq!(run.status.code(), Some(2));
    insta::assert_snapshot!(text(&run.stderr));
}

#[test]
fn detect_finds_the_subsets_from_every_entry_point() {
    let release = fixture("ade20k2020_release/ADE20K_2021_17_01");
    for entry in [
        release.clone(),
        release.join("images"),
        release.join("images/ADE"),
    ] {
        let run = ade20k(&["detect", entry.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        let stdout = text(&run.stdout).replace(&release.display().to_string(), "<release>");
        insta::assert_snapshot!("detect_release", stdout);
    }
}

#[test]
fn formats_lists_inputs_and_outputs() {
    let run = ade20k(&["formats"]);
    assert_eq!(run.status.code(), Some(0));
    insta::assert_snapshot!(text(&run.stdout));
}

#[test]
fn the_datumaro_style_input_format_flag_is_accepted() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("coco");
    let input = fixture("ade20k2020_binary");
    let run = ade20k(&[
        "convert",
        "-if",
        "ade20k2020",
        "-i",
        input.to_str().unwrap(),
        "-f",
        "coco",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
}

#[test]
fn help_shows_examples() {
    let run = ade20k(&["convert", "--help"]);
    assert!(text(&run.stdout).contains("Examples:"));
    assert!(text(&run.stdout).contains("ade20k convert -i"));
}

#[test]
fn stuff_reads_a_class_list_file() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("ade20k2020");
    let stuff = root.path().join("stuff.txt");
    std::fs::write(&stuff, "sky\n2978\n").unwrap();
    let convert = |out: &Path, stuff: &Path, extra: &[&str]| {
        let mut args = vec![
            "convert",
            "-i",
            input.to_str().unwrap(),
            "-f",
            "coco_panoptic",
            "-o",
            out.to_str().unwrap(),
            "--media",
            "none",
            "--stuff",
            stuff.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        ade20k(&args)
    };
    let out = root.path().join("panoptic");
    let run = convert(&out, &stuff, &[]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let json = std::fs::read_to_string(out.join("annotations/panoptic_training.json")).unwrap();
    assert!(json.contains(r#"{"id":2420,"name":"sky","supercategory":"atmosphere","isthing":0,"#));
    assert!(json.contains(r#""id":401,"name":"car","supercategory":"motor vehicle","isthing":1,"#));

    let missing = root.path().join("missing.txt");
    let run = convert(&root.path().join("a"), &missing, &[]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("missing.txt"));

    let run = convert(&root.path().join("b"), &stuff, &["--label-name", "raw"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("--stuff lists classes"));
}
