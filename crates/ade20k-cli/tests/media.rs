//! `--media`: how photos reach the output. Every mode follows a photo that is
//! a symbolic link (as git-annex and DVC store them) to the real file, and the
//! default, `copy`, gives each photo a file of its own, so that editing the
//! output never edits the dataset.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use ade20k_test_support::folders::{copy_dir, fingerprint};
use ade20k_test_support::{fixture, text, Binary};

/// The binary under test.
const ADE20K: Binary = Binary::new(env!("CARGO_BIN_EXE_ade20k"));

/// The photo made a symbolic link, relative to its subset folder.
const LINKED_PHOTO: &str = "urban/street/ADE_train_00000001.jpg";

/// Where git-annex would keep the photo's bytes, relative to the dataset root.
const ANNEXED: &str = ".git/annex/objects/Xq/7v/photo.jpg";

/// A copy of the `ade20k2020` fixture in `root` whose photo [`LINKED_PHOTO`]
/// is a relative symbolic link to [`ANNEXED`]; returns the dataset's folder.
fn annexed_dataset(root: &Path) -> PathBuf {
    let input = root.join("in");
    copy_dir(&fixture("ade20k2020"), &input);
    let photo = input.join("training").join(LINKED_PHOTO);
    let annexed = input.join(ANNEXED);
    fs::create_dir_all(annexed.parent().unwrap()).unwrap();
    fs::rename(&photo, &annexed).unwrap();
    std::os::unix::fs::symlink(Path::new("../../..").join(ANNEXED), &photo).unwrap();
    assert_eq!(fs::read(&photo).unwrap(), fs::read(&annexed).unwrap());
    input
}

/// Converts `input` to COCO in `out` with `extra` and checks that it
/// succeeded: exit 0, nothing on stderr, the three items in the summary,
/// the input unchanged.
fn converted(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let before = fingerprint(input);
    let run = ADE20K.run_convert(input, "coco", out, extra);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(text(&run.stderr), "");
    assert!(
        text(&run.stdout).starts_with("converted 3 items to coco"),
        "{}",
        text(&run.stdout)
    );
    assert!(before == fingerprint(input), "the input is unchanged");
    run
}

/// Where COCO puts the photo [`LINKED_PHOTO`].
fn output_photo(out: &Path) -> PathBuf {
    out.join("images/training").join(LINKED_PHOTO)
}

#[test]
fn copy_is_the_default_and_gives_each_photo_a_file_of_its_own() {
    let root = tempfile::tempdir().unwrap();
    let input = annexed_dataset(root.path());
    let annexed = input.join(ANNEXED);
    let out = root.path().join("out");
    converted(&input, &out, &[]);
    let explicit = root.path().join("explicit");
    converted(&input, &explicit, &["--media", "copy"]);

    for (subset, photo) in [
        ("training", LINKED_PHOTO),
        ("training", "home/kitchen/ADE_train_00000002.jpg"),
        ("validation", "ADE_val_00000001.jpg"),
    ] {
        let source = fs::canonicalize(input.join(subset).join(photo)).unwrap();
        let bytes = fs::read(&source).unwrap();
        let original = fs::metadata(&source).unwrap();
        for out in [&out, &explicit] {
            let copied = out.join("images").join(subset).join(photo);
            let metadata = fs::symlink_metadata(&copied).unwrap();
            assert!(metadata.is_file(), "{}: a regular file", copied.display());
            assert_eq!(fs::read(&copied).unwrap(), bytes, "{}", copied.display());
            assert_ne!(
                (metadata.dev(), metadata.ino()),
                (original.dev(), original.ino()),
                "{}: an inode of its own",
                copied.display()
            );
        }
    }
    assert_eq!(
        fs::canonicalize(input.join("training").join(LINKED_PHOTO)).unwrap(),
        fs::canonicalize(&annexed).unwrap()
    );

    // Saving an edited image over the output truncates and rewrites it.
    let before = fingerprint(&input);
    fs::write(output_photo(&out), b"resized").unwrap();
    fs::write(out.join("images/validation/ADE_val_00000001.jpg"), b"").unwrap();
    assert!(
        before == fingerprint(&input),
        "editing the output leaves the input unchanged"
    );
}

#[test]
fn hardlink_links_the_real_file_not_the_symbolic_link() {
    let root = tempfile::tempdir().unwrap();
    let input = annexed_dataset(root.path());
    let out = root.path().join("out");
    converted(&input, &out, &["--media", "hardlink"]);
    let linked = output_photo(&out);
    let metadata = fs::symlink_metadata(&linked).unwrap();
    assert!(
        metadata.is_file(),
        "a hard link to the file, not a symbolic link"
    );
    let annexed = fs::metadata(input.join(ANNEXED)).unwrap();
    assert_eq!(
        (metadata.dev(), metadata.ino()),
        (annexed.dev(), annexed.ino())
    );
    assert_eq!(
        fs::read(&linked).unwrap(),
        fs::read(input.join(ANNEXED)).unwrap()
    );
}

#[test]
fn symlink_points_at_the_real_file_by_its_absolute_path() {
    let root = tempfile::tempdir().unwrap();
    let input = annexed_dataset(root.path());
    let out = root.path().join("out");
    converted(&input, &out, &["--media", "symlink"]);
    let link = output_photo(&out);
    let target = fs::read_link(&link).unwrap();
    assert!(target.is_absolute(), "{}", target.display());
    assert_eq!(target, fs::canonicalize(input.join(ANNEXED)).unwrap());
    assert_eq!(
        fs::read(&link).unwrap(),
        fs::read(input.join(ANNEXED)).unwrap()
    );
}

#[test]
fn every_format_copies_a_linked_photo_as_a_file_by_default() {
    let root = tempfile::tempdir().unwrap();
    let input = annexed_dataset(root.path());
    let bytes = fs::read(input.join(ANNEXED)).unwrap();
    let before = fingerprint(&input);
    for format in ADE20K.output_formats() {
        let out = root.path().join(&format);
        let run = ADE20K.run_convert(&input, &format, &out, &["--quiet"]);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{format}: {}",
            text(&run.stderr)
        );
        let output = fingerprint(&out);
        let links: Vec<_> = output
            .iter()
            .filter(|(_, (_, _, mode))| mode & 0o170000 == 0o120000)
            .map(|(path, _)| path)
            .collect();
        assert!(links.is_empty(), "{format}: symbolic links {links:?}");
        // parquet and webdataset embed the photo in their shards.
        assert!(
            output
                .values()
                .any(|(content, _, _)| content.windows(bytes.len()).any(|window| window == bytes)),
            "{format}: the linked photo's bytes are in the output"
        );
        assert!(
            before == fingerprint(&input),
            "{format}: the input is unchanged"
        );
    }
}
