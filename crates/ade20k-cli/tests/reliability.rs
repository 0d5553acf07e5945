//! Broken input, killed runs, read-only input and failing writes: what
//! `ade20k convert` leaves behind.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use ade20k_export::MANIFEST_FILE;
use ade20k_test_support::folders::{copy_dir, fingerprint, link_dir};
use ade20k_test_support::{arg, fixture, text, Binary};

/// The binary under test.
const ADE20K: Binary = Binary::new(env!("CARGO_BIN_EXE_ade20k"));

/// The item broken by the tests, as `<subset>/<item id>`, and its files' stem.
const BROKEN_ITEM: &str = "training/home/kitchen/ADE_train_00000002";

/// Every file below `dir` by its path relative to `dir`, with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.file_name() != Some(MANIFEST_FILE.as_ref()) {
                let bytes = fs::read(&path).unwrap();
                found.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    found
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Removes every file of [`BROKEN_ITEM`] from the dataset at `input`.
fn remove_broken_item(input: &Path) {
    let stem = input.join(BROKEN_ITEM);
    let name = stem.file_name().unwrap().to_string_lossy().into_owned();
    for entry in fs::read_dir(stem.parent().unwrap()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&name)
        {
            if path.is_dir() {
                fs::remove_dir_all(&path).unwrap();
            } else {
                fs::remove_file(&path).unwrap();
            }
        }
    }
}

#[test]
fn skip_broken_leaves_the_item_out_lists_it_and_exits_3() {
    let root = tempfile::tempdir().unwrap();
    let input = root.path().join("in");
    let out = root.path().join("out");
    copy_dir(&fixture("ade20k2020"), &input);
    let mask = input.join(format!("{BROKEN_ITEM}/instance_000_ADE_train_00000002.png"));
    fs::remove_file(&mask).unwrap();

    let failed = ADE20K.run_convert(&input, "coco", &out, &["--media", "copy"]);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed.stderr));
    assert!(text(&failed.stderr).contains(arg(&mask)));
    assert!(!out.exists());

    let run = ADE20K.run_convert(&input, "coco", &out, &["--media", "copy", "--skip-broken"]);
    assert_eq!(run.status.code(), Some(3), "{}", text(&run.stderr));
    let problem = "No such file or directory (os error 2)";
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains("  skipped: 1 broken items, listed in skipped.txt\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "    {BROKEN_ITEM}: {}: {problem}\n",
            mask.display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("  training: 1 items, 10 annotations\n"),
        "{stdout}"
    );
    let mut converted = tree(&out);
    assert_eq!(
        text(&converted.remove(Path::new("skipped.txt")).unwrap()),
        format!("{BROKEN_ITEM}\t{}: {problem}\n", mask.display())
    );

    let quiet = ADE20K.run_convert(
        &input,
        "coco",
        &out,
        &["--media", "copy", "--skip-broken", "--quiet", "--overwrite"],
    );
    assert_eq!(quiet.status.code(), Some(3), "{}", text(&quiet.stderr));
    assert!(quiet.stdout.is_empty());

    remove_broken_item(&input);
    let clean = ADE20K.run_convert(
        &input,
        "coco",
        &out,
        &["--media", "copy", "--skip-broken", "--overwrite"],
    );
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stderr));
    assert!(!text(&clean.stdout).contains("skipped"));
    assert_eq!(
        converted,
        tree(&out),
        "the output equals that of the dataset without the broken item"
    );
}

