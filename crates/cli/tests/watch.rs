//! `nabla train`'s watching flags as a user runs them: --val, --early-stop, --keep-best,
//! --log (CSV and JSON Lines, appended on resume) and --tensorboard.

mod support;

use std::path::{Path, PathBuf};

use support::{nabla, text};

/// CRC-32C (Castagnoli), bit by bit: an independent check of the one nabla-nn writes.
fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nabla-watch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The `(step, seconds)` of every data line of a CSV log.
fn csv_rows(path: &Path) -> Vec<(u64, f64)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("step,epoch,loss,train_accuracy,test_accuracy,lr,seconds")
    );
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            assert_eq!(cells.len(), 7, "{l}");
            (cells[0].parse().unwrap(), cells[6].parse().unwrap())
        })
        .collect()
}

fn logs_append_on_resume_and_tensorboard_records_are_framed(data: &Path) {
    let dir = fresh_dir("logs");
    let (ckpt, csv, jsonl, tb) = (
        dir.join("a.ckpt"),
        dir.join("run.csv"),
        dir.join("run.jsonl"),
        dir.join("tb"),
    );
    let model = ["train", "--model", "mlp", "--hidden", "32"];
    let common = [
        "--train-samples",
        "2000",
        "--data",
        p(data),
        "--eval-every",
        "20",
        "--log",
        p(&csv),
    ];
    let first = nabla(
        &[
            &model[..],
            &common,
            &["--iters", "40", "--save", p(&ckpt), "--tensorboard", p(&tb)],
        ]
        .concat(),
    );
    assert!(first.status.success(), "{}", text(&first));
    // The model comes from the checkpoint: no --model or --hidden.
    let second = nabla(
        &[
            &["train"][..],
            &common,
            &["--iters", "80", "--resume", p(&ckpt)],
        ]
        .concat(),
    );
    assert!(second.status.success(), "{}", text(&second));
    let rows = csv_rows(&csv);
    let steps: Vec<u64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(
        steps,
        [20, 40, 60, 80],
        "one header, the resumed run's lines after the first's"
    );
    assert!(
        rows.windows(2).all(|w| w[1].1 >= w[0].1),
        "seconds continue: {rows:?}"
    );

    let jl = nabla(
        &[
            &model[..],
            &[
                "--train-samples",
                "2000",
                "--data",
                p(data),
                "--iters",
                "40",
            ],
            &["--eval-every", "20", "--log", p(&jsonl)],
        ]
        .concat(),
    );
    assert!(jl.status.success(), "{}", text(&jl));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["step"], 40);
    assert!(lines[1]["test_accuracy"].as_f64().unwrap() > 0.5);
    assert_eq!(lines[1]["lr"], 0.001);

    // Two TensorBoard records per evaluation run: the version event, then one per evaluation.
    let files: Vec<PathBuf> = std::fs::read_dir(&tb)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let bytes = std::fs::read(&files[0]).unwrap();
    let mut at = 0;
    let mut records = 0;
    while at < bytes.len() {
        let len = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
        let unmask = |m: u32| m.wrapping_sub(0xA282_EAD8).rotate_left(15);
        let len_crc = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap());
        assert_eq!(unmask(len_crc), crc32c(&bytes[at..at + 8]));
        let data = &bytes[at + 12..at + 12 + len];
        let crc = u32::from_le_bytes(bytes[at + 12 + len..at + 16 + len].try_into().unwrap());
        assert_eq!(unmask(crc), crc32c(data));
        if records == 0 {
            assert!(data.windows(13).any(|w| w == b"brain.Event:2"));
        } else {
            assert!(data.windows(13).any(|w| w == b"accuracy/test"));
        }
        records += 1;
        at += 16 + len;
    }
    assert_eq!(records, 3);
    std::fs::remove_dir_all(dir).unwrap();
}

