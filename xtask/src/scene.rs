//! Scene geometry: amodal shapes, depth ranks, and the visible region of every
//! object and part that follows from them.
//!
//! A whole object (level 0) is visible where its shape is not covered by a
//! level-0 object of a smaller depth rank. A part (level `n` ≥ 1) can only be
//! seen inside the visible region of its parent, where it is not covered by a
//! sibling part of a smaller depth rank. Its amodal region is its shape clipped
//! to the amodal region of its parent.
//!
//! Shapes are rasterised row by row into spans of columns, so that a scene of
//! several megapixels and a hundred objects composites in milliseconds.

use std::collections::HashMap;
use std::f64::consts::FRAC_1_SQRT_2;
use std::ops::Range;

/// A region of the image plane. A pixel belongs to a shape when its centre does.
#[derive(Clone, Debug)]
pub enum Shape {
    /// Axis-aligned rectangle: columns `left..right`, rows `top..bottom`.
    Rect {
        /// First column.
        left: i32,
        /// First row.
        top: i32,
        /// Column just past the last one.
        right: i32,
        /// Row just past the last one.
        bottom: i32,
    },
    /// Axis-aligned ellipse, in pixel units.
    Ellipse {
        /// Centre column.
        cx: f64,
        /// Centre row.
        cy: f64,
        /// Horizontal radius.
        rx: f64,
        /// Vertical radius.
        ry: f64,
    },
    /// The disc of radius `outer` minus the disc of radius `inner`, both centred on `(cx, cy)`.
    Ring {
        /// Centre column.
        cx: f64,
        /// Centre row.
        cy: f64,
        /// Radius of the outer edge.
        outer: f64,
        /// Radius of the hole.
        inner: f64,
    },
    /// The inside of a closed polygon (even-odd rule), vertices as `(x, y)` in pixel units.
    Polygon(Vec<(f64, f64)>),
    /// Every pixel of any of the shapes.
    Union(Vec<Shape>),
}

/// Unit vectors to the eight corners of an octagon, for polygons around round shapes.
const OCTAGON: [(f64, f64); 8] = [
    (1.0, 0.0),
    (FRAC_1_SQRT_2, FRAC_1_SQRT_2),
    (0.0, 1.0),
    (-FRAC_1_SQRT_2, FRAC_1_SQRT_2),
    (-1.0, 0.0),
    (-FRAC_1_SQRT_2, -FRAC_1_SQRT_2),
    (0.0, -1.0),
    (FRAC_1_SQRT_2, -FRAC_1_SQRT_2),
];

/// A pixel-aligned box: columns `left..right`, rows `top..bottom`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// First column.
    pub left: i32,
    /// First row.
    pub top: i32,
    /// Column just past the last one.
    pub right: i32,
    /// Row just past the last one.
    pub bottom: i32,
}

impl Bounds {
    fn around(cx: f64, cy: f64, rx: f64, ry: f64) -> Bounds {
        Bounds {
            left: (cx - rx).floor() as i32,
            top: (cy - ry).floor() as i32,
            right: (cx + rx).ceil() as i32,
            bottom: (cy + ry).ceil() as i32,
        }
    }

    fn union(self, other: Bounds) -> Bounds {
        Bounds {
            left: self.left.min(other.left),
            top: self.top.min(other.top),
            right: self.right.max(other.right),
            bottom: self.bottom.max(other.bottom),
        }
    }

    /// The rows of these bounds inside an image `height` pixels high.
    fn rows_within(self, height: u32) -> Range<u32> {
        let clip = |value: i32| value.clamp(0, height as i32) as u32;
        clip(self.top)..clip(self.bottom)
    }
}

impl Shape {
    /// A rectangle covering columns `left..right` and rows `top..bottom`.
    pub fn rect(left: i32, top: i32, right: i32, bottom: i32) -> Shape {
        Shape::Rect {
            left,
            top,
            right,
            bottom,
        }
    }

    /// An axis-aligned ellipse.
    pub fn ellipse(cx: f64, cy: f64, rx: f64, ry: f64) -> Shape {
        Shape::Ellipse { cx, cy, rx, ry }
    }

    /// A disc.
    pub fn circle(cx: f64, cy: f64, radius: f64) -> Shape {
        Shape::ellipse(cx, cy, radius, radius)
    }

    /// A disc with a concentric hole.
    pub fn ring(cx: f64, cy: f64, outer: f64, inner: f64) -> Shape {
        Shape::Ring {
            cx,
            cy,
            outer,
            inner,
        }
    }

