//! Tests of the `ade20k` command as a user runs it.

use std::path::Path;

use ade20k_export::{Setting, FORMATS, MANIFEST_FILE};
use ade20k_test_support::folders::fingerprint;
use ade20k_test_support::{arg, fixture, text, Binary};

/// The binary under test.
const ADE20K: Binary = Binary::new(env!("CARGO_BIN_EXE_ade20k"));

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
    let run = ADE20K.run_convert(&input, "coco", &out, &[]);
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
        let run = ADE20K.run_convert(&input, "coco", &out, &["--threads", threads]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        outputs.push(std::fs::read(out.join("annotations/instances_training.json")).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn threads_beyond_four_per_core_are_lowered_with_a_warning() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("ade20k2020");
    let before = fingerprint(&input);
    let cores = std::thread::available_parallelism().unwrap().get();
    let most = (cores * 4).to_string();
    let mut outputs = Vec::new();
    for (threads, warning) in [
        ("1", String::new()),
        (most.as_str(), String::new()),
        (
            "10000",
            format!(
                "warning: --threads 10000 is more than 4 per core ({cores} cores): \
                 using {most} threads\n"
            ),
        ),
    ] {
        let out = root.path().join(threads);
        let run = ADE20K.convert(&input, "coco", &out, &["--threads", threads, "--quiet"]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        assert_eq!(text(&run.stderr), warning, "--threads {threads}");
        assert!(run.stdout.is_empty());
        outputs.push(std::fs::read(out.join("annotations/instances_training.json")).unwrap());
    }
    assert!(outputs.iter().all(|output| *output == outputs[0]));
    assert!(before == fingerprint(&input), "the input is unchanged");
}

#[test]
fn a_folder_the_tool_did_not_write_is_never_replaced() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("coco");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let input = fixture("ade20k2020");
    for extra in [&[][..], &["--overwrite"]] {
        let refused = ADE20K.convert(&input, "coco", &out, extra);
        assert_eq!(refused.status.code(), Some(2), "{extra:?}");
        assert!(
            text(&refused.stderr)
                .contains("holds no .ade20k-output.json, so it was not written by ade20k"),
            "{}",
            text(&refused.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(out.join("keep.txt")).unwrap(),
            "mine"
        );
    }
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
}

#[test]
fn a_previous_output_is_replaced_only_with_overwrite() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("coco");
    let input = fixture("ade20k2020");
    let first = ADE20K.convert(&input, "semantic", &out, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let refused = ADE20K.convert(&input, "coco", &out, &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("holds a previous output; pass --overwrite"));
    assert!(out.join("dataset_meta.json").is_file(), "left as it was");

    let replaced = ADE20K.convert(&input, "coco", &out, &["--overwrite"]);
    assert_eq!(
        replaced.status.code(),
        Some(0),
        "{}",
        text(&replaced.stderr)
    );
    assert!(!out.join("dataset_meta.json").exists());
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
    let run = ADE20K.run_convert(&input, "coco", &out, &[]);
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
    let run = ADE20K.run_convert(&empty, "coco", &out, &[]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("nothing-here"));
    assert!(!out.exists());
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let input = fixture("ade20k2020");
    let run = ADE20K.run_convert(&input, "png-soup", Path::new("/tmp/never"), &[]);
    assert_eq!(run.status.code(), Some(2));
    insta::assert_snapshot!(text(&run.stderr));
}

#[test]
fn a_shard_size_is_a_usage_error_unless_a_size_for_a_sharded_format() {
    let input = fixture("ade20k2020");
    let out = tempfile::tempdir().unwrap();
    for (format, size, message) in [
        ("parquet", "0", "`0` is not a size of at least one byte"),
        (
            "parquet",
            "16KB",
            "`16KB` is not a size: use bytes or kB, MB, GB",
        ),
        (
            "coco",
            "16kB",
            "error: coco does not take --shard-size 16000; --shard-size applies to parquet, webdataset",
        ),
    ] {
        let target = out.path().join(format);
        let run = ADE20K.run_convert(&input, format, &target, &["--shard-size", size]);
        assert_eq!(run.status.code(), Some(2), "{format} {size}");
        assert!(text(&run.stderr).contains(message), "{}", text(&run.stderr));
        assert!(!target.exists());
    }
}

#[test]
fn detect_finds_the_subsets_from_every_entry_point() {
    let release = fixture("ade20k2020_release/ADE20K_2021_17_01");
    for entry in [
        release.clone(),
        release.join("images"),
        release.join("images/ADE"),
    ] {
        let run = ADE20K.run(&["detect", entry.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        let stdout = text(&run.stdout).replace(&release.display().to_string(), "<release>");
        insta::assert_snapshot!("detect_release", stdout);
    }
}

#[test]
fn formats_lists_inputs_and_outputs() {
    let run = ADE20K.run(&["formats"]);
    assert_eq!(run.status.code(), Some(0));
    insta::assert_snapshot!(text(&run.stdout));
}

#[test]
fn the_datumaro_style_input_format_flag_is_accepted() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("coco");
    let input = fixture("ade20k2020_binary");
    let run = ADE20K.run_convert(&input, "coco", &out, &["-if", "ade20k2020"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
}

#[test]
fn help_shows_examples() {
    let run = ADE20K.run(&["convert", "--help"]);
    assert!(text(&run.stdout).contains("Examples:"));
    assert!(text(&run.stdout).contains("ade20k convert -i"));
}

#[test]
fn stuff_reads_a_class_list_file() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("ade20k2020");
    let stuff = root.path().join("stuff.txt");
    std::fs::write(&stuff, "sky\n2978\n").unwrap();
    let panoptic = |out: &Path, stuff: &Path, extra: &[&str]| {
        ADE20K.convert(
            &input,
            "coco_panoptic",
            out,
            &[&["--stuff", arg(stuff)], extra].concat(),
        )
    };
    let out = root.path().join("panoptic");
    let run = panoptic(&out, &stuff, &[]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let json = std::fs::read_to_string(out.join("annotations/panoptic_training.json")).unwrap();
    assert!(json.contains(r#"{"id":2420,"name":"sky","supercategory":"atmosphere","isthing":0,"#));
    assert!(json.contains(r#""id":401,"name":"car","supercategory":"motor vehicle","isthing":1,"#));

    let missing = root.path().join("missing.txt");
    let run = panoptic(&root.path().join("a"), &missing, &[]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("missing.txt"));

    let run = panoptic(&root.path().join("b"), &stuff, &["--label-name", "raw"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("--stuff lists classes"));
}

#[test]
fn filters_choose_items_and_objects_and_the_summary_counts_them() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("yolo");
    let exclude = root.path().join("exclude.txt");
    std::fs::write(&exclude, "person\n").unwrap();
    let run = ADE20K.convert(
        &fixture("ade20k2020"),
        "yolo",
        &out,
        &[
            "--items",
            "urban/**",
            "--items",
            "*_val_*",
            "--min-area",
            "100",
            "--include-labels",
            "sceneparsing150",
            "--exclude-labels",
            exclude.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(text(&run.stderr), "", "no progress bar without a terminal");
    let summary = without_timing(&run.stdout, &out);
    assert!(summary.contains("note: the item filter kept 2 of 3 items"));
    insta::assert_snapshot!(summary);
    // The street keeps sky, wall, car and tree: not the person (excluded),
    // the car's window (the fixture's 3055, the release's windowpane: 96
    // visible pixels), nor the wheels, the windowpanes and the ashcan
    // (indices the SceneParsing table does not list).
    let labels =
        std::fs::read_to_string(out.join("labels/training/urban/street/ADE_train_00000001.txt"))
            .unwrap();
    assert_eq!(labels.lines().count(), 4, "{labels}");
}

#[test]
fn quiet_prints_nothing_and_verbose_a_line_per_item() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("ade20k2020");
    let run = |name: &str, flag: &str| {
        ADE20K.convert(
            &input,
            "coco",
            &root.path().join(name),
            &["--limit", "2", flag],
        )
    };
    let quiet = run("quiet", "--quiet");
    assert_eq!(quiet.status.code(), Some(0), "{}", text(&quiet.stderr));
    assert_eq!(
        (text(&quiet.stdout), text(&quiet.stderr)),
        (String::new(), String::new())
    );
    let verbose = run("verbose", "-v");
    assert_eq!(verbose.status.code(), Some(0), "{}", text(&verbose.stderr));
    assert_eq!(
        text(&verbose.stderr),
        "[1/2] training home/kitchen/ADE_train_00000002: 8 objects\n\
         [2/2] training urban/street/ADE_train_00000001: 11 objects\n"
    );
    assert!(text(&verbose.stdout).starts_with("converted 2 items to coco"));
}

#[test]
fn filters_that_cannot_work_are_usage_errors() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("ade20k2020");
    let merge = root.path().join("merge.txt");
    std::fs::write(&merge, "vehicle = car\n").unwrap();
    for (flags, expected) in [
        (vec!["--items", "a/[b"], "item pattern `a/[b`:"),
        (
            vec!["--items", "nothing/*"],
            "no item of the dataset matches nothing/*",
        ),
        (
            vec!["--include-labels", merge.to_str().unwrap()],
            "the included label `vehicle` renames a class",
        ),
        (vec!["--quiet", "-v"], "cannot be used with"),
        (
            vec!["--max-short-side", "0"],
            "`0` is neither a number of pixels (1 or more), `off` nor `benchmark`",
        ),
    ] {
        let out = root.path().join("out");
        let run = ADE20K.convert(&input, "coco", &out, &flags);
        assert_eq!(run.status.code(), Some(2), "{expected}");
        assert!(
            text(&run.stderr).contains(expected),
            "{}",
            text(&run.stderr)
        );
        assert!(!out.exists());
    }
}

#[test]
fn max_short_side_takes_pixels_off_or_the_benchmark_rule() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("ade20k2020");
    for (value, recorded) in [
        ("16", "16"),
        ("off", "\"off\""),
        ("benchmark", "\"benchmark\""),
    ] {
        let out = root.path().join(format!("out-{value}"));
        let run = ADE20K.convert(&input, "coco", &out, &["--max-short-side", value]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        let manifest = std::fs::read_to_string(out.join(MANIFEST_FILE)).unwrap();
        assert!(
            manifest.contains(&format!("\"max_short_side\": {recorded}")),
            "{value}: {manifest}"
        );
    }
}

#[test]
fn simplify_sets_how_far_yolo_polygons_may_stray() {
    let root = tempfile::tempdir().unwrap();
    let input = fixture("ade20k2020");
    let label_bytes = |tolerance: &str| {
        let out = root.path().join(format!("yolo_{tolerance}"));
        let run = ADE20K.convert(&input, "yolo", &out, &["--simplify", tolerance]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        let labels = out.join("labels/training/urban/street/ADE_train_00000001.txt");
        std::fs::metadata(labels).unwrap().len()
    };
    // The default, 0.75, drops what 0 keeps; a larger tolerance drops more.
    let (exact, default, coarse) = (label_bytes("0"), label_bytes("0.75"), label_bytes("3"));
    assert!(
        exact > default && default > coarse,
        "{exact} {default} {coarse}"
    );
    let out = root.path().join("default");
    ADE20K.convert(&input, "yolo", &out, &[]);
    let labels = "labels/training/urban/street/ADE_train_00000001.txt";
    let written = std::fs::metadata(out.join(labels)).unwrap().len();
    assert_eq!(written, default);
    for bad in ["-1", "NaN", "inf", "one"] {
        let out = root.path().join("refused");
        let run = ADE20K.convert(&input, "yolo", &out, &[&format!("--simplify={bad}")]);
        assert_eq!(run.status.code(), Some(2), "{bad}");
        let stderr = text(&run.stderr);
        assert!(
            stderr.contains(&format!("`{bad}` is not a number of pixels (0 or more)")),
            "{stderr}"
        );
        assert!(!out.exists());
    }
}

/// Each setting only some formats honour, with flags that set it to
/// something other than its default, and how the refusal names them.
fn setting_flags(stuff: &Path) -> Vec<(Setting, Vec<&str>, &'static str)> {
    vec![
        (
            Setting::Parts,
            vec!["--parts", "exclude"],
            "--parts exclude",
        ),
        (Setting::MaskKind, vec!["--amodal"], "--amodal"),
        (
            Setting::Segmentation,
            vec!["--segmentation", "polygon"],
            "--segmentation polygon",
        ),
        (
            Setting::Segmentation,
            vec!["--segmentation", "source-polygon"],
            "--segmentation source-polygon",
        ),
        (
            Setting::LabelNaming,
            vec!["--label-name", "full"],
            "--label-name full",
        ),
        (
            Setting::LabelNaming,
            vec!["--label-name", "raw"],
            "--label-name raw",
        ),
        (Setting::Stuff, vec!["--stuff", arg(stuff)], "--stuff"),
        (
            Setting::PartLevel,
            vec!["--parts-level", "1"],
            "--parts-level 1",
        ),
        (Setting::YoloTask, vec!["--task", "detect"], "--task detect"),
        (
            Setting::YoloSimplify,
            vec!["--simplify", "0"],
            "--simplify 0",
        ),
        (
            Setting::ShardSize,
            vec!["--shard-size", "16kB"],
            "--shard-size 16000",
        ),
    ]
}

/// Every format refuses every setting it does not take in the same words,
/// with exit 2 and nothing written, and names the formats that take it.
#[test]
fn every_format_refuses_the_settings_it_does_not_take_the_same_way() {
    let root = tempfile::tempdir().unwrap();
    let stuff = root.path().join("stuff.txt");
    std::fs::write(&stuff, "sky\n").unwrap();
    let table = setting_flags(&stuff);
    for setting in Setting::ALL {
        assert!(
            table.iter().any(|(listed, _, _)| *listed == setting),
            "{setting:?} has flags in the table"
        );
    }
    // Values a format refuses of a setting it takes.
    let refused_values = [
        ("semantic", "--label-name raw"),
        ("parquet", "--label-name raw"),
        ("webdataset", "--label-name raw"),
    ];
    let input = fixture("ade20k2020");
    let mut refusals = 0;
    for format in FORMATS {
        for (setting, flags, flag) in &table {
            let takes = format.takes(*setting);
            if takes && !refused_values.contains(&(format.name, *flag)) {
                continue;
            }
            let out = root.path().join(format!("{}-{refusals}", format.name));
            let run = ADE20K.convert(&input, format.name, &out, flags);
            let stderr = text(&run.stderr);
            assert_eq!(
                run.status.code(),
                Some(2),
                "{} {flag}: {stderr}",
                format.name
            );
            let expected = format!("error: {} does not take {flag}", format.name);
            assert!(
                stderr.starts_with(&expected),
                "{} {flag}: {stderr}",
                format.name
            );
            if !takes {
                let takers: Vec<&str> = FORMATS
                    .iter()
                    .filter(|other| other.takes(*setting))
                    .map(|other| other.name)
                    .collect();
                assert!(
                    stderr.contains(&format!("applies to {}", takers.join(", "))),
                    "{} {flag}: {stderr}",
                    format.name
                );
            }
            assert!(!out.exists(), "{} {flag}: nothing written", format.name);
            refusals += 1;
        }
    }
    assert!(refusals > 30, "{refusals} refusals checked");
}
