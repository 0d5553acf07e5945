//! Drawing masks over an item's image, to see what each annotation covers:
//! the item's own visible masks ([`item_shapes`]) or the annotations a COCO
//! file holds for it ([`coco_shapes`]), drawn by [`Canvas::draw`].
//!
//! **How a shape is drawn.** Inside its mask, each pixel becomes the mean of
//! the image and the shape's colour, per channel, rounded down:
//! `(image + colour) / 2`. The mask's border pixels (those with a left,
//! right, upper or lower neighbour inside the image that is not in the mask)
//! take the colour itself. Shapes are drawn in order, then their labels: the
//! name in an 8×8 bitmap font (public domain, from the `font8x8` crate),
//! scaled by 1 per 512 pixels of the image's shorter side, on a box of the
//! shape's colour, centred on the mask pixel nearest to the mask's centroid
//! and moved inside the image where it would cross its border.
//!
//! **Colours** come from a palette of well-separated hues ([`palette_color`]),
//! taken in order by the classes of the shapes drawn or by the shapes
//! themselves ([`ColorBy`]), so neighbours look different in every preview.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

use ade20k_model::{BinaryMask, Category, Error, Item, MaskKind, Problem};
use font8x8::{UnicodeFonts, BASIC_FONTS, LATIN_FONTS};
use serde::Deserialize;

use ade20k_export::image_file_name;
use ade20k_export::rle::Rle;
use ade20k_export::trace::rasterize_even_odd;

/// Which colour of the palette ([`palette_color`]) a shape gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorBy {
    /// One colour per class (ADE class index, or COCO category id): colour
    /// `n` for the `n`-th class to appear among the shapes drawn, from 0.
    #[default]
    Class,
    /// One colour per shape: colour `n` for the `n`-th shape drawn, from 0.
    Instance,
}

/// A mask to draw, with its colour and label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    /// The pixels covered; the size of the canvas.
    pub mask: BinaryMask,
    /// RGB colour.
    pub color: [u8; 3],
    /// The text written on the shape; empty for none.
    pub label: String,
}

/// Colour `n` of the preview palette: hues `n × 0.618…` turns around the
/// colour wheel (the golden ratio keeps any few consecutive ones far apart),
/// saturation 0.75, value 0.95 for even `n` and 0.7 for odd `n`.
pub fn palette_color(n: usize) -> [u8; 3] {
    const GOLDEN_RATIO_CONJUGATE: f64 = 0.618_033_988_749_895;
    let hue = (n as f64 * GOLDEN_RATIO_CONJUGATE).fract() * 6.0;
    let saturation = 0.75;
    let value = if n.is_multiple_of(2) { 0.95 } else { 0.7 };
    let sector = hue.floor();
    let fraction = hue - sector;
    let low = value * (1.0 - saturation);
    let falling = value * (1.0 - saturation * fraction);
    let rising = value * (1.0 - saturation * (1.0 - fraction));
    let (r, g, b) = match sector as u8 {
        0 => (value, rising, low),
        1 => (falling, value, low),
        2 => (low, value, rising),
        3 => (low, falling, value),
        4 => (rising, low, value),
        _ => (value, low, falling),
    };
    [r, g, b].map(|channel| (channel * 255.0).round() as u8)
}

/// Gives shapes their colours, in drawing order (see [`ColorBy`]).
struct Colors {
    by: ColorBy,
    /// Rank of each class, in order of first appearance.
    ranks: HashMap<u32, usize>,
}

impl Colors {
    fn new(by: ColorBy) -> Self {
        Colors {
            by,
            ranks: HashMap::new(),
        }
    }

    /// The colour of the shape at `position` among those drawn, of class `class`.
    fn of(&mut self, class: u32, position: usize) -> [u8; 3] {
        match self.by {
            ColorBy::Class => {
                let next = self.ranks.len();
                palette_color(*self.ranks.entry(class).or_insert(next))
            }
            ColorBy::Instance => palette_color(position),
        }
    }
}

/// The visible masks of `item`'s objects of part level `level` (0: whole
/// objects), in annotation order, labelled with the first synonym of their
/// class name and coloured by class index or by position.
pub fn item_shapes(item: &Item, level: u32, color_by: ColorBy) -> Result<Vec<Shape>, Error> {
    let mut colors = Colors::new(color_by);
    item.objects
        .iter()
        .enumerate()
        .filter(|(_, object)| object.part_level == level)
        .enumerate()
        .map(|(position, (index, object))| {
            Ok(Shape {
                mask: item.binary_mask(index, MaskKind::Visible)?,
                color: colors.of(object.class.0, position),
                label: Category::of(object).first_synonym().to_string(),
            })
        })
        .collect()
}

