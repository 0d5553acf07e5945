//! The toolkit's errors as Python exceptions.

use ade20k_export::ExportError;
use ade20k_model::Error;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    ade20k,
    DataError,
    PyException,
    "A file of the dataset or of the output could not be read, decoded or written, \
     or breaks a rule of its format. `path` is the file, `problem` what is wrong with it."
);
create_exception!(
    ade20k,
    UsageError,
    PyException,
    "The call asked for something the toolkit cannot do: an unknown format or \
     option value, a class the dataset lacks, an output folder that is not the \
     toolkit's. The command line exits with 2 for these."
);

/// A [`DataError`] for `error`, with its `path` and `problem` set.
pub fn data_error(error: Error) -> PyErr {
    Python::attach(|py| {
        let exception = DataError::new_err(error.to_string());
        let value = exception.value(py);
        let set = value
            .setattr("path", error.path.to_string_lossy().into_owned())
            .and_then(|()| value.setattr("problem", error.problem.to_string()));
        match set {
            Ok(()) => exception,
            Err(failure) => failure,
        }
    })
}

/// The Python exception for an export's `error`.
pub fn export_error(error: ExportError) -> PyErr {
    match error {
        ExportError::Data(error) => data_error(error),
        ExportError::Usage(message) => UsageError::new_err(message),
        // The keywords are the command line's flags with underscores.
        error @ ExportError::NotTaken { .. } => UsageError::new_err(error.in_flags()),
    }
}

/// A [`UsageError`] saying `message`.
pub fn usage(message: impl Into<String>) -> PyErr {
    UsageError::new_err(message.into())
}
