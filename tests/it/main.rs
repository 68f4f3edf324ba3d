//! Shared test harness.
mod fidelity;
mod harness;
