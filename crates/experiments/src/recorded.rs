//! The accuracy curves the original notebooks printed, shipped with the crate so that a
//! clone draws them beside its own without any other file.

/// `(iteration, train accuracy, test accuracy)` points of the recorded run `id` (empty when
/// the original printed none). `CNN-3-course` and `CNN-3-course-after` are the course's own
/// runs of the CNN-3 cell.
///
/// ```
/// let curve = nabla_experiments::recorded::curve("VG-4");
/// assert_eq!(curve.len(), 200);
/// assert_eq!(curve.last().map(|p| p.2), Some(0.9564));
/// ```
pub fn curve(id: &str) -> Vec<(u64, f64, f64)> {
    const CSV: &str = include_str!("../recorded_curves.csv");
    CSV.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .filter_map(|line| {
            let mut f = line.split(',');
            if f.next()? != id {
                return None;
            }
            Some((
                f.next()?.parse().ok()?,
                f.next()?.parse().ok()?,
                f.next()?.parse().ok()?,
            ))
        })
        .collect()
}
