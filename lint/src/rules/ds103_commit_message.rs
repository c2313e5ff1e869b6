crate::declare_rule! {
    /// ## What it does
    /// Checks each commit message in `series.toml`: a subject of at most 72 characters
    /// and a non-empty body that says why.
    ///
    /// ## Why is this bad?
    /// Upstream squash-merges with the PR description, but reviewers read the series
    /// commit by commit; a subject that wraps or a commit without a reason costs a review
    /// round.
    ///
    /// ## Example
    /// ```toml
    /// [[commit]]
    /// subject = "Add the DIRECT_SOCKETS setting, the sock_ops backend, its tests and the docs for it"
    /// body = ""
    /// ```
    ///
    /// ## Fix
    /// Shorten the subject and write a body; edit the commit on the branch and run
    /// `dsock export`.
    pub struct CommitMessage {
        code: "DS103",
        name: "commit-message",
        stability: Stable,
        target: Series,
    }
}
