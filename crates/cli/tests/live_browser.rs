//! `nabla train --live` in a real browser: headless Chromium opens the page while a short
//! run trains, sees the number of evaluations grow without reloading, and ends on the same
//! final accuracy the CLI prints. Runs where Chromium is installed (`chromium`,
//! `chromium-browser` or `google-chrome` on the PATH) and shows as ignored, with the reason,
//! elsewhere (under CI a missing Chromium is a failure: .ci/run installs it); the endpoints
//! themselves are tested everywhere in `crates/live/tests`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tungstenite::Message;

/// Kills a child process when dropped, so that a failing test leaves nothing running.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromium() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .map(str::to_string)
}

/// The page target's DevTools WebSocket address, from Chromium's `/json/list` (which keeps
/// the connection open: the body is read by its length).
fn page_socket(devtools_port: u16, page_url: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", devtools_port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:{devtools_port}\r\n\r\n"
    )
    .ok()?;
    let mut r = BufReader::new(s);
    let mut length = 0;
    let mut line = String::new();
    loop {
        line.clear();
        r.read_line(&mut line).ok()?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).ok()?;
    let targets: serde_json::Value = serde_json::from_slice(&body).ok()?;
    targets.as_array()?.iter().find_map(|t| {
        (t["type"] == "page" && t["url"].as_str()?.starts_with(page_url))
            .then(|| t["webSocketDebuggerUrl"].as_str().map(str::to_string))?
    })
}

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

    let profile = std::env::temp_dir().join(format!("nabla-chromium-{}", std::process::id()));
    let mut chrome = Killed(
        Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(&url)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut err = BufReader::new(chrome.0.stderr.take().unwrap());
    let mut line = String::new();
    let port: u16 = loop {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "Chromium exited");
        if let Some(rest) = line
            .trim()
            .strip_prefix("DevTools listening on ws://127.0.0.1:")
        {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    let started = Instant::now();
    let socket_url = loop {
        if let Some(u) = page_socket(port, &url) {
            break u;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no page target"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let (mut ws, _) = tungstenite::connect(socket_url.as_str()).unwrap();
    let mut id = 0;
    let mut page = |expression: &str| -> serde_json::Value {
        id += 1;
        let call = serde_json::json!({"id": id, "method": "Runtime.evaluate",
            "params": {"expression": expression, "returnByValue": true}});
        ws.send(Message::Text(call.to_string().into())).unwrap();
        loop {
            if let Message::Text(t) = ws.read().unwrap() {
                let reply: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
                if reply["id"] == id {
                    return reply["result"]["result"]["value"].clone();
                }
            }
        }
    };
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
    drop(chrome);
    let _ = std::fs::remove_dir_all(profile);
}

fn main() -> std::process::ExitCode {
    let mut tests = nabla_testdata::Tests::new();
    tests.mnist_and(
        "the_page_updates_as_the_run_trains_and_ends_on_the_cli_numbers",
        chromium().ok_or_else(|| "no Chromium (apt-get install chromium)".to_string()),
        the_page_updates_as_the_run_trains_and_ends_on_the_cli_numbers,
    );
    tests.run()
}
