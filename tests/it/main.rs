mod aws;
mod cli;
mod demo;
mod emulator;
mod fidelity;
mod harness;
mod tls;
