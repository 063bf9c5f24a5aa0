//! The notes' picture of L1 and L2: a quadratic loss's contours meet the L2 ball (a circle)
//! at a point with both weights non-zero, and the L1 ball (a diamond) at a corner, where one
//! weight is exactly 0. Found numerically, by projected gradient descent.

use serde::Serialize;

/// The loss `(w − c)ᵀ A (w − c)`: its centre and matrix.
pub const CENTRE: (f64, f64) = (2.0, 0.8);
/// The loss's curvature (symmetric, positive definite).
pub const CURVATURE: [[f64; 2]; 2] = [[1.0, 0.3], [0.3, 0.6]];
/// The constraint's radius: ‖w‖ ≤ 1.
pub const RADIUS: f64 = 1.0;

/// The loss at `w`.
pub fn loss(w: (f64, f64)) -> f64 {
    let (a, b) = (w.0 - CENTRE.0, w.1 - CENTRE.1);
    let [[p, q], [_, r]] = CURVATURE;
    p * a * a + 2.0 * q * a * b + r * b * b
}

fn gradient(w: (f64, f64)) -> (f64, f64) {
    let (a, b) = (w.0 - CENTRE.0, w.1 - CENTRE.1);
    let [[p, q], [_, r]] = CURVATURE;
    (2.0 * (p * a + q * b), 2.0 * (q * a + r * b))
}

fn project_l2(w: (f64, f64)) -> (f64, f64) {
    let n = (w.0 * w.0 + w.1 * w.1).sqrt();
    if n <= RADIUS {
        w
    } else {
        (w.0 * RADIUS / n, w.1 * RADIUS / n)
    }
}

/// Euclidean projection onto the L1 ball: soft-thresholding with the threshold that lands
/// on the boundary (Duchi et al. 2008, for two coordinates).
fn project_l1(w: (f64, f64)) -> (f64, f64) {
    if w.0.abs() + w.1.abs() <= RADIUS {
        return w;
    }
    let mut u = [w.0.abs(), w.1.abs()];
    u.sort_by(|a, b| b.total_cmp(a));
    let tau =
        if u[0] - (u[0] + u[1] - RADIUS) / 2.0 > 0.0 && u[1] - (u[0] + u[1] - RADIUS) / 2.0 > 0.0 {
            (u[0] + u[1] - RADIUS) / 2.0
        } else {
            u[0] - RADIUS
        };
    let shrink = |v: f64| v.signum() * (v.abs() - tau).max(0.0);
    (shrink(w.0), shrink(w.1))
}

/// The constrained optima.
#[derive(Debug, Clone, Serialize)]
pub struct PenaltyShapes {
    /// The optimum inside the L2 ball.
    pub l2: (f64, f64),
    /// The optimum inside the L1 ball.
    pub l1: (f64, f64),
}

fn solve(project: fn((f64, f64)) -> (f64, f64)) -> (f64, f64) {
    let mut w = (0.0, 0.0);
    for _ in 0..20_000 {
        let g = gradient(w);
        w = project((w.0 - 0.05 * g.0, w.1 - 0.05 * g.1));
    }
    w
}

pub(super) fn shapes() -> PenaltyShapes {
    PenaltyShapes {
        l2: solve(project_l2),
        l1: solve(project_l1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projections_land_on_the_balls() {
        let p = project_l1((2.0, 0.8));
        assert!((p.0.abs() + p.1.abs() - 1.0).abs() < 1e-12, "{p:?}");
        assert_eq!(project_l1((0.2, 0.3)), (0.2, 0.3));
        let p = project_l1((0.9, 0.7));
        assert!(
            (p.0 - 0.6).abs() < 1e-12 && (p.1 - 0.4).abs() < 1e-12,
            "{p:?}"
        );
        let q = project_l2((3.0, 4.0));
        assert!((q.0 - 0.6).abs() < 1e-12 && (q.1 - 0.8).abs() < 1e-12);
    }

    #[test]
    fn no_point_of_a_ball_beats_its_optimum() {
        let s = shapes();
        for k in 0..3600 {
            let t = f64::from(k) * std::f64::consts::TAU / 3600.0;
            let circle = (t.cos(), t.sin());
            assert!(loss(circle) >= loss(s.l2) - 1e-9);
            // The diamond's boundary, parametrized by the same angle.
            let n = t.cos().abs() + t.sin().abs();
            let diamond = (t.cos() / n, t.sin() / n);
            assert!(loss(diamond) >= loss(s.l1) - 1e-9);
        }
    }
}