/// Converts `input` to COCO with `--skip-broken` and checks that [`BROKEN_ITEM`]
/// alone was skipped, with `line` its line of `skipped.txt` (without the line
/// feed) and in the summary: exit 3, the input unchanged, and the output
/// that of the dataset without the item (`clean`, converted beforehand).
fn skipped_alone(input: &Path, out: &Path, line: &str, clean: &BTreeMap<PathBuf, Vec<u8>>) {
    let before = fingerprint(input);
    let run = ADE20K.run_convert(input, "coco", out, &["--media", "copy", "--skip-broken"]);
    assert_eq!(run.status.code(), Some(3), "{}", text(&run.stderr));
    assert_eq!(text(&run.stderr), "");
    let (name, reason) = line.split_once('\t').unwrap();
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains(&format!(
            "  skipped: 1 broken items, listed in skipped.txt\n    {name}: {reason}\n"
        )),
        "{stdout}"
    );
    assert!(before == fingerprint(input), "the input is unchanged");
    let mut converted = tree(out);
    assert_eq!(
        text(&converted.remove(Path::new("skipped.txt")).unwrap()),
        format!("{line}\n")
    );
    assert!(
        &converted == clean,
        "the output is that of the dataset without the item"
    );
}

/// The COCO output of the fixture without [`BROKEN_ITEM`], converted in `root`.
fn converted_without_broken_item(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let input = root.join("clean-in");
    let out = root.join("clean-out");
    copy_dir(&fixture("ade20k2020"), &input);
    remove_broken_item(&input);
    let run = ADE20K.run_convert(&input, "coco", &out, &["--media", "copy"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    tree(&out)
}

#[test]
fn skipped_txt_names_the_item_whose_photo_or_annotation_is_missing_or_a_folder() {
    let root = tempfile::tempdir().unwrap();
    let clean = converted_without_broken_item(root.path());
    let no_photo = "no photo beside this annotation (looked for the same stem with \
                    extension jpg, jpeg, png, bmp, tif, tiff or webp)";
    // The file each error names is the annotation.
    for (replaced, problem) in [
        (".jpg", no_photo),
        (".json", "annotation of {stem}.jpg not found"),
    ] {
        for folder_instead in [false, true] {
            let case = format!("{}-{folder_instead}", &replaced[1..]);
            let input = root.path().join(format!("in-{case}"));
            copy_dir(&fixture("ade20k2020"), &input);
            let stem = input.join(BROKEN_ITEM).display().to_string();
            fs::remove_file(format!("{stem}{replaced}")).unwrap();
            if folder_instead {
                fs::create_dir(format!("{stem}{replaced}")).unwrap();
            }
            let problem = problem.replace("{stem}", &stem);
            let line = format!("{BROKEN_ITEM}\t{stem}.json: {problem}");
            skipped_alone(
                &input,
                &root.path().join(format!("out-{case}")),
                &line,
                &clean,
            );
        }
    }
}

#[test]
fn skipped_txt_escapes_what_would_split_a_line() {
    let root = tempfile::tempdir().unwrap();
    let input = root.path().join("in");
    copy_dir(&fixture("ade20k2020"), &input);
    let (folder, broken_name) = BROKEN_ITEM.rsplit_once('/').unwrap();
    let odd = "line\nfeed\ttab\\back\rreturn\u{2028}separator\u{7}bell";
    let escaped = r"line\nfeed\ttab\\back\rreturn\u{2028}separator\u{7}bell";
    let odd_folder = input.join(folder).with_file_name(odd);
    fs::rename(input.join(folder), &odd_folder).unwrap();
    let mask = odd_folder.join(format!("{broken_name}/instance_000_{broken_name}.png"));
    fs::remove_file(&mask).unwrap();
    let out = root.path().join("out");
    let before = fingerprint(&input);
    let run = ADE20K.run_convert(&input, "coco", &out, &["--media", "copy", "--skip-broken"]);
    assert_eq!(run.status.code(), Some(3), "{}", text(&run.stderr));
    assert!(before == fingerprint(&input), "the input is unchanged");
    let escaped_folder = Path::new(folder).with_file_name(escaped);
    let line = format!(
        "{}/{broken_name}\t{}/{broken_name}/instance_000_{broken_name}.png: \
         No such file or directory (os error 2)",
        escaped_folder.display(),
        input.join(&escaped_folder).display()
    );
    let listed = text(&fs::read(out.join("skipped.txt")).unwrap());
    assert_eq!(listed, format!("{line}\n"));
    let (name, reason) = line.split_once('\t').unwrap();
    assert!(
        text(&run.stdout).contains(&format!("\n    {name}: {reason}\n")),
        "{}",
        text(&run.stdout)
    );
}

/// A dataset of `copies` copies (hard links) of the fixture's street item,
/// each in a scene folder of its own: large enough that a conversion takes
/// seconds.
fn large_dataset(root: &Path, copies: usize) -> PathBuf {
    let input = root.join("large");
    let street = fixture("ade20k2020").join("training/urban/street");
    for copy in 0..copies {
        link_dir(
            &street,
            &input.join(format!("training/scene{copy:04}/street")),
        );
    }
    input
}

/// Whether a staging folder of `target` holds something yet.
fn staging_has_content(target: &Path) -> bool {
    let prefix = format!(".{}.ade20k-", target.file_name().unwrap().to_string_lossy());
    fs::read_dir(target.parent().unwrap())
        .unwrap()
        .any(|entry| {
            let entry = entry.unwrap();
            entry.file_name().to_string_lossy().starts_with(&prefix)
                && fs::read_dir(entry.path()).is_ok_and(|mut inside| inside.next().is_some())
        })
}

/// Starts converting `input` to COCO at `target`, waits until its staging
/// folder has content, waits `delay` more and kills it with SIGKILL.
fn kill_midway(input: &Path, target: &Path, extra: &[&str], delay: Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ade20k"))
        .args(["convert", "-i", arg(input), "-f", "coco", "-o", arg(target)])
        .args(["--quiet", "--media", "copy"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !staging_has_content(target) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the conversion ended before it could be killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no staging folder"
        );
        sleep(Duration::from_millis(2));
    }
    sleep(delay);
    assert!(
        child.try_wait().unwrap().is_none(),
        "the conversion ended before it could be killed: make the dataset larger"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_killed_conversion_leaves_the_target_as_it_was() {
    let root = tempfile::tempdir().unwrap();
    let input = large_dataset(root.path(), 2000);
    let outputs = root.path().join("outputs");
    fs::create_dir(&outputs).unwrap();
    let target = outputs.join("coco");
    let delays = [0, 30, 300, 900].map(Duration::from_millis);

    for delay in delays {
        kill_midway(&input, &target, &[], delay);
        assert!(!target.exists(), "killed after {delay:?}: no target");
    }

    let previous = ADE20K.run_convert(&fixture("ade20k2020"), "coco", &target, &["--quiet"]);
    assert_eq!(
        previous.status.code(),
        Some(0),
        "{}",
        text(&previous.stderr)
    );
    let before = tree(&target);
    for delay in delays {
        kill_midway(&input, &target, &["--overwrite"], delay);
        assert!(
            before == tree(&target),
            "killed after {delay:?} with --overwrite: the previous output is intact"
        );
    }

    let again = ADE20K.run_convert(
        &fixture("ade20k2020"),
        "semantic",
        &target,
        &["--quiet", "--overwrite"],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(
        names(&outputs),
        ["coco"],
        "the next run removed the killed runs' staging folders"
    );
    assert!(target.join("dataset_meta.json").is_file());
}

/// Runs `ade20k` with `args` as an unprivileged user when this process is
/// root (root ignores permission bits), as this user otherwise.
fn ade20k_unprivileged(binary: &Path, args: &[&str]) -> Output {
    let uid = text(&Command::new("id").arg("-u").output().unwrap().stdout);
    let mut command = if uid.trim() == "0" {
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(binary);
        command
    } else {
        Command::new(binary)
    };
    command.args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run the binary as an unprivileged user (setpriv from util-linux \
             is needed when the tests run as root): {e}"
        )
    })
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Applies `change` to the mode of `dir` and everything below it.
fn chmod_tree(dir: &Path, change: &dyn Fn(u32) -> u32) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            chmod_tree(&path, change);
        }
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        chmod(&path, change(mode));
    }
    let mode = fs::metadata(dir).unwrap().permissions().mode();
    chmod(dir, change(mode));
}

