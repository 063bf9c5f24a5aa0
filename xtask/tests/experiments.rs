//! `cargo xtask experiments` as a user runs it: the quick suite with `--check` on the real
//! data, MNIST fetched first when missing, bad flags refused, an old report kept when a run
//! fails.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{Server, text};

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nabla-exp-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn experiments(args: &[&str], envs: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.arg("experiments").args(args).env_remove("NABLA_DATA");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn quick_suite_passes_its_check_and_writes_a_complete_self_contained_report(data: &Path) {
    let out = scratch("quick");
    let run = experiments(&["--quick", "--check", "--only", "VG,OPT", "--data"], &[]);
    // --data needs its value: the flag alone is refused by the parser.
    assert!(!run.status.success());
    let run = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "experiments",
            "--quick",
            "--check",
            "--only",
            "VG,OPT",
            "--jobs",
            "2",
        ])
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let log = text(&run);
    assert!(run.status.success(), "{log}");
    assert!(log.contains("check passed"), "{log}");
    for file in [
        "report.md",
        "report.html",
        "results.json",
        "manifest.json",
        "runs/VG-1.csv",
        "figures/VG-4.svg",
    ] {
        assert!(out.join(file).is_file(), "missing {file}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("Verdicts"));
    assert!(
        !html.contains("<script") && !html.contains("src=\"http"),
        "not self-contained"
    );
    let csv = std::fs::read_to_string(out.join("runs/VG-4.csv")).unwrap();
    assert!(csv.starts_with("iteration,train_accuracy,test_accuracy,loss\n"));
    assert_eq!(csv.lines().count(), 1 + 1000 / 50);
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"));
    let no_partials = std::fs::read_dir(out.parent().unwrap()).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".partial-")
    });
    assert!(no_partials);
}

fn a_failed_run_keeps_the_previous_report_and_names_the_problem() {
    let out = scratch("keep");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("report.md"), "previous").unwrap();
    let empty = scratch("empty-data");
    std::fs::create_dir_all(&empty).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["experiments", "--quick", "--data"])
        .arg(&empty)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(
        text(&run).contains("does not hold the four MNIST files"),
        "{}",
        text(&run)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("report.md")).unwrap(),
        "previous"
    );

    let bad = experiments(&["--only", "VG-99"], &[]);
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("--only VG-99: no such run or group"),
        "{}",
        text(&bad)
    );
    let typo = experiments(&["--jbos", "2"], &[]);
    assert!(!typo.status.success());
    assert!(
        text(&typo).contains("--jobs"),
        "clap suggests the right flag: {}",
        text(&typo)
    );
}

fn list_shows_every_run() {
    let run = experiments(&["--list"], &[]);
    let log = text(&run);
    assert!(run.status.success());
    for id in [
        "VG-1",
        "OPT-C1'",
        "OF-DL1",
        "CNN-3",
        "REF-2_8",
        "X-POOL-AVG",
    ] {
        assert!(log.contains(id), "{id} missing from:\n{log}");
    }
}

fn missing_mnist_is_fetched_and_verified_first(data: &Path) {
    let server = Server::start(data.to_path_buf());
    let dest = scratch("fetched");
    let out = scratch("fetched-out");
    let run = experiments(
        &[
            "--quick",
            "--only",
            "VG-1",
            "--mirror",
            &server.mirror("good"),
            "--out",
            out.to_str().unwrap(),
        ],
        &[("NABLA_DATA", &dest)],
    );
    let log = text(&run);
    assert!(run.status.success(), "{log}");
    assert!(log.contains("fetching it first"), "{log}");
    let mnist = nabla_datasets::Mnist::load(&dest).unwrap();
    assert_eq!(mnist.test.len(), 10_000);
    assert!(out.join("report.html").is_file());
}

fn live_page_shows_each_run_and_the_verdicts_then_stays_up(data: &Path) {
    use std::io::{BufRead, BufReader, Read, Write};
    let out = scratch("live");
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "experiments",
            "--quick",
            "--only",
            "VG-1,OPT-A4",
            "--live",
            "--data",
        ])
        .arg(data)
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(u) = line.strip_prefix("live page: ") {
            url = Some(u.to_string());
        }
        if line.starts_with("serving the live page at") {
            break;
        }
    }
    let url = url.expect("a live page address");
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut s = std::net::TcpStream::connect(addr.as_str()).unwrap();
    write!(
        s,
        "GET /history.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    let body = reply.split("\r\n\r\n").nth(1).unwrap();
    let events: Vec<serde_json::Value> = serde_json::from_str(body).unwrap();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(kinds.first(), Some(&"config"));
    assert_eq!(kinds.last(), Some(&"end"));
    // Both runs queued, then each running and done with its curve.
    for id in ["VG-1", "OPT-A4"] {
        let states: Vec<&str> = events
            .iter()
            .filter(|e| e["type"] == "runs")
            .flat_map(|e| e["runs"].as_array().unwrap())
            .filter(|r| r["id"] == id)
            .filter_map(|r| r["state"].as_str())
            .collect();
        assert_eq!(states, ["queued", "running", "done"], "{id}");
    }
    let done = events
        .iter()
        .flat_map(|e| e["runs"].as_array().cloned().unwrap_or_default())
        .find(|r| r["id"] == "OPT-A4" && r["state"] == "done")
        .unwrap();
    assert!(done["curve"].as_array().unwrap().len() >= 10);
    assert!(done["test"].as_f64().unwrap() > 0.5);
    let verdicts = events.iter().find(|e| e["type"] == "verdicts").unwrap();
    assert!(!verdicts["verdicts"].as_array().unwrap().is_empty());
    let _ = std::fs::remove_dir_all(out);
}

nabla_testdata::main!(
    mnist quick_suite_passes_its_check_and_writes_a_complete_self_contained_report,
    test a_failed_run_keeps_the_previous_report_and_names_the_problem,
    test list_shows_every_run,
    mnist missing_mnist_is_fetched_and_verified_first,
    mnist live_page_shows_each_run_and_the_verdicts_then_stays_up,
);
