mod aws;
mod cli;
mod demo;
mod diagnose;
mod emulator;
mod fidelity;
mod harness;
