//! Unit tests per case, with hand-built inputs.