    /// The inside of the closed polygon through `vertices`.
    pub fn polygon(vertices: Vec<(f64, f64)>) -> Shape {
        Shape::Polygon(vertices)
    }

    /// The union of several shapes.
    pub fn union(shapes: impl IntoIterator<Item = Shape>) -> Shape {
        Shape::Union(shapes.into_iter().collect())
    }

    /// Appends the columns of row `y` whose pixel centres lie in the shape, as
    /// sorted, disjoint ranges clipped to `0..width`. `crossings` is scratch space.
    fn push_row_spans(
        &self,
        y: u32,
        width: u32,
        spans: &mut Vec<Range<u32>>,
        crossings: &mut Vec<f64>,
    ) {
        let py = f64::from(y) + 0.5;
        let mut push = |columns: Range<u32>| {
            if !columns.is_empty() {
                spans.push(columns);
            }
        };
        match self {
            Shape::Rect {
                left,
                top,
                right,
                bottom,
            } => {
                if (i64::from(*top)..i64::from(*bottom)).contains(&i64::from(y)) {
                    let clip = |value: i32| value.clamp(0, width as i32) as u32;
                    push(clip(*left)..clip(*right));
                }
            }
            Shape::Ellipse { cx, cy, rx, ry } => {
                let dy = (py - cy) / ry;
                let half = rx * (1.0 - dy * dy).max(0.0).sqrt();
                push(interval(*cx, half, width, |px| {
                    let (dx, dy) = ((px - cx) / rx, (py - cy) / ry);
                    dx * dx + dy * dy <= 1.0
                }));
            }
            Shape::Ring {
                cx,
                cy,
                outer,
                inner,
            } => {
                let distance_squared = |px: f64| (px - cx) * (px - cx) + (py - cy) * (py - cy);
                let half_chord =
                    |radius: f64| (radius * radius - (py - cy) * (py - cy)).max(0.0).sqrt();
                let disc = interval(*cx, half_chord(*outer), width, |px| {
                    distance_squared(px) <= outer * outer
                });
                let hole = interval(*cx, half_chord(*inner), width, |px| {
                    distance_squared(px) <= inner * inner
                });
                if hole.is_empty() {
                    push(disc);
                } else {
                    push(disc.start..disc.end.min(hole.start));
                    push(disc.start.max(hole.end)..disc.end);
                }
            }
            Shape::Polygon(vertices) => {
                crossings.clear();
                let next = vertices.iter().cycle().skip(1);
                for (&(x0, y0), &(x1, y1)) in vertices.iter().zip(next) {
                    if (y0 > py) != (y1 > py) {
                        crossings.push(x0 + (py - y0) * (x1 - x0) / (y1 - y0));
                    }
                }
                crossings.sort_by(f64::total_cmp);
                // Pixel x is inside between crossings a and b when a <= x + 0.5 < b.
                let column =
                    |crossing: f64| (crossing - 0.5).ceil().clamp(0.0, f64::from(width)) as u32;
                for pair in crossings.chunks_exact(2) {
                    push(column(pair[0])..column(pair[1]));
                }
            }
            Shape::Union(shapes) => {
                let first = spans.len();
                for shape in shapes {
                    shape.push_row_spans(y, width, spans, crossings);
                }
                merge_sorted_spans(spans, first);
            }
        }
    }

    /// The smallest pixel box holding the shape.
    pub fn bounds(&self) -> Bounds {
        match self {
            Shape::Rect {
                left,
                top,
                right,
                bottom,
            } => Bounds {
                left: *left,
                top: *top,
                right: *right,
                bottom: *bottom,
            },
            Shape::Ellipse { cx, cy, rx, ry } => Bounds::around(*cx, *cy, *rx, *ry),
            Shape::Ring { cx, cy, outer, .. } => Bounds::around(*cx, *cy, *outer, *outer),
            Shape::Polygon(vertices) => {
                let (xs, ys) = (vertices.iter().map(|v| v.0), vertices.iter().map(|v| v.1));
                Bounds {
                    left: xs.clone().fold(f64::INFINITY, f64::min).floor() as i32,
                    top: ys.clone().fold(f64::INFINITY, f64::min).floor() as i32,
                    right: xs.fold(f64::NEG_INFINITY, f64::max).ceil() as i32,
                    bottom: ys.fold(f64::NEG_INFINITY, f64::max).ceil() as i32,
                }
            }
            Shape::Union(shapes) => shapes
                .iter()
                .map(Shape::bounds)
                .reduce(Bounds::union)
                .unwrap_or(Bounds {
                    left: 0,
                    top: 0,
                    right: 0,
                    bottom: 0,
                }),
        }
    }

