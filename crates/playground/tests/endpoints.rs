//! The playground's HTTP API over real sockets: setup, starting and steering a run, reading
//! its snapshots, refusals that name the problem, the cap on runs, the optimizer paths.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use nabla_playground::{MAX_RUNS, Playground};
use serde_json::Value;

/// `(status, body)` of one request.
fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Polls the page's state until `done`, for at most `limit`.
fn state_until(
    addr: SocketAddr,
    page: &str,
    limit: Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let (status, body) = request(addr, "GET", &format!("/api/state?page={page}"), "");
        assert_eq!(status, 200, "{body}");
        let state = json(&body);
        if done(&state) {
            return state;
        }
        let brief: String = state.to_string().chars().take(300).collect();
        assert!(started.elapsed() < limit, "waited {limit:?}: {brief}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_run_starts_steps_pauses_and_reports_what_the_page_draws() {
    let playground = Playground::start(0, None, None).unwrap();
    let addr = playground.addr();
    let (status, page) = request(addr, "GET", "/", "");
    assert_eq!(status, 200);
    assert!(page.contains("nabla playground") && !page.contains("src=\"http"));
    let setup = json(&request(addr, "GET", "/api/setup", "").1);
    assert_eq!(setup["defaults"]["data"], "spiral");
    assert!(setup["presets"].as_array().unwrap().len() >= 7);

    // Started paused: one step on request, then nothing until asked to run.
    let settings = r#"{"data": "xor", "hidden": [8], "optimizer": "adam", "lr": 0.05}"#;
    let (status, body) = request(addr, "POST", "/api/start?page=a1", settings);
    assert_eq!(status, 200, "{body}");
    assert!(
        json(&body)["words"]
            .as_str()
            .unwrap()
            .starts_with("xor, 400 points")
    );
    assert_eq!(
        request(addr, "POST", "/api/control?page=a1&action=step", "").0,
        200
    );
    let one = state_until(addr, "a1", Duration::from_secs(20), |s| s["step"] == 1);
    assert_eq!(one["state"], "paused");
    assert_eq!(one["boundary"].as_array().unwrap().len(), 40 * 40);
    assert_eq!(
        one["units"].as_array().unwrap().len(),
        8,
        "8 units of the one hidden layer"
    );
    assert_eq!(
        one["norm_names"],
        serde_json::json!(["fc1.weight", "fc_out.weight"])
    );
    assert_eq!(one["points"].as_array().unwrap().len(), 400);
    assert_eq!(one["histograms"].as_array().unwrap().len(), 1);

    request(addr, "POST", "/api/control?page=a1&action=run", "");
    let trained = state_until(addr, "a1", Duration::from_secs(60), |s| {
        s["test_accuracy"].as_f64().unwrap_or(0.0) > 0.9
    });
    assert!(trained["curve"].as_array().unwrap().len() >= 2);
    request(addr, "POST", "/api/control?page=a1&action=pause", "");
    let paused = state_until(addr, "a1", Duration::from_secs(10), |s| {
        s["state"] == "paused"
    });
    std::thread::sleep(Duration::from_millis(400));
    let later = state_until(addr, "a1", Duration::from_secs(1), |_| true);
    assert_eq!(paused["step"], later["step"], "a paused run does not train");

    request(addr, "POST", "/api/control?page=a1&action=stop", "");
    let (_, gone) = request(addr, "GET", "/api/state?page=a1", "");
    assert_eq!(json(&gone)["state"], "none");
}

#[test]
fn bad_requests_are_refused_with_what_is_wrong() {
    let playground = Playground::start(0, None, None).unwrap();
    let addr = playground.addr();
    let (status, body) = request(addr, "POST", "/api/start?page=b1", r#"{"lr": 1e9}"#);
    assert_eq!(status, 400);
    assert_eq!(
        json(&body)["error"],
        "the learning rate 1000000000 is outside the allowed range [0.00001, 10]"
    );
    let (status, body) = request(addr, "POST", "/api/start?page=b1", r#"{"hidden": [0]}"#);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("hidden layer 1"));
    let (status, body) = request(addr, "POST", "/api/start", "{}");
    assert_eq!(status, 400);
    assert!(body.contains("page id"));
    let (status, _) = request(addr, "POST", "/api/control?page=nobody&action=run", "");
    assert_eq!(status, 404);
    let (status, body) = request(addr, "POST", "/api/control?page=b1&action=fly", "");
    assert_eq!(status, 400, "{body}");
    // MNIST asked for where the playground has none: the run says how to get it.
    request(
        addr,
        "POST",
        "/api/start?page=b2",
        r#"{"data": "mnist", "points": 1000}"#,
    );
    let state = state_until(addr, "b2", Duration::from_secs(10), |s| {
        s["state"] == "error"
    });
    assert!(
        state["error"].as_str().unwrap().contains("--data"),
        "{state}"
    );
    // At most MAX_RUNS pages train at once.
    for k in 0..MAX_RUNS {
        let (status, body) = request(addr, "POST", &format!("/api/start?page=c{k}"), "{}");
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = request(addr, "POST", "/api/start?page=c99", "{}");
    assert_eq!(status, 503);
    assert!(body.contains("pages are training already"));
    let (status, body) = request(addr, "GET", "/nope", "");
    assert_eq!(status, 404);
    assert!(body.contains("/api/state"));
    let (status, body) = request(addr, "GET", "/report", "");
    assert_eq!(status, 404);
    assert!(body.contains("cargo xtask experiments"));
}

#[test]
fn optimizer_paths_come_from_the_library_optimizers() {
    let playground = Playground::start(0, None, None).unwrap();
    let addr = playground.addr();
    let body = r#"{"function": "saddle", "start": [1.0, 0.0001], "optimizers": ["sgd", "adam"], "lr": 0.1, "steps": 300}"#;
    let (status, reply) = request(addr, "POST", "/api/paths", body);
    assert_eq!(status, 200, "{reply}");
    let paths = json(&reply)["paths"].clone();
    assert_eq!(paths[0]["optimizer"], "sgd");
    assert_eq!(paths[0]["points"].as_array().unwrap().len(), 301);
    assert!(
        paths[1]["reached"].as_u64().is_some(),
        "Adam leaves the saddle: {}",
        paths[1]
    );
    let (status, reply) = request(addr, "POST", "/api/paths", r#"{"function": "bowl"}"#);
    assert_eq!(status, 400);
    assert!(reply.contains("missing field"), "{reply}");
}