/// A scratch folder the unprivileged user can reach, holding a copy of the
/// binary (`<root>/ade20k`) and of the sample dataset (`<root>/in`).
fn unprivileged_scratch() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    chmod(root.path(), 0o755);
    let binary = root.path().join("ade20k");
    fs::copy(env!("CARGO_BIN_EXE_ade20k"), &binary).unwrap();
    chmod(&binary, 0o755);
    let input = root.path().join("in");
    copy_dir(&fixture("ade20k2020"), &input);
    (root, binary, input)
}

#[test]
fn the_input_is_never_written() {
    let (root, binary, input) = unprivileged_scratch();
    chmod_tree(&input, &|mode| mode & !0o222);
    let outputs = root.path().join("outputs");
    fs::create_dir(&outputs).unwrap();
    chmod(&outputs, 0o777);
    let before = fingerprint(&input);

    for format in &ADE20K.output_formats() {
        // parquet and webdataset embed photos, and refuse hard links.
        let embeds = ["parquet", "webdataset"].contains(&format.as_str());
        let media: &[&str] = if embeds {
            &["copy"]
        } else {
            &["hardlink", "copy"]
        };
        for &media in media {
            let out = outputs.join(format!("{format}-{media}"));
            // Scaled photos cannot be links: links keep every size.
            let size = if media == "hardlink" { "off" } else { "512" };
            let size_args: &[&str] = match format.as_str() {
                "ade20k2020" => &[],
                _ => &["--max-short-side", size],
            };
            let mut args = vec![
                "convert",
                "-i",
                arg(&input),
                "-f",
                format,
                "-o",
                arg(&out),
                "--media",
                media,
                "--quiet",
            ];
            args.extend(size_args);
            let run = ade20k_unprivileged(&binary, &args);
            assert_eq!(
                run.status.code(),
                Some(0),
                "{format}, {media}: {}",
                text(&run.stderr)
            );
            assert!(out.is_dir());
            assert!(
                before == fingerprint(&input),
                "{format}, --media {media} changed the input"
            );
        }
    }
    chmod_tree(&input, &|mode| mode | 0o200);
}

