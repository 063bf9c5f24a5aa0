//! SVG figures for the report, drawn with plotters (no fonts embedded: the viewer renders
//! the text).

use plotters::prelude::*;

use crate::{ExperimentError, Result};

fn err(e: impl std::fmt::Display) -> ExperimentError {
    ExperimentError::Plot(e.to_string())
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

/// Lines over `x` in `[0, x_max]` and `y` in `y_range`, legend at the lower right.
pub(crate) fn lines(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    x_max: f64,
    y_range: (f64, f64),
    log_y: bool,
    series: &[Line<'_>],
) -> Result<String> {
    lines_in(
        title,
        x_desc,
        y_desc,
        (0.0, x_max),
        false,
        y_range,
        log_y,
        series,
    )
}

/// Lines over `x` in `x_range` (labelled `10^x` when `pow10`: x is a log10) and `y` in
/// `y_range`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn lines_in(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    x_range: (f64, f64),
    pow10: bool,
    y_range: (f64, f64),
    log_y: bool,
    series: &[Line<'_>],
) -> Result<String> {
    let x_label = move |x: &f64| {
        if pow10 {
            format!("1e{x:.0}")
        } else {
            format!("{x:.0}")
        }
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let builder = |root| {
            let mut b = ChartBuilder::on(root);
            b.caption(title, ("sans-serif", 16))
                .margin(10)
                .x_label_area_size(32)
                .y_label_area_size(48);
            b
        };
        if log_y {
            let mut chart = builder(&root)
                .build_cartesian_2d(x_range.0..x_range.1, (y_range.0..y_range.1).log_scale())
                .map_err(err)?;
            chart
                .configure_mesh()
                .max_light_lines(0)
                .y_labels(6)
                .y_label_formatter(&|y| format!("{y:.0e}"))
                .x_label_formatter(&x_label)
                .x_desc(x_desc)
                .y_desc(y_desc)
                .draw()
                .map_err(err)?;
            for line in series {
                draw(&mut chart, line)?;
            }
            legend(&mut chart)?;
        } else {
            let mut chart = builder(&root)
                .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)
                .map_err(err)?;
            chart
                .configure_mesh()
                .max_light_lines(0)
                .x_label_formatter(&x_label)
                .x_desc(x_desc)
                .y_desc(y_desc)
                .draw()
                .map_err(err)?;
            for line in series {
                draw(&mut chart, line)?;
            }
            legend(&mut chart)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

fn draw<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    line: &Line<'_>,
) -> Result<()>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let color = line.color;
    if !line.band.is_empty() {
        let outline: Vec<(f64, f64)> = line
            .band
            .iter()
            .map(|&(x, lo, _)| (x, lo))
            .chain(line.band.iter().rev().map(|&(x, _, hi)| (x, hi)))
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                outline,
                color.mix(0.18).filled(),
            )))
            .map_err(err)?;
    }
    let style = color.stroke_width(if line.dashed { 1 } else { 2 });
    let points = line.points.iter().copied();
    // The legend draws each line as the chart does: recorded curves dashed, ours solid.
    if line.dashed {
        chart
            .draw_series(DashedLineSeries::new(points, 4, 3, style))
            .map_err(err)?
            .label(line.label.clone())
            .legend(move |(x, y)| {
                plotters::element::DashedPathElement::new(vec![(x, y), (x + 18, y)], 4, 3, style)
            });
    } else {
        chart
            .draw_series(LineSeries::new(points, style))
            .map_err(err)?
            .label(line.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
    }
    Ok(())
}

fn legend<'a, X, Y>(chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>) -> Result<()>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 11))
        .draw()
        .map_err(err)
}

