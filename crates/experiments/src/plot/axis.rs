//! Axes whose ticks nabla chooses itself: whole decades on a log axis, 1-2-5 steps on a linear
//! one, each label distinct and at least two of them, so that every value can be read.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

/// One axis: its range in drawing units (log10 of the value on a log axis) and its ticks.
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    ticks: Vec<(f64, String)>,
}

impl Axis {
    /// A linear axis over `[lo, hi]`.
    pub(crate) fn linear(lo: f64, hi: f64) -> Axis {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, lo + 0.5)
        };
        let step = nice_step((hi - lo) / 5.0);
        let first = (lo / step - 1e-9).ceil() as i64;
        let last = (hi / step + 1e-9).floor() as i64;
        let ticks = (first..=last)
            .map(|k| {
                let v = k as f64 * step;
                (v, number(v, step))
            })
            .collect();
        Axis {
            lo,
            hi,
            log: false,
            ticks,
        }
    }

    /// A log axis around `[lo, hi]` (values, both positive), widened to whole decades.
    pub(crate) fn log(lo: f64, hi: f64) -> Axis {
        let lo = lo.max(f64::MIN_POSITIVE).log10().floor();
        let hi = hi.max(f64::MIN_POSITIVE).log10().ceil().max(lo + 1.0);
        Axis::decades(lo, hi)
    }

    /// A log axis from 10^`lo` to 10^`hi` (whole exponents).
    pub(crate) fn decades(lo: f64, hi: f64) -> Axis {
        let span = (hi - lo).round() as i64;
        // At most about seven labels: every decade, or every second or third.
        let every = (span as f64 / 7.0).ceil().max(1.0) as i64;
        let ticks = (0..=span)
            .filter(|k| k % every == 0)
            .map(|k| {
                let e = lo as i64 + k;
                (e as f64, power_of_ten(e))
            })
            .collect();
        Axis {
            lo,
            hi,
            log: true,
            ticks,
        }
    }

    /// Where `value` lies in drawing units.
    pub(crate) fn at(&self, value: f64) -> f64 {
        if self.log {
            value.max(f64::MIN_POSITIVE).log10()
        } else {
            value
        }
    }

    /// The range in drawing units.
    pub(crate) fn span(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }

    /// The tick labels, in order.
    pub(crate) fn labels(&self) -> Vec<String> {
        self.ticks.iter().map(|(_, l)| l.clone()).collect()
    }

    /// The label of the tick at `v` (drawing units), empty between ticks.
    pub(crate) fn label(&self, v: f64) -> String {
        let tolerance = 1e-9 * (self.hi - self.lo).abs().max(1e-300);
        self.ticks
            .iter()
            .find(|(t, _)| (t - v).abs() <= tolerance)
            .map_or(String::new(), |(_, l)| l.clone())
    }

    /// The axis as a plotters coordinate.
    pub(crate) fn ranged(&self) -> Ticked {
        Ticked(self.clone())
    }
}

/// The 1, 2 or 5 times a power of ten nearest above `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = raw.abs().max(f64::MIN_POSITIVE);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * p)
}

/// A tick value written with as many digits as its step needs, and no more.
fn number(v: f64, step: f64) -> String {
    let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
    if step >= 1e-3 && v.abs() < 1e6 {
        let decimals = (-step.log10().floor()).max(0.0) as usize;
        format!("{v:.decimals$}")
    } else {
        let digits = (v.abs().max(step).log10().floor() - step.log10().floor()).max(0.0) as usize;
        format!("{v:.digits$e}")
    }
}

/// 10^e as a reader writes it: 1, 10, 100, 1e3, 0.1, 0.01, 1e-3.
fn power_of_ten(e: i64) -> String {
    match e {
        -2..=2 => format!("{}", 10f64.powi(e as i32)),
        _ => format!("1e{e}"),
    }
}

/// An [`Axis`] as plotters draws it: linear in drawing units, key points at the ticks.
#[derive(Debug, Clone)]
pub(crate) struct Ticked(Axis);

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let fraction = (value - self.0.lo) / (self.0.hi - self.0.lo);
        let length = f64::from(limit.1 - limit.0);
        limit.0 + (length * fraction + 1e-3).floor() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Light grid lines (the `Any` weight) are not drawn: only the labelled ticks.
        if hint.weight().allow_light_points() {
            return Vec::new();
        }
        self.0.ticks.iter().map(|(t, _)| *t).collect()
    }

    fn range(&self) -> Range<f64> {
        self.0.lo..self.0.hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(axis: &Axis) -> Vec<f64> {
        axis.labels()
            .iter()
            .map(|l| l.parse::<f64>().unwrap())
            .collect()
    }

    fn distinct_and_increasing(axis: &Axis) {
        let v = numbers(axis);
        assert!(v.len() >= 2, "{:?}", axis.labels());
        assert!(v.windows(2).all(|w| w[0] < w[1]), "{:?}", axis.labels());
    }

    #[test]
    fn log_axes_label_whole_decades() {
        let a = Axis::log(3e-5, 0.7);
        assert_eq!(a.labels(), ["1e-5", "1e-4", "1e-3", "0.01", "0.1", "1"]);
        distinct_and_increasing(&a);
        // A range inside one decade still gets two labels.
        distinct_and_increasing(&Axis::log(0.31, 0.42));
        // Many decades: every second or third, never more than eight labels.
        let wide = Axis::log(1e-12, 10.0);
        assert!(wide.labels().len() <= 8, "{:?}", wide.labels());
        distinct_and_increasing(&wide);
    }

    #[test]
    fn linear_axes_step_by_one_two_or_five() {
        assert_eq!(
            Axis::linear(0.0, 1.0).labels(),
            ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
        );
        assert_eq!(Axis::linear(0.0, 2000.0).labels().len(), 5);
        for (lo, hi) in [
            (0.85, 1.0),
            (-4.0, 4.0),
            (0.0, 3e-6),
            (1e-7, 1.2e-7),
            (0.0, 0.3),
        ] {
            distinct_and_increasing(&Axis::linear(lo, hi));
        }
        assert_eq!(Axis::linear(-1.0, 1.0).label(0.0), "0.0");
    }
}