/// The parts of a COCO instances file that previews read.
#[derive(Deserialize)]
struct CocoFile {
    images: Vec<CocoImage>,
    annotations: Vec<CocoAnnotation>,
    categories: Vec<CocoCategory>,
}

#[derive(Deserialize)]
struct CocoImage {
    id: u64,
    file_name: String,
    width: u32,
    height: u32,
}

#[derive(Deserialize)]
struct CocoAnnotation {
    image_id: u64,
    category_id: u32,
    segmentation: CocoSegmentation,
    #[serde(default)]
    attributes: CocoAttributes,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CocoSegmentation {
    Rle { size: [u32; 2], counts: RleCounts },
    Polygons(Vec<Vec<f64>>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RleCounts {
    Compressed(String),
    Uncompressed(Vec<u32>),
}

#[derive(Default, Deserialize)]
struct CocoAttributes {
    #[serde(default)]
    part_level: u32,
}

#[derive(Deserialize)]
struct CocoCategory {
    id: u32,
    name: String,
}

/// The annotations of the COCO instances file at `path` (as the `coco`
/// format writes it) for the image of `item`, whose `file_name` is
/// `<item id>.<ext>`; only those of part level `level` (`attributes.part_level`,
/// 0 when absent). RLE (compressed or not) and polygons (their union, each
/// filled with the even-odd rule at pixel centres) become masks; labels are
/// the category names, colours by category or by position.
///
/// The whole file is parsed: a COCO file of the full release takes memory
/// in proportion.
pub fn coco_shapes(
    path: &Path,
    item: &Item,
    level: u32,
    color_by: ColorBy,
) -> Result<Vec<Shape>, Error> {
    let file = ade20k_fs::open_regular(path)?;
    let coco: CocoFile = serde_json::from_reader(BufReader::new(file))
        .map_err(|e| Error::new(path, Problem::Json(e.to_string())))?;
    let file_name = image_file_name(item);
    let image = coco
        .images
        .iter()
        .find(|image| image.file_name == file_name)
        .ok_or_else(|| {
            Error::invalid(
                path,
                format!(
                    "no image with file_name `{file_name}` (the item {})",
                    item.id
                ),
            )
        })?;
    let (width, height) = (item.image.width, item.image.height);
    if (image.width, image.height) != (width, height) {
        return Err(Error::invalid(
            path,
            format!(
                "image `{file_name}` is {}×{} here but the item's image is {width}×{height}",
                image.width, image.height
            ),
        ));
    }
    let name_of = |id: u32| {
        coco.categories
            .iter()
            .find(|category| category.id == id)
            .map_or_else(
                || format!("category {id}"),
                |category| category.name.clone(),
            )
    };
    let mut colors = Colors::new(color_by);
    coco.annotations
        .iter()
        .filter(|annotation| {
            annotation.image_id == image.id && annotation.attributes.part_level == level
        })
        .enumerate()
        .map(|(position, annotation)| {
            let mask = match &annotation.segmentation {
                CocoSegmentation::Rle { size, counts } => {
                    if *size != [height, width] {
                        return Err(Error::invalid(
                            path,
                            format!(
                                "an annotation of `{file_name}` has an RLE of size {:?}, \
                                 not [{height}, {width}]",
                                size
                            ),
                        ));
                    }
                    let rle = match counts {
                        RleCounts::Compressed(text) => Rle::from_coco_string(height, width, text),
                        RleCounts::Uncompressed(counts) => Ok(Rle {
                            height,
                            width,
                            counts: counts.clone(),
                        }),
                    };
                    rle.and_then(|rle| rle.decode()).map_err(|e| {
                        Error::invalid(path, format!("an RLE of `{file_name}`: {e}"))
                    })?
                }
                CocoSegmentation::Polygons(polygons) => union_of_polygons(polygons, width, height),
            };
            Ok(Shape {
                mask,
                color: colors.of(annotation.category_id, position),
                label: name_of(annotation.category_id),
            })
        })
        .collect()
}

/// The pixels inside any of COCO's flattened polygons `[x1, y1, x2, y2, …]`.
fn union_of_polygons(polygons: &[Vec<f64>], width: u32, height: u32) -> BinaryMask {
    let mut pixels = vec![0u8; width as usize * height as usize];
    for flat in polygons {
        let points: Vec<[f64; 2]> = flat.chunks_exact(2).map(|xy| [xy[0], xy[1]]).collect();
        let filled = rasterize_even_odd(&points, width, height);
        for (pixel, &set) in pixels.iter_mut().zip(filled.pixels()) {
            *pixel |= set;
        }
    }
    BinaryMask::from_fn(width, height, |x, y| {
        pixels[y as usize * width as usize + x as usize] != 0
    })
}

/// An RGB image to draw shapes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Canvas {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Canvas {
    /// A canvas of `width × height` pixels, row-major, 3 bytes per pixel.
    pub fn new(width: u32, height: u32, rgb: Vec<u8>) -> Result<Self, Problem> {
        let expected = width as usize * height as usize * 3;
        if rgb.len() != expected {
            return Err(Problem::Invalid(format!(
                "{} bytes given for a {width}×{height} RGB image ({expected} expected)",
                rgb.len()
            )));
        }
        Ok(Canvas { width, height, rgb })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The colour at column `x`, row `y`.
    ///
    /// # Panics
    ///
    /// When the pixel is outside the canvas.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let at = self.offset(x, y);
        [self.rgb[at], self.rgb[at + 1], self.rgb[at + 2]]
    }

    /// The pixels, row-major, 3 bytes per pixel.
    pub fn into_rgb(self) -> Vec<u8> {
        self.rgb
    }

    /// Draws `shapes`, then their labels (see the [module docs](self)). A
    /// mask whose size is not the canvas's is an error, and nothing is drawn.
    pub fn draw(&mut self, shapes: &[Shape]) -> Result<(), Problem> {
        if let Some(shape) = shapes
            .iter()
            .find(|shape| (shape.mask.width(), shape.mask.height()) != (self.width, self.height))
        {
            return Err(Problem::Invalid(format!(
                "the mask of `{}` is {}×{} pixels but the image is {}×{}",
                shape.label,
                shape.mask.width(),
                shape.mask.height(),
                self.width,
                self.height
            )));
        }
        for shape in shapes {
            self.fill(shape);
        }
        for shape in shapes {
            if let Some((x, y)) = label_anchor(&shape.mask) {
                self.label(&shape.label, shape.color, x, y);
            }
        }
        Ok(())
    }

    fn offset(&self, x: u32, y: u32) -> usize {
        (y as usize * self.width as usize + x as usize) * 3
    }

    fn set(&mut self, x: u32, y: u32, color: [u8; 3]) {
        let at = self.offset(x, y);
        self.rgb[at..at + 3].copy_from_slice(&color);
    }

    /// Blends the inside of `shape` with its colour and outlines it.
    fn fill(&mut self, shape: &Shape) {
        let mask = &shape.mask;
        let (width, height) = (i64::from(self.width), i64::from(self.height));
        // Pixels outside the canvas count as inside, so the image's border is no outline.
        let inside = |x: i64, y: i64| {
            x < 0 || y < 0 || x >= width || y >= height || mask.get(x as u32, y as u32)
        };
        for y in 0..self.height {
            for x in 0..self.width {
                if !mask.get(x, y) {
                    continue;
                }
                let (sx, sy) = (i64::from(x), i64::from(y));
                let border = !(inside(sx - 1, sy)
                    && inside(sx + 1, sy)
                    && inside(sx, sy - 1)
                    && inside(sx, sy + 1));
                let color = if border {
                    shape.color
                } else {
                    let image = self.pixel(x, y);
                    [0, 1, 2].map(|c| ((u16::from(image[c]) + u16::from(shape.color[c])) / 2) as u8)
                };
                self.set(x, y, color);
            }
        }
    }

    /// Writes `text` on a box of `color`, centred on (`x`, `y`) and kept inside the canvas.
    fn label(&mut self, text: &str, color: [u8; 3], x: u32, y: u32) {
        if text.is_empty() {
            return;
        }
        let scale = (self.width.min(self.height) / 512).max(1);
        let glyphs: Vec<[u8; 8]> = text.chars().map(glyph).collect();
        let box_width = (glyphs.len() as u32 * 8 + 2) * scale;
        let box_height = 10 * scale;
        let left = x
            .saturating_sub(box_width / 2)
            .min(self.width.saturating_sub(box_width));
        let top = y
            .saturating_sub(box_height / 2)
            .min(self.height.saturating_sub(box_height));
        let luminance =
            299 * u32::from(color[0]) + 587 * u32::from(color[1]) + 114 * u32::from(color[2]);
        let ink = if luminance > 128_000 {
            [0, 0, 0]
        } else {
            [255, 255, 255]
        };
        for by in 0..box_height {
            for bx in 0..box_width {
                let (px, py) = (left + bx, top + by);
                if px >= self.width || py >= self.height {
                    continue;
                }
                // Glyph pixel (column, row) under this box pixel, past the 1-pixel margin.
                let (column, row) = ((bx / scale).wrapping_sub(1), (by / scale).wrapping_sub(1));
                let on = row < 8
                    && glyphs
                        .get((column / 8) as usize)
                        .is_some_and(|glyph| glyph[row as usize] >> (column % 8) & 1 == 1);
                self.set(px, py, if on { ink } else { color });
            }
        }
    }
}

/// The 8×8 bitmap of `c` (rows top to bottom, bit 0 the leftmost pixel);
/// `?` for characters the font lacks.
fn glyph(c: char) -> [u8; 8] {
    BASIC_FONTS
        .get(c)
        .or_else(|| LATIN_FONTS.get(c))
        .or_else(|| BASIC_FONTS.get('?'))
        .unwrap_or_default()
}

/// The pixel of `mask` nearest to its centroid; `None` for an empty mask.
fn label_anchor(mask: &BinaryMask) -> Option<(u32, u32)> {
    let (mut count, mut sum_x, mut sum_y) = (0u64, 0u64, 0u64);
    for y in 0..mask.height() {
        for x in 0..mask.width() {
            if mask.get(x, y) {
                count += 1;
                sum_x += u64::from(x);
                sum_y += u64::from(y);
            }
        }
    }
    if count == 0 {
        return None;
    }
    let (cx, cy) = (sum_x as f64 / count as f64, sum_y as f64 / count as f64);
    let mut best = None;
    let mut best_distance = f64::INFINITY;
    for y in 0..mask.height() {
        for x in 0..mask.width() {
            let distance = (f64::from(x) - cx).powi(2) + (f64::from(y) - cy).powi(2);
            if mask.get(x, y) && distance < best_distance {
                best_distance = distance;
                best = Some((x, y));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insides_take_the_mean_and_borders_the_colour() {
        let mut canvas = Canvas::new(4, 4, vec![100; 4 * 4 * 3]).unwrap();
        let square = BinaryMask::from_fn(4, 4, |x, y| x < 3 && y < 3);
        let shape = Shape {
            mask: square,
            color: [200, 0, 50],
            label: String::new(),
        };
        canvas.draw(&[shape]).unwrap();
        assert_eq!(canvas.pixel(1, 1), [150, 50, 75]); // inside: the mean
        assert_eq!(canvas.pixel(2, 1), [200, 0, 50]); // border: the colour
        assert_eq!(canvas.pixel(3, 3), [100, 100, 100]); // outside: the image
        assert_ne!(palette_color(0), palette_color(1));
    }

    #[test]
    fn palette_colours_are_distinct() {
        // The command's tests draw with these two.
        assert_eq!(palette_color(1), [45, 84, 179]);
        assert_eq!(palette_color(2), [167, 242, 61]);
        let colors: Vec<[u8; 3]> = (0..50).map(palette_color).collect();
        for (i, a) in colors.iter().enumerate() {
            for b in &colors[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn labels_are_drawn_on_the_anchor_and_kept_inside() {
        let mut canvas = Canvas::new(20, 12, vec![0; 20 * 12 * 3]).unwrap();
        let mask = BinaryMask::from_fn(20, 12, |x, _| x >= 18);
        let shape = Shape {
            mask,
            color: [255, 255, 0],
            label: "A".into(),
        };
        canvas.draw(&[shape]).unwrap();
        // The anchor is (18, 5); the 10×10 box of one glyph is moved left to
        // stay inside: columns 10..20, rows 0..10, a 1-pixel margin around the glyph.
        assert_eq!(canvas.pixel(10, 1), [255, 255, 0]);
        assert_eq!(canvas.pixel(9, 1), [0, 0, 0]);
        // Row 1 of 'A' is 0x1E: glyph columns 1–4, in black on yellow.
        assert_eq!(canvas.pixel(12, 2), [0, 0, 0]);
        assert_eq!(canvas.pixel(11, 2), [255, 255, 0]);
    }

    #[test]
    fn polygons_are_united() {
        let mask = union_of_polygons(
            &[
                vec![0.0, 0.0, 2.0, 0.0, 2.0, 2.0, 0.0, 2.0],
                vec![1.0, 1.0, 4.0, 1.0, 4.0, 3.0, 1.0, 3.0],
            ],
            4,
            3,
        );
        assert_eq!(mask.area(), 4 + 6 - 1);
    }

    #[test]
    fn masks_of_another_size_are_refused() {
        let mut canvas = Canvas::new(2, 2, vec![0; 12]).unwrap();
        let shape = Shape {
            mask: BinaryMask::from_fn(3, 2, |_, _| true),
            color: [1, 2, 3],
            label: "car".into(),
        };
        let error = canvas.draw(&[shape]).unwrap_err().to_string();
        assert!(error.contains("`car` is 3×2"), "{error}");
        assert!(Canvas::new(2, 2, vec![0; 11]).is_err());
    }
}
