//! SVG figures for the report, drawn with plotters (no fonts embedded: the viewer renders
//! the text). Every axis is an [`Axis`] whose ticks nabla chooses; legends sit under the
//! plot, never on the data; values outside a zoomed axis are marked, never drawn along its
//! edge.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::{ExperimentError, Result};

mod axis;
mod legend;

pub(crate) use axis::Axis;
use legend::{Entry, Key, legend};

fn err(e: impl std::fmt::Display) -> ExperimentError {
    ExperimentError::Plot(e.to_string())
}

/// A figure's SVG and the tick labels of each of its axes (for the report's tests).
#[derive(Debug, Clone)]
pub(crate) struct Drawn {
    pub svg: String,
    pub axes: Vec<Vec<String>>,
}

/// One line of a figure.
pub(crate) struct Line<'a> {
    pub label: String,
    pub points: &'a [(f64, f64)],
    pub color: RGBColor,
    pub dashed: bool,
    /// `(x, low, high)`: the spread over seeds, shaded under the line (empty: none).
    pub band: &'a [(f64, f64, f64)],
}

pub(crate) const BLUE_: RGBColor = RGBColor(31, 119, 180);
pub(crate) const ORANGE_: RGBColor = RGBColor(255, 127, 14);
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

const GREY: RGBColor = RGBColor(110, 110, 110);

/// A chart of lines.
pub(crate) struct LineChart<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub x: Axis,
    pub y: Axis,
    pub series: &'a [Line<'a>],
    /// Horizontal lines drawn dotted, with their label in the legend: `(value, label)`.
    pub thresholds: &'a [(f64, &'a str)],
    /// Width in pixels (the height follows).
    pub width: u32,
}

/// The parts of a series inside `[lo, hi]` (drawing units), and the x of every point where
/// it leaves the range below or above: `(runs inside, exits below, exits above)`.
#[allow(clippy::type_complexity)]
fn clip(points: &[(f64, f64)], lo: f64, hi: f64) -> (Vec<Vec<(f64, f64)>>, Vec<f64>, Vec<f64>) {
    let (mut runs, mut below, mut above) = (Vec::new(), Vec::new(), Vec::new());
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut was_inside = true;
    for &(x, y) in points {
        let inside = (lo..=hi).contains(&y);
        if inside {
            current.push((x, y));
        } else {
            if was_inside {
                if y < lo {
                    below.push(x);
                } else {
                    above.push(x);
                }
            }
            if !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
        }
        was_inside = inside;
    }
    if !current.is_empty() {
        runs.push(current);
    }
    (runs, below, above)
}

