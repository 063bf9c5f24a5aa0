//! `nabla playground` in a real browser: headless Chromium loads the page, runs the
//! "sigmoid, N(0, 0.01²)" preset and sees it stuck (accuracy near chance, the first layer's
//! gradient norm orders of magnitude below the last's), switches to the ReLU preset and sees
//! accuracy rise and the boundary change, then enters an out-of-range learning rate and sees
//! the message. Shows as ignored without Chromium (a failure under CI, which installs it);
//! the endpoints are tested everywhere in `crates/playground/tests`.

mod browser;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use browser::{Browser, Killed};

/// Polls `probe` in the page until `done` holds of its value, or fails after `limit`.
fn wait_for(
    page: &mut Browser,
    probe: &str,
    limit: Duration,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let text = page.eval(probe);
        let value: serde_json::Value =
            serde_json::from_str(text.as_str().unwrap_or("null")).unwrap_or_default();
        if done(&value) {
            return value;
        }
        assert!(started.elapsed() < limit, "waited {limit:?}: {value}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

const PROBE: &str = "JSON.stringify({state: document.getElementById('state').textContent, \
    step: Number(document.getElementById('step-count').textContent), \
    test: parseFloat(document.getElementById('test-acc').textContent), \
    first: parseFloat(document.getElementById('grad-first').textContent), \
    last: parseFloat(document.getElementById('grad-last').textContent), \
    message: document.getElementById('message').textContent})";

fn a_learner_runs_the_sigmoid_preset_then_relu_then_a_bad_rate(chromium: String) {
    // No MNIST needed: the 2-D sets are the library's own.
    let mut server = Killed(
        Command::new(env!("CARGO_BIN_EXE_nabla"))
            .arg("playground")
            .env("NABLA_DATA", "/nonexistent")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = server.0.stdout.take().unwrap();
    let url = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("playground: ")
                .map(|u| u.split(' ').next().unwrap_or_default().to_string())
        })
        .expect("the playground printed its address");

    let mut page = Browser::open(&chromium, &format!("{url}#preset=sigmoid-stuck&run=1"));
    let stuck = wait_for(&mut page, PROBE, Duration::from_secs(60), |v| {
        v["step"].as_u64().unwrap_or(0) >= 800
    });
    let test = stuck["test"].as_f64().unwrap();
    assert!(
        (40.0..=60.0).contains(&test),
        "sigmoid stays near chance: {stuck}"
    );
    let (first, last) = (
        stuck["first"].as_f64().unwrap(),
        stuck["last"].as_f64().unwrap(),
    );
    assert!(
        first < last / 1000.0,
        "the first layer's gradient is vanishing: {stuck}"
    );

    // The ReLU preset, started with the start button: the boundary changes as it learns.
    page.eval("document.querySelector('#presets button[data-id=relu-learns]').click()");
    page.eval("document.getElementById('start').click()");
    wait_for(&mut page, PROBE, Duration::from_secs(30), |v| {
        v["state"] == "running" && v["step"].as_u64().unwrap_or(u64::MAX) < 400
    });
    let boundary = "JSON.stringify(document.getElementById('boundary').toDataURL())";
    let early = page.eval(boundary);
    let learned = wait_for(&mut page, PROBE, Duration::from_secs(90), |v| {
        v["test"].as_f64().unwrap_or(0.0) >= 85.0
    });
    let late = page.eval(boundary);
    assert_ne!(early, late, "the boundary image changed: {learned}");
    assert!(
        learned["first"].as_f64().unwrap() > learned["last"].as_f64().unwrap() / 1000.0,
        "with ReLU the first layer's gradient is alive: {learned}"
    );

    // A rate out of range is refused on the page, naming the range.
    page.eval(
        "document.getElementById('lr').value = '1e9'; document.getElementById('start').click()",
    );
    let refused = wait_for(&mut page, PROBE, Duration::from_secs(10), |v| {
        v["message"].as_str().is_some_and(|m| !m.is_empty())
    });
    assert_eq!(
        refused["message"],
        "the learning rate 1000000000 is outside the allowed range [0.00001, 10]"
    );
}

fn main() -> std::process::ExitCode {
    let mut tests = nabla_testdata::Tests::new();
    tests.needs(
        "a_learner_runs_the_sigmoid_preset_then_relu_then_a_bad_rate",
        browser::chromium().ok_or_else(|| "no Chromium (apt-get install chromium)".to_string()),
        a_learner_runs_the_sigmoid_preset_then_relu_then_a_bad_rate,
    );
    tests.run()
}