/// Runs `ade20k convert` with writes limited to `blocks` × 512 bytes: a write
/// past the limit fails with EFBIG (SIGXFSZ ignored).
fn convert_with_file_size_limit(blocks: u32, args: &[&str]) -> Output {
    let script = format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" convert \"$@\"");
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_ade20k"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_failing_write_is_an_error_naming_the_file_and_the_target_is_untouched() {
    let input = fixture("ade20k2020");
    // Images placed first (copy), or annotation files and masks only (none).
    for media in ["copy", "none"] {
        for format in [
            "coco",
            "coco_panoptic",
            "semantic",
            "voc",
            "cityscapes",
            "datumaro",
            "ade20k2020",
            "yolo",
            "kitti",
            "mots",
            "camvid",
            "cvat",
            "label_me",
            "segment_anything",
            "open_images",
        ] {
            let root = tempfile::tempdir().unwrap();
            let target = root.path().join("out");
            let args = [
                "-i",
                arg(&input),
                "-f",
                format,
                "-o",
                arg(&target),
                "--media",
                media,
            ];
            let run = convert_with_file_size_limit(1, &args);
            let stderr = text(&run.stderr);
            assert_eq!(run.status.code(), Some(1), "{format}, {media}: {stderr}");
            let named = stderr
                .strip_prefix(&format!("error: {}/.out.ade20k-", root.path().display()))
                .is_some_and(|rest| rest.ends_with(": File too large (os error 27)\n"));
            assert!(
                named,
                "{format}, {media}: the error names the file and the OS error: {stderr}"
            );
            assert_eq!(
                names(root.path()),
                Vec::<String>::new(),
                "{format}, {media}"
            );
            let skipping =
                convert_with_file_size_limit(1, &[&args[..], &["--skip-broken"]].concat());
            assert_eq!(
                skipping.status.code(),
                Some(1),
                "{format}, {media}: a write error is never skipped: {}",
                text(&skipping.stderr)
            );
            assert_eq!(names(root.path()), Vec::<String>::new());

            let previous = ADE20K.run_convert(&input, "coco", &target, &["--quiet"]);
            assert_eq!(previous.status.code(), Some(0));
            let before = tree(&target);
            let overwrite =
                convert_with_file_size_limit(1, &[&args[..], &["--overwrite"]].concat());
            assert_eq!(overwrite.status.code(), Some(1), "{format}, {media}");
            assert!(
                before == tree(&target),
                "{format}, {media}: the previous output is intact"
            );
            assert_eq!(
                names(root.path()),
                ["out"],
                "{format}, {media}: no staging folder left"
            );
        }
    }
}

