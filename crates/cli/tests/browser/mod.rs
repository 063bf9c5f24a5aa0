//! Headless Chromium driven over the DevTools protocol, for the browser tests: open a page,
//! evaluate expressions in it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tungstenite::Message;

/// Kills a child process when dropped, so that a failing test leaves nothing running.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn chromium() -> Option<String> {
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

/// A headless Chromium showing one page, and its DevTools connection.
pub struct Browser {
    ws: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    id: u64,
    profile: std::path::PathBuf,
    _chrome: Killed,
}

impl Browser {
    /// Starts `browser` (a Chromium binary) headless on `url`.
    pub fn open(browser: &str, url: &str) -> Browser {
        let profile = std::env::temp_dir().join(format!(
            "nabla-chromium-{}-{}",
            std::process::id(),
            url.len()
        ));
        let mut chrome = Killed(
            Command::new(browser)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--remote-debugging-port=0",
                    "--window-size=1280,1500",
                ])
                .arg(format!("--user-data-dir={}", profile.display()))
                .arg(url)
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
        let page_url = url.split('#').next().unwrap_or(url);
        let socket_url = loop {
            if let Some(u) = page_socket(port, page_url) {
                break u;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no page target"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        let (ws, _) = tungstenite::connect(socket_url.as_str()).unwrap();
        Browser {
            ws,
            id: 0,
            profile,
            _chrome: chrome,
        }
    }

    /// The value of `expression` evaluated in the page (JSON-serializable values only).
    pub fn eval(&mut self, expression: &str) -> serde_json::Value {
        self.id += 1;
        let call = serde_json::json!({"id": self.id, "method": "Runtime.evaluate",
            "params": {"expression": expression, "returnByValue": true}});
        self.ws
            .send(Message::Text(call.to_string().into()))
            .unwrap();
        loop {
            if let Message::Text(t) = self.ws.read().unwrap() {
                let reply: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
                if reply["id"] == self.id {
                    return reply["result"]["result"]["value"].clone();
                }
            }
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
