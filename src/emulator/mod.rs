//! A loopback API that answers the way AWS API Gateway does, driven by the configuration model in
//! [`crate::apigw`]: what it serves follows from the deployed configuration.
//!
//! It owns the data plane ([`rest`] for REST APIs, [`httpapi`] for HTTP APIs), a small HTTP/1.1
//! server ([`server`]) and the built-in [`demo`]. It must not touch the CORS engine, the prober or
//! the CLI; the CLI wires `corsprobe demo` / `corsprobe emulator --listen` to [`serve_demo`].
//!
//! # Routing scheme (one loopback port, several APIs)
//!
//! 1. **Host-based**: a `Host` of the form `{apiId}.execute-api.{region}.amazonaws.com[:port]`
//!    selects the API with that id, and the whole path is the API's path, exactly as on AWS:
//!    `/{stage}/items` for REST APIs, `/items` (the `$default` stage) or `/{stage}/items` for HTTP
//!    APIs. Use it with a `--resolve`-style mapping of the execute-api host name to the emulator.
//! 2. **Path-based** (any other `Host`): the first path segment is the API's mount name, and the
//!    rest is the API's path: `http://127.0.0.1:PORT/{mount}/{stage}/items`.
//!
//! An unknown API id or mount is answered like a missing REST route: 403
//! `{"message":"Missing Authentication Token"}` with `x-amzn-ErrorType:
//! MissingAuthenticationTokenException`.
//!
//! # Safety
//! [`serve`] binds loopback addresses only; [`serve_with`] with `allow_non_loopback` is the one way
//! to listen elsewhere.

pub mod demo;
pub mod httpapi;
pub mod ids;
pub mod paths;
pub mod pattern;
pub mod rest;
pub mod server;
pub mod wire;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::apigw::{Api, Emulation};

pub use wire::{Request, Response};

/// Errors starting or reconfiguring the emulator.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The configuration is one API Gateway (or the emulator) would reject.
    #[error("invalid emulator configuration: {}", .0.join("; "))]
    InvalidConfiguration(Vec<String>),
    /// Refused to listen on a non-loopback address.
    #[error("refusing to listen on non-loopback address {0} (the emulator is for loopback use)")]
    NonLoopback(SocketAddr),
    /// Binding the listener failed.
    #[error("could not listen on {addr}")]
    Bind {
        /// Requested address.
        addr: SocketAddr,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}

/// A validated configuration with its lookup tables; answers one request at a time, no I/O.
#[derive(Debug)]
pub struct Dispatcher {
    emulation: Emulation,
    by_mount: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
}

impl Dispatcher {
    /// Validates `emulation` and indexes its APIs by mount and id.
    pub fn new(emulation: Emulation) -> Result<Self, EmulatorError> {
        let problems = emulation.validate();
        if !problems.is_empty() {
            return Err(EmulatorError::InvalidConfiguration(problems));
        }
        let mut by_mount = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, hosted) in emulation.apis.iter().enumerate() {
            by_mount.insert(hosted.mount.clone(), i);
            by_id
                .entry(hosted.api.id().to_ascii_lowercase())
                .or_insert(i);
        }
        Ok(Dispatcher {
            emulation,
            by_mount,
            by_id,
        })
    }

    /// The configuration being served.
    pub fn emulation(&self) -> &Emulation {
        &self.emulation
    }

    /// Answers one request (see the module doc for the routing scheme).
    pub fn handle(&self, req: &Request<'_>) -> Response {
        let host = req.header("host").unwrap_or("");
        let host = host
            .rsplit_once(':')
            .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
            .map_or(host, |(h, _)| h);
        let by_host = host
            .split_once(".execute-api.")
            .filter(|(_, rest)| rest.ends_with(".amazonaws.com"))
            .and_then(|(id, _)| self.by_id.get(&id.to_ascii_lowercase()));
        let (index, path) = match by_host {
            Some(i) => (Some(*i), req.path),
            None => {
                let trimmed = req.path.trim_start_matches('/');
                let (mount, rest) = match trimmed.find('/') {
                    Some(i) => (&trimmed[..i], &trimmed[i..]),
                    None => (trimmed, "/"),
                };
                (self.by_mount.get(mount).copied(), rest)
            }
        };
        let Some(hosted) = index.and_then(|i| self.emulation.apis.get(i)) else {
            // No API there: behave like a REST API without that route.
            let empty = crate::apigw::RestApi::default();
            return rest::handle(&empty, &self.emulation.backends, "/", req);
        };
        match &hosted.api {
            Api::Rest(api) => rest::handle(api, &self.emulation.backends, path, req),
            Api::Http(api) => httpapi::handle(api, &self.emulation.backends, path, req),
        }
    }
}

/// Where and how to listen.
#[derive(Clone, Copy, Debug)]
pub struct ServeOptions {
    /// Address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Allow a non-loopback address (off unless explicitly asked for).
    pub allow_non_loopback: bool,
}

/// A running emulator.
#[derive(Debug)]
pub struct EmulatorHandle {
    /// The bound address (with the real port when 0 was asked).
    pub addr: SocketAddr,
    shared: server::Shared,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl EmulatorHandle {
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves `emulation` from now on (e.g. after a redeploy in a test); in-flight requests finish
    /// with the old configuration.
    pub fn update(&self, emulation: Emulation) -> Result<(), EmulatorError> {
        let dispatcher = Arc::new(Dispatcher::new(emulation)?);
        match self.shared.write() {
            Ok(mut guard) => *guard = dispatcher,
            Err(poisoned) => *poisoned.into_inner() = dispatcher,
        }
        Ok(())
    }

    /// Stops accepting, closes idle connections, and waits for the accept loop to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Serves `emulation` on the loopback address `addr` (port 0 for an ephemeral port).
pub async fn serve(
    emulation: Emulation,
    addr: SocketAddr,
) -> Result<EmulatorHandle, EmulatorError> {
    serve_with(
        emulation,
        ServeOptions {
            addr,
            allow_non_loopback: false,
        },
    )
    .await
}

/// Serves `emulation` with explicit options.
pub async fn serve_with(
    emulation: Emulation,
    options: ServeOptions,
) -> Result<EmulatorHandle, EmulatorError> {
    if !options.addr.ip().is_loopback() && !options.allow_non_loopback {
        return Err(EmulatorError::NonLoopback(options.addr));
    }
    let dispatcher = Arc::new(Dispatcher::new(emulation)?);
    let listener = TcpListener::bind(options.addr)
        .await
        .map_err(|source| EmulatorError::Bind {
            addr: options.addr,
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind {
            addr: options.addr,
            source,
        })?;
    let shared: server::Shared = Arc::new(RwLock::new(dispatcher));
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(server::accept_loop(listener, shared.clone(), stop_rx));
    Ok(EmulatorHandle {
        addr,
        shared,
        stop,
        task,
    })
}

/// Serves the built-in demo ([`demo::demo_emulation`]) on loopback `addr`.
pub async fn serve_demo(addr: SocketAddr) -> Result<EmulatorHandle, EmulatorError> {
    serve(demo::demo_emulation(), addr).await
}