/// Lines over two axes, a legend beneath.
pub(crate) fn lines(chart: &LineChart<'_>) -> Result<Drawn> {
    let mut entries: Vec<Entry> = chart
        .series
        .iter()
        .map(|l| Entry {
            label: l.label.clone(),
            color: l.color,
            key: if l.dashed { Key::Dashed } else { Key::Solid },
        })
        .collect();
    entries.extend(chart.thresholds.iter().map(|(_, label)| Entry {
        label: label.to_string(),
        color: GREY,
        key: Key::Dotted,
    }));
    let (ylo, yhi) = chart.y.span();
    let (xlo, xhi) = chart.x.span();
    let to = |points: &[(f64, f64)]| -> Vec<(f64, f64)> {
        points
            .iter()
            .map(|&(x, y)| (chart.x.at(x), chart.y.at(y)))
            .collect()
    };
    let clipped: Vec<_> = chart
        .series
        .iter()
        .map(|l| clip(&to(l.points), ylo, yhi))
        .collect();
    if clipped.iter().any(|(_, below, _)| !below.is_empty()) {
        entries.push(Entry {
            label: "the curve runs below the axis from here".into(),
            color: GREY,
            key: Key::Below,
        });
    }
    if clipped.iter().any(|(_, _, above)| !above.is_empty()) {
        entries.push(Entry {
            label: "the curve runs above the axis from here".into(),
            color: GREY,
            key: Key::Above,
        });
    }
    let plot_height = chart.width * 11 / 20;
    let legend_height = legend::height(&entries, chart.width);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (chart.width, plot_height + legend_height))
            .into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (top, bottom) = root.split_vertically(plot_height);
        let mut c = ChartBuilder::on(&top)
            .caption(chart.title, ("sans-serif", 19))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(chart.x.ranged(), chart.y.ranged())
            .map_err(err)?;
        c.configure_mesh()
            .max_light_lines(0)
            .x_label_formatter(&|v| chart.x.label(*v))
            .y_label_formatter(&|v| chart.y.label(*v))
            .x_desc(chart.x_desc)
            .y_desc(chart.y_desc)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 16))
            .draw()
            .map_err(err)?;
        for &(value, _) in chart.thresholds {
            let y = chart.y.at(value);
            c.draw_series(DashedLineSeries::new(
                [(xlo, y), (xhi, y)],
                2,
                4,
                GREY.stroke_width(1),
            ))
            .map_err(err)?;
        }
        for (line, (runs, below, above)) in chart.series.iter().zip(&clipped) {
            if !line.band.is_empty() {
                let clamp = |v: f64| chart.y.at(v).clamp(ylo, yhi);
                let outline: Vec<(f64, f64)> = line
                    .band
                    .iter()
                    .map(|&(x, lo, _)| (chart.x.at(x), clamp(lo)))
                    .chain(
                        line.band
                            .iter()
                            .rev()
                            .map(|&(x, _, hi)| (chart.x.at(x), clamp(hi))),
                    )
                    .collect();
                c.draw_series(std::iter::once(Polygon::new(
                    outline,
                    line.color.mix(0.18).filled(),
                )))
                .map_err(err)?;
            }
            let style = line.color.stroke_width(if line.dashed { 1 } else { 2 });
            for run in runs {
                if line.dashed {
                    c.draw_series(DashedLineSeries::new(run.iter().copied(), 4, 3, style))
                        .map_err(err)?;
                } else {
                    c.draw_series(LineSeries::new(run.iter().copied(), style))
                        .map_err(err)?;
                }
            }
            let mark = |x: f64, y: f64, down: bool| {
                let (px, py) = c.backend_coord(&(x, y));
                // The tip on the axis, pointing the way the curve went.
                let base = if down { py - 9 } else { py + 9 };
                Polygon::new(
                    vec![(px - 5, base), (px + 5, base), (px, py)],
                    line.color.filled(),
                )
            };
            let marks: Vec<_> = below
                .iter()
                .map(|&x| mark(x, ylo, true))
                .chain(above.iter().map(|&x| mark(x, yhi, false)))
                .collect();
            for m in marks {
                top.draw(&m).map_err(err)?;
            }
        }
        legend(&bottom, &entries)?;
        root.present().map_err(err)?;
    }
    Ok(Drawn {
        svg,
        axes: vec![chart.x.labels(), chart.y.labels()],
    })
}

