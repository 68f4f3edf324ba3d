//! Tests of the AWS evidence collectors: against a real moto server where moto implements the
//! calls, against a recording loopback mock where it does not, and the pure parsers directly.

mod cli;
pub mod harness;
mod mocks;
mod moto;
mod pure;
