//! Each optimizer minimizes a badly scaled quadratic and the Rosenbrock function from a fixed
//! start; property tests check zero-gradient and per-parameter-state behaviour.

use nabla_optim::{
    AdaGrad, Adam, AdamForm, AdamW, Momentum, Nesterov, Optimizer, RmsProp, Schedule, Sgd, step,
};
use nabla_tensor::{Param, ParamKind};
use ndarray::{ArrayD, array};
use proptest::prelude::*;

/// `f(x, y) = x²/20 + y²`: the book's example, 20x steeper along y than along x.
fn quadratic(p: &[f64]) -> (f64, [f64; 2]) {
    (p[0] * p[0] / 20.0 + p[1] * p[1], [p[0] / 10.0, 2.0 * p[1]])
}

/// `f(x, y) = (1 − x)² + 100·(y − x²)²`, minimum at (1, 1) at the bottom of a curved valley.
fn rosenbrock(p: &[f64]) -> (f64, [f64; 2]) {
    let (x, y) = (p[0], p[1]);
    (
        (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2),
        [
            -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
            200.0 * (y - x * x),
        ],
    )
}

/// Steps until the distance to `optimum` falls below `tol` and stays there until `limit`, or
/// `None`.
fn steps_to_converge(
    optimizer: &mut dyn Optimizer<f64>,
    schedule: &Schedule,
    f: fn(&[f64]) -> (f64, [f64; 2]),
    start: [f64; 2],
    optimum: [f64; 2],
    tol: f64,
    limit: usize,
) -> Option<usize> {
    let mut p = Param::new(array![start[0], start[1]].into_dyn(), ParamKind::Weight);
    let mut first_inside = None;
    let base = optimizer.lr();
    for t in 1..=limit {
        optimizer.set_lr(schedule.lr(base, t as u64 - 1)).unwrap();
        let (_, g) = f(p.value.as_slice().unwrap());
        p.grad = ArrayD::from_shape_vec(vec![2], g.to_vec()).unwrap();
        step(optimizer, |visit| visit("p", &mut p)).unwrap();
        let d = ((p.value[0] - optimum[0]).powi(2) + (p.value[1] - optimum[1]).powi(2)).sqrt();
        match (d < tol, first_inside) {
            (true, None) => first_inside = Some(t),
            (false, Some(_)) => first_inside = None,
            _ => {}
        }
    }
    first_inside
}

type Case = (
    &'static str,
    Box<dyn Fn() -> Box<dyn Optimizer<f64>>>,
    Schedule,
    usize,
);

fn boxed(o: impl Optimizer<f64> + 'static) -> Box<dyn Optimizer<f64>> {
    Box::new(o)
}

/// Learning rates from the book's comparison on this function. The adaptive methods take steps
/// of about `lr` whatever the gradient, so at a constant rate they circle the minimum for ever:
/// they get an exponential decay ("start large, decrease gradually"). Budgets are the measured
/// step counts plus about 20%.
fn quadratic_cases() -> Vec<Case> {
    vec![
        (
            "Sgd lr 0.95",
            Box::new(|| boxed(Sgd::new(0.95).unwrap())),
            Schedule::Constant,
            QUADRATIC_STEPS[0],
        ),
        (
            "Momentum lr 0.1",
            Box::new(|| boxed(Momentum::new(0.1, 0.9).unwrap())),
            Schedule::Constant,
            QUADRATIC_STEPS[1],
        ),
        (
            "Nesterov lr 0.1",
            Box::new(|| boxed(Nesterov::new(0.1, 0.9).unwrap())),
            Schedule::Constant,
            QUADRATIC_STEPS[2],
        ),
        (
            "AdaGrad lr 1.5",
            Box::new(|| boxed(AdaGrad::new(1.5).unwrap())),
            Schedule::Constant,
            QUADRATIC_STEPS[3],
        ),
        (
            "RmsProp lr 0.3",
            Box::new(|| boxed(RmsProp::new(0.3, 0.99).unwrap())),
            Schedule::Exponential { gamma: 0.995 },
            QUADRATIC_STEPS[4],
        ),
        (
            "Adam lr 0.3",
            Box::new(|| boxed(Adam::new(0.3).unwrap())),
            Schedule::Exponential { gamma: 0.99 },
            QUADRATIC_STEPS[5],
        ),
        (
            "AdamW lr 0.3",
            Box::new(|| boxed(AdamW::new(0.3, 0.0).unwrap())),
            Schedule::Exponential { gamma: 0.99 },
            QUADRATIC_STEPS[6],
        ),
    ]
}

