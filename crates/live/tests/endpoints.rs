//! The live server's endpoints over real sockets on 127.0.0.1: the page, the history, the
//! event stream (history first, then live events, resumed after `Last-Event-ID`), and bad
//! requests (unknown paths, huge headers, many clients, clients that leave mid-stream),
//! none of which stops or slows the publishing side.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use nabla_live::LiveServer;
use serde_json::json;

/// A plain HTTP/1.1 request, the whole response as text (headers and body).
fn get(addr: SocketAddr, path: &str, extra: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

/// Opens the event stream; returns a reader positioned after the response headers.
fn stream(addr: SocketAddr, extra: &str) -> BufReader<TcpStream> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET /events HTTP/1.1\r\nHost: x\r\n{extra}\r\n").unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    loop {
        line.clear();
        r.read_line(&mut line).unwrap();
        if line == "\r\n" {
            return r;
        }
    }
}

/// The next `count` events' `(id, data)` from a stream (chunked framing lines skipped).
fn events(r: &mut BufReader<TcpStream>, count: usize) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut id = None;
    let mut line = String::new();
    while out.len() < count {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let l = line.trim_end();
        if let Some(v) = l.strip_prefix("id: ") {
            id = v.parse().ok();
        } else if let Some(v) = l.strip_prefix("data: ") {
            out.push((id.take().unwrap_or(usize::MAX), v.to_string()));
        }
    }
    out
}

/// A step event of step `k`.
fn step(k: u64) -> nabla_live::Event {
    nabla_live::Event::Step {
        step: k,
        total: 10,
        loss: Some(0.5),
        lr: 0.1,
        seconds: 0.0,
    }
}

#[test]
fn the_page_the_history_and_unknown_paths() {
    let server = LiveServer::start(0).unwrap();
    server.publish(&step(1));
    let page = get(server.addr(), "/", "");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("EventSource(\"/events\")"));
    // Self-contained: nothing is loaded from elsewhere.
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
    let history = get(server.addr(), "/history.json", "");
    let body = history.split("\r\n\r\n").nth(1).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        parsed,
        json!([{"type": "step", "step": 1, "total": 10, "loss": 0.5, "lr": 0.1, "seconds": 0.0}])
    );
    let missing = get(server.addr(), "/nope", "");
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    assert!(missing.contains("this server has /, /events and /history.json"));
}

#[test]
fn a_late_client_gets_the_history_then_live_events_and_resumes_after_its_last_id() {
    let server = LiveServer::start(0).unwrap();
    for k in 0..3 {
        server.publish(&step(k));
    }
    let mut r = stream(server.addr(), "");
    let first = events(&mut r, 3);
    assert_eq!(first.iter().map(|e| e.0).collect::<Vec<_>>(), [0, 1, 2]);
    server.publish(&step(3));
    let next = events(&mut r, 1);
    assert_eq!(next[0].0, 3);
    assert!(next[0].1.contains("\"step\":3"));
    // A browser reconnecting says what it saw last, and gets only what came after.
    let mut again = stream(server.addr(), "Last-Event-ID: 2\r\n");
    let resumed = events(&mut again, 1);
    assert_eq!(resumed[0].0, 3);
}

#[test]
fn bad_and_many_clients_never_stop_the_publisher() {
    let server = LiveServer::start(0).unwrap();
    // A header far beyond any browser's: refused, and the server goes on.
    let huge = format!("X-Huge: {}\r\n", "a".repeat(2 << 20));
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = write!(s, "GET / HTTP/1.1\r\nHost: x\r\n{huge}\r\n");
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    assert!(
        !reply.starts_with("HTTP/1.1 200"),
        "a 2 MB header was served: {reply:.80}"
    );
    // Fifty clients at once, half of them leaving mid-stream.
    let mut clients: Vec<BufReader<TcpStream>> =
        (0..50).map(|_| stream(server.addr(), "")).collect();
    let started = Instant::now();
    for k in 0..2000 {
        server.publish(&step(k));
        if k == 1000 {
            clients.truncate(25);
        }
    }
    // Publishing never waits for a client: 2,000 events in well under a second.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    for c in clients.iter_mut().take(3) {
        let got = events(c, 2000);
        assert_eq!(got.len(), 2000);
        assert_eq!(got[1999].0, 1999);
    }
    assert!(get(server.addr(), "/", "").starts_with("HTTP/1.1 200"));
    assert_eq!(server.len(), 2000);
}
