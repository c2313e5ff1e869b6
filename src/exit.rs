//! Process exit statuses (the contract documented in `--help` and README).

use std::process::ExitCode;

/// What `dsock` returns to the shell. Stable: scripts and CI rely on these numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    /// 0: the command did what was asked and found nothing wrong.
    Success = 0,
    /// 1: the command ran, but found something: lint findings, failing tests,
    /// `export --check` would change files, the series does not apply.
    Failure = 1,
    /// 2: usage or environment error: bad arguments, no Emscripten checkout
    /// configured, dirty checkout refused, a tool missing, git failed.
    Error = 2,
    /// 3: `rebase` stopped on a conflict; the checkout is left in a resumable state.
    Conflict = 3,
    /// 4: a bug in dsock (an internal error); please report it with the message.
    Internal = 4,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status as u8)
    }
}

/// The table printed at the end of `dsock --help`.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  success
  1  findings or failures (lint findings, failing tests, `export --check` drift, series does not apply)
  2  usage or environment error (bad arguments, no checkout, dirty checkout, missing tool, git or I/O failure)
  3  conflict (`rebase` stopped; resolve, then run the printed commands)
  4  internal error (a bug in dsock; report it with the message)";
