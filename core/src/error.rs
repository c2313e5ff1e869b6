//! The one error type every operation returns: what went wrong, of which class
//! ([`ErrorKind`]), a hint naming the next command to run (jj's `Error` shape), and
//! the typed cause (thiserror) for I/O and "the series does not apply".
//!
//! The class decides the CLI's exit status (`dsock::error::ExitStatusOf`, the README's
//! table): a series that does not apply is a finding (1) wherever it is found, usage,
//! environment, git and I/O errors are 2, and a bug is 4.

use std::fmt;

/// Which class of failure an [`Error`] is; decides the exit status and the prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The arguments or the input files are wrong (a malformed `series.toml`, an unknown rule code).
    Usage,
    /// The machine or checkout is not in a state to run the command: no Emscripten
    /// checkout configured, a dirty work tree, a missing tool (git, chromium, node).
    Environment,
    /// A `git` invocation failed unexpectedly.
    Git,
    /// Reading or writing a file failed (the message names the path).
    Io,
    /// The series does not apply to its base, or conflicts onto a requested base.
    DoesNotApply,
    /// A bug in dsock.
    Internal,
}

/// Why one series commit could not be built on its base (`git apply --cached` refused
/// one of its patches).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApplyFailure {
    /// 0-based position in the series.
    pub index: usize,
    pub id: String,
    pub subject: String,
    /// The patch or overlay file that failed (relative to the dsock repo).
    pub file: String,
    /// git's message.
    pub detail: String,
}

impl fmt::Display for ApplyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "commit {} \"{}\" ({}): {} does not apply: {}",
            self.index + 1,
            self.subject,
            self.id,
            self.file,
            self.detail
        )
    }
}

/// "The series does not apply": the one typed error for it, whoever finds it (`apply`,
/// `status`, `rebase`, `diff`, `pr-body`, `version tag`, `test --apply`). Exit status 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DoesNotApply {
    /// A patch of the series does not apply to the recorded base.
    #[error("the series does not apply to its base {base:.12}: {failure}")]
    ToBase { base: crate::git::CommitId, failure: ApplyFailure },
    /// Replayed onto `onto` (a rev as the user gave it), a commit conflicts.
    #[error("the series does not apply onto {onto}: commit \"{subject}\" conflicts in {}", paths.join(", "))]
    Onto { onto: String, subject: String, paths: Vec<String> },
}

impl DoesNotApply {
    /// The next command to run.
    pub fn hint(&self) -> String {
        match self {
            DoesNotApply::ToBase { .. } => {
                "fix the patch (or re-export the branch with `dsock export`), then `dsock check`; \
                 `dsock status` shows where it stops"
                    .into()
            }
            DoesNotApply::Onto { onto, .. } => format!("see the conflicts with `dsock rebase --onto {onto} --dry-run`"),
        }
    }
}

/// The typed cause carried by an [`Error`], when there is one.
#[derive(Debug, thiserror::Error)]
pub enum Cause {
    /// File operations go through `fs-err`, whose messages name the path.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    DoesNotApply(#[from] DoesNotApply),
}

/// An error with a class, a message (what is wrong), an optional hint (what to do next)
/// and, for I/O and "does not apply", the typed cause.
#[derive(Debug)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
    /// Boxed: errors travel through every `Result` and should stay small.
    pub cause: Option<Box<Cause>>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), hint: None, cause: None }
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

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What is wrong (without prefix or hint).
    pub fn message(&self) -> String {
        self.message.clone()
    }

    /// What to do next, if known.
    pub fn hint(&self) -> Option<String> {
        self.hint.clone()
    }

    /// Why the series does not apply, when that is this error.
    pub fn does_not_apply(&self) -> Option<&DoesNotApply> {
        match self.cause.as_deref() {
            Some(Cause::DoesNotApply(d)) => Some(d),
            _ => None,
        }
    }
}

/// `error: MESSAGE` (the prefix says the class) and, on the next line, `hint: HINT`:
/// what the binary prints on stderr.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.kind {
            ErrorKind::Usage | ErrorKind::Environment | ErrorKind::DoesNotApply => "error",
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

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_deref().map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self { kind: ErrorKind::Io, message: e.to_string(), hint: None, cause: Some(Box::new(Cause::Io(e))) }
    }
}

impl From<DoesNotApply> for Error {
    fn from(d: DoesNotApply) -> Self {
        Self { kind: ErrorKind::DoesNotApply, message: d.to_string(), hint: Some(d.hint()), cause: Some(Box::new(Cause::DoesNotApply(d))) }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
