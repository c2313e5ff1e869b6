//! DS103 `commit-message`: every commit has a subject of at most [`MAX_SUBJECT`]
//! characters and a body saying why. Doc: `dsock explain DS103`
//! (`dsock_lint::rules::ds103_commit_message`).

use dsock_lint::diagnostic::Diagnostic;
use dsock_lint::rules::ds103_commit_message::CommitMessage;

use crate::series::{Series, SERIES_DIR};

/// Max subject length.
pub const MAX_SUBJECT: usize = 72;

pub fn check(series: &Series, out: &mut Vec<Diagnostic>) {
    let m = &CommitMessage::META;
    let manifest = format!("{SERIES_DIR}/series.toml");
    for (i, c) in series.commits.iter().enumerate() {
        let n = c.subject.chars().count();
        if n > MAX_SUBJECT {
            out.push(
                Diagnostic::file_level(m.code, m.name, &manifest, format!("commit {} subject is {n} characters (max {MAX_SUBJECT}): \"{}\"", i + 1, c.subject))
                    .with_help("shorten the subject on the branch, then `dsock export`"),
            );
        }
        if c.body.trim().is_empty() {
            out.push(
                Diagnostic::file_level(m.code, m.name, &manifest, format!("commit {} \"{}\" has no body saying why", i + 1, c.subject))
                    .with_help("write the reason into the commit message, then `dsock export`"),
            );
        }
    }
}