/// Exit code of the test script when the small file system cannot be made.
const NO_NAMESPACE: i32 = 90;

/// In a mount namespace of its own, mounts a `size` tmpfs at `dir`, converts
/// the fixture to COCO there (the previous output), prints the listing of
/// `dir` with checksums, converts `input` over it with `args` and
/// `--overwrite`, prints its exit code and the listing again.
fn convert_on_a_full_disk(dir: &Path, size: &str, input: &Path, args: &[&str]) -> Output {
    let script = r#"
        dir=$1; size=$2; fixture=$3; input=$4; shift 4
        mount -t tmpfs -o "size=$size" tmpfs "$dir" || exit 90
        "$0" convert -i "$fixture" -f coco -o "$dir/out" --media none --quiet || exit 91
        list() { (cd "$dir" && find . -print | sort && find . -type f -exec cksum {} + | sort); }
        list
        echo "----"
        "$0" convert -i "$input" -o "$dir/out" --overwrite --quiet "$@"
        echo "exit $?"
        echo "----"
        list
    "#;
    let uid = text(&Command::new("id").arg("-u").output().unwrap().stdout);
    let unshare = if uid.trim() == "0" { "-m" } else { "-rm" };
    Command::new("unshare")
        .args([unshare, "--propagation", "private", "sh", "-c", script])
        .arg(env!("CARGO_BIN_EXE_ade20k"))
        .args([arg(dir), size, arg(&fixture("ade20k2020")), arg(input)])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_full_disk_is_an_error_naming_the_file_and_the_previous_output_is_kept() {
    let root = tempfile::tempdir().unwrap();
    let input = large_dataset(root.path(), 50);
    let dir = root.path().join("small-disk");
    fs::create_dir(&dir).unwrap();
    for format in ["coco", "semantic", "voc", "yolo", "datumaro"] {
        for media in ["none", "copy"] {
            let run =
                convert_on_a_full_disk(&dir, "64k", &input, &["-f", format, "--media", media]);
            let stderr = text(&run.stderr);
            if run.status.code() == Some(NO_NAMESPACE) {
                eprintln!(
                    "not tested: a tmpfs in a mount namespace of its own cannot be made here \
                     (the EFBIG test covers failing writes): {stderr}"
                );
                return;
            }
            assert_eq!(run.status.code(), Some(0), "{format}, {media}: {stderr}");
            let stdout = text(&run.stdout);
            let parts: Vec<&str> = stdout.split("----\n").collect();
            assert_eq!(parts.len(), 3, "{stdout}");
            assert_eq!(parts[1], "exit 1\n", "{format}, {media}: {stderr}");
            assert_eq!(
                parts[0], parts[2],
                "{format}, {media}: the previous output is intact, no staging folder left"
            );
            let named = stderr
                .strip_prefix(&format!("error: {}/.out.ade20k-", dir.display()))
                .is_some_and(|rest| rest.ends_with(": No space left on device (os error 28)\n"));
            assert!(named, "{format}, {media}: {stderr}");
        }
    }
}

/// Starts converting `input` to COCO at `target` and waits until the run
/// holds the target's lock; returns the running child.
fn start_holding_the_lock(input: &Path, target: &Path) -> std::process::Child {
    let lock = target.with_file_name(format!(
        ".{}.ade20k-lock",
        target.file_name().unwrap().to_string_lossy()
    ));
    let mut child = Command::new(env!("CARGO_BIN_EXE_ade20k"))
        .args(["convert", "-i", arg(input), "-f", "coco", "-o", arg(target)])
        .args(["--quiet", "--media", "none"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while fs::read_to_string(&lock).map_or(true, |pid| pid.is_empty()) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the conversion ended before it took its lock"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "no lock file");
        sleep(Duration::from_millis(2));
    }
    child
}

#[test]
fn a_second_run_on_the_same_output_is_refused_while_the_first_runs() {
    let root = tempfile::tempdir().unwrap();
    let input = large_dataset(root.path(), 2000);
    let target = root.path().join("coco");
    let mut first = start_holding_the_lock(&input, &target);
    let second = ADE20K.run_convert(
        &fixture("ade20k2020"),
        "semantic",
        &target,
        &["--overwrite", "--media", "none"],
    );
    let message = text(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{message}");
    assert!(
        message.contains(&format!("another ade20k run (process {})", first.id())),
        "{message}"
    );
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first run is still going: make the dataset larger"
    );
    let status = first.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(target.join("annotations/instances_training.json").is_file());
    assert_eq!(names(root.path()), ["coco", "large"], "the lock is gone");
}

#[test]
fn a_folder_made_at_the_output_during_a_run_is_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let input = large_dataset(root.path(), 2000);
    let target = root.path().join("coco");
    let running = start_holding_the_lock(&input, &target);
    fs::create_dir(&target).unwrap();
    fs::write(target.join("mine.txt"), "mine").unwrap();
    let output = running.wait_with_output().unwrap();
    let message = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains("new output discarded"), "{message}");
    assert_eq!(names(&target), ["mine.txt"]);
    assert_eq!(
        names(root.path()),
        ["coco", "large"],
        "nothing left beside it"
    );
}

