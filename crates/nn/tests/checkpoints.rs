//! Checkpoints: round trip, resume through the run object (for a built-in network and for
//! any layers with any loss), and every kind of bad file.

use std::path::{Path, PathBuf};

use nabla_layers::{
    Dropout, DropoutKind, Linear, LinearConfig, MeanSquaredError, Relu, Sequential, Tanh,
};
use nabla_nn::{
    Architecture, Classifier, MlpConfig, Network, NnError, SequentialClassifier, Split,
    TrainConfig, Trainer, checkpoint,
};
use nabla_optim::{OptimizerConfig, Sgd};
use ndarray::Array2;
use rand::SeedableRng;

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("nabla-ckpt-{}-{name}", std::process::id()))
}

fn toy_data() -> Split<f32> {
    let x = Array2::from_shape_fn((40, 6), |(i, j)| ((i * 7 + j * 3) % 11) as f32 / 11.0 - 0.5);
    let labels = (0..40).map(|i| (i * 7 % 11) % 3).collect();
    Split::new(x.into_dyn(), labels).unwrap()
}

fn arch() -> Architecture {
    let mut c = MlpConfig::new(6, vec![8, 5], 3);
    c.batchnorm = true;
    Architecture::Mlp(c)
}

/// Layers of our own with a loss of our own: no built-in architecture describes them.
fn custom_model(seed: u64) -> SequentialClassifier<f32> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut body = Sequential::new();
    body.push(
        "fc1",
        Linear::new(&LinearConfig::new(6, 7), &mut rng).unwrap(),
    )
    .push("tanh", Tanh::new())
    .push(
        "fc2",
        Linear::new(&LinearConfig::new(7, 5), &mut rng).unwrap(),
    )
    .push("relu", Relu::new())
    .push(
        "fc3",
        Linear::new(&LinearConfig::new(5, 3), &mut rng).unwrap(),
    );
    SequentialClassifier::new(body, MeanSquaredError::new(), 3)
}

/// Every parameter by name, as the bits of its values.
type Bits = Vec<(String, Vec<u32>)>;

fn bits(model: &dyn Classifier<f32>) -> Bits {
    let mut all = Vec::new();
    model.params(&mut |name, p| {
        all.push((
            name.to_string(),
            p.value.iter().map(|v| v.to_bits()).collect(),
        ))
    });
    all
}

fn config(steps: u64) -> TrainConfig {
    let mut c = TrainConfig::iterations(steps, 8);
    c.eval_every = Some(4);
    c.seed = 3;
    c
}

fn adam() -> OptimizerConfig {
    OptimizerConfig::adam(0.01)
}

fn error_of(path: &Path) -> String {
    match checkpoint::load::<f32>(path) {
        Err(NnError::Checkpoint { problem, .. }) => problem,
        Err(other) => panic!("unexpected error kind: {other}"),
        Ok(_) => panic!("{} loaded", path.display()),
    }
}

#[test]
fn round_trip_keeps_every_parameter_and_buffer() {
    let data = toy_data();
    let mut run =
        Trainer::new(Network::<f32>::new(&arch(), 1).unwrap(), &adam(), config(5)).unwrap();
    run.fit(&data, &data, &mut []).unwrap();
    let mut net = run.into_model();
    let path = tmp("round");
    checkpoint::save(&path, &net, None).unwrap();
    let (mut loaded, training) = checkpoint::load::<f32>(&path).unwrap();
    assert!(training.is_none());
    assert_eq!(bits(&loaded), bits(&net));
    assert!(
        bits(&net)
            .iter()
            .any(|(n, _)| n == "batchnorm1.running_var")
    );
    assert_eq!(
        loaded.predict(&data.to_array(), 16).unwrap(),
        net.predict(&data.to_array(), 16).unwrap()
    );
    assert!(!Path::new(&format!("{}.partial", path.display())).exists());
    std::fs::remove_file(path).unwrap();
}

#[test]
fn a_network_run_resumed_from_its_file_equals_the_uninterrupted_run() {
    let data = toy_data();
    let (straight, straight_history) = {
        let mut run = Trainer::new(
            Network::<f32>::new(&arch(), 1).unwrap(),
            &adam(),
            config(12),
        )
        .unwrap();
        let history = run.fit(&data, &data, &mut []).unwrap();
        (bits(run.model()), history)
    };
    let path = tmp("resume-net");
    {
        let mut run =
            Trainer::new(Network::<f32>::new(&arch(), 1).unwrap(), &adam(), config(5)).unwrap();
        run.fit(&data, &data, &mut []).unwrap();
        run.save(&path).unwrap();
    }
    // Everything comes from the file: architecture, weights, optimizer, its state, step, seed
    // and plan; only the budget is extended.
    let mut run = Trainer::<f32, Network<f32>>::from_checkpoint(&path).unwrap();
    assert_eq!((run.step(), run.config()), (5, &config(5)));
    run.config_mut().budget = config(12).budget;
    let rest = run.fit(&data, &data, &mut []).unwrap();
    assert_eq!(bits(run.model()), straight);
    assert_eq!(rest.losses[..], straight_history.losses[5..]);
    std::fs::remove_file(path).unwrap();
}

