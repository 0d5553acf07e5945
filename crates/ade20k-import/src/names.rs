//! File naming rules of the format: which files are photos, which are masks,
//! and how the class maps of an item are named.

/// Extensions (lower case) of the files that can be the photo of an item.
const IMAGE_EXTENSIONS: [&str; 7] = ["jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp"];

/// Name of Datumaro's meta file, which is never an item.
pub(crate) const META_FILE_NAME: &str = "dataset_meta.json";

/// End of the name of an ADE20K 2017 annotation file: `<stem>_atr.txt`.
pub(crate) const ATR_SUFFIX: &str = "_atr.txt";

/// Splits `name` into stem and extension at the last dot; the extension is
/// empty when there is no dot (or only a leading one).
pub(crate) fn split_name(name: &str) -> (&str, &str) {
    match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, extension),
        _ => (name, ""),
    }
}

/// Whether a file with this extension can be the photo of an item.
pub(crate) fn is_image_extension(extension: &str) -> bool {
    IMAGE_EXTENSIONS
        .iter()
        .any(|known| extension.eq_ignore_ascii_case(known))
}

/// Whether an image with this stem is a mask (`*_seg`, `*_parts_<N>`,
/// `instance_*`) rather than the photo of an item.
pub(crate) fn is_mask_stem(stem: &str) -> bool {
    stem.ends_with("_seg")
        || stem.starts_with("instance_")
        || stem.rsplit_once("_parts_").is_some_and(|(_, level)| {
            !level.is_empty() && level.bytes().all(|byte| byte.is_ascii_digit())
        })
}

/// File name of the class map of part level `level` of the item whose photo
/// has stem `stem`: `<stem>_seg.png` for level 0, `<stem>_parts_<level>.png` above.
pub(crate) fn class_map_file_name(stem: &str, level: u32) -> String {
    if level == 0 {
        format!("{stem}_seg.png")
    } else {
        format!("{stem}_parts_{level}.png")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_recognised_by_their_stem() {
        for mask in [
            "ADE_train_1_seg",
            "ADE_train_1_parts_1",
            "ADE_train_1_parts_12",
            "instance_000_ADE_train_1",
        ] {
            assert!(is_mask_stem(mask), "{mask}");
        }
        for photo in [
            "ADE_train_1",
            "a_parts_",
            "a_parts_x",
            "segment",
            "my_instance",
        ] {
            assert!(!is_mask_stem(photo), "{photo}");
        }
    }

    #[test]
    fn names_split_at_the_last_dot() {
        assert_eq!(split_name("a.b.JPG"), ("a.b", "JPG"));
        assert_eq!(split_name("noext"), ("noext", ""));
        assert_eq!(split_name(".hidden"), (".hidden", ""));
        assert!(is_image_extension("JPeG"));
        assert!(!is_image_extension("json"));
    }

    #[test]
    fn class_maps_are_named_by_level() {
        assert_eq!(class_map_file_name("x", 0), "x_seg.png");
        assert_eq!(class_map_file_name("x", 2), "x_parts_2.png");
    }
}