    /// A polygon around the shape, as an annotator would click it: the
    /// corners of a rectangle or of the bounds of a union, eight points around
    /// a round shape, the rounded vertices of a polygon. Points are clamped
    /// into a `width` × `height` image.
    pub fn outline(&self, width: u32, height: u32) -> Vec<(i32, i32)> {
        let corners = |b: Bounds| {
            vec![
                (b.left, b.top),
                (b.right, b.top),
                (b.right, b.bottom),
                (b.left, b.bottom),
            ]
        };
        let points = match self {
            Shape::Rect { .. } | Shape::Union(_) => corners(self.bounds()),
            Shape::Ellipse { cx, cy, rx, ry } => octagon(*cx, *cy, *rx, *ry),
            Shape::Ring { cx, cy, outer, .. } => octagon(*cx, *cy, *outer, *outer),
            Shape::Polygon(vertices) => vertices
                .iter()
                .map(|&(x, y)| (x.round() as i32, y.round() as i32))
                .collect(),
        };
        points
            .into_iter()
            .map(|(x, y)| (x.clamp(0, width as i32 - 1), y.clamp(0, height as i32 - 1)))
            .collect()
    }
}

/// The columns in `0..width` whose pixel centres pass `inside`, a test that
/// holds on one interval around `centre` and nowhere else. `half` estimates
/// the half-width of that interval; the exact ends are found with `inside`.
fn interval(centre: f64, half: f64, width: u32, inside: impl Fn(f64) -> bool) -> Range<u32> {
    let last = i64::from(width) - 1;
    let holds = |x: i64| inside(x as f64 + 0.5);
    // The column nearest the centre is in the interval, if any column is.
    let seed = ((centre - 0.5).round() as i64).clamp(0, last);
    if !holds(seed) {
        return 0..0;
    }
    let mut start = ((centre - half - 0.5).ceil() as i64).clamp(0, seed);
    while !holds(start) {
        start += 1;
    }
    while start > 0 && holds(start - 1) {
        start -= 1;
    }
    let mut end = ((centre + half - 0.5).floor() as i64 + 1).clamp(seed + 1, last + 1);
    while !holds(end - 1) {
        end -= 1;
    }
    while end <= last && holds(end) {
        end += 1;
    }
    start as u32..end as u32
}

/// Sorts `spans[first..]` and merges the ones that overlap or touch.
fn merge_sorted_spans(spans: &mut Vec<Range<u32>>, first: usize) {
    spans[first..].sort_by_key(|span| span.start);
    let mut kept = first;
    for index in first..spans.len() {
        let span = spans[index].clone();
        if kept > first && span.start <= spans[kept - 1].end {
            spans[kept - 1].end = spans[kept - 1].end.max(span.end);
        } else {
            spans[kept] = span;
            kept += 1;
        }
    }
    spans.truncate(kept);
}

fn octagon(cx: f64, cy: f64, rx: f64, ry: f64) -> Vec<(i32, i32)> {
    OCTAGON
        .iter()
        .map(|(dx, dy)| ((cx + rx * dx).round() as i32, (cy + ry * dy).round() as i32))
        .collect()
}

/// A set of pixels inside the image, row by row: sorted, disjoint column spans.
#[derive(Clone, Debug, Default)]
struct Region {
    /// First row that may hold spans.
    top: u32,
    /// The spans of row `top + i` are `spans[row_ends[i - 1]..row_ends[i]]` (from 0 for `i = 0`).
    row_ends: Vec<usize>,
    spans: Vec<Range<u32>>,
}

impl Region {
    /// The pixels of `shape` inside a `width` × `height` image.
    fn of(shape: &Shape, width: u32, height: u32) -> Region {
        let rows = shape.bounds().rows_within(height);
        let mut region = Region {
            top: rows.start,
            ..Region::default()
        };
        let mut crossings = Vec::new();
        for y in rows {
            shape.push_row_spans(y, width, &mut region.spans, &mut crossings);
            region.row_ends.push(region.spans.len());
        }
        region
    }