/// The network of [`arch`] with dropout after each hidden layer.
fn arch_with_dropout() -> Architecture {
    let mut c = MlpConfig::new(6, vec![8, 5], 3);
    c.dropout = Some(0.3);
    Architecture::Mlp(c)
}

/// Trains `steps` of a fresh `model` straight through, and the same run stopped after
/// `stop` steps, saved, rebuilt by `resume` and continued: the weights of both, as bits.
fn straight_and_resumed<M: Classifier<f32>>(
    model: impl Fn() -> M,
    resume: impl Fn(&Path) -> Trainer<f32, M>,
    stop: u64,
    steps: u64,
    name: &str,
) -> (Bits, Bits) {
    let data = toy_data();
    let straight = {
        let mut run = Trainer::new(model(), &adam(), config(steps)).unwrap();
        run.fit(&data, &data, &mut []).unwrap();
        bits(run.model())
    };
    let path = tmp(name);
    {
        let mut run = Trainer::new(model(), &adam(), config(stop)).unwrap();
        run.fit(&data, &data, &mut []).unwrap();
        run.save(&path).unwrap();
    }
    let mut run = resume(&path);
    run.fit(&data, &data, &mut []).unwrap();
    std::fs::remove_file(path).unwrap();
    (straight, bits(run.model()))
}

#[test]
fn a_dropout_network_resumes_with_the_masks_it_would_have_drawn() {
    // A built-in network rebuilt from the file alone.
    let (straight, resumed) = straight_and_resumed(
        || Network::<f32>::new(&arch_with_dropout(), 1).unwrap(),
        |path| {
            let mut run = Trainer::<f32, Network<f32>>::from_checkpoint(path).unwrap();
            run.config_mut().budget = config(12).budget;
            run
        },
        5,
        12,
        "resume-dropout-net",
    );
    assert_eq!(resumed, straight);
    // Layers of one's own with dropout, rebuilt by the caller from another seed.
    let with_dropout = |seed: u64| {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut body = Sequential::new();
        body.push(
            "fc1",
            Linear::new(&LinearConfig::new(6, 9), &mut rng).unwrap(),
        )
        .push("relu", Relu::new())
        .push(
            "drop",
            Dropout::new(0.4, DropoutKind::Classic, seed).unwrap(),
        )
        .push(
            "fc2",
            Linear::new(&LinearConfig::new(9, 3), &mut rng).unwrap(),
        );
        SequentialClassifier::new(body, MeanSquaredError::new(), 3)
    };
    let (straight, resumed) = straight_and_resumed(
        || with_dropout(4),
        |path| {
            let mut run = Trainer::new(with_dropout(77), &adam(), config(12)).unwrap();
            run.resume(path).unwrap();
            run
        },
        7,
        12,
        "resume-dropout-custom",
    );
    assert_eq!(resumed, straight);
}

/// The file at `path` rewritten as format `version`: its payload without its last `cut`
/// bytes (the sections later versions added, each one byte when empty), checksum redone.
fn rewrite_as(path: &Path, version: u32, cut: usize) {
    let now = std::fs::read(path).unwrap();
    let payload = &now[24..now.len() - 4 - cut];
    assert!(
        now[now.len() - 4 - cut..now.len() - 4]
            .iter()
            .all(|&b| b == 0),
        "the sections cut are empty"
    );
    let mut crc = flate2::Crc::new();
    crc.update(payload);
    let mut old = now[..24].to_vec();
    old[8..12].copy_from_slice(&version.to_le_bytes());
    old[16..24].copy_from_slice(&(payload.len() as u64).to_le_bytes());
    old.extend_from_slice(payload);
    old.extend_from_slice(&crc.sum().to_le_bytes());
    std::fs::write(path, old).unwrap();
}

#[test]
fn a_version_1_file_still_reads() {
    // Version 1 ended its payload after the training state: no stream positions, no plan.
    let net = Network::<f32>::new(&arch(), 2).unwrap();
    let path = tmp("v1");
    checkpoint::save(&path, &net, None).unwrap();
    rewrite_as(&path, 1, 2);
    let (loaded, training) = checkpoint::load::<f32>(&path).unwrap();
    assert!(training.is_none());
    assert_eq!(bits(&loaded), bits(&net));
    std::fs::remove_file(path).unwrap();
}

#[test]
fn a_version_2_run_resumes_and_asks_for_a_plan() {
    // Version 2 saved no plan: the run rebuilt from it stops where it was saved.
    let data = toy_data();
    let path = tmp("v2");
    let mut run =
        Trainer::new(Network::<f32>::new(&arch(), 1).unwrap(), &adam(), config(5)).unwrap();
    run.fit(&data, &data, &mut []).unwrap();
    let state = checkpoint::TrainingState {
        optimizer: adam(),
        state: run.optimizer().state(),
        step: run.step(),
        seed: 3,
        plan: None,
    };
    checkpoint::save(&path, run.model(), Some(state)).unwrap();
    rewrite_as(&path, 2, 1);
    let mut resumed = Trainer::<f32, Network<f32>>::from_checkpoint(&path).unwrap();
    assert_eq!(resumed.step(), 5);
    assert_eq!(resumed.config().total_steps(data.len()), 5, "no steps left");
    assert_eq!(bits(resumed.model()), bits(run.model()));
    *resumed.config_mut() = config(12);
    resumed.fit(&data, &data, &mut []).unwrap();
    assert_eq!(resumed.step(), 12);
    std::fs::remove_file(path).unwrap();
}