fn early_stopping_keeps_the_best_weights_chosen_on_a_validation_split(data: &Path) {
    let dir = fresh_dir("early");
    let (ckpt, csv) = (dir.join("best.ckpt"), dir.join("val.csv"));
    let out = nabla(&[
        "train",
        "--model",
        "mlp",
        "--hidden",
        "32",
        "--train-samples",
        "1500",
        "--val",
        "500",
        "--epochs",
        "40",
        "--eval-every",
        "10",
        "--early-stop",
        "3",
        "--keep-best",
        "--data",
        p(data),
        "--save",
        p(&ckpt),
        "--log",
        p(&csv),
        "--lr",
        "0.01",
    ]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("val acc"), "{t}");
    assert!(t.contains("stopped early after step"), "{t}");
    assert!(t.contains("chosen on the val split"), "{t}");
    // The log names the split, and the best line is the one kept.
    let log = std::fs::read_to_string(&csv).unwrap();
    assert!(log.starts_with("step,epoch,loss,train_accuracy,val_accuracy,"));
    let best = log
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4).unwrap().parse::<f64>().unwrap())
        .fold(0.0, f64::max);
    let kept: f64 = t
        .lines()
        .find_map(|l| l.strip_prefix("kept the best weights: val accuracy "))
        .and_then(|r| r.split('%').next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!((kept - 100.0 * best).abs() < 0.006, "{kept} vs {best}");
    // The saved weights are the best ones: their test accuracy is what the summary says.
    let summary: f64 = t
        .lines()
        .find_map(|l| l.strip_prefix("test accuracy "))
        .and_then(|r| r.split('%').next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    let eval = nabla(&["eval", "--model", p(&ckpt), "--data", p(data), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert!((json["accuracy"].as_f64().unwrap() * 100.0 - summary).abs() < 0.006);
    std::fs::remove_dir_all(dir).unwrap();
}

fn bad_watching_flags_are_named() {
    let out = nabla(&["train", "--log", "run.txt", "--data", "/nonexistent"]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(t.contains(".csv or .jsonl") || t.contains("MNIST"), "{t}");
    let out = nabla(&["train", "--early-stop", "0"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("--early-stop"), "{}", text(&out));
}

fn lr_find_suggests_a_rate_and_draws_the_sweep(data: &Path) {
    let dir = fresh_dir("lr-find");
    let svg = dir.join("sweep.svg");
    let out = nabla(&[
        "lr-find",
        "--model",
        "mlp",
        "--hidden",
        "32",
        "--steps",
        "120",
        "--data",
        p(data),
        "--svg",
        p(&svg),
    ]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let lr: f64 = t
        .lines()
        .find_map(|l| l.strip_prefix("suggested learning rate: "))
        .and_then(|r| r.split(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no suggestion in {t}"));
    // Adam on an MLP: the loss falls fastest somewhere between 1e-4 and 1e-1.
    assert!((1e-4..1e-1).contains(&lr), "{lr}");
    assert!(t.contains("(smoothed loss; | the suggestion)"), "{t}");
    let drawing = std::fs::read_to_string(&svg).unwrap();
    assert!(drawing.starts_with("<svg") && drawing.trim_end().ends_with("</svg>"));
    assert_eq!(drawing.matches("<polyline").count(), 2);
    assert!(drawing.contains("suggested"));
    let bad = nabla(&[
        "lr-find",
        "--min-lr",
        "1",
        "--max-lr",
        "0.1",
        "--data",
        p(data),
    ]);
    assert!(!bad.status.success());
    assert!(text(&bad).contains("0 < min_lr < max_lr"), "{}", text(&bad));
    std::fs::remove_dir_all(dir).unwrap();
}

nabla_testdata::main!(
    mnist logs_append_on_resume_and_tensorboard_records_are_framed,
    mnist early_stopping_keeps_the_best_weights_chosen_on_a_validation_split,
    test bad_watching_flags_are_named,
    mnist lr_find_suggests_a_rate_and_draws_the_sweep,
);
