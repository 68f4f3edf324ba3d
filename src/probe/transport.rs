//! The edge: sends one HTTP request exactly as planned and records what went on the wire.
//!
//! HTTP/1.1 is written and parsed here (over TCP or rustls) so that nothing is added behind the
//! engine's back and every response header line is kept, duplicates and order included. HTTP/2 is
//! used when the server selects it by ALPN (through hyper's connection-level client). Redirects
//! are never followed here: the engine decides hop by hop. Connections are pooled per
//! (scheme, host, port, address).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::fetch::{HeaderList, NetworkErrorKind, OutgoingRequest};

/// Transport settings (resolved from flags).
#[derive(Clone, Debug)]
pub struct TransportConfig {
    /// TCP (and TLS) connect timeout.
    pub connect_timeout: Duration,
    /// Timeout for the whole response once sent.
    pub read_timeout: Duration,
    /// How many body bytes to keep in the transcript.
    pub body_prefix: usize,
    /// Bodies longer than this are not read to the end (the connection is then dropped).
    pub max_body: usize,
    /// `--resolve host:port:addr` overrides.
    pub resolve: Vec<(String, u16, SocketAddr)>,
    /// Accept any certificate.
    pub insecure: bool,
    /// Extra PEM roots.
    pub cacert: Option<PathBuf>,
    /// Offer HTTP/2 over TLS.
    pub http2: bool,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            body_prefix: 1024,
            max_body: 4 << 20,
            resolve: Vec::new(),
            insecure: false,
            cacert: None,
            http2: true,
        }
    }
}

/// A transport failure; never a CORS result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{kind:?} error: {message}")]
pub struct TransportError {
    /// Class.
    pub kind: NetworkErrorKind,
    /// Detail.
    pub message: String,
}

impl TransportError {
    fn new(kind: NetworkErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
        }
    }
    /// Timed out.
    pub fn is_timeout(&self) -> bool {
        self.kind == NetworkErrorKind::Timeout
    }
    /// Name resolution failed.
    pub fn is_dns(&self) -> bool {
        self.kind == NetworkErrorKind::Dns
    }
    /// TLS failed.
    pub fn is_tls(&self) -> bool {
        self.kind == NetworkErrorKind::Tls
    }
}

/// Could not set the transport up (bad `--cacert`, …).
#[derive(Debug, thiserror::Error)]
pub enum TransportSetupError {
    /// The CA file could not be read or parsed.
    #[error("cannot use --cacert {path}: {reason}")]
    CaCert {
        /// Path.
        path: String,
        /// Why.
        reason: String,
    },
}

/// The request as written on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRequest {
    /// Method.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Header lines as written (including Host, Connection, Content-Length).
    pub headers: HeaderList,
    /// Body length.
    pub body_len: usize,
}

/// The response as received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedResponse {
    /// `HTTP/1.1` or `HTTP/2`.
    pub version: String,
    /// Status code.
    pub status: u16,
    /// Every header line, in wire order.
    pub headers: HeaderList,
    /// The first bytes of the body (lossy UTF-8).
    pub body_prefix: String,
    /// Body bytes read.
    pub body_len: usize,
}

/// Time spent per phase, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Name resolution.
    pub dns_ms: f64,
    /// TCP connect.
    pub connect_ms: f64,
    /// TLS handshake.
    pub tls_ms: f64,
    /// From the first byte written to the end of the response head.
    pub ttfb_ms: f64,
    /// Whole exchange.
    pub total_ms: f64,
    /// The connection was reused.
    pub reused: bool,
}

