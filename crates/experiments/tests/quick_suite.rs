//! The quick suite on real MNIST: every reproduction it checks lands in range, every claim it
//! decides comes out as expected, the numbers do not depend on the number of jobs, and the
//! report is complete and self-contained.

use std::path::Path;

use nabla_datasets::Mnist;
use nabla_experiments::suite::{self, Options};
use nabla_experiments::verdict::{self, Outcome};
use nabla_experiments::{Data, catalog};

fn options(jobs: usize) -> Options {
    seeded(jobs, vec![0])
}

fn seeded(jobs: usize, seeds: Vec<u64>) -> Options {
    Options {
        seeds,
        jobs,
        threads_per_run: 1,
        random_search: false,
        search_trials: 0,
    }
}

fn quick_suite_reproduces_and_decides_as_expected(dir: &Path) {
    let data = Data::new(&Mnist::load(dir).unwrap());
    let specs = catalog::quick();
    let result = suite::run(&specs, &data, &options(2), &|_| {}).unwrap();
    assert_eq!(result.runs.len(), specs.len());
    for check in &result.checks {
        assert!(check.pass, "{check:?}");
    }
    assert_eq!(result.checks.len(), specs.len());
    let computed = nabla_experiments::computed::run().unwrap();
    let verdicts = verdict::all(&result, Some(&computed));
    let decided: Vec<_> = verdicts
        .iter()
        .filter(|v| v.outcome != Outcome::Undecided)
        .collect();
    // What a short run can decide: ReLU vs sigmoid, adaptive vs SGD, CNN, im2col/col2im,
    // and every claim computed without training.
    assert!(decided.len() >= 15, "{verdicts:#?}");
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

fn short_specs() -> Vec<nabla_experiments::RunSpec> {
    catalog::quick()
        .into_iter()
        .filter(|s| s.group != nabla_experiments::Group::Cnn)
        .map(|mut s| {
            s.iterations = 100;
            s
        })
        .collect()
}

fn bits(r: &nabla_experiments::RunResult) -> Vec<(u64, u64, u64)> {
    r.curve
        .iter()
        .map(|p| (p.train.to_bits(), p.test.to_bits(), p.loss.to_bits()))
        .collect()
}

fn several_seeds_are_each_the_single_seed_suite(dir: &Path) {
    let data = Data::new(&Mnist::load(dir).unwrap());
    let specs = short_specs();
    let both = suite::run(&specs, &data, &seeded(2, vec![5, 9]), &|_| {}).unwrap();
    assert_eq!(both.seeds, [5, 9]);
    assert_eq!(both.replicas.len(), 1);
    for (k, seed) in [5u64, 9].into_iter().enumerate() {
        let alone = suite::run(&specs, &data, &seeded(1, vec![seed]), &|_| {}).unwrap();
        for (spec, single) in &alone.runs {
            let all = both.all_seeds(&spec.id);
            assert_eq!(bits(all[k]), bits(single), "{} seed {seed}", spec.id);
        }
    }
    // The two seeds differ, and each verdict is counted once per seed.
    assert_ne!(
        bits(both.all_seeds("VG-4")[0]),
        bits(both.all_seeds("VG-4")[1])
    );
    let verdicts = verdict::all(&both, None);
    let decided = verdicts
        .iter()
        .find(|v| v.claim.id == "relu-fixes-vanishing")
        .unwrap();
    assert_eq!(decided.per_seed.len(), 2, "{decided:#?}");
    let check = both.checks.iter().find(|c| c.id == "VG-4").unwrap();
    assert!(check.spread.0 <= check.measured && check.measured <= check.spread.1);
}

fn results_do_not_depend_on_jobs(dir: &Path) {
    let data = Data::new(&Mnist::load(dir).unwrap());
    let specs = short_specs();
    let one = suite::run(&specs, &data, &options(1), &|_| {}).unwrap();
    let three = suite::run(&specs, &data, &options(3), &|_| {}).unwrap();
    for ((_, a), (_, b)) in one.runs.iter().zip(&three.runs) {
        assert_eq!(a.id, b.id);
        assert_eq!(bits(a), bits(b), "{}", a.id);
    }
}

nabla_testdata::main!(
    mnist quick_suite_reproduces_and_decides_as_expected,
    mnist several_seeds_are_each_the_single_seed_suite,
    mnist results_do_not_depend_on_jobs,
);
