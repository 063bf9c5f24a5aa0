//! The quick suite on real MNIST: every reproduction it checks lands in range, every claim it
//! decides comes out as expected, the numbers do not depend on the number of jobs, and the
//! report is complete and self-contained.

use nabla_datasets::Mnist;
use nabla_experiments::suite::{self, Options};
use nabla_experiments::verdict::{self, Outcome};
use nabla_experiments::{Data, catalog};

fn data() -> Option<Data> {
    let dir = nabla_testdata::mnist_dir()?;
    Some(Data::new(&Mnist::load(dir).unwrap()))
}

fn options(jobs: usize) -> Options {
    Options {
        seed: 0,
        jobs,
        threads_per_run: 1,
        random_search: false,
        search_trials: 0,
    }
}

#[test]
fn quick_suite_reproduces_and_decides_as_expected() {
    let Some(data) = data() else { return };
    let specs = catalog::quick();
    let result = suite::run(&specs, &data, &options(2), &|_| {}).unwrap();
    assert_eq!(result.runs.len(), specs.len());
    for check in &result.checks {
        assert!(check.pass, "{check:?}");
    }
    assert_eq!(result.checks.len(), specs.len());
    let verdicts = verdict::all(&result, Some((true, false)));
    let decided: Vec<_> = verdicts
        .iter()
        .filter(|v| v.outcome != Outcome::Undecided)
        .collect();
    // What a short run can decide: ReLU vs sigmoid, adaptive vs SGD, CNN, im2col/col2im.
    assert!(decided.len() >= 5, "{verdicts:#?}");
    for v in decided {
        assert!(!v.is_unexpected(), "{v:#?}");
    }
    let vg1 = result.get("VG-1").unwrap();
    let vg4 = result.get("VG-4").unwrap();
    assert!(vg1.final_test() < 0.12 && vg4.final_test() > 0.9);
    // The vanishing gradient, measured: the sigmoid net's first layer gets a far smaller
    // gradient than its last.
    let (_, norms) = &vg1.gradient_norms[vg1.gradient_norms.len() - 1];
    assert!(norms[0].1 < norms[2].1 / 10.0, "{norms:?}");
}

#[test]
fn results_do_not_depend_on_jobs() {
    let Some(data) = data() else { return };
    let specs: Vec<_> = catalog::quick()
        .into_iter()
        .filter(|s| s.group != nabla_experiments::Group::Cnn)
        .map(|mut s| {
            s.iterations = 100;
            s
        })
        .collect();
    let one = suite::run(&specs, &data, &options(1), &|_| {}).unwrap();
    let three = suite::run(&specs, &data, &options(3), &|_| {}).unwrap();
    for ((_, a), (_, b)) in one.runs.iter().zip(&three.runs) {
        assert_eq!(a.id, b.id);
        let bits = |r: &nabla_experiments::RunResult| {
            r.curve
                .iter()
                .map(|p| (p.train.to_bits(), p.test.to_bits(), p.loss.to_bits()))
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(a), bits(b), "{}", a.id);
    }
}
