//! What the Hugging Face Hub and `datasets` read of an export: the features
//! (column types, label names) and the dataset card, shared by the formats
//! `datasets` loads (`parquet`, `webdataset`).

mod card;
mod features;

pub(crate) use card::{write as write_card, PublishedSplit};
pub(crate) use features::Columns;