/// Bars of `counts` over `[lo, hi]`, one panel per entry, in rows of at most `per_row`.
pub(crate) fn histograms(
    title: &str,
    panels: &[(String, f64, f64, Vec<u64>)],
    per_row: usize,
) -> Result<Drawn> {
    let mut svg = String::new();
    let mut axes = Vec::new();
    {
        let per_row = per_row.clamp(1, panels.len().max(1));
        let rows = panels.len().div_ceil(per_row).max(1);
        let width = 152 * per_row as u32;
        let root =
            SVGBackend::with_string(&mut svg, (width, 140 * rows as u32 + 30)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let root = root.titled(title, ("sans-serif", 15)).map_err(err)?;
        let areas = root.split_evenly((rows, per_row));
        for (area, (label, lo, hi, counts)) in areas.iter().zip(panels) {
            let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
            let x = Axis::linear(*lo, *hi);
            let mut chart = ChartBuilder::on(area)
                .caption(label, ("sans-serif", 12))
                .margin(12)
                .x_label_area_size(22)
                .build_cartesian_2d(x.ranged(), 0f64..top)
                .map_err(err)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .disable_y_axis()
                .x_label_formatter(&|v| x.label(*v))
                .label_style(("sans-serif", 10))
                .draw()
                .map_err(err)?;
            let width = (hi - lo) / counts.len().max(1) as f64;
            chart
                .draw_series(counts.iter().enumerate().map(|(k, &c)| {
                    let x0 = lo + k as f64 * width;
                    Rectangle::new([(x0, 0.0), (x0 + width, c as f64)], BLUE_.filled())
                }))
                .map_err(err)?;
            axes.push(x.labels());
        }
        root.present().map_err(err)?;
    }
    Ok(Drawn { svg, axes })
}

/// Filters as grey images in a grid (each filter scaled to its own range), one grid per
/// `(label, filters)` set, one above the other.
pub(crate) fn filters(sets: &[(&str, &[Vec<f32>])], side: usize) -> Result<Drawn> {
    let mut svg = String::new();
    {
        let cols = 15usize;
        let px = 6i32;
        let cell = px * side as i32;
        let rows_of = |n: usize| n.div_ceil(cols).max(1) as i32;
        let block = |n: usize| rows_of(n) * (cell + 4) + 26;
        let height: i32 = sets.iter().map(|(_, f)| block(f.len())).sum();
        let width = cols as i32 * (cell + 4) + 4;
        let root =
            SVGBackend::with_string(&mut svg, (width as u32, height as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut top = 0;
        for (label, filters) in sets {
            root.draw(&Text::new(*label, (4, top + 6), ("sans-serif", 14)))
                .map_err(err)?;
            for (i, f) in filters.iter().enumerate() {
                let (lo, hi) = f
                    .iter()
                    .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
                        (a.min(v), b.max(v))
                    });
                let span = (hi - lo).max(1e-12);
                let (ox, oy) = (
                    4 + (i % cols) as i32 * (cell + 4),
                    top + 24 + (i / cols) as i32 * (cell + 4),
                );
                for (k, &v) in f.iter().enumerate() {
                    let g = (255.0 * (v - lo) / span) as u8;
                    let (x, y) = (ox + (k % side) as i32 * px, oy + (k / side) as i32 * px);
                    root.draw(&Rectangle::new(
                        [(x, y), (x + px, y + px)],
                        RGBColor(g, g, g).filled(),
                    ))
                    .map_err(err)?;
                }
            }
            top += block(filters.len());
        }
        root.present().map_err(err)?;
    }
    Ok(Drawn {
        svg,
        axes: Vec::new(),
    })
}

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
    let width = 760u32;
    let (margin_x, margin_y) = (12 + 12 + 54, 12 + 12 + 40 + 28);
    let plot_height = if spec.equal_aspect {
        ((width - margin_x) as f64 * (y1 - y0) / (x1 - x0)) as u32 + margin_y
    } else {
        width * 11 / 20
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

/// Points `(x, y)` as a scatter over two axes.
pub(crate) fn scatter(
    title: &str,
    (x_desc, x): (&str, Axis),
    (y_desc, y): (&str, Axis),
    points: &[(f64, f64)],
) -> Result<Drawn> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x.ranged(), y.ranged())
            .map_err(err)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .x_label_formatter(&|v| x.label(*v))
            .y_label_formatter(&|v| y.label(*v))
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&(px, py)| Circle::new((x.at(px), y.at(py)), 3, BLUE_.filled())),
            )
            .map_err(err)?;
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
    fn clipping_splits_a_curve_and_marks_where_it_leaves() {
        let points = [(0.0, 0.1), (1.0, 0.5), (2.0, 0.9), (3.0, 0.95), (4.0, 0.2)];
        let (runs, below, above) = clip(&points, 0.8, 1.0);
        assert_eq!(runs, vec![vec![(2.0, 0.9), (3.0, 0.95)]]);
        assert_eq!(below, vec![0.0, 4.0]);
        assert!(above.is_empty());
    }

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
