//! A dataset reduced to some of its items: what the item filter and the
//! `--skip-broken` check both hand on.

use ade20k_model::{Error, Item, ItemSource};

/// The items of `inner` at the given indices, in their order, loaded as they are.
pub(crate) struct PickedItems<'a> {
    inner: &'a dyn ItemSource,
    /// Index in `inner` of each picked item, the items of a subset together.
    indices: Vec<usize>,
    /// The subsets that keep at least one item, in `inner`'s order.
    subsets: Vec<String>,
}

impl<'a> PickedItems<'a> {
    /// Picks the items of `inner` at `indices`, in that order, which keeps
    /// the items of each subset together and the subsets in `inner`'s order
    /// (ascending indices do).
    pub fn new(inner: &'a dyn ItemSource, indices: Vec<usize>) -> Self {
        let mut subsets: Vec<String> = Vec::new();
        for &index in &indices {
            let subset = inner.subset_of(index);
            if subsets.last().map(String::as_str) != Some(subset) {
                subsets.push(subset.to_string());
            }
        }
        PickedItems {
            inner,
            indices,
            subsets,
        }
    }
}

impl PickedItems<'_> {
    /// The index in the inner source of picked item `index`.
    ///
    /// # Panics
    ///
    /// When `index` is not below [`ItemSource::len`].
    pub fn inner_index(&self, index: usize) -> usize {
        self.indices[index]
    }
}

impl ItemSource for PickedItems<'_> {
    fn subsets(&self) -> &[String] {
        &self.subsets
    }

    fn len(&self) -> usize {
        self.indices.len()
    }

    /// # Panics
    ///
    /// When `index` is not below [`ItemSource::len`].
    fn subset_of(&self, index: usize) -> &str {
        self.inner.subset_of(self.indices[index])
    }

    /// # Panics
    ///
    /// When `index` is not below [`ItemSource::len`].
    fn load(&self, index: usize) -> Result<Item, Error> {
        self.inner.load(self.indices[index])
    }

    /// # Panics
    ///
    /// When `index` is not below [`ItemSource::len`].
    fn id_of(&self, index: usize) -> Result<String, Error> {
        self.inner.id_of(self.indices[index])
    }

    fn label_order(&self) -> Option<&[String]> {
        self.inner.label_order()
    }
}
