use serde::Serialize;

use crate::{ClassIndex, Problem};

/// Which pixels of an instance mask count as the object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MaskKind {
    /// Only the pixels where the object is seen (value 255): the modal mask.
    #[default]
    Visible,
    /// The seen pixels and those hidden behind other objects (value > 0).
    Amodal,
}

impl MaskKind {
    /// The bit of an instance mask value (0, 128 or 255: 0b0000_0000,
    /// 0b1000_0000, 0b1111_1111) that says whether the pixel counts: bit 0
    /// is set only where the object is visible, bit 7 wherever it is. One
    /// shift and mask per byte, which the compiler vectorises.
    fn bit(self) -> u8 {
        match self {
            MaskKind::Visible => 0,
            MaskKind::Amodal => 7,
        }
    }
}

/// An ADE20K instance mask: per pixel, whether the object is visible there,
/// present but hidden, or absent.
///
/// Pixel values are normalised to [`InstanceMask::VISIBLE`] (255),
/// [`InstanceMask::HIDDEN`] (128) and [`InstanceMask::ABSENT`] (0), row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceMask {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
    /// The tight box around the non-zero pixels, found when the mask is built.
    extent: Option<BBox>,
}

impl InstanceMask {
    /// The object is seen at this pixel.
    pub const VISIBLE: u8 = 255;
    /// The object is there but hidden behind another object.
    pub const HIDDEN: u8 = 128;
    /// The object is not at this pixel.
    pub const ABSENT: u8 = 0;

    /// Builds a mask from row-major pixels valued 0, 128 or 255.
    pub fn from_pixels(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, Problem> {
        let extent = validated_extent(width, height, &pixels)?;
        Ok(InstanceMask {
            width,
            height,
            pixels,
            extent,
        })
    }

    /// The pixels that count as the object for `kind` of the mask whose
    /// row-major values (0, 128 or 255) are `pixels`: what
    /// [`InstanceMask::from_pixels`] and then [`InstanceMask::cropped`] give,
    /// without taking the pixels, so that a decoder can reuse its buffer for
    /// the next mask instead of allocating an image-size one for each.
    pub fn crop_pixels(
        width: u32,
        height: u32,
        pixels: &[u8],
        kind: MaskKind,
    ) -> Result<CroppedMask, Problem> {
        let extent = validated_extent(width, height, pixels)?;
        Ok(crop(width, height, pixels, extent, kind))
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Row-major pixel values (0, 128 or 255).
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The tight box around every pixel where the object is, seen or hidden;
    /// `None` when the mask is empty. Known without a scan: it is found when
    /// the mask is built.
    pub fn extent(&self) -> Option<BBox> {
        self.extent
    }

    /// The pixels that count as the object for `kind`, kept only inside
    /// [`InstanceMask::extent`]: far less to store and scan than
    /// [`InstanceMask::binary`] when the object covers a small part of the image.
    pub fn cropped(&self, kind: MaskKind) -> CroppedMask {
        crop(self.width, self.height, &self.pixels, self.extent, kind)
    }

    /// The row-major pixel values (0, 128, 255), without a copy.
    pub fn into_pixels(self) -> Vec<u8> {
        self.pixels
    }

    /// The pixels that count as the object for `kind`.
    pub fn binary(&self, kind: MaskKind) -> BinaryMask {
        // Collecting from a slice's map writes each byte once, with no zeroing first.
        let bit = kind.bit();
        BinaryMask {
            width: self.width,
            height: self.height,
            pixels: self.pixels.iter().map(|&p| (p >> bit) & 1).collect(),
        }
    }

    /// [`InstanceMask::binary`] in place: the buffer of pixel values becomes
    /// the binary mask's, with no allocation.
    pub fn into_binary(mut self, kind: MaskKind) -> BinaryMask {
        let bit = kind.bit();
        for p in &mut self.pixels {
            *p = (*p >> bit) & 1;
        }
        BinaryMask {
            width: self.width,
            height: self.height,
            pixels: self.pixels,
        }
    }
}

/// The tight box around the non-zero pixels of `width` × `height` instance
/// mask values, or the problem with them: a wrong count, or a value that is
/// none of 0, 128, 255.
fn validated_extent(width: u32, height: u32, pixels: &[u8]) -> Result<Option<BBox>, Problem> {
    check_len(width, height, pixels.len())?;
    checked_extent(width, pixels).ok_or_else(|| {
        // Rare: scan again, the slow way, for the value to name.
        let bad = pixels
            .iter()
            .find(|&&p| {
                p != InstanceMask::VISIBLE && p != InstanceMask::HIDDEN && p != InstanceMask::ABSENT
            })
            .copied()
            .unwrap_or_default();
        Problem::Invalid(format!("instance mask value {bad} is none of 0, 128, 255"))
    })
}

/// The `kind` pixels of instance mask values inside `extent`, the box around
/// every non-zero value (`None`: there is none).
fn crop(
    width: u32,
    height: u32,
    pixels: &[u8],
    extent: Option<BBox>,
    kind: MaskKind,
) -> CroppedMask {
    let Some(extent) = extent else {
        return CroppedMask::empty(width, height);
    };
    let (x, window_width) = (extent.x as usize, extent.width as usize);
    let mut window = Vec::with_capacity(window_width * extent.height as usize);
    let rows = pixels
        .chunks_exact(width as usize)
        .skip(extent.y as usize)
        .take(extent.height as usize);
    for row in rows {
        let row = &row[x..x + window_width];
        match kind {
            MaskKind::Visible => window.extend(row.iter().map(|&p| p & 1)),
            MaskKind::Amodal => window.extend(row.iter().map(|&p| p >> 7)),
        }
    }
    CroppedMask {
        frame_width: width,
        frame_height: height,
        x: extent.x,
        y: extent.y,
        window: BinaryMask {
            width: extent.width,
            height: extent.height,
            pixels: window,
        },
    }
}

/// The tight box around the non-zero pixels of a row-major mask `width`
/// pixels wide (`Some(None)` when there are none), or `None` when a value is
/// not 0, 128 or 255. One pass: each row is folded with branch-free compares
/// and ORs, which the compiler turns into vector code, and only the non-empty
/// rows are searched for their ends.
fn checked_extent(width: u32, pixels: &[u8]) -> Option<Option<BBox>> {
    let mut bounds = Bounds::default();
    for (y, row) in pixels.chunks_exact(width.max(1) as usize).enumerate() {
        let (bad, any) = row.iter().fold((0_u8, 0_u8), |(bad, any), &p| {
            let valid = (p == InstanceMask::ABSENT)
                | (p == InstanceMask::HIDDEN)
                | (p == InstanceMask::VISIBLE);
            (bad | u8::from(!valid), any | p)
        });
        if bad != 0 {
            return None;
        }
        if any != 0 {
            bounds.add_row(y, row);
        }
    }
    Some(bounds.bbox())
}

/// A box grown row by row around the set (non-zero) pixels of a mask.
#[derive(Clone, Copy, Debug)]
struct Bounds {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            x0: usize::MAX,
            y0: usize::MAX,
            x1: 0,
            y1: 0,
        }
    }
}

