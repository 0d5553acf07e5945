//! The benchmark's class tables: SceneParsing150 for the semantic maps,
//! Instance100 for the instance maps, and how the challenge's files and
//! Mask2Former's spell the 150 classes (`data/ade20k_challenge150.tsv`).

use std::collections::HashMap;

use ade20k_model::ClassIndex;

use crate::labels::selection::{ClassRef, LabelList};

/// The challenge's own spelling of the 150 classes, with its sources.
const CHALLENGE_150: &str = include_str!("../../../data/ade20k_challenge150.tsv");

/// One of the 150 classes of the semantic maps.
pub(super) struct SemanticClass {
    /// Whether Mask2Former counts it as a thing (100 are, the instance classes).
    pub is_thing: bool,
    /// Whether `objectInfo150.csv` marks it stuff (35 classes).
    pub object_info_stuff: bool,
    /// Its name in `objectInfo150.csv`: synonyms separated by `;`.
    pub object_info_name: &'static str,
    /// Its name in Mask2Former's panoptic categories.
    pub mask2former_name: &'static str,
    /// Its colour in Mask2Former's panoptic categories.
    pub mask2former_color: [u8; 3],
}

/// One of the 100 classes of the instance maps.
pub(super) struct InstanceClass {
    /// Its name in the benchmark's `categories`.
    pub name: String,
    /// The value (1..=150) of its pixels in the semantic maps.
    pub semantic: u8,
}

/// Both tables, and the map from full-release class index to each.
pub(super) struct Classes {
    /// The 150 classes; value `v` of a semantic map is `semantic[v - 1]`.
    pub semantic: Vec<SemanticClass>,
    /// The 100 classes; value `r` of an instance map is `instance[r - 1]`.
    pub instance: Vec<InstanceClass>,
    semantic_of: HashMap<ClassIndex, u8>,
    instance_of: HashMap<ClassIndex, u8>,
}

impl Classes {
    /// The shipped tables.
    pub fn new() -> Self {
        let scene_parsing = LabelList::scene_parsing_150();
        let semantic_of = by_class_index(&scene_parsing);
        let instance_list = LabelList::instance_100();
        let instance_of = by_class_index(&instance_list);
        let semantic = scene_parsing
            .labels
            .iter()
            .zip(table_rows())
            .map(|(label, fields)| {
                let channel = |n: usize| fields[4].split(',').nth(n).and_then(|c| c.parse().ok());
                SemanticClass {
                    is_thing: label.is_thing == Some(true),
                    object_info_stuff: fields[1] == "1",
                    object_info_name: fields[2],
                    mask2former_name: fields[3],
                    mask2former_color: [0, 1, 2]
                        .map(|n| channel(n).expect("colour channel of the shipped table")),
                }
            })
            .collect();
        let instance = instance_list
            .labels
            .iter()
            .map(|label| InstanceClass {
                name: label.name.clone(),
                semantic: label
                    .members
                    .iter()
                    .find_map(|member| match member.class {
                        ClassRef::Index(index) => semantic_of.get(&index).copied(),
                        ClassRef::Name(_) => None,
                    })
                    .expect("every instance class is one of the 150"),
            })
            .collect();
        Classes {
            semantic,
            instance,
            semantic_of,
            instance_of,
        }
    }

    /// The semantic value (1..=150) of full-release class `class`; 0 for
    /// every class the benchmark does not keep.
    pub fn semantic_of(&self, class: ClassIndex) -> u8 {
        self.semantic_of.get(&class).copied().unwrap_or(0)
    }

    /// The instance class (1..=100) of full-release class `class`, if any.
    pub fn instance_of(&self, class: ClassIndex) -> Option<u8> {
        self.instance_of.get(&class).copied()
    }
}

/// Position from 1 of the label of each class index listed in `list`.
fn by_class_index(list: &LabelList) -> HashMap<ClassIndex, u8> {
    let mut map = HashMap::new();
    for (position, label) in list.labels.iter().enumerate() {
        for member in &label.members {
            if let ClassRef::Index(index) = member.class {
                map.insert(index, position as u8 + 1);
            }
        }
    }
    map
}

/// The rows of the shipped table, split at tabs: comments and header skipped.
fn table_rows() -> impl Iterator<Item = Vec<&'static str>> {
    CHALLENGE_150
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .skip(1)
        .map(|line| line.split('\t').collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_agree() {
        let classes = Classes::new();
        assert_eq!(classes.semantic.len(), 150);
        assert_eq!(classes.instance.len(), 100);
        assert_eq!(table_rows().count(), 150);
        for (position, fields) in table_rows().enumerate() {
            assert_eq!(fields[0], (position + 1).to_string());
        }
        // The things are exactly the instance classes.
        let things: Vec<u8> = (1..=150u8)
            .filter(|&value| classes.semantic[usize::from(value) - 1].is_thing)
            .collect();
        let mut instance_values: Vec<u8> = classes.instance.iter().map(|c| c.semantic).collect();
        instance_values.sort_unstable();
        assert_eq!(things, instance_values);
        assert_eq!(
            classes
                .semantic
                .iter()
                .filter(|c| c.object_info_stuff)
                .count(),
            35
        );
        // Door (774) and double door (783) are one class in both tables.
        assert_eq!(classes.semantic_of(ClassIndex(774)), 15);
        assert_eq!(classes.semantic_of(ClassIndex(783)), 15);
        assert_eq!(classes.instance_of(ClassIndex(783)), Some(5));
        assert_eq!(classes.instance[4].semantic, 15);
        assert_eq!(classes.semantic_of(ClassIndex(2978)), 1); // wall, stuff
        assert_eq!(classes.instance_of(ClassIndex(2978)), None);
        assert_eq!(classes.semantic_of(ClassIndex(3)), 0);
        let window = &classes.semantic[8];
        assert_eq!(window.mask2former_name, "window ");
        assert_eq!(window.object_info_name, "windowpane;window");
        assert_eq!(classes.semantic[48].mask2former_color, [140, 140, 200]);
        let mut colors: Vec<[u8; 3]> = classes
            .semantic
            .iter()
            .map(|c| c.mask2former_color)
            .collect();
        colors.sort_unstable();
        colors.dedup();
        assert_eq!(colors.len(), 150);
    }
}
