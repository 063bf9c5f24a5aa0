//! Checkpoints: round trip, resume, and every kind of bad file.

use std::path::{Path, PathBuf};

use nabla_nn::checkpoint::{self, TrainingState};
use nabla_nn::{Architecture, MlpConfig, Network, NnError, Split, TrainConfig, train_from};
use nabla_optim::OptimizerConfig;
use ndarray::Array2;

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

fn weights(net: &mut Network<f32>) -> Vec<(String, Vec<f32>)> {
    let mut all = Vec::new();
    net.visit_params(&mut |name, p| {
        all.push((name.to_string(), p.value.iter().copied().collect()))
    });
    all
}

fn config(steps: u64) -> TrainConfig {
    let mut c = TrainConfig::iterations(steps, 8);
    c.optimizer = OptimizerConfig::default_for("adam", 0.01).unwrap();
    c.seed = 3;
    c
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
    let mut net = Network::<f32>::new(&arch(), 1).unwrap();
    let mut opt = config(5).optimizer.build::<f32>().unwrap();
    train_from(&mut net, opt.as_mut(), 0, &data, &data, &config(5), |_| {}).unwrap();
    let path = tmp("round");
    checkpoint::save(&path, &net, None).unwrap();
    let (mut loaded, training) = checkpoint::load::<f32>(&path).unwrap();
    assert!(training.is_none());
    assert_eq!(weights(&mut loaded), weights(&mut net));
    assert!(
        weights(&mut net)
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
fn resumed_training_equals_uninterrupted_training() {
    let data = toy_data();
    let straight = {
        let mut net = Network::<f32>::new(&arch(), 1).unwrap();
        let mut opt = config(12).optimizer.build::<f32>().unwrap();
        train_from(&mut net, opt.as_mut(), 0, &data, &data, &config(12), |_| {}).unwrap();
        weights(&mut net)
    };
    let path = tmp("resume");
    {
        let mut net = Network::<f32>::new(&arch(), 1).unwrap();
        let mut opt = config(12).optimizer.build::<f32>().unwrap();
        train_from(&mut net, opt.as_mut(), 0, &data, &data, &config(5), |_| {}).unwrap();
        let state = TrainingState {
            optimizer: config(12).optimizer,
            state: opt.state(),
            step: 5,
            seed: 3,
        };
        checkpoint::save(&path, &net, Some(state)).unwrap();
    }
    let (mut net, state) = checkpoint::load::<f32>(&path).unwrap();
    let state = state.unwrap();
    let mut opt = state.optimizer.build::<f32>().unwrap();
    opt.load_state(state.state).unwrap();
    train_from(
        &mut net,
        opt.as_mut(),
        state.step,
        &data,
        &data,
        &config(12),
        |_| {},
    )
    .unwrap();
    assert_eq!(weights(&mut net), straight);
    std::fs::remove_file(path).unwrap();
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
        "format version 9; this build reads version 1"
    );
    let mut forged = bytes.clone();
    forged[16..24].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
    write(&forged);
    assert!(
        error_of(&path).contains("header says"),
        "{}",
        error_of(&path)
    );
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
    let err = checkpoint::restore(
        checkpoint.architecture.clone(),
        &checkpoint.params,
        Path::new("x"),
    )
    .err()
    .unwrap();
    assert!(
        err.to_string()
            .contains("parameter `affine1.weight` has shape [3, 16]"),
        "{err}"
    );
    checkpoint.params.remove(0);
    let err = checkpoint::restore(checkpoint.architecture, &checkpoint.params, Path::new("x"))
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("`affine1.weight` of the mlp architecture is missing"),
        "{err}"
    );
}