/// Bars of `counts` over `[lo, hi]`, one small panel per entry, in a row.
pub(crate) fn histograms(title: &str, panels: &[(String, f64, f64, Vec<u64>)]) -> Result<String> {
    let mut svg = String::new();
    {
        let width = 150 * panels.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut svg, (width, 170)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let root = root.titled(title, ("sans-serif", 14)).map_err(err)?;
        let areas = root.split_evenly((1, panels.len().max(1)));
        for (area, (label, lo, hi, counts)) in areas.iter().zip(panels) {
            let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
            let mut chart = ChartBuilder::on(area)
                .caption(label, ("sans-serif", 11))
                .margin(12)
                .x_label_area_size(18)
                .build_cartesian_2d(*lo..*hi, 0f64..top)
                .map_err(err)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .disable_y_axis()
                .x_labels(3)
                .x_label_formatter(&|x| format!("{x:.1}"))
                .label_style(("sans-serif", 9))
                .draw()
                .map_err(err)?;
            let width = (hi - lo) / counts.len().max(1) as f64;
            chart
                .draw_series(counts.iter().enumerate().map(|(k, &c)| {
                    let x0 = lo + k as f64 * width;
                    Rectangle::new([(x0, 0.0), (x0 + width, c as f64)], BLUE_.filled())
                }))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Filters as grey images in a grid (each filter scaled to its own range).
pub(crate) fn filters(title: &str, filters: &[Vec<f32>], side: usize) -> Result<String> {
    let mut svg = String::new();
    {
        let cols = 10usize;
        let rows = filters.len().div_ceil(cols).max(1);
        let cell = 6 * side as i32;
        let root = SVGBackend::with_string(
            &mut svg,
            (
                (cols as i32 * (cell + 4) + 4) as u32,
                (rows as i32 * (cell + 4) + 28) as u32,
            ),
        )
        .into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        root.draw(&Text::new(title, (4, 4), ("sans-serif", 13)))
            .map_err(err)?;
        let px = 6;
        for (i, f) in filters.iter().enumerate() {
            let (lo, hi) = f
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            let span = (hi - lo).max(1e-12);
            let (ox, oy) = (
                4 + (i % cols) as i32 * (cell + 4),
                24 + (i / cols) as i32 * (cell + 4),
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
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// A path on a surface: its label, its points and its colour.
pub(crate) type PathLine<'a> = (&'a str, &'a [(f64, f64)], RGBColor);

/// Contour lines of `f` at `levels` over the window (marching squares on a 120x80 grid),
/// with paths drawn over them and `marks` as crosses.
pub(crate) fn contours(
    title: &str,
    f: &dyn Fn(f64, f64) -> f64,
    window: ((f64, f64), (f64, f64)),
    levels: &[f64],
    paths: &[PathLine<'_>],
    marks: &[(f64, f64)],
) -> Result<String> {
    let ((x0, x1), (y0, y1)) = window;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (560, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(36)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("x")
            .y_desc("y")
            .draw()
            .map_err(err)?;
        let (nx, ny) = (120usize, 80usize);
        let at = |i: usize, j: usize| {
            let x = x0 + (x1 - x0) * i as f64 / nx as f64;
            let y = y0 + (y1 - y0) * j as f64 / ny as f64;
            (x, y, f(x, y))
        };
        let grey = RGBColor(170, 170, 170);
        let mut segments = Vec::new();
        for &level in levels {
            for i in 0..nx {
                for j in 0..ny {
                    let corners = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
                    // Where the level crosses each edge of the cell.
                    let mut cross = Vec::new();
                    for k in 0..4 {
                        let (a, b) = (corners[k], corners[(k + 1) % 4]);
                        if (a.2 - level) * (b.2 - level) < 0.0 {
                            let t = (level - a.2) / (b.2 - a.2);
                            cross.push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
                        }
                    }
                    if cross.len() >= 2 {
                        segments.push(vec![cross[0], cross[1]]);
                    }
                    if cross.len() == 4 {
                        segments.push(vec![cross[2], cross[3]]);
                    }
                }
            }
        }
        chart
            .draw_series(segments.into_iter().map(|s| PathElement::new(s, grey)))
            .map_err(err)?;
        for &(label, points, color) in paths {
            let inside: Vec<(f64, f64)> = points
                .iter()
                .map(|&(x, y)| (x.clamp(x0, x1), y.clamp(y0, y1)))
                .collect();
            let style = color.stroke_width(2);
            chart
                .draw_series(LineSeries::new(inside.iter().copied(), style))
                .map_err(err)?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
            chart
                .draw_series(inside.iter().map(|&p| Circle::new(p, 2, color.filled())))
                .map_err(err)?;
        }
        chart
            .draw_series(
                marks
                    .iter()
                    .map(|&p| Cross::new(p, 5, BLACK.stroke_width(2))),
            )
            .map_err(err)?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .label_font(("sans-serif", 11))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Points `(x, y)` with `x` a log10, as a scatter.
pub(crate) fn scatter_log_x(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    x_range: (f64, f64),
    points: &[(f64, f64)],
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(10)
            .x_label_area_size(32)
            .y_label_area_size(48)
            .build_cartesian_2d(x_range.0..x_range.1, 0f64..1f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .x_label_formatter(&|x| format!("1e{x:.0}"))
            .x_desc(x_desc)
            .y_desc(y_desc)
            .draw()
            .map_err(err)?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, BLUE_.filled())))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}
