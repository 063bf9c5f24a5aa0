//! A legend drawn in its own strip under the plot, so it never covers a curve.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::err;
use crate::Result;

/// How an entry's key is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    Solid,
    Dashed,
    Dotted,
    Dot,
    Cross,
    /// A triangle pointing down: where a curve leaves the axis below.
    Below,
    /// A triangle pointing up: where a curve leaves the axis above.
    Above,
}

/// One entry of a legend.
pub(super) struct Entry {
    pub label: String,
    pub color: RGBColor,
    pub key: Key,
}

const ROW: u32 = 22;
const KEY: i32 = 26;
const FONT: u32 = 15;

/// About how wide `label` renders at the legend's font (no font metrics in an SVG string).
fn text_width(label: &str) -> i32 {
    (label.chars().count() as f64 * 0.56 * FONT as f64).ceil() as i32
}

/// Lays the entries out in rows across `width`: `(row, x)` for each.
fn layout(entries: &[Entry], width: u32) -> Vec<(u32, i32)> {
    let (mut row, mut x) = (0u32, 16i32);
    entries
        .iter()
        .map(|e| {
            let w = KEY + 6 + text_width(&e.label) + 22;
            if x > 16 && x + w > width as i32 - 8 {
                row += 1;
                x = 16;
            }
            let at = (row, x);
            x += w;
            at
        })
        .collect()
}

/// The height the legend of `entries` takes at `width`.
pub(super) fn height(entries: &[Entry], width: u32) -> u32 {
    match layout(entries, width).last() {
        None => 0,
        Some((rows, _)) => (rows + 1) * ROW + 10,
    }
}

/// Draws `entries` in `area`.
pub(super) fn legend(area: &DrawingArea<SVGBackend<'_>, Shift>, entries: &[Entry]) -> Result<()> {
    for (e, (row, x)) in entries.iter().zip(layout(entries, area.dim_in_pixel().0)) {
        let y = (row * ROW + ROW / 2) as i32;
        let style = e.color.stroke_width(2);
        let (a, b) = ((x, y), (x + KEY, y));
        match e.key {
            Key::Solid => area
                .draw(&PathElement::new(vec![a, b], style))
                .map_err(err)?,
            Key::Dashed => area
                .draw(&plotters::element::DashedPathElement::new(
                    vec![a, b],
                    4,
                    3,
                    e.color.stroke_width(1),
                ))
                .map_err(err)?,
            Key::Dotted => area
                .draw(&plotters::element::DashedPathElement::new(
                    vec![a, b],
                    2,
                    4,
                    e.color.stroke_width(1),
                ))
                .map_err(err)?,
            Key::Dot => area
                .draw(&Circle::new((x + KEY / 2, y), 6, e.color.filled()))
                .map_err(err)?,
            Key::Cross => area
                .draw(&Cross::new((x + KEY / 2, y), 6, e.color.stroke_width(2)))
                .map_err(err)?,
            Key::Below | Key::Above => {
                let (tip, base) = if e.key == Key::Below {
                    (y + 5, y - 4)
                } else {
                    (y - 5, y + 4)
                };
                let c = x + KEY / 2;
                area.draw(&Polygon::new(
                    vec![(c - 5, base), (c + 5, base), (c, tip)],
                    e.color.filled(),
                ))
                .map_err(err)?
            }
        }
        area.draw(&Text::new(
            e.label.clone(),
            (x + KEY + 6, y - (FONT as i32) / 2),
            ("sans-serif", FONT),
        ))
        .map_err(err)?;
    }
    Ok(())
}
