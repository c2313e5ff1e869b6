crate::declare_rule! {
    /// ## What it does
    /// Runs the equivalent of `dsock export --check`: re-exporting the applied series
    /// must reproduce `patch-series/` and `emscripten/` byte for byte.
    ///
    /// ## Why is this bad?
    /// Hand edits to patches or a changed exporter give noisy diffs in review and make
    /// range-diffs between sent versions meaningless (Electron's `patches/` rule: CI
    /// fails when a re-export would change a patch).
    ///
    /// ## Example
    /// ```text
    /// patch-series/patches/0002-…patch would change
    /// ```
    ///
    /// ## Fix
    /// Run `dsock apply`, then `dsock export`, and commit the result.
    pub struct ExportDrift {
        code: "DS102",
        name: "export-drift",
        stability: Stable,
        target: Series,
    }
}