impl Bounds {
    /// Grows the box by the set pixels of `row`, row `y`, which has at least
    /// one; rows come in ascending order. Only pixels left of the box so far
    /// can move its left edge, and only pixels right of it its right edge.
    fn add_row(&mut self, y: usize, row: &[u8]) {
        let right_from = if self.y0 == usize::MAX {
            0
        } else {
            self.x1 + 1
        };
        if let Some(first) = row[..self.x0.min(row.len())].iter().position(|&p| p != 0) {
            self.x0 = first;
        }
        if let Some(last) = row[right_from.min(row.len())..]
            .iter()
            .rposition(|&p| p != 0)
        {
            self.x1 = right_from + last;
        }
        self.y0 = self.y0.min(y);
        self.y1 = y;
    }

    fn bbox(self) -> Option<BBox> {
        (self.y0 != usize::MAX).then(|| BBox {
            x: self.x0 as u32,
            y: self.y0 as u32,
            width: (self.x1 - self.x0 + 1) as u32,
            height: (self.y1 - self.y0 + 1) as u32,
        })
    }
}

/// A tight, axis-aligned box around a set of pixels, in pixel units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct BBox {
    /// Column of the left-most pixel.
    pub x: u32,
    /// Row of the top-most pixel.
    pub y: u32,
    /// Number of columns covered.
    pub width: u32,
    /// Number of rows covered.
    pub height: u32,
}

