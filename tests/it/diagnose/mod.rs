//! The seeded-fault corpus of `corsprobe diagnose`: each fault is an API configuration created in
//! moto through the SDK, read back by the collectors, converted to the emulator's model
//! (`apigw::bridge`) and served on loopback; the real `diagnose` binary then runs end to end
//! (`--endpoint-url` to moto, or to a loopback proxy that adds CloudTrail events moto lacks;
//! `--base-url` to the emulator) and must report the expected finding (code, runbook case, routes).
//! Plus unit tests of the engine with hand-built inputs, and a golden human report.

mod corpus;
mod unit;
