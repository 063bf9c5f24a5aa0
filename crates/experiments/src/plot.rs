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
                .build_cartesian_2d(0f64..x_max, (y_range.0..y_range.1).log_scale())
                .map_err(err)?;
            chart
                .configure_mesh()
                .max_light_lines(0)
                .x_label_formatter(&|x| format!("{x:.0}"))
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
                .build_cartesian_2d(0f64..x_max, y_range.0..y_range.1)
                .map_err(err)?;
            chart
                .configure_mesh()
                .max_light_lines(0)
                .x_label_formatter(&|x| format!("{x:.0}"))
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
                .margin(4)
                .x_label_area_size(18)
                .build_cartesian_2d(*lo..*hi, 0f64..top)
                .map_err(err)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .disable_y_axis()
                .x_labels(3)
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
