mod cli;
mod emulator;
mod harness;
