//! `data.yaml`: what Ultralytics' semantic task (`yolo semantic train
//! data=<out>/data.yaml`) reads the output with. Its loader finds a mask by
//! putting `masks_dir` for the `images` part of the photo's path, and counts
//! mask value 255 as ignored; `annotations_detectron2/` holds exactly that
//! (class 0..=149, 255 = other), so the file needs no `label_mapping`.
//! `names` are the classes' first names in `objectInfo150.csv` (`wall`,
//! `windowpane`, as Ultralytics' own `ade20k.yaml` spells them).

use std::fmt::Write as _;

use super::classes::Classes;
use super::{DETECTRON2_DIR, IMAGES_DIR};
use crate::encode::yaml::yaml_string;

/// The file's name, at the top of the output.
pub(super) const DATA_YAML: &str = "data.yaml";

/// The subsets Ultralytics trains and validates on, with their keys.
const SPLITS: [(&str, &str); 2] = [("train", "training"), ("val", "validation")];

/// The text of `data.yaml` for the output folder at `root` (absolute) with
/// `subsets`: `train` and `val` name the photos of `training` and
/// `validation` when the output has them.
pub(super) fn data_yaml(root: &str, subsets: &[String], classes: &Classes) -> String {
    let mut yaml = String::from(
        "# Ultralytics semantic segmentation dataset written by ade20k: \
         yolo semantic train data=<this file>\n",
    );
    let _ = writeln!(yaml, "path: {}", yaml_string(root));
    for (key, subset) in SPLITS {
        if subsets.iter().any(|s| s == subset) {
            let images = format!("{IMAGES_DIR}/{subset}");
            let _ = writeln!(yaml, "{key}: {}", yaml_string(&images));
        }
    }
    let _ = writeln!(yaml, "masks_dir: {}", yaml_string(DETECTRON2_DIR));
    yaml.push_str("names:\n");
    for (index, class) in classes.semantic.iter().enumerate() {
        let name = class.object_info_name.split(';').next().unwrap_or_default();
        let _ = writeln!(yaml, "  {index}: {}", yaml_string(name));
    }
    yaml
}

/// The keys Ultralytics needs (`train`, `val`) that `subsets` give none,
/// with the subset each would name.
pub(super) fn missing_splits(subsets: &[String]) -> Vec<(&'static str, &'static str)> {
    SPLITS
        .into_iter()
        .filter(|(_, subset)| !subsets.iter().any(|s| s == subset))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_names_the_photos_the_masks_and_150_classes() {
        let classes = Classes::new();
        let yaml = data_yaml(
            "/data/ade/ADEChallengeData2016",
            &["training".into()],
            &classes,
        );
        let lines: Vec<&str> = yaml.lines().collect();
        assert_eq!(
            lines[1..5],
            [
                "path: \"/data/ade/ADEChallengeData2016\"",
                "train: \"images/training\"",
                "masks_dir: \"annotations_detectron2\"",
                "names:",
            ]
        );
        assert_eq!(lines[5..7], ["  0: \"wall\"", "  1: \"building\""]);
        assert_eq!(lines[13], "  8: \"windowpane\"");
        assert_eq!(lines.last(), Some(&"  149: \"flag\""));
        assert_eq!(lines.len(), 5 + 150);
        assert_eq!(
            missing_splits(&["training".into()]),
            [("val", "validation")]
        );
        assert!(missing_splits(&["training".into(), "validation".into()]).is_empty());
    }
}