/// The outcome of one exchange.
#[derive(Clone, Debug)]
pub struct Sent {
    /// What was written.
    pub request: SentRequest,
    /// What came back.
    pub result: Result<ReceivedResponse, TransportError>,
    /// Timings.
    pub timings: Timings,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct PoolKey {
    https: bool,
    host: String,
    port: u16,
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

enum Conn {
    H1 { io: Box<dyn Io>, buf: Vec<u8> },
    H2(hyper::client::conn::http2::SendRequest<http_body_util::Full<Bytes>>),
}

/// The HTTP client. Cheap to share behind an `Arc`.
pub struct Transport {
    config: TransportConfig,
    tls: Arc<rustls::ClientConfig>,
    pool: Mutex<HashMap<PoolKey, Vec<Conn>>>,
}

impl Transport {
    /// Builds the client (loads system roots and `--cacert`).
    pub fn new(config: TransportConfig) -> Result<Transport, TransportSetupError> {
        let tls = tls_config(&config)?;
        Ok(Transport {
            config,
            tls: Arc::new(tls),
            pool: Mutex::new(HashMap::new()),
        })
    }

    /// Settings.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// Sends one request; never follows redirects; never panics on network input.
    pub async fn send(&self, req: &OutgoingRequest) -> Sent {
        let start = Instant::now();
        let mut timings = Timings::default();
        let https = req.url.scheme() == "https";
        let host = req.url.host_str().unwrap_or("").to_string();
        let port = req
            .url
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        let key = PoolKey {
            https,
            host: host.clone(),
            port,
        };
        let sent_h1 = build_h1_head(req, &host, req.url.port());
        let mut attempt = 0;
        loop {
            attempt += 1;
            let pooled = self.take(&key);
            let reused = pooled.is_some();
            let conn = match pooled {
                Some(c) => c,
                None => match self.connect(&key, &mut timings).await {
                    Ok(c) => c,
                    Err(e) => {
                        timings.total_ms = ms(start.elapsed());
                        let request = match_sent(req, &sent_h1.1);
                        return Sent {
                            request,
                            result: Err(e),
                            timings,
                        };
                    }
                },
            };
            timings.reused = reused;
            let t0 = Instant::now();
            let outcome = match conn {
                Conn::H1 { io, buf } => {
                    let r = tokio::time::timeout(
                        self.config.read_timeout,
                        self.exchange_h1(io, buf, &sent_h1.0, req, &mut timings, t0),
                    )
                    .await;
                    match r {
                        Ok(Ok((resp, conn))) => {
                            if let Some(c) = conn {
                                self.put(key.clone(), c);
                            }
                            Ok((resp, match_sent(req, &sent_h1.1)))
                        }
                        Ok(Err(e)) => Err(e),
                        Err(_) => Err(TransportError::new(
                            NetworkErrorKind::Timeout,
                            format!("no complete response within {:?}", self.config.read_timeout),
                        )),
                    }
                }
                Conn::H2(send) => {
                    let r = tokio::time::timeout(
                        self.config.read_timeout,
                        self.exchange_h2(send.clone(), req, &host, &mut timings, t0),
                    )
                    .await;
                    match r {
                        Ok(Ok((resp, sent))) => {
                            self.put(key.clone(), Conn::H2(send));
                            Ok((resp, sent))
                        }
                        Ok(Err(e)) => Err(e),
                        Err(_) => Err(TransportError::new(
                            NetworkErrorKind::Timeout,
                            format!("no complete response within {:?}", self.config.read_timeout),
                        )),
                    }
                }
            };
            match outcome {
                Ok((resp, request)) => {
                    timings.total_ms = ms(start.elapsed());
                    return Sent {
                        request,
                        result: Ok(resp),
                        timings,
                    };
                }
                // A pooled keep-alive connection may have been closed by the server meanwhile:
                // retry once on a fresh connection.
                Err(e) if reused && attempt == 1 && e.kind == NetworkErrorKind::Io => continue,
                Err(e) => {
                    timings.total_ms = ms(start.elapsed());
                    return Sent {
                        request: match_sent(req, &sent_h1.1),
                        result: Err(e),
                        timings,
                    };
                }
            }
        }
    }

    fn take(&self, key: &PoolKey) -> Option<Conn> {
        let mut pool = self.pool.lock().ok()?;
        let list = pool.get_mut(key)?;
        // HTTP/2 connections are shared: clone the handle and keep it pooled.
        if let Some(Conn::H2(s)) = list.last() {
            if s.is_closed() {
                list.pop();
                return None;
            }
            let s = s.clone();
            list.pop();
            return Some(Conn::H2(s));
        }
        list.pop()
    }

    fn put(&self, key: PoolKey, conn: Conn) {
        if let Ok(mut pool) = self.pool.lock() {
            let list = pool.entry(key).or_default();
            if list.len() < 64 {
                list.push(conn);
            }
        }
    }

    async fn resolve(&self, key: &PoolKey) -> Result<Vec<SocketAddr>, TransportError> {
        if let Some((_, _, addr)) = self
            .config
            .resolve
            .iter()
            .find(|(h, p, _)| h.eq_ignore_ascii_case(&key.host) && *p == key.port)
        {
            return Ok(vec![*addr]);
        }
        let host = key.host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, key.port)]);
        }
        let addrs = tokio::time::timeout(
            self.config.connect_timeout,
            tokio::net::lookup_host((host, key.port)),
        )
        .await
        .map_err(|_| {
            TransportError::new(
                NetworkErrorKind::Timeout,
                format!("resolving {host} timed out"),
            )
        })?
        .map_err(|e| {
            TransportError::new(NetworkErrorKind::Dns, format!("cannot resolve {host}: {e}"))
        })?
        .collect::<Vec<_>>();
        if addrs.is_empty() {
            return Err(TransportError::new(
                NetworkErrorKind::Dns,
                format!("{host} has no addresses"),
            ));
        }
        Ok(addrs)
    }

    async fn connect(&self, key: &PoolKey, timings: &mut Timings) -> Result<Conn, TransportError> {
        let t = Instant::now();
        let addrs = self.resolve(key).await?;
        timings.dns_ms = ms(t.elapsed());
        let t = Instant::now();
        let mut last_err = None;
        let mut stream = None;
        for addr in &addrs {
            match tokio::time::timeout(self.config.connect_timeout, TcpStream::connect(addr)).await
            {
                Ok(Ok(s)) => {
                    stream = Some(s);
                    break;
                }
                Ok(Err(e)) => {
                    last_err = Some(TransportError::new(
                        NetworkErrorKind::Connect,
                        format!("cannot connect to {addr}: {e}"),
                    ))
                }
                Err(_) => {
                    last_err = Some(TransportError::new(
                        NetworkErrorKind::Timeout,
                        format!(
                            "connecting to {addr} timed out after {:?}",
                            self.config.connect_timeout
                        ),
                    ))
                }
            }
        }
        let Some(stream) = stream else {
            return Err(last_err.unwrap_or_else(|| {
                TransportError::new(NetworkErrorKind::Connect, "no address to connect to")
            }));
        };
        let _ = stream.set_nodelay(true);
        timings.connect_ms = ms(t.elapsed());
        if !key.https {
            return Ok(Conn::H1 {
                io: Box::new(stream),
                buf: Vec::with_capacity(8192),
            });
        }
        let t = Instant::now();
        let name = rustls_pki_types::ServerName::try_from(
            key.host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
        )
        .map_err(|e| {
            TransportError::new(
                NetworkErrorKind::Tls,
                format!("invalid TLS server name {}: {e}", key.host),
            )
        })?;
        let connector = tokio_rustls::TlsConnector::from(self.tls.clone());
        let tls =
            tokio::time::timeout(self.config.connect_timeout, connector.connect(name, stream))
                .await
                .map_err(|_| {
                    TransportError::new(NetworkErrorKind::Timeout, "TLS handshake timed out")
                })?
                .map_err(|e| {
                    TransportError::new(
                        NetworkErrorKind::Tls,
                        format!("TLS handshake with {} failed: {e}", key.host),
                    )
                })?;
        timings.tls_ms = ms(t.elapsed());
        let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
        if h2 {
            let (send, conn) = hyper::client::conn::http2::handshake(
                hyper_util::rt::TokioExecutor::new(),
                hyper_util::rt::TokioIo::new(tls),
            )
            .await
            .map_err(|e| {
                TransportError::new(
                    NetworkErrorKind::Protocol,
                    format!("HTTP/2 handshake failed: {e}"),
                )
            })?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            return Ok(Conn::H2(send));
        }
        Ok(Conn::H1 {
            io: Box::new(tls),
            buf: Vec::with_capacity(8192),
        })
    }

    async fn exchange_h1(
        &self,
        mut io: Box<dyn Io>,
        mut buf: Vec<u8>,
        head: &[u8],
        req: &OutgoingRequest,
        timings: &mut Timings,
        t0: Instant,
    ) -> Result<(ReceivedResponse, Option<Conn>), TransportError> {
        let io_err = |e: std::io::Error| {
            TransportError::new(NetworkErrorKind::Io, format!("connection failed: {e}"))
        };
        // One write (one segment) for head and body.
        match &req.body {
            Some(body) if !body.is_empty() => {
                let mut all = Vec::with_capacity(head.len() + body.len());
                all.extend_from_slice(head);
                all.extend_from_slice(body);
                io.write_all(&all).await.map_err(io_err)?;
            }
            _ => io.write_all(head).await.map_err(io_err)?,
        }
        io.flush().await.map_err(io_err)?;
        buf.clear();
        loop {
            // Read the head (skipping 1xx interim responses).
            let (status, version, headers, head_len, keep_alive) = loop {
                let mut hdrs = [httparse::EMPTY_HEADER; 128];
                let mut resp = httparse::Response::new(&mut hdrs);
                // Chromium accepts `Name : value` (whitespace before the colon) in responses and
                // uses the header (fidelity scenario `raw-acao-space-before-colon`).
                let mut parser = httparse::ParserConfig::default();
                parser.allow_spaces_after_header_name_in_responses(true);
                match parser.parse_response(&mut resp, &buf) {
                    Ok(httparse::Status::Complete(n)) => {
                        let status = resp.code.unwrap_or(0);
                        let version = resp.version.unwrap_or(1);
                        let mut list = HeaderList::new();
                        for h in resp.headers.iter() {
                            list.append(h.name, isomorphic_decode(h.value));
                        }
                        let conn_hdr = list
                            .get("connection")
                            .unwrap_or_default()
                            .to_ascii_lowercase();
                        let keep = if version == 0 {
                            conn_hdr.contains("keep-alive")
                        } else {
                            !conn_hdr.contains("close")
                        };
                        break (status, version, list, n, keep);
                    }
                    Ok(httparse::Status::Partial) => {
                        if buf.len() > 256 * 1024 {
                            return Err(TransportError::new(
                                NetworkErrorKind::Protocol,
                                "response head larger than 256 KiB",
                            ));
                        }
                        let n = read_more(&mut io, &mut buf).await?;
                        if n == 0 {
                            return Err(TransportError::new(
                                NetworkErrorKind::Io,
                                if buf.is_empty() {
                                    "connection closed before any response".to_string()
                                } else {
                                    "connection closed in the middle of the response head"
                                        .to_string()
                                },
                            ));
                        }
                    }
                    Err(e) => {
                        return Err(TransportError::new(
                            NetworkErrorKind::Protocol,
                            format!("invalid HTTP response: {e}"),
                        ))
                    }
                }
            };
            if (100..200).contains(&status) && status != 101 {
                buf.drain(..head_len);
                continue;
            }
            timings.ttfb_ms = ms(t0.elapsed());
            buf.drain(..head_len);
            let no_body = req.method == "HEAD"
                || status == 204
                || status == 304
                || (100..200).contains(&status);
            let mut body = Vec::new();
            let mut reusable = keep_alive;
            let mut body_len = 0usize;
            if !no_body {
                let chunked = headers
                    .get("transfer-encoding")
                    .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
                if chunked {
                    let (len, complete) = read_chunked(
                        &mut io,
                        &mut buf,
                        &mut body,
                        self.config.body_prefix,
                        self.config.max_body,
                    )
                    .await?;
                    body_len = len;
                    reusable &= complete;
                } else if let Some(cl) = headers.get("content-length") {
                    let n: usize =
                        cl.split(',')
                            .next()
                            .unwrap_or("")
                            .trim()
                            .parse()
                            .map_err(|_| {
                                TransportError::new(
                                    NetworkErrorKind::Protocol,
                                    format!("invalid Content-Length `{cl}`"),
                                )
                            })?;
                    if n > self.config.max_body {
                        reusable = false;
                    }
                    let want = n.min(self.config.max_body);
                    while buf.len() < want {
                        if read_more(&mut io, &mut buf).await? == 0 {
                            return Err(TransportError::new(
                                NetworkErrorKind::Io,
                                "connection closed before the end of the body",
                            ));
                        }
                    }
                    body.extend_from_slice(&buf[..want.min(self.config.body_prefix)]);
                    buf.drain(..want);
                    body_len = want;
                } else {
                    // Delimited by close.
                    reusable = false;
                    loop {
                        let n = read_more(&mut io, &mut buf).await?;
                        if n == 0 || buf.len() > self.config.max_body {
                            break;
                        }
                    }
                    body_len = buf.len();
                    body.extend_from_slice(&buf[..buf.len().min(self.config.body_prefix)]);
                    buf.clear();
                }
            }
            let resp = ReceivedResponse {
                version: if version == 0 {
                    "HTTP/1.0".into()
                } else {
                    "HTTP/1.1".into()
                },
                status,
                headers,
                body_prefix: String::from_utf8_lossy(&body).into_owned(),
                body_len,
            };
            let conn = if reusable && buf.is_empty() {
                Some(Conn::H1 { io, buf })
            } else {
                None
            };
            return Ok((resp, conn));
        }
    }

    async fn exchange_h2(
        &self,
        mut send: hyper::client::conn::http2::SendRequest<http_body_util::Full<Bytes>>,
        req: &OutgoingRequest,
        host: &str,
        timings: &mut Timings,
        t0: Instant,
    ) -> Result<(ReceivedResponse, SentRequest), TransportError> {
        use http_body_util::BodyExt;
        let perr = |e: String| TransportError::new(NetworkErrorKind::Protocol, e);
        let method = http::Method::from_bytes(req.method.as_bytes())
            .map_err(|e| perr(format!("invalid method: {e}")))?;
        let mut builder = http::Request::builder()
            .method(method)
            .uri(req.url.as_str());
        let mut sent = HeaderList::new();
        sent.append(":authority", authority(host, req.url.port()));
        for (n, v) in req.headers.iter() {
            builder = builder.header(n, v);
            sent.append(n.to_ascii_lowercase(), v);
        }
        let body = req.body.clone().unwrap_or_default();
        if !body.is_empty() {
            sent.append("content-length", body.len().to_string());
        }
        let request = builder
            .body(http_body_util::Full::new(Bytes::from(body.clone())))
            .map_err(|e| perr(format!("cannot build request: {e}")))?;
        send.ready().await.map_err(|e| {
            TransportError::new(
                NetworkErrorKind::Io,
                format!("HTTP/2 connection not ready: {e}"),
            )
        })?;
        let resp = send.send_request(request).await.map_err(|e| {
            TransportError::new(NetworkErrorKind::Io, format!("HTTP/2 request failed: {e}"))
        })?;
        timings.ttfb_ms = ms(t0.elapsed());
        let status = resp.status().as_u16();
        let mut headers = HeaderList::new();
        for (n, v) in resp.headers() {
            headers.append(n.as_str(), isomorphic_decode(v.as_bytes()));
        }
        let mut body_prefix = Vec::new();
        let mut body_len = 0usize;
        let mut b = resp.into_body();
        while let Some(frame) = b.frame().await {
            let frame = frame.map_err(|e| {
                TransportError::new(NetworkErrorKind::Io, format!("HTTP/2 body failed: {e}"))
            })?;
            if let Some(d) = frame.data_ref() {
                body_len += d.len();
                let room = self.config.body_prefix.saturating_sub(body_prefix.len());
                body_prefix.extend_from_slice(&d[..d.len().min(room)]);
                if body_len > self.config.max_body {
                    break;
                }
            }
        }
        let sent = SentRequest {
            method: req.method.clone(),
            url: req.url.to_string(),
            headers: sent,
            body_len: body.len(),
        };
        Ok((
            ReceivedResponse {
                version: "HTTP/2".into(),
                status,
                headers,
                body_prefix: String::from_utf8_lossy(&body_prefix).into_owned(),
                body_len,
            },
            sent,
        ))
    }
}

