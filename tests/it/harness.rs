//! Shared test harness: a scripted loopback HTTP/1.1 server that answers with exact raw header
//! lines and records every request it receives, and helpers to run the real binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A response to give, as raw lines.
#[derive(Clone, Debug)]
pub struct Reply {
    /// e.g. `200 OK`.
    pub status: String,
    /// Raw header lines `Name: value` (written verbatim).
    pub headers: Vec<String>,
    /// Body.
    pub body: Vec<u8>,
    /// Sleep before answering.
    pub delay: Option<Duration>,
    /// Use chunked transfer encoding.
    pub chunked: bool,
}

impl Reply {
    /// A reply with a status line and header lines.
    pub fn new(status: &str, headers: &[&str]) -> Reply {
        Reply {
            status: status.into(),
            headers: headers.iter().map(|s| s.to_string()).collect(),
            body: Vec::new(),
            delay: None,
            chunked: false,
        }
    }
    /// With a body.
    pub fn body(mut self, b: &str) -> Reply {
        self.body = b.as_bytes().to_vec();
        self
    }
}

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Received {
    /// Method.
    pub method: String,
    /// Request target.
    pub path: String,
    /// Header lines in order.
    pub headers: Vec<(String, String)>,
    /// Connection number (to observe reuse).
    pub conn: usize,
}

impl Received {
    /// First value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Rule = (Option<String>, String, Reply);

/// The scripted server.
pub struct Server {
    /// Bound address.
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    /// Starts a server answering `(method or None, path, reply)` rules; unmatched → 404.
    pub fn start(rules: Vec<(Option<&str>, &str, Reply)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let rules: Arc<Vec<Rule>> = Arc::new(
            rules
                .into_iter()
                .map(|(m, p, r)| (m.map(String::from), p.to_string(), r))
                .collect(),
        );
        let received = Arc::new(Mutex::new(Vec::new()));
        let rec = received.clone();
        thread::spawn(move || {
            for (conn, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { continue };
                let rules = rules.clone();
                let rec = rec.clone();
                thread::spawn(move || serve_conn(stream, conn, &rules, &rec));
            }
        });
        Server { addr, received }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.addr.port(), path)
    }

    /// Requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

fn serve_conn(stream: TcpStream, conn: usize, rules: &[Rule], rec: &Mutex<Vec<Received>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end_matches(['\r', '\n']);
            if h.is_empty() {
                break;
            }
            if let Some((n, v)) = h.split_once(':') {
                headers.push((n.to_string(), v.trim_start().to_string()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        let _ = reader.read_exact(&mut body);
        if let Ok(mut r) = rec.lock() {
            r.push(Received {
                method: method.clone(),
                path: path.clone(),
                headers,
                conn,
            });
        }
        let reply = rules
            .iter()
            .find(|(m, p, _)| {
                m.as_deref().is_none_or(|m| m == method)
                    && (*p == path
                        || (p.ends_with('*') && path.starts_with(p.trim_end_matches('*'))))
            })
            .map(|(_, _, r)| r.clone())
            .unwrap_or_else(|| Reply::new("404 Not Found", &[]));
        if let Some(d) = reply.delay {
            thread::sleep(d);
        }
        let mut out = format!("HTTP/1.1 {}\r\n", reply.status).into_bytes();
        for h in &reply.headers {
            out.extend_from_slice(h.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if reply.chunked {
            out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
            for c in reply.body.chunks(3) {
                out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
                out.extend_from_slice(c);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"0\r\n\r\n");
        } else {
            out.extend_from_slice(
                format!("Content-Length: {}\r\n\r\n", reply.body.len()).as_bytes(),
            );
            out.extend_from_slice(&reply.body);
        }
        if writer.write_all(&out).is_err() {
            return;
        }
    }
}

/// Runs the real binary.
pub fn corsprobe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corsprobe"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run corsprobe")
}

/// Runs the binary and parses its JSON stdout.
pub fn corsprobe_json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = corsprobe(args);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// Header pairs of an exchange object in the JSON output.
pub fn json_headers(exchange: &serde_json::Value, side: &str) -> Vec<(String, String)> {
    exchange[side]["headers"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap_or("").to_string(),
                        p[1].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
