//! A minimal raw HTTP/1.1 client for the emulator tests: writes the exact request bytes and
//! returns every response header line as received (duplicates and case kept).

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// All values of `name` (case-insensitive), in wire order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The single value of `name`; `None` when absent. Panics in the test when repeated.
    pub fn one(&self, name: &str) -> Option<&str> {
        let all = self.all(name);
        assert!(all.len() <= 1, "{name} repeated: {all:?}");
        all.first().copied()
    }

    /// Header names in wire order.
    pub fn names(&self) -> Vec<&str> {
        self.headers.iter().map(|(n, _)| n.as_str()).collect()
    }
}

pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr)
            .await
            .expect("connect to the loopback emulator");
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    pub async fn write(&mut self, raw: &[u8]) {
        self.stream.write_all(raw).await.expect("write request");
    }

    /// Reads one response (`head` = response to a HEAD request: no body).
    pub async fn read(&mut self, head: bool) -> Reply {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut parsed = httparse::Response::new(&mut headers);
            if let Ok(httparse::Status::Complete(n)) = parsed.parse(&self.buf) {
                let status = parsed.code.expect("status code");
                let headers: Vec<(String, String)> = parsed
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_string(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect();
                let len = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse::<usize>().ok())
                    .unwrap_or(0);
                let len = if head || status == 204 { 0 } else { len };
                while self.buf.len() < n + len {
                    self.fill().await;
                }
                let body = String::from_utf8_lossy(&self.buf[n..n + len]).into_owned();
                self.buf.drain(..n + len);
                return Reply {
                    status,
                    headers,
                    body,
                };
            }
            self.fill().await;
        }
    }

    async fn fill(&mut self) {
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk).await.expect("read response");
        assert!(
            n > 0,
            "connection closed before a complete response: {:?}",
            String::from_utf8_lossy(&self.buf)
        );
        self.buf.extend_from_slice(&chunk[..n]);
    }

    /// Whether the server closed the connection (reads EOF) without sending more bytes.
    pub async fn closed(&mut self) -> bool {
        let mut chunk = [0u8; 64];
        matches!(self.stream.read(&mut chunk).await, Ok(0) | Err(_))
    }

    pub async fn send(&mut self, raw: &str) -> Reply {
        self.write(raw.as_bytes()).await;
        self.read(raw.starts_with("HEAD ")).await
    }
}

/// Builds a request with `Host: emulator.test` (path-based routing) and the given header lines.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> String {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: emulator.test\r\n");
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    raw
}

/// One request on a fresh connection.
pub async fn send(addr: SocketAddr, raw: &str) -> Reply {
    Conn::open(addr).await.send(raw).await
}

/// A Chromium-like preflight for `method` with the given request header names.
pub fn preflight(path: &str, origin: &str, method: &str, header_names: &[&str]) -> String {
    let mut names: Vec<String> = header_names
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    names.sort();
    let mut headers = vec![
        ("Origin", origin),
        ("Access-Control-Request-Method", method),
        ("Accept", "*/*"),
    ];
    let joined = names.join(",");
    if !names.is_empty() {
        headers.push(("Access-Control-Request-Headers", joined.as_str()));
    }
    request("OPTIONS", path, &headers)
}
