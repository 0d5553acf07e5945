//! Progress on stderr: a named bar per phase, drawn as plain lines when
//! `ADE20K_PROGRESS=plain` forces it onto a stderr that is no terminal.

use std::process::{Command, Output};

use ade20k_test_support::{arg, output_within_limit, text, Binary};

/// The binary under test.
const ADE20K: Binary = Binary::new(env!("CARGO_BIN_EXE_ade20k"));

/// Runs `ade20k` with `args` and progress forced on as plain lines.
fn with_progress(args: &[&str]) -> Output {
    output_within_limit(
        Command::new(env!("CARGO_BIN_EXE_ade20k"))
            .args(args)
            .env("ADE20K_PROGRESS", "plain"),
    )
    .expect("the binary runs")
}

/// `convert` of the main fixture to `format` in `out`, without images, with `extra`.
fn convert_args<'a>(format: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "convert", "-i", MAIN, "-f", format, "-o", out, "--media", "none",
    ];
    args.extend_from_slice(extra);
    args
}

/// The main fixture's folder.
const MAIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/assets/ade20k2020");

/// The phases named on stderr, each once, in the order they first appear.
fn phases(output: &Output) -> Vec<String> {
    let mut phases: Vec<String> = Vec::new();
    for line in text(&output.stderr).lines() {
        let name = line.split(['░', '█']).next().unwrap_or("").trim();
        if line.contains(" items, ") && !phases.iter().any(|seen| seen == name) {
            phases.push(name.to_string());
        }
    }
    phases
}

#[test]
fn skip_broken_and_top_classes_show_each_phase_by_name() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let run = with_progress(&convert_args(
        "semantic",
        arg(&out),
        &["--skip-broken", "--top-classes", "3"],
    ));
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(
        phases(&run),
        ["checking items", "counting pixels", "writing"],
        "{}",
        text(&run.stderr)
    );
    let stderr = text(&run.stderr);
    assert!(stderr.contains(" 3/3 items, "), "{stderr}");
    // Three items take well under 2 s: no ETA yet.
    assert!(!stderr.contains("ETA"), "{stderr}");
}

#[test]
fn skip_broken_checks_items_ahead_only_for_a_pass_over_the_whole_dataset() {
    let scratch = tempfile::tempdir().unwrap();
    // coco of every class makes no pass before writing: each item is read once.
    let coco = scratch.path().join("coco");
    let run = with_progress(&convert_args("coco", arg(&coco), &["--skip-broken"]));
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(phases(&run), ["writing"], "{}", text(&run.stderr));
    // voc numbers every class of the dataset first: that pass reads only
    // readable items.
    let voc = scratch.path().join("voc");
    let run = with_progress(&convert_args("voc", arg(&voc), &["--skip-broken"]));
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(
        phases(&run),
        ["checking items", "reading classes", "writing"],
        "{}",
        text(&run.stderr)
    );
}

#[test]
fn a_label_file_check_shows_the_class_reading() {
    let scratch = tempfile::tempdir().unwrap();
    let labels = scratch.path().join("labels.txt");
    std::fs::write(&labels, "wall\nfloor\n").unwrap();
    let out = scratch.path().join("out");
    let run = with_progress(&convert_args(
        "coco",
        arg(&out),
        &["--labels", arg(&labels)],
    ));
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(phases(&run), ["reading classes", "writing"]);
}

#[test]
fn validate_and_info_show_their_pass() {
    let validate = with_progress(&["validate", MAIN]);
    assert_eq!(validate.status.code(), Some(0));
    assert_eq!(phases(&validate), ["validating"]);
    let info = with_progress(&["info", MAIN]);
    assert_eq!(info.status.code(), Some(0));
    assert_eq!(phases(&info), ["counting"]);
    // The report on stdout is the same with or without the bars on stderr.
    assert_eq!(validate.stdout, ADE20K.run(&["validate", MAIN]).stdout);
}

#[test]
fn no_bar_when_stderr_is_no_terminal_and_nothing_forces_one() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let run = ADE20K.run(&convert_args("semantic", arg(&out), &["--skip-broken"]));
    assert_eq!(run.status.code(), Some(0));
    assert!(phases(&run).is_empty(), "{}", text(&run.stderr));
    assert!(!text(&run.stderr).contains("items/s"));
}
