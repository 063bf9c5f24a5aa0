//! What the xtask tests share: a small HTTP server on 127.0.0.1 serving the real MNIST files,
//! good or broken on purpose, and output capture.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A server whose first path segment picks the behaviour: `good`, `corrupt` (one byte
/// flipped mid-file), `drop` (half the body, then the connection closes), anything else 404.
pub struct Server {
    pub base: String,
    pub requests: Arc<AtomicUsize>,
}

impl Server {
    pub fn start(data: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                counter.fetch_add(1, Ordering::SeqCst);
                let data = data.clone();
                std::thread::spawn(move || {
                    let mut line = String::new();
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    reader.read_line(&mut line).unwrap();
                    // Drain the headers.
                    let mut header = String::new();
                    while reader
                        .read_line(&mut header)
                        .map(|n| n > 2)
                        .unwrap_or(false)
                    {
                        header.clear();
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let mut parts = path.trim_start_matches('/').splitn(2, '/');
                    let (mode, file) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                    let body = std::fs::read(data.join(file))
                        .ok()
                        .filter(|_| !file.is_empty() && !file.contains(".."));
                    let _ = match (mode, body) {
                        ("good", Some(body)) => respond(&mut stream, &body, body.len()),
                        ("corrupt", Some(mut body)) => {
                            let mid = body.len() / 2;
                            body[mid] ^= 0x40;
                            respond(&mut stream, &body, body.len())
                        }
                        ("drop", Some(body)) => respond(&mut stream, &body[..body.len() / 2], body.len()),
                        _ => stream.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"),
                    };
                });
            }
        });
        Server { base, requests }
    }

    pub fn mirror(&self, mode: &str) -> String {
        format!("{}/{mode}/", self.base)
    }
}

fn respond(stream: &mut impl Write, body: &[u8], declared: usize) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/gzip\r\ncontent-length: {declared}\r\nconnection: close\r\n\r\n"
    )?;
    stream.write_all(body)?;
    stream.flush()
}

pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
