mod cli;
mod emulator;
mod fidelity;
mod harness;