/// A yes/no mask, row-major, one byte per pixel (0 or 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinaryMask {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl BinaryMask {
    /// Builds a mask from row-major pixels valued 0 or 1.
    pub fn from_pixels(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, Problem> {
        check_len(width, height, pixels.len())?;
        if let Some(bad) = pixels.iter().find(|&&p| p > 1) {
            return Err(Problem::Invalid(format!(
                "binary mask value {bad} is neither 0 nor 1"
            )));
        }
        Ok(BinaryMask {
            width,
            height,
            pixels,
        })
    }

    /// Builds a mask that is set where `is_set(x, y)` is true.
    pub fn from_fn(width: u32, height: u32, mut is_set: impl FnMut(u32, u32) -> bool) -> Self {
        let mut pixels = Vec::with_capacity(width as usize * height as usize);
        for y in 0..height {
            // Extending by a range's map checks the capacity once per row.
            pixels.extend((0..width).map(|x| u8::from(is_set(x, y))));
        }
        BinaryMask {
            width,
            height,
            pixels,
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Row-major pixels, 0 or 1.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The row-major pixels, 0 or 1, without a copy.
    pub fn into_pixels(self) -> Vec<u8> {
        self.pixels
    }

    /// Whether the pixel at column `x`, row `y` is set; false outside the mask.
    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.height && self.pixels[self.index(x, y)] != 0
    }

    /// Number of set pixels.
    pub fn area(&self) -> u64 {
        // Values are 0 or 1: a block of 4096 sums in u32 lanes without overflow,
        // which vectorises far better than widening every byte to u64.
        self.pixels
            .chunks(4096)
            .map(|block| u64::from(block.iter().map(|&p| u32::from(p)).sum::<u32>()))
            .sum()
    }

    /// Whether no pixel is set.
    pub fn is_empty(&self) -> bool {
        self.pixels.iter().all(|&p| p == 0)
    }

    /// The tight box around the set pixels; `None` when the mask is empty.
    pub fn bbox(&self) -> Option<BBox> {
        let mut bounds = Bounds::default();
        for (y, row) in self
            .pixels
            .chunks_exact(self.width.max(1) as usize)
            .enumerate()
        {
            // Empty rows, most of them, are skipped by a branch-free OR.
            if row.iter().fold(0, |any, &p| any | p) != 0 {
                bounds.add_row(y, row);
            }
        }
        bounds.bbox()
    }

    fn index(&self, x: u32, y: u32) -> usize {
        y as usize * self.width as usize + x as usize
    }
}

/// A binary mask of a `frame_width` × `frame_height` image, kept only inside
/// a window that holds all its set pixels: the cheap form of a mask that covers
/// a small part of a large image. Made by [`InstanceMask::cropped`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CroppedMask {
    frame_width: u32,
    frame_height: u32,
    x: u32,
    y: u32,
    window: BinaryMask,
}

impl CroppedMask {
    /// The mask `window`, placed with its top-left pixel at column `x`, row `y`
    /// of a `frame_width` × `frame_height` image; it must fit inside.
    pub fn new(
        frame_width: u32,
        frame_height: u32,
        x: u32,
        y: u32,
        window: BinaryMask,
    ) -> Result<Self, Problem> {
        let fits = |start: u32, length: u32, frame: u32| {
            start.checked_add(length).is_some_and(|end| end <= frame)
        };
        if !fits(x, window.width, frame_width) || !fits(y, window.height, frame_height) {
            return Err(Problem::Invalid(format!(
                "a {}×{} window at ({x}, {y}) does not fit in a {frame_width}×{frame_height} mask",
                window.width, window.height
            )));
        }
        Ok(CroppedMask {
            frame_width,
            frame_height,
            x,
            y,
            window,
        })
    }

    /// A mask of a `frame_width` × `frame_height` image with no pixel set.
    pub fn empty(frame_width: u32, frame_height: u32) -> Self {
        CroppedMask {
            frame_width,
            frame_height,
            x: 0,
            y: 0,
            window: BinaryMask::from_fn(0, 0, |_, _| false),
        }
    }

    /// Width of the whole image in pixels.
    pub fn frame_width(&self) -> u32 {
        self.frame_width
    }

    /// Height of the whole image in pixels.
    pub fn frame_height(&self) -> u32 {
        self.frame_height
    }

    /// Column and row of the window's top-left pixel in the image.
    pub fn origin(&self) -> (u32, u32) {
        (self.x, self.y)
    }

    /// The pixels inside the window; every pixel outside it is unset.
    pub fn window(&self) -> &BinaryMask {
        &self.window
    }

    /// Whether the pixel at column `x`, row `y` of the image is set.
    pub fn get(&self, x: u32, y: u32) -> bool {
        x.checked_sub(self.x)
            .zip(y.checked_sub(self.y))
            .is_some_and(|(x, y)| self.window.get(x, y))
    }

    /// Number of set pixels.
    pub fn area(&self) -> u64 {
        self.window.area()
    }

    /// Whether no pixel is set.
    pub fn is_empty(&self) -> bool {
        self.window.is_empty()
    }