fn rosenbrock_cases() -> Vec<Case> {
    vec![
        (
            "Sgd lr 0.001",
            Box::new(|| boxed(Sgd::new(0.001).unwrap())),
            Schedule::Constant,
            ROSENBROCK_STEPS[0],
        ),
        (
            "Momentum lr 0.0005",
            Box::new(|| boxed(Momentum::new(0.0005, 0.9).unwrap())),
            Schedule::Constant,
            ROSENBROCK_STEPS[1],
        ),
        (
            "Nesterov lr 0.0005",
            Box::new(|| boxed(Nesterov::new(0.0005, 0.9).unwrap())),
            Schedule::Constant,
            ROSENBROCK_STEPS[2],
        ),
        (
            "AdaGrad lr 0.5",
            Box::new(|| boxed(AdaGrad::new(0.5).unwrap())),
            Schedule::Constant,
            ROSENBROCK_STEPS[3],
        ),
        (
            "RmsProp lr 0.1",
            Box::new(|| boxed(RmsProp::new(0.1, 0.99).unwrap())),
            Schedule::Exponential { gamma: 0.999 },
            ROSENBROCK_STEPS[4],
        ),
        (
            "Adam lr 0.3",
            Box::new(|| boxed(Adam::new(0.3).unwrap())),
            Schedule::Exponential { gamma: 0.999 },
            ROSENBROCK_STEPS[5],
        ),
        (
            "AdamW lr 0.3",
            Box::new(|| boxed(AdamW::new(0.3, 0.0).unwrap())),
            Schedule::Exponential { gamma: 0.999 },
            ROSENBROCK_STEPS[6],
        ),
    ]
}

/// Measured (run with `--nocapture`): 89, 160, 133, 69, 21, 152, 152 steps.
const QUADRATIC_STEPS: [usize; 7] = [110, 200, 160, 85, 30, 185, 185];
/// Measured: 17695, 3458, 3439, 13827, 6928, 1923, 1923 steps.
const ROSENBROCK_STEPS: [usize; 7] = [21_300, 4_200, 4_200, 16_600, 8_400, 2_350, 2_350];

#[test]
fn every_optimizer_minimizes_the_badly_scaled_quadratic() {
    for (name, make, schedule, budget) in quadratic_cases() {
        let steps = steps_to_converge(
            make().as_mut(),
            &schedule,
            quadratic,
            [-7.0, 2.0],
            [0.0, 0.0],
            1e-3,
            budget,
        );
        println!("quadratic {name}: {steps:?}");
        assert!(
            steps.is_some(),
            "{name} did not converge within {budget} steps"
        );
    }
}

#[test]
fn every_optimizer_minimizes_rosenbrock() {
    for (name, make, schedule, budget) in rosenbrock_cases() {
        let steps = steps_to_converge(
            make().as_mut(),
            &schedule,
            rosenbrock,
            [-1.5, 2.0],
            [1.0, 1.0],
            1e-3,
            budget,
        );
        println!("rosenbrock {name}: {steps:?}");
        assert!(
            steps.is_some(),
            "{name} did not converge within {budget} steps"
        );
    }
}

fn any_optimizer() -> impl Strategy<Value = usize> {
    0usize..8
}

fn make(kind: usize) -> Box<dyn Optimizer<f64>> {
    match kind {
        0 => boxed(Sgd::new(0.1).unwrap()),
        1 => boxed(Momentum::new(0.1, 0.9).unwrap()),
        2 => boxed(Nesterov::new(0.1, 0.9).unwrap()),
        3 => boxed(AdaGrad::new(0.1).unwrap()),
        4 => boxed(RmsProp::new(0.1, 0.99).unwrap()),
        5 => boxed(Adam::new(0.1).unwrap()),
        6 => boxed(Adam::with_options(0.1, 0.9, 0.999, 1e-8, AdamForm::Textbook).unwrap()),
        _ => boxed(AdamW::new(0.1, 0.0).unwrap()),
    }
}

proptest! {
    #[test]
    fn zero_gradient_leaves_parameters_unchanged(values in proptest::collection::vec(-10.0f64..10.0, 1..20), kind in any_optimizer(), steps in 1usize..5) {
        let mut opt = make(kind);
        let start = ArrayD::from_shape_vec(vec![values.len()], values).unwrap();
        let mut p = Param::new(start.clone(), ParamKind::Weight);
        for _ in 0..steps {
            step(opt.as_mut(), |visit| visit("w", &mut p)).unwrap();
        }
        prop_assert_eq!(p.value, start);
    }

    #[test]
    fn state_is_per_parameter(a in proptest::collection::vec(-1.0f64..1.0, 3), b in proptest::collection::vec(-1.0f64..1.0, 3), kind in any_optimizer()) {
        // Two parameters stepped together by one optimizer end where each ends alone.
        let param = |v: &[f64]| {
            let mut p = Param::new(ArrayD::from_shape_vec(vec![3], v.to_vec()).unwrap(), ParamKind::Weight);
            p.grad = p.value.mapv(|x| x * 0.5 + 0.1);
            p
        };
        let (mut pa, mut pb) = (param(&a), param(&b));
        let mut together = make(kind);
        for _ in 0..3 {
            step(together.as_mut(), |visit| { visit("a", &mut pa); visit("b", &mut pb); }).unwrap();
        }
        let mut alone = param(&a);
        let mut single = make(kind);
        for _ in 0..3 {
            step(single.as_mut(), |visit| visit("a", &mut alone)).unwrap();
        }
        prop_assert_eq!(pa.value, alone.value);
        prop_assert_eq!(together.state().slots.len(), if kind == 0 { 0 } else { 2 });
    }
}
