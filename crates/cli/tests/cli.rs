//! The `nabla` binary as a user runs it: train, save, eval, predict, inspect, and bad input.

mod support;

use std::path::{Path, PathBuf};

use support::{nabla, text};

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("nabla-cli-{}-{name}", std::process::id()))
}

fn train_save_eval_predict_inspect(data: &Path) {
    let data = data.to_str().unwrap();
    let model = tmp("mlp.ckpt");
    let m = model.to_str().unwrap();
    let out = nabla(&[
        "train", "--model", "mlp", "--hidden", "64", "--iters", "200", "--data", data, "--save", m,
        "--seed", "1",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let acc: f64 = text(&out)
        .lines()
        .find_map(|l| {
            l.strip_prefix("test accuracy ")
                .and_then(|r| r.split('%').next())
                .and_then(|v| v.parse().ok())
        })
        .expect("a summary line");
    assert!(acc > 90.0, "{}", text(&out));

    let eval = nabla(&["eval", "--model", m, "--data", data, "--json"]);
    assert!(eval.status.success(), "{}", text(&eval));
    let json: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert_eq!(json["total"], 10_000);
    assert_eq!(json["confusion"].as_array().unwrap().len(), 10);
    assert!(
        (json["accuracy"].as_f64().unwrap() * 100.0 - acc).abs() < 0.01,
        "eval agrees with train's summary"
    );

    let predict = nabla(&[
        "predict", "--model", m, "--index", "0", "--data", data, "--json",
    ]);
    assert!(predict.status.success(), "{}", text(&predict));
    let json: serde_json::Value = serde_json::from_slice(&predict.stdout).unwrap();
    assert_eq!(json[0]["label"], 7, "the first test image is a 7");
    let probs: f64 = json[0]["probabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_f64().unwrap())
        .sum();
    assert!((probs - 1.0).abs() < 1e-4);

    // A PGM file written by hand: predict reads images too.
    let pgm = tmp("digit.pgm");
    let mut bytes = b"P5\n28 28\n255\n".to_vec();
    bytes.extend((0..784).map(|i| if (i % 28) == 14 { 255u8 } else { 0 }));
    std::fs::write(&pgm, bytes).unwrap();
    let predict = nabla(&["predict", "--model", m, pgm.to_str().unwrap()]);
    assert!(predict.status.success(), "{}", text(&predict));
    assert!(text(&predict).contains("with probability"));

    let inspect = nabla(&["inspect", m, "--json"]);
    assert!(inspect.status.success(), "{}", text(&inspect));
    let json: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(json["params"], 784 * 64 + 64 + 64 * 10 + 10);
    assert_eq!(json["flops_per_sample"], 2 * (784 * 64 + 64 * 10));

    let idx = format!("{data}/t10k-labels-idx1-ubyte.gz");
    let inspect = nabla(&["inspect", &idx]);
    assert!(
        text(&inspect).contains("IDX, u8, dimensions [10000]"),
        "{}",
        text(&inspect)
    );

    // Resume: the checkpoint is at step 200; ask for 250.
    let resumed = nabla(&["train", "--resume", m, "--iters", "250", "--data", data]);
    assert!(resumed.status.success(), "{}", text(&resumed));
    assert!(text(&resumed).contains("50 steps"), "{}", text(&resumed));
    for f in [model, pgm] {
        std::fs::remove_file(f).unwrap();
    }
}

fn bad_input_is_a_clear_error() {
    let out = nabla(&["train", "--optimizer", "adamm"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("invalid value 'adamm'"),
        "{}",
        text(&out)
    );

    let out = nabla(&["train", "--data", "/nonexistent/mnist"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("cargo xtask fetch-mnist"),
        "{}",
        text(&out)
    );

    let garbage = tmp("garbage.ckpt");
    std::fs::write(
        &garbage,
        b"NABLAckp\x01\x00\x00\x00\x04\x00\x00\x00garbage-garbage-garbage",
    )
    .unwrap();
    let out = nabla(&["eval", "--model", garbage.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("truncated or padded"), "{}", text(&out));
    std::fs::remove_file(garbage).unwrap();

    // A flag the model has no use for is refused by name, before any data is read.
    let out = nabla(&[
        "train",
        "--model",
        "simple-conv",
        "--batchnorm",
        "--dropout",
        "0.5",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("--batchnorm, --dropout do not apply to --model simple-conv"),
        "{}",
        text(&out)
    );
    let out = nabla(&["train", "--model", "deep-conv", "--init", "he"]);
    assert!(
        text(&out).contains("--init does not apply to --model deep-conv"),
        "{}",
        text(&out)
    );

    let out = nabla(&["train", "--init", "huge"]);
    assert!(
        text(&out).contains("is not he, xavier or a positive standard deviation"),
        "{}",
        text(&out)
    );
}

fn help_documents_defaults() {
    let out = nabla(&["train", "--help"]);
    let help = text(&out);
    for flag in [
        "--model",
        "--hidden",
        "--optimizer",
        "--lr",
        "--epochs",
        "--iters",
        "--batch-size",
        "--weight-decay",
        "--dropout",
        "--batchnorm",
        "--seed",
        "--data",
        "--save",
        "--resume",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
    assert!(help.contains("[default: 100]"));
}

fn resume_refuses_flags_that_disagree_with_the_checkpoint(data: &Path) {
    let data = data.to_str().unwrap();
    let model = tmp("resume.ckpt");
    let m = model.to_str().unwrap();
    let first = nabla(&[
        "train",
        "--hidden",
        "16",
        "--iters",
        "20",
        "--optimizer",
        "sgd",
        "--lr",
        "0.1",
        "--data",
        data,
        "--save",
        m,
    ]);
    assert!(first.status.success(), "{}", text(&first));
    for (flags, says) in [
        (
            &["--model", "simple-conv"][..],
            "--model simple-conv (the checkpoint is a mlp)",
        ),
        (
            &["--optimizer", "adam"][..],
            "--optimizer adam (the checkpoint trains with sgd)",
        ),
        (&["--lr", "0.5"][..], "--lr 0.5 (the checkpoint's is 0.1)"),
        (
            &["--hidden", "32"][..],
            "--hidden (the architecture comes from the checkpoint)",
        ),
    ] {
        let mut args = vec!["train", "--resume", m, "--iters", "40", "--data", data];
        args.extend(flags);
        let out = nabla(&args);
        assert!(!out.status.success(), "{flags:?} accepted");
        assert!(text(&out).contains(says), "{flags:?}: {}", text(&out));
    }
    // The notes' Xavier is LeCun normal elsewhere; both names work for a new run.
    let lecun = nabla(&[
        "train", "--hidden", "8", "--iters", "2", "--init", "lecun", "--data", data,
    ]);
    assert!(lecun.status.success(), "{}", text(&lecun));
    // Flags that agree with the checkpoint are fine.
    let ok = nabla(&[
        "train",
        "--resume",
        m,
        "--iters",
        "40",
        "--optimizer",
        "sgd",
        "--lr",
        "0.1",
        "--data",
        data,
    ]);
    assert!(ok.status.success(), "{}", text(&ok));
}

fn save_into_a_missing_folder_is_refused_before_training() {
    let target = tmp("no-such-folder").join("model.ckpt");
    // No --data: the refusal must come before MNIST is even looked for (or trained on).
    let out = nabla(&[
        "train",
        "--iters",
        "100000",
        "--save",
        target.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("does not exist (create it first)"),
        "{}",
        text(&out)
    );
}

nabla_testdata::main!(
    mnist train_save_eval_predict_inspect,
    test bad_input_is_a_clear_error,
    test help_documents_defaults,
    mnist resume_refuses_flags_that_disagree_with_the_checkpoint,
    test save_into_a_missing_folder_is_refused_before_training,
);
