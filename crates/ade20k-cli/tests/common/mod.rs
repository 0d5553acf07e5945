//! Running the `ade20k` binary in tests.
#![allow(dead_code)] // each test file uses its own subset of these helpers

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// Path of the fixture dataset `name` (`tests/assets/<name>`).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/assets")
        .join(name)
}

/// How long one run of the binary may take: far longer than any run of these
/// tests needs, so that a run that hangs fails its test instead of blocking the suite.
pub const TIME_LIMIT: Duration = Duration::from_secs(120);

/// Runs `ade20k` with `args` (see [`output_within_limit`]).
pub fn ade20k(args: &[&str]) -> Output {
    output_within_limit(Command::new(env!("CARGO_BIN_EXE_ade20k")).args(args))
        .expect("the binary runs")
}

/// Runs `command` with no input and its output captured, as
/// [`Command::output`] does (an error when it cannot start), but kills it and
/// fails the test when it is still running after [`TIME_LIMIT`].
pub fn output_within_limit(command: &mut Command) -> std::io::Result<Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Read both pipes while waiting, so that a full pipe never stops the child.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                pipe.read_to_end(&mut bytes).expect("the pipe reads");
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the command can be waited for") {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            child.kill().expect("the command can be killed");
            child.wait().expect("the killed command ends");
            panic!("{command:?} was still running after {TIME_LIMIT:?}: it hangs");
        }
        thread::sleep(Duration::from_millis(10));
    };
    Ok(Output {
        status,
        stdout: stdout.join().expect("stdout is read"),
        stderr: stderr.join().expect("stderr is read"),
    })
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `path` as a `&str`.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// Copies the folder `from` to `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    mirror_dir(from, to, &|file, target| fs::copy(file, target).map(drop));
}

/// Recreates the folder `from` at `to` with every file hard-linked, not copied.
pub fn link_dir(from: &Path, to: &Path) {
    mirror_dir(from, to, &|file, target| fs::hard_link(file, target));
}

/// Recreates the folders of `from` at `to` and puts each file there with `place`.
fn mirror_dir(from: &Path, to: &Path, place: &dyn Fn(&Path, &Path) -> std::io::Result<()>) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            mirror_dir(&entry.path(), &target, place);
        } else {
            place(&entry.path(), &target).unwrap();
        }
    }
}

/// Runs `ade20k convert -i <input> -f <format> -o <out>` and `extra`.
pub fn run_convert(input: &Path, format: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["convert", "-i", arg(input), "-f", format, "-o", arg(out)];
    args.extend_from_slice(extra);
    ade20k(&args)
}

/// Runs `ade20k convert -i <input> -f <format> -o <out> --media none` and `extra`.
pub fn convert(input: &Path, format: &str, out: &Path, extra: &[&str]) -> Output {
    run_convert(input, format, out, &[&["--media", "none"], extra].concat())
}

/// The output formats `ade20k formats` lists.
pub fn output_formats() -> Vec<String> {
    let listed = ade20k(&["formats"]);
    let formats: Vec<String> = text(&listed.stdout)
        .lines()
        .skip_while(|line| !line.starts_with("output formats"))
        .skip(1)
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(formats.len() >= 8, "{formats:?}");
    formats
}

/// Every entry below `dir` (folders too) by its path relative to `dir`, with
/// what must not change in an input tree: the bytes of a file (the target of
/// a symbolic link, which is not followed; nothing for a folder), the
/// modification time and the mode (file type and permissions).
pub fn fingerprint(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime, u32)> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let metadata = fs::symlink_metadata(&path).unwrap();
            let bytes = if metadata.is_dir() {
                pending.push(path.clone());
                Vec::new()
            } else if metadata.is_symlink() {
                fs::read_link(&path)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                fs::read(&path).unwrap()
            };
            let key = path.strip_prefix(dir).unwrap().to_path_buf();
            let stamp = (
                bytes,
                metadata.modified().unwrap(),
                metadata.permissions().mode(),
            );
            found.insert(key, stamp);
        }
    }
    found
}
