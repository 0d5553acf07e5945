use std::path::{Path, PathBuf};

/// An error about one file: every error of the toolkit names the file it is about.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct Error {
    /// The file (or folder) the problem was found in.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What went wrong with a file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file is not valid JSON, or not the JSON shape that was expected.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// The file is not an image that can be decoded, or has the wrong colour type.
    #[error("invalid image: {0}")]
    Image(String),
    /// The file is readable but its content breaks a rule of the format.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// An error about `path`.
    pub fn new(path: impl AsRef<Path>, problem: impl Into<Problem>) -> Self {
        Error {
            path: path.as_ref().to_path_buf(),
            problem: problem.into(),
        }
    }

    /// An [`Problem::Invalid`] error about `path` with the given message.
    pub fn invalid(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Error::new(path, Problem::Invalid(message.into()))
    }

    /// A [`Problem::Io`] error about `path`.
    pub fn io(path: impl AsRef<Path>, error: std::io::Error) -> Self {
        Error::new(path, Problem::Io(error))
    }

    /// Whether the file does not exist: a [`Problem::Io`] of kind `NotFound`.
    pub fn is_not_found(&self) -> bool {
        matches!(&self.problem, Problem::Io(error) if error.kind() == std::io::ErrorKind::NotFound)
    }
}