#[test]
fn a_previous_output_that_cannot_be_removed_is_a_warning_once_the_new_one_is_in_place() {
    let (root, binary, input) = unprivileged_scratch();
    let outputs = root.path().join("outputs");
    fs::create_dir(&outputs).unwrap();
    chmod(&outputs, 0o777);
    let out = outputs.join("out");
    let convert = |format: &str, extra: &[&str]| {
        let args = [
            &["convert", "-i", arg(&input), "-f", format, "-o", arg(&out)][..],
            &["--media", "none", "--quiet"],
            extra,
        ]
        .concat();
        ade20k_unprivileged(&binary, &args)
    };
    let previous = convert("coco", &[]);
    assert_eq!(
        previous.status.code(),
        Some(0),
        "{}",
        text(&previous.stderr)
    );
    // The unprivileged user cannot empty this folder, so cannot remove it.
    chmod(&out.join("annotations"), 0o555);

    let replaced = convert("semantic", &["--overwrite"]);
    let message = text(&replaced.stderr);
    assert_eq!(replaced.status.code(), Some(0), "{message}");
    assert!(
        out.join("dataset_meta.json").is_file(),
        "the new output is in place"
    );
    let leftover: Vec<String> = names(&outputs)
        .into_iter()
        .filter(|name| name != "out")
        .collect();
    assert_eq!(leftover.len(), 1, "{leftover:?}");
    assert!(
        message.starts_with("warning: ")
            && message.contains(&leftover[0])
            && message.contains("the previous output could not be removed"),
        "{message}"
    );
    let leftover = outputs.join(&leftover[0]);
    assert!(leftover
        .join("annotations/instances_training.json")
        .is_file());

    chmod(&leftover.join("annotations"), 0o755);
    let again = convert("coco", &["--overwrite"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(
        names(&outputs),
        ["out"],
        "the next run removed the leftover"
    );
}