    /// The tight box around the set pixels, in image coordinates; `None` when
    /// the mask is empty.
    pub fn bbox(&self) -> Option<BBox> {
        self.window.bbox().map(|bbox| BBox {
            x: bbox.x + self.x,
            y: bbox.y + self.y,
            ..bbox
        })
    }

    /// The same mask over the whole image.
    pub fn to_full(&self) -> BinaryMask {
        let frame_width = self.frame_width as usize;
        let mut pixels = vec![0; frame_width * self.frame_height as usize];
        let window_rows = self
            .window
            .pixels
            .chunks_exact(self.window.width.max(1) as usize);
        let frame_rows = pixels
            .chunks_exact_mut(frame_width.max(1))
            .skip(self.y as usize);
        for (frame_row, window_row) in frame_rows.zip(window_rows) {
            frame_row[self.x as usize..][..window_row.len()].copy_from_slice(window_row);
        }
        BinaryMask {
            width: self.frame_width,
            height: self.frame_height,
            pixels,
        }
    }
}

impl From<BinaryMask> for CroppedMask {
    /// A window as large as the image.
    fn from(mask: BinaryMask) -> Self {
        CroppedMask {
            frame_width: mask.width,
            frame_height: mask.height,
            x: 0,
            y: 0,
            window: mask,
        }
    }
}

/// A per-pixel class map of one part level: `_seg.png` (level 0) or
/// `_parts_N.png` (level N), decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassMap {
    width: u32,
    height: u32,
    classes: Vec<ClassIndex>,
    instances: Vec<u8>,
}

