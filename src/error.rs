//! Errors as the CLI sees them: [`dsock_core::error::Error`] (a class, a message, a hint
//! naming the next command, and the typed cause), and the exit status each class maps to
//! (the README's table).

pub use dsock_core::error::{ApplyFailure, Cause, DoesNotApply, Error, ErrorKind};

use crate::exit::ExitStatus;

/// The name the command modules use.
pub type CommandError = Error;

/// `Result` alias used by every command; a command's success value is its exit status.
pub type CommandResult<T = ExitStatus> = Result<T, Error>;

/// The exit status of a command that fails with an error.
pub trait ExitStatusOf {
    /// 1 for a series that does not apply (a finding, whichever command found it), 4 for
    /// a bug in dsock, 2 for usage, environment, git and I/O errors.
    fn exit_status(&self) -> ExitStatus;
}

impl ExitStatusOf for Error {
    fn exit_status(&self) -> ExitStatus {
        match self.kind {
            ErrorKind::DoesNotApply => ExitStatus::Failure,
            ErrorKind::Internal => ExitStatus::Internal,
            ErrorKind::Usage | ErrorKind::Environment | ErrorKind::Git | ErrorKind::Io => ExitStatus::Error,
        }
    }
}
