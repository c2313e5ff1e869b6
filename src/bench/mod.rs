//! `dsock bench`: throughput and latency of the -sDIRECT_SOCKETS backend
//! against native and -sNODERAWSOCKETS, measured side by side in one run.
//!
//! - [`model`]: the workloads and the builds (variants);
//! - [`runner`]: builds the programs, starts each variant's echo server, drives it
//!   with the native load generator;
//! - [`report`]: the JSON report, the README table and the SVG charts;
//! - [`stats`]: median/min/max and percentiles;
//! - [`quiet`]: before each run, waits until the machine is idle (a server still busy after
//!   its own run would slow the next variant's);
//! - [`prior_art`]: builds dsbench.c with the prior art's Emscripten library (Socket.IWA).
//!
//! Sources of the measured programs: `test-browser/bench/` (see docs/bench.md).

pub mod cpu;
pub mod model;
pub mod prior_art;
pub mod quiet;
pub mod report;
pub mod runner;
pub mod stats;
pub mod wake;
