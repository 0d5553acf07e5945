//! One module per subcommand: its arguments and what it does.

pub mod convert;
pub mod detect;
pub mod formats;
pub mod info;
pub mod preview;
pub mod validate;
