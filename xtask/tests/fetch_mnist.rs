//! `cargo xtask fetch-mnist` against a real HTTP server on 127.0.0.1 started by the test,
//! serving the real MNIST files from `../shared/datasets/mnist`, good and broken.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::Ordering;

use support::{Server, text};

const NAMES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nabla-fetch-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn fetch(dir: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["fetch-mnist", "--retries", "1", "--timeout", "10", "--dir"])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap()
}

fn assert_complete(dir: &Path) {
    let mnist = nabla_datasets::Mnist::load(dir).unwrap();
    assert_eq!((mnist.train.len(), mnist.test.len()), (60_000, 10_000));
    assert_no_partials(dir);
}

fn assert_no_partials(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries {
            let name = e.unwrap().file_name().to_string_lossy().to_string();
            assert!(!name.ends_with(".partial"), "left behind: {name}");
        }
    }
}

fn downloads_verifies_and_does_not_download_again(data: &Path) {
    let server = Server::start(data.to_path_buf());
    let dir = temp_dir("good");
    let out = fetch(&dir, &["--mirror", &server.mirror("good")]);
    assert!(out.status.success(), "{}", text(&out));
    assert_complete(&dir);
    let served = server.requests.load(Ordering::SeqCst);
    assert_eq!(served, 4);

    let again = fetch(&dir, &["--mirror", &server.mirror("good")]);
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        served,
        "a rerun must download nothing"
    );
    assert_eq!(text(&again).matches("present and verified").count(), 4);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn corrupted_mirror_falls_through_to_a_good_one(data: &Path) {
    let server = Server::start(data.to_path_buf());
    let dir = temp_dir("corrupt");
    let out = fetch(
        &dir,
        &[
            "--mirror",
            &server.mirror("corrupt"),
            "--mirror",
            &server.mirror("good"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(text(&out).matches("/corrupt/").count(), 4, "{}", text(&out));
    assert_complete(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn dropped_connection_falls_through_to_a_good_one(data: &Path) {
    let server = Server::start(data.to_path_buf());
    let dir = temp_dir("drop");
    let out = fetch(
        &dir,
        &[
            "--mirror",
            &server.mirror("drop"),
            "--mirror",
            &server.mirror("good"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_complete(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn all_mirrors_bad_fails_clearly_and_leaves_nothing(data: &Path) {
    let server = Server::start(data.to_path_buf());
    let dir = temp_dir("bad");
    let mirrors = [
        server.mirror("corrupt"),
        server.mirror("drop"),
        server.mirror("missing"),
    ];
    let out = fetch(
        &dir,
        &[
            "--mirror",
            &mirrors[0],
            "--mirror",
            &mirrors[1],
            "--mirror",
            &mirrors[2],
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for m in &mirrors {
        assert!(
            stderr.contains(&format!("  {m}: ")),
            "{m} not listed in:\n{stderr}"
        );
    }
    assert!(stderr.contains("--from DIR"), "{stderr}");
    for name in NAMES {
        assert!(!dir.join(format!("{name}.gz")).exists());
    }
    assert_no_partials(&dir);
    let _ = std::fs::remove_dir_all(&dir);
}

fn imports_from_a_local_directory_without_network(data: &Path) {
    let dir = temp_dir("from");
    let out = fetch(&dir, &["--from", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert_complete(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn imports_raw_copies_and_rejects_forged_ones(data: &Path) {
    let raw = temp_dir("raw-src");
    std::fs::create_dir_all(&raw).unwrap();
    for name in NAMES {
        let mut gz = flate2::read::GzDecoder::new(
            std::fs::File::open(data.join(format!("{name}.gz"))).unwrap(),
        );
        let mut out = std::fs::File::create(raw.join(name)).unwrap();
        std::io::copy(&mut gz, &mut out).unwrap();
    }
    let dir = temp_dir("raw-dst");
    let out = fetch(&dir, &["--from", raw.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert_complete(&dir);

    // A forged copy (one label changed) does not verify and is not imported.
    let mut labels = std::fs::read(raw.join(NAMES[3])).unwrap();
    labels[100] = (labels[100] + 1) % 10;
    std::fs::write(raw.join(NAMES[3]), labels).unwrap();
    let forged = temp_dir("forged-dst");
    let out = fetch(&forged, &["--from", raw.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("SHA-256"), "{}", text(&out));
    assert!(!forged.join(format!("{}.gz", NAMES[3])).exists());
    for d in [raw, dir, forged] {
        let _ = std::fs::remove_dir_all(d);
    }
}

nabla_testdata::main!(
    mnist downloads_verifies_and_does_not_download_again,
    mnist corrupted_mirror_falls_through_to_a_good_one,
    mnist dropped_connection_falls_through_to_a_good_one,
    mnist all_mirrors_bad_fails_clearly_and_leaves_nothing,
    mnist imports_from_a_local_directory_without_network,
    mnist imports_raw_copies_and_rejects_forged_ones,
);
