//! Figures of many small panels: histograms in a grid, filters as images.

use plotters::prelude::*;

use super::{Axis, BLUE_, Drawn, err};
use crate::Result;

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
        // As wide as the page's figures, whatever the number of panels in a row.
        let panel = 900 / per_row as u32;
        let root = SVGBackend::with_string(&mut svg, (900, panel * 3 / 4 * rows as u32 + 36))
            .into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let root = root.titled(title, ("sans-serif", 18)).map_err(err)?;
        let areas = root.split_evenly((rows, per_row));
        for (area, (label, lo, hi, counts)) in areas.iter().zip(panels) {
            let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
            let x = Axis::linear(*lo, *hi);
            let mut chart = ChartBuilder::on(area)
                .caption(label, ("sans-serif", 15))
                .margin(12)
                .x_label_area_size(26)
                .build_cartesian_2d(x.ranged(), 0f64..top)
                .map_err(err)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .disable_y_axis()
                .x_label_formatter(&|v| x.label(*v))
                .label_style(("sans-serif", 13))
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
        let px = 11i32;
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