    /// The spans of row `y`; none outside the region's rows.
    fn row(&self, y: u32) -> &[Range<u32>] {
        let Some(row) = y.checked_sub(self.top).map(|row| row as usize) else {
            return &[];
        };
        match row {
            0 => &self.spans[..self.row_ends.first().copied().unwrap_or(0)],
            _ if row < self.row_ends.len() => {
                &self.spans[self.row_ends[row - 1]..self.row_ends[row]]
            }
            _ => &[],
        }
    }

    /// Every row with its spans, top to bottom.
    fn rows(&self) -> impl Iterator<Item = (u32, &[Range<u32>])> {
        (self.top..self.top + self.row_ends.len() as u32).map(|y| (y, self.row(y)))
    }

    /// The pixels in both regions.
    fn intersection(&self, other: &Region) -> Region {
        let mut region = Region {
            top: self.top,
            ..Region::default()
        };
        for (y, mine) in self.rows() {
            let theirs = other.row(y);
            let (mut i, mut j) = (0, 0);
            while i < mine.len() && j < theirs.len() {
                let start = mine[i].start.max(theirs[j].start);
                let end = mine[i].end.min(theirs[j].end);
                if start < end {
                    region.spans.push(start..end);
                }
                if mine[i].end < theirs[j].end {
                    i += 1;
                } else {
                    j += 1;
                }
            }
            region.row_ends.push(region.spans.len());
        }
        region
    }

    /// How many pixels the region holds.
    fn area(&self) -> u64 {
        self.spans
            .iter()
            .map(|span| u64::from(span.end - span.start))
            .sum()
    }

    /// Whether a pixel of the region lies on the border of a `width` × `height` image.
    fn touches_border(&self, width: u32, height: u32) -> bool {
        self.rows().any(|(y, spans)| {
            !spans.is_empty()
                && (y == 0
                    || y == height - 1
                    || spans
                        .iter()
                        .any(|span| span.start == 0 || span.end == width))
        })
    }
}

/// Where an object or part lies: its amodal shape, its place in depth, its parent.
#[derive(Clone, Debug)]
pub struct Placement {
    /// The whole extent of the object, seen or hidden.
    pub shape: Shape,
    /// 1 = front-most among the objects that share its parent (or among the
    /// whole objects). Distinct among those.
    pub depth_rank: u32,
    /// Index of the object this one is a part of; `None` for a whole object.
    /// Parents come before their parts.
    pub parent: Option<usize>,
}

/// Marks a pixel where no object of a part level is seen.
const NOTHING: u32 = u32::MAX;

/// A composited scene: for every part level and pixel, which object is seen.
pub struct Scene {
    width: u32,
    height: u32,
    placements: Vec<Placement>,
    levels: Vec<usize>,
    /// Per object: the pixels where it is, seen or hidden.
    amodal: Vec<Region>,
    /// Per part level, per pixel (row-major): the index of the visible object, or [`NOTHING`].
    visible: Vec<Vec<u32>>,
    /// Per object: how many of its pixels are seen.
    visible_area: Vec<u64>,
}

impl Scene {
    /// Composites `placements` in a `width` × `height` image.
    ///
    /// Fails when the image is empty, when a parent does not come before its
    /// part, or when two objects with the same parent share a depth rank.
    pub fn new(width: u32, height: u32, placements: Vec<Placement>) -> Result<Scene, String> {
        if width == 0 || height == 0 {
            return Err(format!("the image is {width} × {height} pixels"));
        }
        if placements.len() >= NOTHING as usize {
            return Err(format!("{} objects are too many", placements.len()));
        }
        let mut levels = Vec::with_capacity(placements.len());
        let mut ranks = HashMap::new();
        for (index, placement) in placements.iter().enumerate() {
            let level = match placement.parent {
                None => 0,
                Some(parent) if parent < index => levels[parent] + 1,
                Some(parent) => {
                    return Err(format!(
                        "object {index} is a part of object {parent}, which does not come before it"
                    ))
                }
            };
            levels.push(level);
            if let Some(other) = ranks.insert((placement.parent, placement.depth_rank), index) {
                return Err(format!(
                    "objects {other} and {index} have the same parent and depth rank {}",
                    placement.depth_rank
                ));
            }
        }
        let mut amodal: Vec<Region> = Vec::with_capacity(placements.len());
        for placement in &placements {
            let region = Region::of(&placement.shape, width, height);
            let region = match placement.parent {
                None => region,
                Some(parent) => region.intersection(&amodal[parent]),
            };
            amodal.push(region);
        }
        let mut scene = Scene {
            width,
            height,
            placements,
            levels,
            amodal,
            visible: Vec::new(),
            visible_area: Vec::new(),
        };
        for level in 0..=scene.max_level() {
            let composited = scene.composite(level);
            scene.visible.push(composited);
        }
        scene.visible_area = vec![0; scene.placements.len()];
        for &index in scene.visible.iter().flatten() {
            if index != NOTHING {
                scene.visible_area[index as usize] += 1;
            }
        }
        Ok(scene)
    }

