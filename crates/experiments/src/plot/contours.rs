//! Contour lines of a function of two variables, with paths and points drawn over them.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::legend::{self, Entry, Key, legend};
use super::{Axis, Drawn, clip, err};
use crate::Result;

/// A path on a surface: its label, its points and its colour.
pub(crate) type PathLine<'a> = (&'a str, &'a [(f64, f64)], RGBColor);

/// A point to mark: its label, where, its colour.
pub(crate) type Dot<'a> = (&'a str, (f64, f64), RGBColor);

/// A contour chart.
pub(crate) struct Contours<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub f: &'a dyn Fn(f64, f64) -> f64,
    pub window: ((f64, f64), (f64, f64)),
    pub levels: &'a [f64],
    pub paths: &'a [PathLine<'a>],
    /// Marked with a large dot and named in the legend.
    pub dots: &'a [Dot<'a>],
    /// Marked with a cross (the start, or the loss's own minimum).
    pub crosses: &'a [(&'a str, (f64, f64))],
    /// One unit the same length on both axes (circles stay round).
    pub equal_aspect: bool,
}

/// Where `level` crosses each edge of a grid cell (marching squares). A corner exactly at
/// the level counts as above it, so that a contour through a grid point is not lost.
fn cell_segments(corners: [(f64, f64, f64); 4], level: f64) -> Vec<Vec<(f64, f64)>> {
    let mut cross = Vec::new();
    for k in 0..4 {
        let (a, b) = (corners[k], corners[(k + 1) % 4]);
        if (a.2 < level) != (b.2 < level) {
            let t = (level - a.2) / (b.2 - a.2);
            cross.push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
        }
    }
    cross.chunks_exact(2).map(|p| p.to_vec()).collect()
}

/// Contour lines of `f` over the window, with paths, dots and crosses drawn over them.
pub(crate) fn contours(spec: &Contours<'_>) -> Result<Drawn> {
    let ((x0, x1), (y0, y1)) = spec.window;
    let x = Axis::linear(x0, x1);
    let y = Axis::linear(y0, y1);
    // A geometry figure keeps one unit the same length on both axes, so it is narrower.
    let width = if spec.equal_aspect { 640u32 } else { 900 };
    let (margin_x, margin_y) = (12 + 12 + 54, 12 + 12 + 40 + 28);
    let plot_height = if spec.equal_aspect {
        ((width - margin_x) as f64 * (y1 - y0) / (x1 - x0)) as u32 + margin_y
    } else {
        width * 9 / 20
    };
    let mut entries: Vec<Entry> = spec
        .paths
        .iter()
        .map(|&(label, _, color)| Entry {
            label: label.into(),
            color,
            key: Key::Solid,
        })
        .chain(spec.dots.iter().map(|&(label, _, color)| Entry {
            label: label.into(),
            color,
            key: Key::Dot,
        }))
        .chain(spec.crosses.iter().map(|&(label, _)| Entry {
            label: label.into(),
            color: BLACK,
            key: Key::Cross,
        }))
        .collect();
    entries.push(Entry {
        label: "contour lines of the function".into(),
        color: RGBColor(170, 170, 170),
        key: Key::Solid,
    });
    let legend_height = legend::height(&entries, width);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, plot_height + legend_height))
            .into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (top, bottom): (DrawingArea<_, Shift>, _) = root.split_vertically(plot_height);
        let mut chart = ChartBuilder::on(&top)
            .caption(spec.title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(54)
            .build_cartesian_2d(x.ranged(), y.ranged())
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&|v| x.label(*v))
            .y_label_formatter(&|v| y.label(*v))
            .x_desc(spec.x_desc)
            .y_desc(spec.y_desc)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 16))
            .draw()
            .map_err(err)?;
        let (nx, ny) = (160usize, 110usize);
        let at = |i: usize, j: usize| {
            let x = x0 + (x1 - x0) * i as f64 / nx as f64;
            let y = y0 + (y1 - y0) * j as f64 / ny as f64;
            (x, y, (spec.f)(x, y))
        };
        let mut segments = Vec::new();
        for &level in spec.levels {
            for i in 0..nx {
                for j in 0..ny {
                    let corners = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
                    segments.extend(cell_segments(corners, level));
                }
            }
        }
        let grey = RGBColor(170, 170, 170);
        chart
            .draw_series(segments.into_iter().map(|s| PathElement::new(s, grey)))
            .map_err(err)?;
        let inside = |&(px, py): &(f64, f64)| (x0..=x1).contains(&px) && (y0..=y1).contains(&py);
        for &(_, points, color) in spec.paths {
            let (runs, _, _) = clip(
                &points
                    .iter()
                    .map(|&p| if inside(&p) { p } else { (p.0, f64::NAN) })
                    .collect::<Vec<_>>(),
                y0,
                y1,
            );
            for run in &runs {
                chart
                    .draw_series(LineSeries::new(run.iter().copied(), color.stroke_width(2)))
                    .map_err(err)?;
                chart
                    .draw_series(run.iter().map(|&p| Circle::new(p, 2, color.filled())))
                    .map_err(err)?;
            }
        }
        chart
            .draw_series(
                spec.dots
                    .iter()
                    .map(|&(_, p, color)| Circle::new(p, 6, color.filled())),
            )
            .map_err(err)?;
        chart
            .draw_series(
                spec.crosses
                    .iter()
                    .map(|&(_, p)| Cross::new(p, 6, BLACK.stroke_width(2))),
            )
            .map_err(err)?;
        legend(&bottom, &entries)?;
        root.present().map_err(err)?;
    }
    Ok(Drawn {
        svg,
        axes: vec![x.labels(), y.labels()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contour_through_a_grid_point_is_kept() {
        // f = x on the unit cell, level 0 exactly at the left corners: one segment.
        let corners = [
            (0.0, 0.0, 0.0),
            (1.0, 0.0, 1.0),
            (1.0, 1.0, 1.0),
            (0.0, 1.0, 0.0),
        ];
        assert_eq!(cell_segments(corners, 0.5).len(), 1);
        let at_zero = [
            (0.0, 0.0, -1.0),
            (1.0, 0.0, 0.0),
            (1.0, 1.0, 0.0),
            (0.0, 1.0, -1.0),
        ];
        assert_eq!(cell_segments(at_zero, 0.0).len(), 1);
    }
}
