//! Running the `ade20k` binary from tests, each run bounded in time.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::{arg, text};

/// How long one run of the binary may take: far longer than any run of these
/// tests needs, so that a run that hangs fails its test instead of blocking the suite.
pub const TIME_LIMIT: Duration = Duration::from_secs(120);

/// The `ade20k` binary of a test, by its path: in the CLI's tests,
/// `Binary::new(env!("CARGO_BIN_EXE_ade20k"))` (Cargo gives the path to
/// integration tests only, so each test file names it).
#[derive(Clone, Copy, Debug)]
pub struct Binary {
    path: &'static str,
}

impl Binary {
    /// The binary at `path`.
    pub const fn new(path: &'static str) -> Self {
        Binary { path }
    }

    /// Runs the binary with `args` (see [`output_within_limit`]).
    pub fn run(&self, args: &[&str]) -> Output {
        output_within_limit(Command::new(self.path).args(args)).expect("the binary runs")
    }

    /// Runs `ade20k convert -i <input> -f <format> -o <out>` and `extra`.
    pub fn run_convert(&self, input: &Path, format: &str, out: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["convert", "-i", arg(input), "-f", format, "-o", arg(out)];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Runs `ade20k convert -i <input> -f <format> -o <out> --media none` and `extra`.
    pub fn convert(&self, input: &Path, format: &str, out: &Path, extra: &[&str]) -> Output {
        self.run_convert(input, format, out, &[&["--media", "none"], extra].concat())
    }

    /// The output formats `ade20k formats` lists.
    pub fn output_formats(&self) -> Vec<String> {
        let listed = self.run(&["formats"]);
        let formats: Vec<String> = text(&listed.stdout)
            .lines()
            .skip_while(|line| !line.starts_with("output formats"))
            .skip(1)
            .filter_map(|line| line.split_whitespace().next().map(str::to_string))
            .collect();
        assert!(formats.len() >= 8, "{formats:?}");
        formats
    }
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