    /// Paints the objects of `level` back to front, each inside the visible
    /// region of its parent.
    fn composite(&self, level: usize) -> Vec<u32> {
        let mut visible = vec![NOTHING; self.width as usize * self.height as usize];
        let mut back_to_front: Vec<usize> = (0..self.placements.len())
            .filter(|&index| self.levels[index] == level)
            .collect();
        back_to_front.sort_by_key(|&index| std::cmp::Reverse(self.placements[index].depth_rank));
        for index in back_to_front {
            let parent = self.placements[index].parent.map(|parent| parent as u32);
            for (y, spans) in self.amodal[index].rows() {
                let row = y as usize * self.width as usize;
                for span in spans {
                    let pixels = row + span.start as usize..row + span.end as usize;
                    match parent {
                        None => visible[pixels].fill(index as u32),
                        Some(parent) => {
                            let parents_seen = &self.visible[level - 1][pixels.clone()];
                            for (pixel, &seen) in visible[pixels].iter_mut().zip(parents_seen) {
                                if seen == parent {
                                    *pixel = index as u32;
                                }
                            }
                        }
                    }
                }
            }
        }
        visible
    }

    /// Part level of object `index`: 0 for a whole object, 1 for its parts, ...
    pub fn level(&self, index: usize) -> usize {
        self.levels[index]
    }

