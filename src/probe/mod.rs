//! Planning, sending and recording: probe files → page requests → transcripts and verdicts.
//!
//! Owns the network edge ([`transport`]) and politeness; judging is delegated to [`crate::fetch`].

pub mod run;
pub mod saved;
pub mod suite;
pub mod transport;

pub use run::{probe_one, replay, Exchange, HostLimits, Politeness, Probed, Safety, Transcript};
pub use suite::{load_paths, plan, Expect, PlannedProbe, ProbeSuite, SuiteError};
pub use transport::{Transport, TransportConfig, TransportError};
