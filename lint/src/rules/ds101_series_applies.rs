crate::declare_rule! {
    /// ## What it does
    /// Checks that every commit of the series applies cleanly on the recorded
    /// `upstream.base`, in memory (no checkout is touched).
    ///
    /// ## Why is this bad?
    /// A series that does not apply cannot be sent, reviewed or tested; finding out
    /// during `dsock apply` or a rebase is later and noisier than finding out in CI.
    ///
    /// ## Example
    /// ```text
    /// patch-series/patches/0003-…patch: does not apply to src/lib/libsockfs.js
    /// ```
    ///
    /// ## Fix
    /// Run `dsock rebase` onto the intended base, or re-export the branch with
    /// `dsock export`.
    pub struct SeriesApplies {
        code: "DS101",
        name: "series-applies",
        stability: Stable,
        target: Series,
    }
}
