//! The scenario server: a loopback HTTP/1.1 server over raw `std::net` sockets.
//!
//! It answers every request from a per-scenario plan (status, raw header lines written
//! byte for byte, body), serves the runner page for the page origins, and records every
//! request it receives with its header lines in wire order. It does not judge anything.
//!
//! Paths: `/{run}/{id}` is hop 0 of scenario `id` for run `run` (`f` fetch, `x` XHR,
//! `c` corsprobe); `/{run}/{id}/{n}` is hop `n`. OPTIONS requests get the plan's preflight
//! response for that hop, any other method its actual response.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// One dictated response.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    /// Raw header lines, already expanded, written exactly as given.
    pub headers: Vec<String>,
    pub body: String,
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub preflight: Vec<Reply>,
    pub actual: Vec<Reply>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    /// Which listener got it: "app", "api" or "other".
    pub host: &'static str,
    pub method: String,
    pub path: String,
    pub hop: usize,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Default)]
struct State {
    plans: RwLock<HashMap<String, Plan>>,
    log: Mutex<HashMap<(String, String), Vec<Received>>>,
}

#[derive(Clone)]
pub struct Server {
    state: Arc<State>,
    pub app_port: u16,
    pub api_port: u16,
    pub other_port: u16,
}

pub const RUNNER_JS: &str = include_str!("runner.js");

impl Server {
    pub fn start() -> Server {
        let state = Arc::new(State::default());
        let mut ports = Vec::new();
        for name in ["app", "api", "other"] {
            let l = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
            ports.push(l.local_addr().expect("local addr").port());
            let st = state.clone();
            std::thread::spawn(move || {
                for conn in l.incoming() {
                    let Ok(conn) = conn else { continue };
                    let st = st.clone();
                    std::thread::spawn(move || {
                        let _ = serve(conn, name, &st);
                    });
                }
            });
        }
        Server {
            state,
            app_port: ports[0],
            api_port: ports[1],
            other_port: ports[2],
        }
    }

    pub fn origin(&self, host: &str) -> String {
        let port = match host {
            "app" => self.app_port,
            "api" => self.api_port,
            "other" => self.other_port,
            _ => panic!("unknown host {host}"),
        };
        format!("http://{host}.example.test:{port}")
    }

    pub fn set_plan(&self, id: &str, plan: Plan) {
        self.state
            .plans
            .write()
            .expect("plans lock")
            .insert(id.to_string(), plan);
    }

    /// Requests received for (run, scenario id), in arrival order.
    pub fn received(&self, run: &str, id: &str) -> Vec<Received> {
        self.state
            .log
            .lock()
            .expect("log lock")
            .get(&(run.to_string(), id.to_string()))
            .cloned()
            .unwrap_or_default()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn serve(conn: TcpStream, host: &'static str, st: &State) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    conn.set_nodelay(true)?;
    let mut writer = conn.try_clone()?;
    let mut reader = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let line = line.trim_end().to_string();
        if line.is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 {
                return Ok(());
            }
            let h = h.trim_end_matches(['\r', '\n']);
            if h.is_empty() {
                break;
            }
            let (n, v) = h.split_once(':').unwrap_or((h, ""));
            headers.push((n.to_string(), v.trim().to_string()));
        }
        let len = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        reader.read_exact(&mut body)?;
        let path = target.split('?').next().unwrap_or("").to_string();
        let reply = respond(
            st,
            host,
            &method,
            &path,
            headers,
            String::from_utf8_lossy(&body).into(),
        );
        let mut out =
            format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status)).into_bytes();
        let mut has_len = false;
        for h in &reply.headers {
            if h.split(':')
                .next()
                .is_some_and(|n| n.trim().eq_ignore_ascii_case("content-length"))
            {
                has_len = true;
            }
            out.extend_from_slice(h.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        let no_body = method == "HEAD" || reply.status == 204 || reply.status == 304;
        if !has_len && reply.status != 204 && reply.status != 304 {
            out.extend_from_slice(format!("Content-Length: {}\r\n", reply.body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        if !no_body {
            out.extend_from_slice(reply.body.as_bytes());
        }
        writer.write_all(&out)?;
        writer.flush()?;
    }
}

fn respond(
    st: &State,
    host: &'static str,
    method: &str,
    path: &str,
    headers: Vec<(String, String)>,
    body: String,
) -> Reply {
    if method == "GET" && (path == "/" || path == "/sandboxed") {
        let mut h = vec!["Content-Type: text/html; charset=utf-8".to_string()];
        if path == "/sandboxed" {
            h.push("Content-Security-Policy: sandbox allow-scripts".into());
        }
        return Reply {
            status: 200,
            headers: h,
            body: format!(
                "<!doctype html><title>corsprobe fidelity</title><script>{RUNNER_JS}</script>"
            ),
        };
    }
    if path == "/favicon.ico" {
        return Reply {
            status: 404,
            headers: vec![],
            body: String::new(),
        };
    }
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (run, id, hop) = match segs.as_slice() {
        [run, id] => (*run, *id, 0usize),
        [run, id, hop] => (*run, *id, hop.parse().unwrap_or(99)),
        _ => {
            return Reply {
                status: 404,
                headers: vec![],
                body: "no such path".into(),
            }
        }
    };
    st.log
        .lock()
        .expect("log lock")
        .entry((run.to_string(), id.to_string()))
        .or_default()
        .push(Received {
            host,
            method: method.to_string(),
            path: path.to_string(),
            hop,
            headers,
            body,
        });
    let plans = st.plans.read().expect("plans lock");
    let Some(plan) = plans.get(id) else {
        return Reply {
            status: 404,
            headers: vec![],
            body: "unknown scenario".into(),
        };
    };
    let list = if method == "OPTIONS" {
        &plan.preflight
    } else {
        &plan.actual
    };
    let mut reply = list.get(hop).cloned().unwrap_or(Reply {
        status: 404,
        headers: vec![],
        body: String::new(),
    });
    // `{run}` is the only placeholder left for the server: it differs per run of a scenario.
    for h in &mut reply.headers {
        *h = h.replace("{run}", run);
    }
    reply
}
