//! What `-o` may name, and what `ade20k convert` may replace there.
//!
//! Every run here works in a scratch folder holding a copy of the sample
//! dataset (`data`) and a folder of the user's (`precious`), and is run with
//! that folder as its working directory, so `-o` is given exactly as a user
//! types it. A refused run must exit 2 with one message, leave both folders
//! as they were (names, bytes, times, modes) and create nothing in the scratch
//! folder: no output, no staging folder, no lock file, not even the missing
//! folders that `-o` named on its way.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use ade20k_export::MANIFEST_FILE;
use ade20k_test_support::folders::{copy_dir, fingerprint};
use ade20k_test_support::{fixture, text, Binary};

/// The binary under test.
const ADE20K: Binary = Binary::new(env!("CARGO_BIN_EXE_ade20k"));
use serde_json::Value;

/// A scratch folder with `data` (the sample dataset) and `precious` (a
/// user's notes).
struct Scratch {
    root: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        copy_dir(&fixture("ade20k2020"), &root.path().join("data"));
        fs::create_dir(root.path().join("precious")).unwrap();
        fs::write(root.path().join("precious/notes.txt"), "mine").unwrap();
        Scratch { root }
    }

    fn path(&self) -> &Path {
        self.root.path()
    }

    /// Runs `ade20k convert -i data -f coco -o <output> --media none` and
    /// `extra` in `dir` (relative to the scratch folder).
    fn convert_in(&self, dir: &str, output: &str, extra: &[&str]) -> Output {
        let input = self.path().join("data");
        Command::new(env!("CARGO_BIN_EXE_ade20k"))
            .current_dir(self.path().join(dir))
            .args(["convert", "-i", input.to_str().unwrap(), "-f", "coco"])
            .args(["-o", output, "--media", "none", "--quiet"])
            .args(extra)
            .output()
            .unwrap()
    }

    fn convert(&self, output: &str, extra: &[&str]) -> Output {
        self.convert_in("", output, extra)
    }

    /// Runs a conversion to `output` and checks that it is refused as the
    /// module says; returns the message.
    fn refused(&self, dir: &str, output: &str, extra: &[&str]) -> String {
        let before = fingerprint(self.path());
        let run = self.convert_in(dir, output, extra);
        let stderr = text(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "-o {output}: {stderr}");
        assert_eq!(
            stderr.lines().count(),
            1,
            "-o {output}: one message: {stderr}"
        );
        assert!(
            fingerprint(self.path()) == before,
            "-o {output}: nothing changed or created"
        );
        stderr
    }
}

#[test]
fn dot_dot_after_a_missing_folder_cannot_reach_the_input() {
    let scratch = Scratch::new();
    for output in [
        "nonexist/../data",
        "nonexist/../data/out",
        "a/b/../../data/training",
        "data/..",
        "data/../",
        "nonexist/../..",
        "data",
        "./data/",
    ] {
        let message = scratch.refused("", output, &["--overwrite"]);
        assert!(
            message.contains("must not contain the input dataset")
                || message.contains("must not be inside the input dataset")
                || message.contains("the current folder or a folder containing it"),
            "-o {output}: {message}"
        );
    }
}

#[test]
fn dot_dot_cannot_reach_a_folder_of_the_users() {
    let scratch = Scratch::new();
    for output in [
        "tmp/../precious",
        "./precious",
        "precious/",
        "data/../precious",
    ] {
        for extra in [&[][..], &["--overwrite"]] {
            let message = scratch.refused("", output, extra);
            assert!(
                message.contains("not written by ade20k"),
                "-o {output}: {message}"
            );
        }
    }
}

#[test]
fn the_root_the_current_folder_and_mount_points_are_refused_up_front() {
    let scratch = Scratch::new();
    fs::create_dir(scratch.path().join("empty")).unwrap();
    for (dir, output, why) in [
        ("empty", ".", "the current folder"),
        ("empty", "out/..", "the current folder"),
        ("empty", "..", "the current folder"),
        ("", "/", "the root folder"),
        ("", "/tmp/../", "the root folder"),
        ("", "/proc", "mount point"),
    ] {
        let message = scratch.refused(dir, output, &["--overwrite"]);
        assert!(message.contains(why), "-o {output} in {dir:?}: {message}");
    }
}

