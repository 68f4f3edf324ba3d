mod emulator;
mod harness;
