//! Category ids and names, the same for every subset of one export.

use std::collections::HashMap;

use ade20k_model::{Categories, Category, Object};
use serde::Serialize;

use crate::LabelNaming;

/// One output category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Label {
    /// Category id: the ADE class index, or (raw naming) a position from 1.
    pub id: u32,
    /// Category name, as chosen by the [`LabelNaming`].
    pub name: String,
    /// The nearest more general WordNet class.
    pub supercategory: String,
}

/// Gives every exported object a category id and, once the dataset is read,
/// the final list of categories.
///
/// Canonical and full naming key categories by ADE class index, so ids do not
/// depend on which items were read. Raw naming keys them by the annotator's
/// word, numbered from 1 in the dataset's label order, then in order of first
/// appearance.
#[derive(Debug)]
pub(crate) struct LabelRegistry {
    naming: LabelNaming,
    label_order: Vec<String>,
    classes: Categories,
    raw_labels: Vec<(String, Option<Category>)>,
    raw_ids: HashMap<String, u32>,
}

impl LabelRegistry {
    /// A registry for `naming`, with an optional prescribed label order.
    pub fn new(naming: LabelNaming, label_order: Option<&[String]>) -> Self {
        let label_order = label_order.map(<[String]>::to_vec).unwrap_or_default();
        let mut registry = LabelRegistry {
            naming,
            label_order: label_order.clone(),
            classes: Categories::new(),
            raw_labels: Vec::new(),
            raw_ids: HashMap::new(),
        };
        if naming == LabelNaming::Raw {
            for name in label_order {
                registry.raw_id(&name);
            }
        }
        registry
    }

    /// The category id of `object`, recording its class.
    pub fn category_id(&mut self, object: &Object) -> u32 {
        self.classes.observe(object);
        match self.naming {
            LabelNaming::Canonical | LabelNaming::Full => object.class,
            LabelNaming::Raw => {
                let id = self.raw_id(&object.raw_name);
                let slot = &mut self.raw_labels[id as usize - 1].1;
                slot.get_or_insert_with(|| Category::of(object));
                id
            }
        }
    }

    fn raw_id(&mut self, raw_name: &str) -> u32 {
        if let Some(&id) = self.raw_ids.get(raw_name) {
            return id;
        }
        self.raw_labels.push((raw_name.to_string(), None));
        let id = self.raw_labels.len() as u32;
        self.raw_ids.insert(raw_name.to_string(), id);
        id
    }

    /// Every category seen (and every one the label order names), in the
    /// label order first, then by id.
    pub fn labels(&self) -> Vec<Label> {
        let mut labels: Vec<Label> = match self.naming {
            LabelNaming::Raw => self
                .raw_labels
                .iter()
                .enumerate()
                .map(|(position, (name, category))| Label {
                    id: position as u32 + 1,
                    name: name.clone(),
                    supercategory: category
                        .as_ref()
                        .map_or("entity", Category::supercategory)
                        .to_string(),
                })
                .collect(),
            LabelNaming::Canonical | LabelNaming::Full => {
                let canonical = self.classes.canonical_names();
                self.classes
                    .iter()
                    .map(|category| Label {
                        id: category.index,
                        name: match self.naming {
                            LabelNaming::Full => category.name.clone(),
                            _ => canonical[&category.index].clone(),
                        },
                        supercategory: category.supercategory().to_string(),
                    })
                    .collect()
            }
        };
        let position_in_order = |label: &Label| {
            self.label_order
                .iter()
                .position(|name| *name == label.name)
                .unwrap_or(usize::MAX)
        };
        labels.sort_by_key(|label| (position_in_order(label), label.id));
        labels
    }
}