#[test]
fn any_layers_with_any_loss_resume_bit_for_bit() {
    let data = toy_data();
    let straight = {
        let mut run = Trainer::new(custom_model(4), &adam(), config(12)).unwrap();
        run.fit(&data, &data, &mut []).unwrap();
        bits(run.model())
    };
    let path = tmp("resume-custom");
    {
        let mut run = Trainer::new(custom_model(4), &adam(), config(7)).unwrap();
        run.fit(&data, &data, &mut []).unwrap();
        run.save(&path).unwrap();
    }
    // The caller rebuilds the model (any seed: the weights come from the file) and resumes.
    let mut run = Trainer::new(custom_model(123), &adam(), config(12)).unwrap();
    run.resume(&path).unwrap();
    assert_eq!(run.step(), 7);
    run.fit(&data, &data, &mut []).unwrap();
    assert_eq!(bits(run.model()), straight);

    // Without an architecture, the file cannot rebuild a network by itself.
    assert!(error_of(&path).contains("without a built-in architecture"));
    // A run with another optimizer, or another model, is refused by name.
    let mut other = Trainer::new(custom_model(4), &OptimizerConfig::sgd(0.1), config(12)).unwrap();
    let err = other.resume(&path).unwrap_err().to_string();
    assert!(err.contains("trained with Adam"), "{err}");
    let mut net = Trainer::new(
        Network::<f32>::new(&arch(), 1).unwrap(),
        &adam(),
        config(12),
    )
    .unwrap();
    let err = net.resume(&path).unwrap_err().to_string();
    assert!(
        err.contains("parameter `affine1.weight` of the mlp architecture is missing"),
        "{err}"
    );
    std::fs::remove_file(path).unwrap();
}

#[test]
fn a_run_with_an_optimizer_of_its_own_says_why_it_cannot_save() {
    let sgd = Box::new(Sgd::<f32>::new(0.1).unwrap());
    let run = Trainer::with_optimizer(custom_model(1), sgd, config(2)).unwrap();
    let path = tmp("own-optimizer");
    let err = run.save(&path).unwrap_err().to_string();
    assert!(err.contains("not built from an OptimizerConfig"), "{err}");
    assert!(!path.exists());
}

#[test]
fn bad_files_are_named_errors() {
    let net = Network::<f32>::new(&arch(), 1).unwrap();
    let bytes = checkpoint::encode(&net, None).unwrap();
    let path = tmp("bad");
    let write = |b: &[u8]| std::fs::write(&path, b).unwrap();

    write(&bytes[..bytes.len() / 2]);
    assert!(error_of(&path).contains("truncated"), "{}", error_of(&path));
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    write(&flipped);
    assert_eq!(error_of(&path), "corrupted: checksum mismatch");
    write(b"\x89PNG\r\n\x1a\n0000000000000000000000000000");
    assert_eq!(
        error_of(&path),
        "not a nabla checkpoint (no NABLAckp header)"
    );
    let mut version = bytes.clone();
    version[8] = 9;
    write(&version);
    assert_eq!(
        error_of(&path),
        "format version 9; this build reads versions 1 to 3"
    );
    let mut forged = bytes.clone();
    forged[16..24].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
    write(&forged);
    assert!(
        error_of(&path).contains("header says"),
        "{}",
        error_of(&path)
    );
    let mut kind = bytes.clone();
    kind[13] = 7;
    write(&kind);
    assert_eq!(error_of(&path), "unknown payload kind 7");
    write(&bytes);
    match checkpoint::load::<f64>(&path) {
        Err(e) => assert!(
            e.to_string().contains("holds f32 parameters, expected f64"),
            "{e}"
        ),
        Ok(_) => panic!("f32 checkpoint loaded as f64"),
    }
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn parameters_that_do_not_fit_the_architecture_are_rejected() {
    let net = Network::<f32>::new(&arch(), 1).unwrap();
    let bytes = checkpoint::encode(&net, None).unwrap();
    let mut checkpoint = checkpoint::decode::<f32>(&bytes, Path::new("x")).unwrap();
    checkpoint.params[0].shape = vec![3, 16];
    let mut fresh = Network::<f32>::new(&arch(), 2).unwrap();
    let err = checkpoint::restore_into(&mut fresh, &checkpoint.params, Path::new("x"))
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("parameter `affine1.weight` has shape [3, 16]"),
        "{err}"
    );
    checkpoint.params.remove(0);
    let err = checkpoint::restore_into(&mut fresh, &checkpoint.params, Path::new("x"))
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("`affine1.weight` of the mlp architecture is missing"),
        "{err}"
    );
}
