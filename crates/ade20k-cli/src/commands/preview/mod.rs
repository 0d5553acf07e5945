//! `ade20k preview`: an item's image with its masks drawn over it.

mod draw;

use std::io::BufReader;
use std::path::{Path, PathBuf};

use ade20k_model::{Error, ItemSource, Problem};
use image::{ImageFormat, ImageReader, RgbImage};

use crate::input::{self, ImportFlags};
use crate::{usage, Failure};
use draw::{coco_shapes, item_shapes, Canvas, ColorBy};

#[derive(clap::Args)]
pub struct PreviewArgs {
    /// The dataset folder (as `convert -i` takes it).
    dataset: PathBuf,
    /// The item: its id (`urban/street/ADE_train_00000001`), or
    /// `<subset>/<id>` where two subsets have the id.
    item: String,
    /// The PNG file to write.
    #[arg(short, long)]
    output: PathBuf,
    /// Input format (also `-if`); detected when absent.
    #[arg(long = "input-format", value_enum)]
    input_format: Option<ade20k_import::InputFormat>,
    #[command(flatten)]
    import: ImportFlags,
    /// One colour per object instead of one per class.
    #[arg(long)]
    instances: bool,
    /// Draw the annotations this COCO file holds for the item's image instead
    /// of the item's own masks.
    #[arg(long, value_name = "ANNOTATIONS_JSON")]
    coco: Option<PathBuf>,
    /// Part level to draw: 0 whole objects, N the parts of level N.
    #[arg(long, value_name = "N", default_value_t = 0)]
    level: u32,
    /// Draw masks and outlines only, without class names.
    #[arg(long = "no-labels")]
    no_labels: bool,
}

/// Draws the item's masks (or the COCO file's) over its image and writes the PNG.
pub fn run(args: PreviewArgs) -> Result<(), Failure> {
    ade20k_export::OutputTarget::resolve(&args.output)?.apart_from(&args.dataset)?;
    let dataset = input::open(&args.dataset, args.input_format, &args.import.options(None))?;
    let index = find_item(&*dataset, &args.item)?;
    let item = dataset.load(index)?;
    let color_by = if args.instances {
        ColorBy::Instance
    } else {
        ColorBy::Class
    };
    let mut shapes = match &args.coco {
        Some(coco) => coco_shapes(coco, &item, args.level, color_by)?,
        None => item_shapes(&item, args.level, color_by)?,
    };
    if args.no_labels {
        shapes.iter_mut().for_each(|shape| shape.label.clear());
    }
    let photo = &item.image.path;
    let file = BufReader::new(ade20k_fs::open_regular(photo)?);
    let image = ImageReader::new(file)
        .with_guessed_format()
        .map_err(|e| Error::io(photo, e))?
        .decode()
        .map_err(|e| Error::new(photo, Problem::Image(e.to_string())))?
        .to_rgb8();
    let mut canvas = Canvas::new(image.width(), image.height(), image.into_raw())
        .map_err(|problem| Error::new(photo, problem))?;
    if (canvas.width(), canvas.height()) != (item.image.width, item.image.height) {
        return Err(Error::invalid(
            photo,
            format!(
                "the image decodes to {}×{} pixels but the item is {}×{}",
                canvas.width(),
                canvas.height(),
                item.image.width,
                item.image.height
            ),
        )
        .into());
    }
    canvas
        .draw(&shapes)
        .map_err(|problem| Error::new(args.coco.as_deref().unwrap_or(photo), problem))?;
    write_png(&args.output, canvas)?;
    println!(
        "wrote {}: {} shapes of {} {} (level {})",
        args.output.display(),
        shapes.len(),
        item.subset,
        item.id,
        args.level
    );
    Ok(())
}

/// The index of the item `wanted` names: an id, or `<subset>/<id>`.
fn find_item(dataset: &dyn ItemSource, wanted: &str) -> Result<usize, Failure> {
    let mut found = Vec::new();
    for index in 0..dataset.len() {
        let id = dataset.id_of(index)?;
        let subset = dataset.subset_of(index);
        if id == wanted
            || wanted
                .strip_prefix(subset)
                .and_then(|rest| rest.strip_prefix('/'))
                == Some(id.as_str())
        {
            found.push((index, format!("{subset}/{id}")));
        }
    }
    match found.as_slice() {
        [(index, _)] => Ok(*index),
        [] => {
            let example = match dataset.is_empty() {
                true => String::new(),
                false => format!("; ids look like `{}`", dataset.id_of(0)?),
            };
            Err(usage(format!("no item `{wanted}` in the dataset{example}")))
        }
        several => {
            let names: Vec<&str> = several.iter().map(|(_, name)| name.as_str()).collect();
            Err(usage(format!(
                "`{wanted}` names several items; give one of: {}",
                names.join(", ")
            )))
        }
    }
}

fn write_png(path: &Path, canvas: Canvas) -> Result<(), Failure> {
    let (width, height) = (canvas.width(), canvas.height());
    let image = RgbImage::from_raw(width, height, canvas.into_rgb())
        .ok_or_else(|| Failure::data(format!("{}: the preview has no pixels", path.display())))?;
    image
        .save_with_format(path, ImageFormat::Png)
        .map_err(|e| Error::new(path, Problem::Image(e.to_string())).into())
}