#[test]
fn plain_forms_of_a_new_folder_are_one_and_the_same() {
    let scratch = Scratch::new();
    for (output, lands_in) in [
        ("./x", "x"),
        ("y/", "y"),
        ("new/../z", "z"),
        ("deep/er/out", "deep/er/out"),
    ] {
        let run = scratch.convert(output, &[]);
        assert_eq!(
            run.status.code(),
            Some(0),
            "-o {output}: {}",
            text(&run.stderr)
        );
        let out = scratch.path().join(lands_in);
        assert!(
            out.join("annotations/instances_training.json").is_file(),
            "-o {output}"
        );
    }
    assert!(
        !scratch.path().join("new").exists(),
        "a folder that `..` cancelled is not created"
    );
}

#[test]
fn a_symbolic_link_in_the_path_is_followed_before_dot_dot() {
    let scratch = Scratch::new();
    fs::create_dir_all(scratch.path().join("disk/exports")).unwrap();
    std::os::unix::fs::symlink(
        scratch.path().join("disk/exports"),
        scratch.path().join("exports"),
    )
    .unwrap();
    let run = scratch.convert("exports/coco", &[]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(scratch.path().join("disk/exports/coco").is_dir());
    assert!(fs::symlink_metadata(scratch.path().join("exports"))
        .unwrap()
        .is_symlink());

    std::os::unix::fs::symlink(scratch.path().join("data"), scratch.path().join("link")).unwrap();
    let message = scratch.refused("", "link/out", &[]);
    assert!(
        message.contains("must not be inside the input dataset"),
        "{message}"
    );
    let run = scratch.convert("exports/../coco", &[]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(
        scratch.path().join("disk/coco").is_dir(),
        "`..` after a link leads to the link target's parent"
    );
}

#[test]
fn every_output_has_a_manifest_that_info_prints() {
    let scratch = Scratch::new();
    let run = scratch.convert("out", &["--parts", "exclude"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let out = scratch.path().join("out");
    let manifest: Value =
        serde_json::from_slice(&fs::read(out.join(MANIFEST_FILE)).unwrap()).unwrap();
    assert_eq!(manifest["tool"], "ade20k");
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["format"], "coco");
    assert_eq!(
        manifest["input"],
        fs::canonicalize(scratch.path().join("data"))
            .unwrap()
            .to_str()
            .unwrap()
    );
    assert_eq!(manifest["options"]["parts"], "exclude");
    assert_eq!(manifest["options"]["media"], "none");
    assert_eq!(manifest["items"], 3);
    assert_eq!(manifest["subsets"]["training"]["items"], 2);
    assert_eq!(manifest["skipped"], 0);
    let coco: Value =
        serde_json::from_slice(&fs::read(out.join("annotations/instances_training.json")).unwrap())
            .unwrap();
    assert_eq!(
        manifest["subsets"]["training"]["annotations"],
        coco["annotations"].as_array().unwrap().len()
    );
    for time in [&manifest["started"], &manifest["finished"]] {
        let time = time.as_str().unwrap();
        assert!(time.len() == 20 && time.ends_with('Z'), "RFC 3339: {time}");
    }

    let info = ADE20K.run(&["info", out.to_str().unwrap()]);
    assert_eq!(info.status.code(), Some(0), "{}", text(&info.stderr));
    let shown = text(&info.stdout);
    assert!(shown.starts_with("an output of ade20k"), "{shown}");
    assert!(shown.contains("in the coco format"), "{shown}");
    assert!(shown.contains("training: 2 items"), "{shown}");
    let json = ADE20K.run(&["info", "--json", out.to_str().unwrap()]);
    let printed: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(printed, manifest);
}

#[test]
fn info_on_an_ade20k2020_output_prints_the_manifest_and_the_counts() {
    let scratch = Scratch::new();
    let input = scratch.path().join("data");
    let out = scratch.path().join("out");
    let run = ADE20K.run_convert(&input, "ade20k2020", &out, &["--media", "copy"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let info = ADE20K.run(&["info", out.to_str().unwrap()]);
    assert_eq!(info.status.code(), Some(0), "{}", text(&info.stderr));
    let shown = text(&info.stdout);
    assert!(shown.contains("in the ade20k2020 format"), "{shown}");
    assert!(shown.contains("classes:"), "the counts follow: {shown}");
    // The output is its source's files, so it validates as its source does.
    let validate = |dataset: &Path| {
        let run = ADE20K.run(&["validate", dataset.to_str().unwrap()]);
        let report = text(&run.stdout).replace(dataset.to_str().unwrap(), "<dataset>");
        (run.status.code(), report)
    };
    assert_eq!(validate(&out), validate(&input));
}
