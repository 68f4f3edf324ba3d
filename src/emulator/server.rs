//! The emulator's HTTP/1.1 server: tokio TCP, `httparse`, keep-alive and pipelining, one task per
//! connection, responses written exactly as the data plane lists their header lines.
//!
//! Limits: request head ≤ 64 KiB and ≤ 64 header lines (else 431 / 400 and close); bodies only
//! with `Content-Length` ≤ 10 MiB (API Gateway's payload limit; else 413 and close);
//! `Transfer-Encoding` is answered 501 and closed; idle connections close after 60 s. Malformed requests get 400 and the connection
//! closes: nothing here panics on input. No logging on the hot path.

use std::sync::{Arc, RwLock};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::wire::{Request, Response};
use super::Dispatcher;

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 10 * 1024 * 1024;
const MAX_HEADERS: usize = 64;
/// A connection idle this long is closed (API Gateway closes idle connections too; its own
/// figure is not modelled).
const IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The configuration being served; swapped atomically by `EmulatorHandle::update`.
pub(crate) type Shared = Arc<RwLock<Arc<Dispatcher>>>;

pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Shared,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = shared.clone();
                let stop = stop.clone();
                tokio::spawn(async move { connection(stream, shared, stop).await });
            }
        }
    }
}

/// What to do after answering one request.
enum Next {
    /// Keep reading on this connection.
    Continue,
    /// Close after flushing.
    Close,
}

fn error_response(status: u16) -> Response {
    let mut r = Response {
        status,
        ..Default::default()
    };
    r.body = format!("{{\"message\":\"{}\"}}", super::wire::reason(status)).into_bytes();
    r.push("Content-Type", "application/json");
    r.push("Content-Length", r.body.len().to_string());
    r.push("Connection", "close");
    r
}

async fn connection(mut stream: TcpStream, shared: Shared, mut stop: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(8 * 1024);
    let mut out: Vec<u8> = Vec::with_capacity(8 * 1024);
    let mut chunk = [0u8; 16 * 1024];
    loop {
        // Answer every complete request already buffered (pipelining).
        let mut close = false;
        while let Some((consumed, next)) = process(&buf, &shared, &mut out) {
            buf.drain(..consumed);
            if let Next::Close = next {
                close = true;
                break;
            }
        }
        if !out.is_empty() {
            if stream.write_all(&out).await.is_err() {
                return;
            }
            out.clear();
        }
        if close {
            let _ = stream.shutdown().await;
            return;
        }
        let read = tokio::select! {
            _ = stop.changed() => return,
            read = tokio::time::timeout(IDLE_TIMEOUT, stream.read(&mut chunk)) => read,
        };
        match read {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Parses and answers one request from the front of `buf`. `None` when more bytes are needed.
fn process(buf: &[u8], shared: &Shared, out: &mut Vec<u8>) -> Option<(usize, Next)> {
    if buf.is_empty() {
        return None;
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    let head_len = match parsed.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
            error_response(431).write_to(out, false);
            return Some((buf.len(), Next::Close));
        }
        Ok(httparse::Status::Partial) => return None,
        Err(httparse::Error::TooManyHeaders) => {
            error_response(431).write_to(out, false);
            return Some((buf.len(), Next::Close));
        }
        Err(_) => {
            error_response(400).write_to(out, false);
            return Some((buf.len(), Next::Close));
        }
    };
    let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        error_response(400).write_to(out, false);
        return Some((buf.len(), Next::Close));
    };
    let headers = parsed.headers;
    let find = |name: &str| {
        headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| std::str::from_utf8(h.value).unwrap_or("\u{0}").trim())
    };
    if find("transfer-encoding").is_some() {
        error_response(501).write_to(out, false);
        return Some((buf.len(), Next::Close));
    }
    let body_len = match find("content-length") {
        None => 0,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n <= MAX_BODY => n,
            Ok(_) => {
                error_response(413).write_to(out, false);
                return Some((buf.len(), Next::Close));
            }
            Err(_) => {
                error_response(400).write_to(out, false);
                return Some((buf.len(), Next::Close));
            }
        },
    };
    if buf.len() < head_len + body_len {
        return None;
    }
    let connection = find("connection").unwrap_or("");
    let keep_alive = if version == 0 {
        connection.eq_ignore_ascii_case("keep-alive")
    } else {
        !connection
            .split(',')
            .any(|t| t.trim().eq_ignore_ascii_case("close"))
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, q),
        None => (target, ""),
    };
    if !path.starts_with('/') {
        error_response(400).write_to(out, false);
        return Some((buf.len(), Next::Close));
    }
    let request = Request {
        method,
        path,
        query,
        headers,
        body: &buf[head_len..head_len + body_len],
    };
    let dispatcher = match shared.read() {
        Ok(guard) => guard.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    let response = dispatcher.handle(&request);
    response.write_to(out, method == "HEAD");
    let next = if keep_alive {
        Next::Continue
    } else {
        Next::Close
    };
    Some((head_len + body_len, next))
}