fn match_sent(req: &OutgoingRequest, headers: &HeaderList) -> SentRequest {
    SentRequest {
        method: req.method.clone(),
        url: req.url.to_string(),
        headers: headers.clone(),
        body_len: req.body.as_ref().map_or(0, |b| b.len()),
    }
}

fn authority(host: &str, port: Option<u16>) -> String {
    match port {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// The HTTP/1.1 request head, and the header lines it holds.
fn build_h1_head(req: &OutgoingRequest, host: &str, port: Option<u16>) -> (Vec<u8>, HeaderList) {
    let mut lines = HeaderList::new();
    lines.append("Host", authority(host, port));
    lines.append("Connection", "keep-alive");
    match &req.body {
        Some(b) => lines.append("Content-Length", b.len().to_string()),
        None if matches!(req.method.as_str(), "POST" | "PUT") => {
            lines.append("Content-Length", "0")
        }
        None => {}
    }
    for (n, v) in req.headers.iter() {
        lines.append(n, v);
    }
    let mut target = req.url.path().to_string();
    if let Some(q) = req.url.query() {
        target.push('?');
        target.push_str(q);
    }
    let mut head = Vec::with_capacity(512);
    head.extend_from_slice(req.method.as_bytes());
    head.push(b' ');
    head.extend_from_slice(target.as_bytes());
    head.extend_from_slice(b" HTTP/1.1\r\n");
    for (n, v) in lines.iter() {
        head.extend_from_slice(n.as_bytes());
        head.extend_from_slice(b": ");
        // Header values are byte strings; chars U+0000..U+00FF map back to their bytes.
        for c in v.chars() {
            let c = c as u32;
            head.push(if c < 256 { c as u8 } else { b'?' });
        }
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    (head, lines)
}

/// Bytes to a string, one char per byte (Infra "isomorphic decode").
fn isomorphic_decode(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) if s.is_ascii() => s.to_string(),
        _ => b.iter().map(|&c| c as char).collect(),
    }
}

async fn read_more(io: &mut Box<dyn Io>, buf: &mut Vec<u8>) -> Result<usize, TransportError> {
    // Read straight into the buffer's spare capacity: no intermediate copy.
    if buf.capacity() - buf.len() < 4096 {
        buf.reserve(16384);
    }
    io.read_buf(buf)
        .await
        .map_err(|e| TransportError::new(NetworkErrorKind::Io, format!("read failed: {e}")))
}

async fn read_chunked(
    io: &mut Box<dyn Io>,
    buf: &mut Vec<u8>,
    body: &mut Vec<u8>,
    prefix: usize,
    max: usize,
) -> Result<(usize, bool), TransportError> {
    let mut total = 0usize;
    loop {
        // chunk-size line
        let line_end = loop {
            if let Some(i) = buf.windows(2).position(|w| w == b"\r\n") {
                break i;
            }
            if read_more(io, buf).await? == 0 {
                return Err(TransportError::new(
                    NetworkErrorKind::Io,
                    "connection closed inside a chunked body",
                ));
            }
        };
        let line = String::from_utf8_lossy(&buf[..line_end]).to_string();
        let size_str = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_str, 16).map_err(|_| {
            TransportError::new(
                NetworkErrorKind::Protocol,
                format!("invalid chunk size `{size_str}`"),
            )
        })?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // trailers until empty line
            loop {
                if let Some(i) = buf.windows(2).position(|w| w == b"\r\n") {
                    let empty = i == 0;
                    buf.drain(..i + 2);
                    if empty {
                        return Ok((total, true));
                    }
                    continue;
                }
                if read_more(io, buf).await? == 0 {
                    return Ok((total, false));
                }
            }
        }
        while buf.len() < size + 2 {
            if read_more(io, buf).await? == 0 {
                return Err(TransportError::new(
                    NetworkErrorKind::Io,
                    "connection closed inside a chunk",
                ));
            }
        }
        let room = prefix.saturating_sub(body.len());
        body.extend_from_slice(&buf[..size.min(room)]);
        total += size;
        buf.drain(..size + 2);
        if total > max {
            return Ok((total, false));
        }
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

fn tls_config(config: &TransportConfig) -> Result<rustls::ClientConfig, TransportSetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportSetupError::CaCert {
            path: String::new(),
            reason: e.to_string(),
        })?;
    let mut cfg = if config.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert(provider)))
            .with_no_client_auth()
    } else {
        let mut roots = rustls::RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        for cert in native.certs {
            let _ = roots.add(cert);
        }
        if let Some(path) = &config.cacert {
            use rustls_pki_types::pem::PemObject;
            let p = path.display().to_string();
            let certs = rustls_pki_types::CertificateDer::pem_file_iter(path).map_err(|e| {
                TransportSetupError::CaCert {
                    path: p.clone(),
                    reason: e.to_string(),
                }
            })?;
            let mut n = 0;
            for c in certs {
                let c = c.map_err(|e| TransportSetupError::CaCert {
                    path: p.clone(),
                    reason: e.to_string(),
                })?;
                roots.add(c).map_err(|e| TransportSetupError::CaCert {
                    path: p.clone(),
                    reason: e.to_string(),
                })?;
                n += 1;
            }
            if n == 0 {
                return Err(TransportSetupError::CaCert {
                    path: p,
                    reason: "no PEM certificate found".into(),
                });
            }
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    cfg.alpn_protocols = if config.http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(cfg)
}

/// `--insecure`: accepts any certificate (signatures are still checked for form).
#[derive(Debug)]
struct AcceptAnyCert(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls_pki_types::CertificateDer<'_>,
        _intermediates: &[rustls_pki_types::CertificateDer<'_>],
        _server_name: &rustls_pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls_pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls_pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls_pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
