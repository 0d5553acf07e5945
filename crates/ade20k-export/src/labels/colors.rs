//! The labels of the formats that list them in `label_colors.txt` (Cityscapes,
//! KITTI): one `r g b name` line per label id from 0 = `unlabeled`, each label
//! a thing (numbered per instance) or stuff, as the label list or `--stuff` says.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use ade20k_model::Error;

use crate::encode::palette::label_color;
use crate::labels::selection::{LabelPlan, PlannedLabel};
use crate::run::WholeDataset;
use crate::{ExportError, ExportOptions, LabelSelection, Summary};

/// Name of label 0.
pub(crate) const UNLABELED: &str = "unlabeled";

/// Which labels are stuff: those the label list marks so, and those `--stuff` names.
pub(crate) struct Stuff {
    /// The classes `--stuff` names, resolved.
    named: Option<LabelPlan>,
    /// Whether the label list marks some label as stuff.
    listed: bool,
}

impl Stuff {
    /// Resolves `--stuff` and looks at the label list of `options`.
    pub fn resolve(
        dataset: &WholeDataset<'_>,
        options: &ExportOptions,
    ) -> Result<Self, ExportError> {
        let named = match &options.stuff {
            Some(list) => Some(LabelPlan::resolve(
                &LabelSelection::List(list.clone()),
                dataset,
                None,
            )?),
            None => None,
        };
        let listed = matches!(&options.labels, LabelSelection::List(list)
            if list.labels.iter().any(|label| label.is_thing == Some(false)));
        Ok(Stuff { named, listed })
    }

    /// Whether any label may be stuff.
    pub fn is_named(&self) -> bool {
        self.named.is_some() || self.listed
    }

    /// Whether `label` is a thing.
    pub fn is_thing(&self, label: &PlannedLabel) -> bool {
        label.is_thing != Some(false) && !self.named.as_ref().is_some_and(|s| s.keeps_label(label))
    }
}

/// One output label, at the position of its id (0 = unlabeled).
pub(crate) struct ColoredLabel {
    /// Name without white space, unique.
    pub name: String,
    /// Colour of its pixels in the colour images and `label_colors.txt`.
    pub color: [u8; 3],
    /// Whether its pixels are numbered per instance.
    pub is_thing: bool,
}

impl ColoredLabel {
    /// `unlabeled` (black, stuff) then every label of `plan`, by id.
    pub fn all(plan: &LabelPlan, stuff: &Stuff) -> Vec<ColoredLabel> {
        let mut taken = HashSet::from([UNLABELED.to_string()]);
        let mut labels = vec![ColoredLabel {
            name: UNLABELED.into(),
            color: [0, 0, 0],
            is_thing: false,
        }];
        for label in plan.labels() {
            labels.push(ColoredLabel {
                name: unique_name(&label.name, label.id.0, &mut taken),
                color: label_color(label),
                is_thing: stuff.is_thing(label),
            });
        }
        labels
    }
}

/// `name` with every run of white space replaced by `_`, made unique among
/// `taken` by appending `_<id>`.
fn unique_name(name: &str, id: u32, taken: &mut HashSet<String>) -> String {
    let mut name = name.split_whitespace().collect::<Vec<_>>().join("_");
    if name.is_empty() {
        name = format!("label_{id}");
    }
    while taken.contains(&name) {
        name = format!("{name}_{id}");
    }
    taken.insert(name.clone());
    name
}

/// Writes `label_colors.txt` in Datumaro's form: `r g b name` per label id,
/// and counts the labels but the background as the summary's categories.
/// Returns how many of them are things.
pub(crate) fn write_label_colors(
    out: &Path,
    labels: &[ColoredLabel],
    summary: &mut Summary,
) -> Result<usize, Error> {
    let path = out.join("label_colors.txt");
    let text: String = labels
        .iter()
        .map(|label| {
            let [r, g, b] = label.color;
            format!("{r} {g} {b} {}\n", label.name)
        })
        .collect();
    fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    summary.categories = labels.len() - 1;
    Ok(labels.iter().filter(|label| label.is_thing).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_white_space_and_stay_unique() {
        let mut taken = HashSet::from([UNLABELED.to_string()]);
        assert_eq!(
            unique_name("traffic  light", 1, &mut taken),
            "traffic_light"
        );
        assert_eq!(
            unique_name("traffic light", 2, &mut taken),
            "traffic_light_2"
        );
        assert_eq!(unique_name("unlabeled", 3, &mut taken), "unlabeled_3");
        assert_eq!(unique_name(" ", 4, &mut taken), "label_4");
    }
}
