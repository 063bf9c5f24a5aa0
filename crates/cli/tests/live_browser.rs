//! `nabla train --live` in a real browser: headless Chromium opens the page while a short
//! run trains, sees the number of evaluations grow without reloading, and ends on the same
//! final accuracy the CLI prints. Runs where Chromium is installed (`chromium`,
//! `chromium-browser` or `google-chrome` on the PATH) and shows as ignored, with the reason,
//! elsewhere (under CI a missing Chromium is a failure: .ci/run installs it); the endpoints
//! themselves are tested everywhere in `crates/live/tests`.

mod browser;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use browser::Killed;

fn the_page_updates_as_the_run_trains_and_ends_on_the_cli_numbers(data: &Path, browser: String) {
    // Long enough to watch (a few seconds), short enough for a test.
    let mut run = Killed(
        Command::new(env!("CARGO_BIN_EXE_nabla"))
            .args([
                "train",
                "--model",
                "simple-conv",
                "--train-samples",
                "12000",
                "--epochs",
                "3",
                "--eval-every",
                "30",
                "--live",
                "--data",
            ])
            .arg(data)
            .env_remove("NABLA_DATA")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (lines_tx, lines) = mpsc::channel();
    let stdout = run.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut printed = Vec::new();
    let url = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("nabla printed its page");
        printed.push(line.clone());
        if let Some(url) = line.strip_prefix("live page: ") {
            break url.to_string();
        }
    };

    let started = Instant::now();
    let mut browser = browser::Browser::open(&browser, &url);
    let mut page = |expression: &str| browser.eval(expression);
    let probe = "JSON.stringify({evals: window.nabla ? window.nabla.evals_seen : 0, \
        ended: !!(window.nabla && window.nabla.ended), \
        final: (document.getElementById('final') || {}).textContent || null, \
        confusion_rows: document.querySelectorAll('#confusion tr').length, \
        digits: document.querySelectorAll('#mistakes canvas').length, \
        filters: document.querySelectorAll('#weights canvas').length})";
    let read = |v: serde_json::Value| -> serde_json::Value {
        serde_json::from_str(v.as_str().unwrap_or("{}")).unwrap()
    };
    // Seen while the run trains, then later: the page grew without a reload.
    let mut while_training = Vec::new();
    let finished = loop {
        let state = read(page(probe));
        if state["ended"] == true {
            break state;
        }
        while_training.push(state["evals"].as_u64().unwrap_or(0));
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the run did not end: {state}"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    let growing: Vec<u64> = while_training.iter().copied().filter(|&n| n > 0).collect();
    assert!(
        growing.len() >= 2 && growing.first() < growing.last(),
        "the page saw the evaluations grow while the run trained: {while_training:?}"
    );
    // The CLI's final line, and the page's final number, agree.
    let cli = loop {
        let line = lines.recv_timeout(Duration::from_secs(30)).unwrap();
        printed.push(line.clone());
        if let Some(rest) = line.strip_prefix("test accuracy ") {
            break rest.split(' ').next().unwrap().to_string();
        }
    };
    assert_eq!(
        finished["final"],
        serde_json::json!(cli),
        "{finished} vs {printed:?}"
    );
    assert_eq!(finished["evals"], 12, "3 epochs of 120 steps, every 30");
    assert_eq!(finished["confusion_rows"], 11);
    assert!(finished["digits"].as_u64().unwrap() > 0);
    assert_eq!(finished["filters"], 30, "SimpleConvNet's 30 filters");
}

fn main() -> std::process::ExitCode {
    let mut tests = nabla_testdata::Tests::new();
    tests.mnist_and(
        "the_page_updates_as_the_run_trains_and_ends_on_the_cli_numbers",
        browser::chromium().ok_or_else(|| "no Chromium (apt-get install chromium)".to_string()),
        the_page_updates_as_the_run_trains_and_ends_on_the_cli_numbers,
    );
    tests.run()
}
