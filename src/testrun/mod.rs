//! `dsock test` machinery: run Emscripten's own test runner in-process (PyO3) with our
//! extensions and the Isolated Web App browser (test-browser/), and report the results.
//!
//! - [`model`]: the result structs (saved as `target/dsock/test-results.json`);
//! - [`junit`]: JUnit XML out and in; [`render`]: table and Markdown;
//! - [`python`]: the embedded interpreter; [`preflight`]: environment checks that turn a
//!   missing piece into an error naming the fix; [`worktree`]: `--apply` trees.

pub mod junit;
pub mod model;
pub mod preflight;
pub mod python;
pub mod render;
pub mod saved;
pub mod worktree;

pub use model::{Counts, Outcome, TestCase, TestRun};
