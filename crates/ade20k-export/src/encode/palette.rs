//! Colours for labels.

use crate::labels::selection::PlannedLabel;

/// The Pascal VOC colour of `index`: the bit-interleaving colour map of the
/// VOC development kit (`labelcolormap.m`), extended past 255 by using more
/// bits of the index. `0` is black.
pub(crate) fn voc_color(index: u32) -> [u8; 3] {
    let mut rgb = [0u8; 3];
    let mut id = index;
    let mut shift = 7;
    while id > 0 && shift >= 0 {
        for (channel, value) in rgb.iter_mut().enumerate() {
            *value |= (((id >> channel) & 1) as u8) << shift;
        }
        id >>= 3;
        shift -= 1;
    }
    rgb
}

/// The 256-entry VOC palette, as `png` wants it: R, G, B per entry.
pub(crate) fn voc_palette() -> Vec<u8> {
    (0..256).flat_map(voc_color).collect()
}

/// The colour of a planned label: the list's own, else the VOC colour of its id.
pub(crate) fn label_color(label: &PlannedLabel) -> [u8; 3] {
    label.color.unwrap_or_else(|| voc_color(label.id.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voc_colours_match_the_development_kit() {
        assert_eq!(voc_color(0), [0, 0, 0]);
        assert_eq!(voc_color(1), [128, 0, 0]);
        assert_eq!(voc_color(2), [0, 128, 0]);
        assert_eq!(voc_color(15), [192, 128, 128]); // person
        assert_eq!(voc_color(20), [0, 64, 128]); // tvmonitor
        assert_eq!(voc_color(255), [224, 224, 192]); // void / border
        assert_eq!(voc_palette().len(), 768);
    }
}
