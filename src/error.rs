//! The one error type every subcommand returns: a kind, a message, and a hint
//! naming the next command to run (jj's `CommandError` shape).

use std::fmt;

use crate::exit::ExitStatus;

/// Which class of failure this is; decides the exit status and the prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The arguments or the input files are wrong (a malformed `series.toml`, an unknown rule code).
    Usage,
    /// The machine or checkout is not in a state to run the command: no Emscripten
    /// checkout configured, a dirty work tree, a missing tool (git, chromium, node).
    Environment,
    /// A `git` invocation failed unexpectedly.
    Git,
    /// Reading or writing a file failed.
    Io,
    /// A bug in dsock.
    Internal,
}

/// An error with a kind, a message (what is wrong) and an optional hint (what to do next).
#[derive(Debug)]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

impl CommandError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), hint: None }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }
    pub fn environment(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Environment, message)
    }
    pub fn git(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Git, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
    /// Attach the next command to run, e.g. `"run `dsock setup --emscripten PATH`"`.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Every error kind is exit status 2 (usage or environment); findings and
    /// conflicts are not errors and are returned as an [`ExitStatus`] instead.
    pub fn exit_status(&self) -> ExitStatus {
        ExitStatus::Error
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.kind {
            ErrorKind::Usage => "error",
            ErrorKind::Environment => "error",
            ErrorKind::Git => "git error",
            ErrorKind::Io => "I/O error",
            ErrorKind::Internal => "internal error",
        };
        write!(f, "{prefix}: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CommandError {}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        CommandError::new(ErrorKind::Io, e.to_string())
    }
}

/// `Result` alias used by every command.
pub type CommandResult<T = ExitStatus> = Result<T, CommandError>;
