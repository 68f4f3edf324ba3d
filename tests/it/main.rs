mod cli;
mod harness;
