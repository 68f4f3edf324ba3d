mod aws;
mod cli;
mod demo;
mod emulator;
mod entry;
mod fidelity;
mod harness;
mod tls;
