//! Datasets as formats see them: [`ItemSource`](ade20k_model::ItemSource)
//! adapters that leave out items ([`PickedItems`]) or objects
//! ([`FilteredSource`](filter::FilteredSource)), and the part hierarchy they
//! keep whole.

pub(crate) mod filter;
pub(crate) mod hierarchy;
mod picked;

pub(crate) use picked::PickedItems;
