use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::{ClassIndex, Object};

/// One ADE20K class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Category {
    /// The ADE class index (`name_ndx`).
    pub index: ClassIndex,
    /// Full WordNet name, synonyms separated by commas,
    /// e.g. `car, auto, automobile, machine, motorcar`.
    pub name: String,
    /// WordNet chain from the class up to `entity`, as annotated.
    pub hypernym: Vec<String>,
}

impl Category {
    /// The category of `object`'s class.
    pub fn of(object: &Object) -> Self {
        Category {
            index: object.class,
            name: object.name.clone(),
            hypernym: object.hypernym.clone(),
        }
    }

    /// The first synonym of the WordNet name: `car` for
    /// `car, auto, automobile, machine, motorcar`.
    pub fn first_synonym(&self) -> &str {
        first_synonym(&self.name)
    }

    /// The nearest more general class in the hypernym chain (its first synonym),
    /// skipping entries that name the class itself; `entity` when the chain has none.
    pub fn supercategory(&self) -> &str {
        self.hypernym
            .iter()
            .map(|entry| first_synonym(entry))
            .find(|word| !word.is_empty() && *word != self.first_synonym())
            .unwrap_or("entity")
    }
}

fn first_synonym(name: &str) -> &str {
    name.split(',').next().unwrap_or_default().trim()
}

/// The classes seen in a dataset, keyed by class index, so that ids are stable
/// across subsets and runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Categories {
    by_index: BTreeMap<ClassIndex, Category>,
}

impl Categories {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the class of `object`; the first object seen of a class names it.
    pub fn observe(&mut self, object: &Object) {
        self.by_index
            .entry(object.class)
            .or_insert_with(|| Category::of(object));
    }

    /// Adds every class of `other` not yet present.
    pub fn merge(&mut self, other: Categories) {
        for (index, category) in other.by_index {
            self.by_index.entry(index).or_insert(category);
        }
    }

    /// The category with class index `index`.
    pub fn get(&self, index: ClassIndex) -> Option<&Category> {
        self.by_index.get(&index)
    }

    /// Every category, by increasing class index.
    pub fn iter(&self) -> impl Iterator<Item = &Category> {
        self.by_index.values()
    }

    /// Number of categories.
    pub fn len(&self) -> usize {
        self.by_index.len()
    }

    /// Whether there are no categories.
    pub fn is_empty(&self) -> bool {
        self.by_index.is_empty()
    }

    /// A short unique name per class: the first synonym, or the full WordNet
    /// name where two classes share a first synonym (then the class index is
    /// appended where even full names are shared).
    pub fn canonical_names(&self) -> BTreeMap<ClassIndex, String> {
        let mut synonym_uses: HashMap<&str, usize> = HashMap::new();
        let mut name_uses: HashMap<&str, usize> = HashMap::new();
        for category in self.iter() {
            *synonym_uses.entry(category.first_synonym()).or_default() += 1;
            *name_uses.entry(category.name.as_str()).or_default() += 1;
        }
        self.iter()
            .map(|category| {
                let name = if synonym_uses[category.first_synonym()] == 1 {
                    category.first_synonym().to_string()
                } else if name_uses[category.name.as_str()] == 1 {
                    category.name.clone()
                } else {
                    format!("{} ({})", category.name, category.index)
                };
                (category.index, name)
            })
            .collect()
    }
}

impl FromIterator<Category> for Categories {
    fn from_iter<T: IntoIterator<Item = Category>>(iter: T) -> Self {
        let mut categories = Categories::new();
        for category in iter {
            categories
                .by_index
                .entry(category.index)
                .or_insert(category);
        }
        categories
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(index: u32, name: &str, hypernym: &[&str]) -> Category {
        Category {
            index: ClassIndex(index),
            name: name.into(),
            hypernym: hypernym.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn canonical_names_fall_back_to_full_names_on_collision() {
        let categories: Categories = [
            category(401, "car, auto, automobile", &[]),
            category(7, "plant, flora, plant life", &[]),
            category(9, "plant, works, industrial plant", &[]),
        ]
        .into_iter()
        .collect();
        let names = categories.canonical_names();
        assert_eq!(names[&ClassIndex(401)], "car");
        assert_eq!(names[&ClassIndex(7)], "plant, flora, plant life");
        assert_eq!(names[&ClassIndex(9)], "plant, works, industrial plant");
    }

    #[test]
    fn supercategory_is_the_nearest_other_hypernym() {
        let car = category(
            401,
            "car, auto",
            &["car, auto", "motor vehicle, automotive vehicle", "entity"],
        );
        assert_eq!(car.supercategory(), "motor vehicle");
        assert_eq!(category(1, "thing", &["thing"]).supercategory(), "entity");
        assert_eq!(category(2, "thing", &[]).supercategory(), "entity");
    }
}
