//! Runs page requests through the engine and the transport, hop by hop, and records the
//! transcript. Per-host politeness (concurrency and rate) and safety (held-back unsafe methods)
//! live here. A network failure is a per-request result, never an aborted run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::transport::{ReceivedResponse, SentRequest, Timings, Transport, TransportError};
use crate::fetch::method::is_state_changing;
use crate::fetch::{
    BrowserProfile, ExchangeKind, Fetch, IncomingResponse, PageRequest, Step, Verdict,
};

/// One request and what came back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// Preflight or actual.
    pub kind: ExchangeKind,
    /// As written.
    pub request: SentRequest,
    /// As received (null on transport failure).
    pub response: Option<ReceivedResponse>,
    /// Transport failure.
    pub error: Option<TransportError>,
    /// Timings.
    pub timings: Timings,
}

/// Every exchange of one page request, in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// Exchanges, in order (preflight, actual, redirect hops).
    pub exchanges: Vec<Exchange>,
}

impl Transcript {
    /// The first preflight exchange.
    pub fn preflight(&self) -> Option<&Exchange> {
        self.exchanges
            .iter()
            .find(|e| e.kind == ExchangeKind::Preflight)
    }
    /// The last actual exchange.
    pub fn actual(&self) -> Option<&Exchange> {
        self.exchanges
            .iter()
            .rev()
            .find(|e| e.kind == ExchangeKind::Actual)
    }
}

/// Safety settings.
#[derive(Clone, Debug, Default)]
pub struct Safety {
    /// Send actual requests with state-changing methods (POST, PUT, PATCH, DELETE, …).
    pub allow_unsafe: bool,
}

/// Per-host politeness.
#[derive(Clone, Debug)]
pub struct Politeness {
    /// Requests per second per host; `None` = unlimited.
    pub rate_per_host: Option<f64>,
    /// Concurrent requests per host.
    pub concurrency_per_host: usize,
}

impl Default for Politeness {
    fn default() -> Self {
        Politeness {
            rate_per_host: Some(10.0),
            concurrency_per_host: 4,
        }
    }
}

struct HostGate {
    sem: Arc<Semaphore>,
    next: Mutex<Instant>,
}

/// Shared per-host limits.
pub struct HostLimits {
    politeness: Politeness,
    gates: Mutex<HashMap<String, Arc<HostGate>>>,
}

impl HostLimits {
    /// New limits.
    pub fn new(politeness: Politeness) -> Self {
        HostLimits {
            politeness,
            gates: Mutex::new(HashMap::new()),
        }
    }

    fn gate(&self, host: &str) -> Arc<HostGate> {
        let mut gates = match self.gates.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        gates
            .entry(host.to_string())
            .or_insert_with(|| {
                Arc::new(HostGate {
                    sem: Arc::new(Semaphore::new(self.politeness.concurrency_per_host.max(1))),
                    next: Mutex::new(Instant::now()),
                })
            })
            .clone()
    }

    async fn acquire(&self, host: &str) -> (Arc<HostGate>, tokio::sync::OwnedSemaphorePermit) {
        let gate = self.gate(host);
        // Invariant: the semaphore is never closed, so acquiring cannot fail.
        let permit = gate
            .sem
            .clone()
            .acquire_owned()
            .await
            .expect("host semaphore is never closed");
        if let Some(rate) = self.politeness.rate_per_host.filter(|r| *r > 0.0) {
            let interval = Duration::from_secs_f64(1.0 / rate);
            let slot = {
                let mut next = match gate.next.lock() {
                    Ok(n) => n,
                    Err(p) => p.into_inner(),
                };
                let now = Instant::now();
                let slot = (*next).max(now);
                *next = slot + interval;
                slot
            };
            tokio::time::sleep_until(tokio::time::Instant::from_std(slot)).await;
        }
        (gate, permit)
    }
}

/// The result of one page request.
#[derive(Clone, Debug)]
pub struct Probed {
    /// What went on the wire.
    pub transcript: Transcript,
    /// What the browser decides.
    pub verdict: Verdict,
}

/// Runs one page request to its verdict.
pub async fn probe_one(
    transport: &Transport,
    limits: &HostLimits,
    req: PageRequest,
    profile: BrowserProfile,
    safety: &Safety,
) -> Probed {
    let mut fetch = Fetch::new(req, profile);
    let mut transcript = Transcript::default();
    let mut step = fetch.start();
    loop {
        match step {
            Step::Done(v) => {
                return Probed {
                    transcript,
                    verdict: *v,
                }
            }
            Step::Send(out) => {
                if out.kind == ExchangeKind::Actual
                    && is_state_changing(&out.method)
                    && !safety.allow_unsafe
                {
                    let verdict = fetch.hold_back(format!(
                        "{} is state-changing: the actual request was not sent (allow it with `allow_unsafe = true` in the probe file or --allow-unsafe)",
                        out.method
                    ));
                    return Probed {
                        transcript,
                        verdict,
                    };
                }
                let host = format!(
                    "{}:{}",
                    out.url.host_str().unwrap_or(""),
                    out.url.port_or_known_default().unwrap_or(0)
                );
                let sent = {
                    let (_gate, _permit) = limits.acquire(&host).await;
                    transport.send(&out).await
                };
                match sent.result {
                    Ok(resp) => {
                        let incoming = IncomingResponse {
                            status: resp.status,
                            headers: resp.headers.clone(),
                        };
                        transcript.exchanges.push(Exchange {
                            kind: out.kind,
                            request: sent.request,
                            response: Some(resp),
                            error: None,
                            timings: sent.timings,
                        });
                        step = fetch.receive(&incoming);
                    }
                    Err(e) => {
                        transcript.exchanges.push(Exchange {
                            kind: out.kind,
                            request: sent.request,
                            response: None,
                            error: Some(e.clone()),
                            timings: sent.timings,
                        });
                        step = fetch.network_error(e.kind, e.message);
                    }
                }
            }
        }
    }
}

/// Re-judges a saved transcript offline: feeds the recorded responses to a fresh engine.
/// Returns `None` when the engine would send a request the transcript does not hold.
pub fn replay(
    req: PageRequest,
    profile: BrowserProfile,
    transcript: &Transcript,
    safety: &Safety,
) -> Option<Verdict> {
    let mut fetch = Fetch::new(req, profile);
    let mut step = fetch.start();
    let mut i = 0;
    loop {
        match step {
            Step::Done(v) => return Some(*v),
            Step::Send(out) => {
                if out.kind == ExchangeKind::Actual
                    && is_state_changing(&out.method)
                    && !safety.allow_unsafe
                {
                    return Some(fetch.hold_back(format!(
                        "{} is state-changing: the actual request was not sent",
                        out.method
                    )));
                }
                let ex = transcript.exchanges.get(i)?;
                i += 1;
                if ex.kind != out.kind || ex.request.url != out.url.as_str() {
                    return None;
                }
                step = match (&ex.response, &ex.error) {
                    (Some(r), _) => fetch.receive(&IncomingResponse {
                        status: r.status,
                        headers: r.headers.clone(),
                    }),
                    (None, Some(e)) => fetch.network_error(e.kind, e.message.clone()),
                    (None, None) => return None,
                };
            }
        }
    }
}
