//! corsprobe against Chromium's recorded answers (filled in below).
