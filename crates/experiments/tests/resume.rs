//! A run of the suite stopped, saved and resumed through the run object ends with the same
//! weights as one trained straight through: for a built-in network (saved with its
//! architecture) and for the notebook's hand-written network (layers with a one-hot loss,
//! saved without one).

use nabla_experiments::{RunSpec, catalog, runner};
use nabla_nn::{Classifier, Split};
use ndarray::Array2;

/// 200 synthetic "images" of 784 pixels whose class is the band of rows that is lit.
fn synthetic() -> Split<f32> {
    let labels: Vec<usize> = (0..200).map(|i| i % 10).collect();
    let x = Array2::from_shape_fn((200, 784), |(i, p)| {
        let lit = p / 28 / 3 == labels[i];
        if lit {
            0.9
        } else {
            ((i * 31 + p * 7) % 13) as f32 / 60.0
        }
    });
    Split::new(x.into_dyn(), labels).unwrap()
}

fn bits(model: &dyn Classifier<f32>) -> Vec<u32> {
    let mut all = Vec::new();
    model.params(&mut |_, p| all.extend(p.value.iter().map(|v| v.to_bits())));
    all
}

fn spec(id: &str, iterations: u64) -> RunSpec {
    let mut spec = catalog::full().into_iter().find(|s| s.id == id).unwrap();
    spec.iterations = iterations;
    spec.eval_every = 10;
    spec
}

#[test]
fn a_resumed_run_of_the_suite_equals_the_uninterrupted_run() {
    let data = synthetic();
    for id in ["VG-4", "OPT-A4"] {
        let mut straight = runner::trainer(&spec(id, 30), 5, 1).unwrap();
        straight.fit(&data, &data, &mut []).unwrap();

        let path = std::env::temp_dir().join(format!("nabla-resume-{id}-{}", std::process::id()));
        let mut first = runner::trainer(&spec(id, 12), 5, 1).unwrap();
        first.fit(&data, &data, &mut []).unwrap();
        first.save(&path).unwrap();
        // Another seed for the fresh weights: everything that matters comes from the file.
        let mut resumed = runner::trainer(&spec(id, 30), 6, 1).unwrap();
        resumed.resume(&path).unwrap();
        assert_eq!(resumed.step(), 12, "{id}");
        resumed.fit(&data, &data, &mut []).unwrap();
        assert_eq!(bits(resumed.model()), bits(straight.model()), "{id}");
        assert_ne!(
            bits(first.model()),
            bits(straight.model()),
            "{id} trained on after step 12"
        );
        std::fs::remove_file(&path).unwrap();
    }
}
