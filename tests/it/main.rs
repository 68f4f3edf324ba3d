mod aws;
mod harness;