    /// Part levels of all objects, in object order.
    pub fn levels(&self) -> impl Iterator<Item = usize> + '_ {
        self.levels.iter().copied()
    }

    /// The deepest part level in the scene.
    pub fn max_level(&self) -> usize {
        self.levels.iter().copied().max().unwrap_or(0)
    }

    /// Indices of the direct parts of object `index`.
    pub fn parts_of(&self, index: usize) -> Vec<usize> {
        (0..self.placements.len())
            .filter(|&part| self.placements[part].parent == Some(index))
            .collect()
    }

    /// For every pixel of row `y`, left to right, the object seen there among
    /// those of part level `level`.
    pub fn visible_row(&self, level: usize, y: u32) -> impl Iterator<Item = Option<usize>> + '_ {
        let width = self.width as usize;
        let start = y as usize * width;
        self.visible[level][start..start + width]
            .iter()
            .map(|&index| (index != NOTHING).then_some(index as usize))
    }

    /// The instance mask of object `index`, row-major: `visible` where the
    /// object is seen, `hidden` where it is behind another one, 0 elsewhere.
    pub fn mask(&self, index: usize, visible: u8, hidden: u8) -> Vec<u8> {
        let width = self.width as usize;
        let mut mask = vec![0; width * self.height as usize];
        let seen = &self.visible[self.levels[index]];
        for (y, spans) in self.amodal[index].rows() {
            let row = y as usize * width;
            for span in spans {
                let pixels = row + span.start as usize..row + span.end as usize;
                for (value, &seen) in mask[pixels.clone()].iter_mut().zip(&seen[pixels]) {
                    *value = if seen == index as u32 {
                        visible
                    } else {
                        hidden
                    };
                }
            }
        }
        mask
    }

    /// Whether part of object `index` is hidden behind another object.
    pub fn is_occluded(&self, index: usize) -> bool {
        // The visible pixels are a subset of the amodal ones.
        self.amodal[index].area() > self.visible_area[index]
    }

    /// Whether object `index` reaches the border of the image.
    pub fn is_cropped(&self, index: usize) -> bool {
        self.amodal[index].touches_border(self.width, self.height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(shape: Shape, depth_rank: u32, parent: Option<usize>) -> Placement {
        Placement {
            shape,
            depth_rank,
            parent,
        }
    }

    /// Whether the centre of pixel `(x, y)` lies in the shape, by definition.
    fn contains(shape: &Shape, x: u32, y: u32) -> bool {
        let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
        match shape {
            Shape::Rect {
                left,
                top,
                right,
                bottom,
            } => {
                (i64::from(*left)..i64::from(*right)).contains(&i64::from(x))
                    && (i64::from(*top)..i64::from(*bottom)).contains(&i64::from(y))
            }
            Shape::Ellipse { cx, cy, rx, ry } => {
                let (dx, dy) = ((px - cx) / rx, (py - cy) / ry);
                dx * dx + dy * dy <= 1.0
            }
            Shape::Ring {
                cx,
                cy,
                outer,
                inner,
            } => {
                let distance_squared = (px - cx) * (px - cx) + (py - cy) * (py - cy);
                distance_squared <= outer * outer && distance_squared > inner * inner
            }
            Shape::Polygon(vertices) => {
                let next = vertices.iter().cycle().skip(1);
                let crossings_left = vertices
                    .iter()
                    .zip(next)
                    .filter(|(&(x0, y0), &(x1, y1))| {
                        (y0 > py) != (y1 > py) && x0 + (py - y0) * (x1 - x0) / (y1 - y0) <= px
                    })
                    .count();
                crossings_left % 2 == 1
            }
            Shape::Union(shapes) => shapes.iter().any(|shape| contains(shape, x, y)),
        }
    }

    #[test]
    fn spans_hold_exactly_the_pixels_whose_centres_are_inside() {
        let (width, height) = (40, 30);
        let shapes = [
            Shape::rect(-3, 2, 17, 50),
            Shape::circle(15.5, 40.0, 3.5),
            Shape::circle(10.0, 10.0, 3.0),
            Shape::ellipse(-2.0, 12.3, 9.7, 20.1),
            Shape::ellipse(39.9, 0.0, 5.0, 0.3),
            Shape::ring(14.0, 12.0, 10.0, 4.0),
            Shape::ring(30.0, 29.0, 3.0, 2.9),
            Shape::polygon(vec![
                (2.0, 3.0),
                (30.5, 1.2),
                (12.0, 14.0),
                (38.0, 27.7),
                (1.0, 26.0),
            ]),
            Shape::union([Shape::rect(8, 28, 44, 44), Shape::circle(8.0, 25.0, 6.0)]),
        ];
        for shape in &shapes {
            let region = Region::of(shape, width, height);
            for y in 0..height {
                let spans = region.row(y);
                assert!(spans.windows(2).all(|pair| pair[0].end < pair[1].start));
                for x in 0..width {
                    let in_spans = spans.iter().any(|span| span.contains(&x));
                    assert_eq!(in_spans, contains(shape, x, y), "{shape:?} at ({x}, {y})");
                }
            }
        }
    }

    #[test]
    fn front_objects_hide_back_objects_and_parts_stay_inside_their_parent() {
        let scene = Scene::new(
            8,
            4,
            vec![
                placed(Shape::rect(0, 0, 6, 4), 2, None),
                placed(Shape::rect(4, 0, 8, 4), 1, None),
                placed(Shape::rect(2, 0, 8, 2), 1, Some(0)),
            ],
        )
        .unwrap();
        let at = |index: usize, x: usize, y: usize| scene.mask(index, 255, 128)[y * 8 + x];
        assert_eq!(at(0, 3, 3), 255);
        assert_eq!(at(0, 5, 3), 128);
        assert_eq!(at(2, 3, 1), 255);
        assert_eq!(at(2, 5, 1), 128);
        assert_eq!(at(2, 7, 1), 0);
        assert_eq!(scene.visible_row(1, 1).nth(5), Some(None));
        assert!(scene.is_occluded(0) && !scene.is_occluded(1));
        assert!(scene.is_cropped(1));
    }

    #[test]
    fn a_ring_has_a_hole() {
        let ring = Region::of(&Shape::ring(10.0, 10.0, 8.0, 3.0), 20, 20);
        assert_eq!(ring.row(10), &[2..7, 13..18]);
        assert_eq!((ring.row(15).len(), ring.row(15)[0].clone()), (1, 4..16));
        assert_eq!(ring.row(19), &[] as &[Range<u32>]);
    }

    #[test]
    fn siblings_sharing_a_depth_rank_are_rejected() {
        let shape = || Shape::rect(0, 0, 2, 2);
        let error = Scene::new(
            4,
            4,
            vec![placed(shape(), 1, None), placed(shape(), 1, None)],
        );
        assert!(error.is_err());
    }

    #[test]
    fn a_part_listed_before_its_parent_is_rejected() {
        let shape = || Shape::rect(0, 0, 2, 2);
        let error = Scene::new(
            4,
            4,
            vec![placed(shape(), 1, Some(1)), placed(shape(), 1, None)],
        );
        assert!(error.is_err());
    }
}
