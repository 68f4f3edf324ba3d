mod harness;
mod aws;
