//! Scene geometry: amodal shapes, depth ranks, and the visible region of every
//! object and part that follows from them.
//!
//! A whole object (level 0) is visible where its shape is not covered by a
//! level-0 object of a smaller depth rank. A part (level `n` ≥ 1) can only be
//! seen inside the visible region of its parent, where it is not covered by a
//! sibling part of a smaller depth rank. Its amodal region is its shape clipped
//! to the amodal region of its parent.

use std::f64::consts::FRAC_1_SQRT_2;

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

    /// The part of these bounds inside a `width` × `height` image, as pixel ranges.
    fn clipped(self, width: u32, height: u32) -> (std::ops::Range<u32>, std::ops::Range<u32>) {
        let clip = |value: i32, limit: u32| value.clamp(0, limit as i32) as u32;
        (
            clip(self.left, width)..clip(self.right, width),
            clip(self.top, height)..clip(self.bottom, height),
        )
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

    /// The union of several shapes.
    pub fn union(shapes: impl IntoIterator<Item = Shape>) -> Shape {
        Shape::Union(shapes.into_iter().collect())
    }

    /// Whether the centre of pixel `(x, y)` lies in the shape.
    pub fn contains(&self, x: u32, y: u32) -> bool {
        let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
        match self {
            Shape::Rect {
                left,
                top,
                right,
                bottom,
            } => {
                let (x, y) = (i64::from(x), i64::from(y));
                (i64::from(*left)..i64::from(*right)).contains(&x)
                    && (i64::from(*top)..i64::from(*bottom)).contains(&y)
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
            Shape::Union(shapes) => shapes.iter().any(|shape| shape.contains(x, y)),
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

    /// A rough polygon around the shape, as an annotator would click it: the
    /// corners of a rectangle or of the bounds of a union, eight points around
    /// a round shape. Points are clamped into a `width` × `height` image.
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
        };
        points
            .into_iter()
            .map(|(x, y)| (x.clamp(0, width as i32 - 1), y.clamp(0, height as i32 - 1)))
            .collect()
    }
}

fn octagon(cx: f64, cy: f64, rx: f64, ry: f64) -> Vec<(i32, i32)> {
    OCTAGON
        .iter()
        .map(|(dx, dy)| ((cx + rx * dx).round() as i32, (cy + ry * dy).round() as i32))
        .collect()
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

/// What an instance mask holds at one pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// The object is seen here.
    Visible,
    /// The object is here, behind another one.
    Hidden,
    /// The object is not here.
    Absent,
}

/// A composited scene: for every part level and pixel, which object is seen.
pub struct Scene {
    width: u32,
    height: u32,
    placements: Vec<Placement>,
    levels: Vec<usize>,
    /// Per part level, per pixel (row-major): the index of the visible object.
    visible: Vec<Vec<Option<usize>>>,
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
        let mut levels = Vec::with_capacity(placements.len());
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
            if let Some(other) = placements[..index].iter().position(|earlier| {
                earlier.parent == placement.parent && earlier.depth_rank == placement.depth_rank
            }) {
                return Err(format!(
                    "objects {other} and {index} have the same parent and depth rank {}",
                    placement.depth_rank
                ));
            }
        }
        let mut scene = Scene {
            width,
            height,
            placements,
            levels,
            visible: Vec::new(),
        };
        for level in 0..=scene.max_level() {
            let composited = scene.composite(level);
            scene.visible.push(composited);
        }
        Ok(scene)
    }

    /// Paints the objects of `level` back to front, each inside the visible
    /// region of its parent.
    fn composite(&self, level: usize) -> Vec<Option<usize>> {
        let mut visible = vec![None; self.width as usize * self.height as usize];
        let mut back_to_front: Vec<usize> = (0..self.placements.len())
            .filter(|&index| self.levels[index] == level)
            .collect();
        back_to_front.sort_by_key(|&index| std::cmp::Reverse(self.placements[index].depth_rank));
        for index in back_to_front {
            let placement = &self.placements[index];
            let (columns, rows) = placement.shape.bounds().clipped(self.width, self.height);
            for y in rows {
                for x in columns.clone() {
                    let pixel = self.pixel_index(x, y);
                    let parent_seen = placement.parent.map_or(true, |parent| {
                        self.visible[level - 1][pixel] == Some(parent)
                    });
                    if parent_seen && placement.shape.contains(x, y) {
                        visible[pixel] = Some(index);
                    }
                }
            }
        }
        visible
    }

    fn pixel_index(&self, x: u32, y: u32) -> usize {
        y as usize * self.width as usize + x as usize
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

    /// The object seen at pixel `(x, y)` among those of part level `level`.
    pub fn visible_at(&self, level: usize, x: u32, y: u32) -> Option<usize> {
        self.visible
            .get(level)
            .and_then(|visible| visible[self.pixel_index(x, y)])
    }

    /// Whether object `index` is at pixel `(x, y)`, seen or hidden.
    fn is_amodal_at(&self, index: usize, x: u32, y: u32) -> bool {
        let placement = &self.placements[index];
        placement.shape.contains(x, y)
            && placement
                .parent
                .map_or(true, |parent| self.is_amodal_at(parent, x, y))
    }

    /// What the instance mask of object `index` holds at pixel `(x, y)`.
    pub fn coverage(&self, index: usize, x: u32, y: u32) -> Coverage {
        if self.visible_at(self.levels[index], x, y) == Some(index) {
            Coverage::Visible
        } else if self.is_amodal_at(index, x, y) {
            Coverage::Hidden
        } else {
            Coverage::Absent
        }
    }

    /// Whether part of object `index` is hidden behind another object.
    pub fn is_occluded(&self, index: usize) -> bool {
        self.pixels_of(index)
            .any(|(x, y)| self.coverage(index, x, y) == Coverage::Hidden)
    }

    /// Whether object `index` reaches the border of the image.
    pub fn is_cropped(&self, index: usize) -> bool {
        let (last_x, last_y) = (self.width - 1, self.height - 1);
        self.pixels_of(index).any(|(x, y)| {
            (x == 0 || y == 0 || x == last_x || y == last_y) && self.is_amodal_at(index, x, y)
        })
    }

    /// The pixels inside the bounds of object `index`.
    fn pixels_of(&self, index: usize) -> impl Iterator<Item = (u32, u32)> {
        let (columns, rows) = self.placements[index]
            .shape
            .bounds()
            .clipped(self.width, self.height);
        rows.flat_map(move |y| columns.clone().map(move |x| (x, y)))
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
        assert_eq!(scene.coverage(0, 3, 3), Coverage::Visible);
        assert_eq!(scene.coverage(0, 5, 3), Coverage::Hidden);
        assert_eq!(scene.coverage(2, 3, 1), Coverage::Visible);
        assert_eq!(scene.coverage(2, 5, 1), Coverage::Hidden);
        assert_eq!(scene.coverage(2, 7, 1), Coverage::Absent);
        assert_eq!(scene.visible_at(1, 5, 1), None);
        assert!(scene.is_occluded(0) && !scene.is_occluded(1));
        assert!(scene.is_cropped(1));
    }

    #[test]
    fn a_ring_has_a_hole() {
        let ring = Shape::ring(10.0, 10.0, 8.0, 3.0);
        assert!(!ring.contains(10, 10));
        assert!(ring.contains(10, 15));
        assert!(!ring.contains(10, 19));
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
