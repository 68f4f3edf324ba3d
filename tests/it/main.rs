mod aws;
mod cli;
mod emulator;
mod harness;