impl ClassMap {
    /// Builds a class map from row-major class indices
    /// ([`ClassIndex::UNLABELED`] where unlabeled) and the per-pixel instance
    /// codes (the B channel; 0 = none).
    pub fn from_pixels(
        width: u32,
        height: u32,
        classes: Vec<ClassIndex>,
        instances: Vec<u8>,
    ) -> Result<Self, Problem> {
        check_len(width, height, classes.len())?;
        check_len(width, height, instances.len())?;
        Ok(ClassMap {
            width,
            height,
            classes,
            instances,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Row-major class indices, [`ClassIndex::UNLABELED`] where unlabeled.
    pub fn classes(&self) -> &[ClassIndex] {
        &self.classes
    }

    /// Row-major instance codes (the B channel): each non-zero value is one
    /// visible instance region; the values are not in object order.
    pub fn instances(&self) -> &[u8] {
        &self.instances
    }

    /// Class index at column `x`, row `y`.
    pub fn class_at(&self, x: u32, y: u32) -> ClassIndex {
        self.classes[y as usize * self.width as usize + x as usize]
    }
}

fn check_len(width: u32, height: u32, len: usize) -> Result<(), Problem> {
    let expected = width as usize * height as usize;
    if len == expected {
        Ok(())
    } else {
        Err(Problem::Invalid(format!(
            "{len} pixels given for a {width}×{height} mask ({expected} expected)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_and_amodal_differ_where_hidden() {
        let mask = InstanceMask::from_pixels(2, 2, vec![255, 128, 0, 255]).unwrap();
        assert_eq!(mask.binary(MaskKind::Visible).pixels(), &[1, 0, 0, 1]);
        assert_eq!(mask.binary(MaskKind::Amodal).pixels(), &[1, 1, 0, 1]);
    }

    #[test]
    fn into_binary_equals_binary() {
        let mask = InstanceMask::from_pixels(3, 1, vec![255, 128, 0]).unwrap();
        for kind in [MaskKind::Visible, MaskKind::Amodal] {
            assert_eq!(mask.clone().into_binary(kind), mask.binary(kind));
        }
        let visible = mask.into_binary(MaskKind::Visible).into_pixels();
        assert_eq!(visible, [1, 0, 0]);
    }

    #[test]
    fn instance_mask_rejects_unknown_values_and_wrong_sizes() {
        assert!(InstanceMask::from_pixels(2, 1, vec![0, 7]).is_err());
        assert!(InstanceMask::from_pixels(2, 2, vec![0, 255]).is_err());
    }

    #[test]
    fn bbox_is_tight_and_none_when_empty() {
        let mask = BinaryMask::from_fn(6, 5, |x, y| (2..=4).contains(&x) && (1..=2).contains(&y));
        assert_eq!(
            mask.bbox(),
            Some(BBox {
                x: 2,
                y: 1,
                width: 3,
                height: 2
            })
        );
        assert_eq!(mask.area(), 6);
        assert_eq!(BinaryMask::from_fn(3, 3, |_, _| false).bbox(), None);
    }

    /// One xorshift64 step: deterministic test data.
    fn next_random(state: &mut u64) {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
    }

    #[test]
    fn bbox_and_area_match_a_pixel_by_pixel_count() {
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        for _ in 0..200 {
            next_random(&mut state);
            let (width, height) = (1 + (state % 9) as u32, 1 + (state / 9 % 7) as u32);
            let bits = state >> 16;
            let mask = BinaryMask::from_fn(width, height, |x, y| {
                bits >> ((y * width + x) % 48) & 1 == 1 && (x + y) % 3 != 0
            });
            let set: Vec<(u32, u32)> = (0..height)
                .flat_map(|y| (0..width).map(move |x| (x, y)))
                .filter(|&(x, y)| mask.pixels()[(y * width + x) as usize] == 1)
                .collect();
            assert_eq!(mask.area(), set.len() as u64);
            let expected = (!set.is_empty()).then(|| {
                let x0 = set.iter().map(|p| p.0).min().unwrap();
                let x1 = set.iter().map(|p| p.0).max().unwrap();
                let y0 = set.iter().map(|p| p.1).min().unwrap();
                let y1 = set.iter().map(|p| p.1).max().unwrap();
                BBox {
                    x: x0,
                    y: y0,
                    width: x1 - x0 + 1,
                    height: y1 - y0 + 1,
                }
            });
            assert_eq!(mask.bbox(), expected);
        }
    }

    #[test]
    fn cropped_masks_equal_the_full_ones() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..300 {
            next_random(&mut state);
            let (width, height) = (1 + (state % 11) as u32, 1 + (state / 11 % 9) as u32);
            let bits = state >> 20;
            let values = [0, 0, 128, 255];
            let pixels = (0..width * height)
                .map(|i| {
                    let inside = (i % width) * 3 > width && (i / width) * 4 > height;
                    if inside {
                        values[(bits >> (i % 40) & 3) as usize]
                    } else {
                        0
                    }
                })
                .collect();
            let mask = InstanceMask::from_pixels(width, height, pixels).unwrap();
            assert_eq!(mask.extent(), mask.binary(MaskKind::Amodal).bbox());
            for kind in [MaskKind::Visible, MaskKind::Amodal] {
                let full = mask.binary(kind);
                let cropped = mask.cropped(kind);
                let from_pixels =
                    InstanceMask::crop_pixels(width, height, mask.pixels(), kind).unwrap();
                assert_eq!(from_pixels, cropped);
                assert_eq!(cropped.to_full(), full);
                assert_eq!(cropped.area(), full.area());
                assert_eq!(cropped.bbox(), full.bbox());
                assert_eq!(cropped.is_empty(), full.is_empty());
                for (x, y) in (0..height).flat_map(|y| (0..width).map(move |x| (x, y))) {
                    assert_eq!(cropped.get(x, y), full.get(x, y));
                }
            }
        }
    }

    #[test]
    fn a_cropped_window_must_fit_its_frame() {
        let window = BinaryMask::from_fn(2, 2, |_, _| true);
        assert!(CroppedMask::new(4, 4, 2, 2, window.clone()).is_ok());
        assert!(CroppedMask::new(4, 4, 3, 0, window.clone()).is_err());
        assert!(CroppedMask::new(4, 4, 0, u32::MAX, window).is_err());
        let empty = InstanceMask::from_pixels(2, 1, vec![0, 0]).unwrap();
        assert_eq!(empty.extent(), None);
        assert_eq!(empty.cropped(MaskKind::Amodal), CroppedMask::empty(2, 1));
        assert_eq!(CroppedMask::empty(2, 1).to_full().pixels(), &[0, 0]);
    }

    #[test]
    fn cropping_pixels_checks_them_as_from_pixels_does() {
        let crop = |width, height, pixels: &[u8]| {
            InstanceMask::crop_pixels(width, height, pixels, MaskKind::Amodal)
        };
        assert!(crop(2, 1, &[0, 7]).is_err());
        assert!(crop(2, 2, &[0, 255, 0]).is_err());
        assert!(crop(3, 1, &[0, 255]).is_err());
        assert_eq!(crop(2, 1, &[0, 0]).unwrap(), CroppedMask::empty(2, 1));
    }

    #[test]
    fn wholly_hidden_object_has_no_visible_pixels() {
        let mask = InstanceMask::from_pixels(2, 1, vec![128, 128]).unwrap();
        assert!(mask.binary(MaskKind::Visible).is_empty());
        assert_eq!(mask.binary(MaskKind::Amodal).area(), 2);
    }
}
