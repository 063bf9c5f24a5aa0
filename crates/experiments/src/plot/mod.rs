//! SVG figures for the report, drawn with plotters (no fonts embedded: the viewer renders
//! the text). Every axis is an [`Axis`] whose ticks nabla chooses; legends sit under the
//! plot, never on the data; values outside a zoomed axis are marked, never drawn along its
//! edge.

use plotters::prelude::*;

use crate::{ExperimentError, Result};

mod axis;
mod contours;
mod grids;
mod legend;

pub(crate) use axis::Axis;
pub(crate) use contours::{Contours, PathLine, contours};
pub(crate) use grids::{filters, histograms};
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
    let plot_height = chart.width * 9 / 20;
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
        let n = chart.series.len() as i32;
        for (k, (line, (runs, below, above))) in chart.series.iter().zip(&clipped).enumerate() {
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
                // Side by side where several curves leave at the same point.
                let px = px + 7 * k as i32 - 7 * (n - 1) / 2;
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

/// Points `(x, y)` as a scatter over two axes.
pub(crate) fn scatter(
    title: &str,
    (x_desc, x): (&str, Axis),
    (y_desc, y): (&str, Axis),
    points: &[(f64, f64)],
) -> Result<Drawn> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 420)).into_drawing_area();
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
}
