//! probe (work in progress)
