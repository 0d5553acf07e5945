//! Category ids and names, the same for every subset of one export.

use std::collections::HashMap;

use ade20k_model::{Categories, Category, Object};

use crate::labels::selection::LabelPlan;
use crate::labels::LabelId;
use crate::LabelNaming;

/// Why `--label-name raw` is refused together with a label selection.
pub(crate) const RAW_NAMES_WITH_SELECTION: &str =
    "--label-name raw names categories by the annotators' words; \
     it cannot be combined with a class selection (--labels, --top-classes)";

/// One output category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Label {
    /// Category id: the ADE class index, a position in the label list, or
    /// (raw naming) a position from 1.
    pub id: LabelId,
    /// Category name.
    pub name: String,
    /// The nearest more general WordNet class.
    pub supercategory: String,
    /// Thing or stuff, where the label list says.
    pub is_thing: Option<bool>,
    /// Colour, where the label list gives one.
    pub color: Option<[u8; 3]>,
}

/// Gives every exported object a category id and, once the dataset is read,
/// the final list of categories.
///
/// Without a label selection, categories are keyed by ADE class index (named
/// canonically or in full), so ids do not depend on which items were read;
/// with one, by position in the list. Raw naming keys them by the annotator's
/// word, numbered from 1 in the dataset's label order, then in order of first
/// appearance.
#[derive(Debug)]
pub(crate) struct LabelRegistry<'a> {
    naming: LabelNaming,
    plan: &'a LabelPlan,
    label_order: Vec<String>,
    classes: Categories,
    raw_labels: Vec<(String, Option<Category>)>,
    raw_ids: HashMap<String, LabelId>,
}

impl<'a> LabelRegistry<'a> {
    /// A registry for `naming` and `plan`, with an optional prescribed label order.
    pub fn new(naming: LabelNaming, plan: &'a LabelPlan, label_order: Option<&[String]>) -> Self {
        let label_order = label_order.map(<[String]>::to_vec).unwrap_or_default();
        let mut registry = LabelRegistry {
            naming,
            plan,
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

    /// The category id of `object`, recording its class; `None` when the
    /// object's class is not selected.
    pub fn category_id(&mut self, object: &Object) -> Option<LabelId> {
        let id = self.plan.label_of(object)?;
        self.classes.observe(object);
        if self.naming != LabelNaming::Raw {
            return Some(id);
        }
        let id = self.raw_id(&object.raw_name);
        let slot = &mut self.raw_labels[id.0 as usize - 1].1;
        slot.get_or_insert_with(|| Category::of(object));
        Some(id)
    }

    fn raw_id(&mut self, raw_name: &str) -> LabelId {
        if let Some(&id) = self.raw_ids.get(raw_name) {
            return id;
        }
        self.raw_labels.push((raw_name.to_string(), None));
        let id = LabelId(self.raw_labels.len() as u32);
        self.raw_ids.insert(raw_name.to_string(), id);
        id
    }

    /// Every category: the listed ones in list order; otherwise every one
    /// seen (and every one the label order names), in the label order first,
    /// then by id.
    pub fn labels(&self) -> Vec<Label> {
        if self.naming == LabelNaming::Raw {
            return self.ordered(
                self.raw_labels
                    .iter()
                    .enumerate()
                    .map(|(position, (name, category))| Label {
                        id: LabelId(position as u32 + 1),
                        name: name.clone(),
                        supercategory: supercategory(category.as_ref()),
                        is_thing: None,
                        color: None,
                    })
                    .collect(),
            );
        }
        if !self.plan.is_by_class_index() {
            let mut members: HashMap<LabelId, &Category> = HashMap::new();
            for category in self.classes.iter() {
                if let Some(id) = self.plan.label_of_class(category) {
                    members.entry(id).or_insert(category);
                }
            }
            return self
                .plan
                .labels()
                .iter()
                .map(|planned| Label {
                    id: planned.id,
                    name: planned.name.clone(),
                    supercategory: supercategory(members.get(&planned.id).copied()),
                    is_thing: planned.is_thing,
                    color: planned.color,
                })
                .collect();
        }
        let canonical = self.classes.canonical_names();
        self.ordered(
            self.classes
                .iter()
                .map(|category| Label {
                    id: LabelId(category.index.0),
                    name: match self.naming {
                        LabelNaming::Full => category.name.clone(),
                        _ => canonical[&category.index].clone(),
                    },
                    supercategory: category.supercategory().to_string(),
                    is_thing: None,
                    color: None,
                })
                .collect(),
        )
    }

    /// `labels` sorted in the dataset's label order first, then by id.
    fn ordered(&self, mut labels: Vec<Label>) -> Vec<Label> {
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

fn supercategory(category: Option<&Category>) -> String {
    category
        .map_or("entity", Category::supercategory)
        .to_string()
}
