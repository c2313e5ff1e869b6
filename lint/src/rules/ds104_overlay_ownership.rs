crate::declare_rule! {
    /// ## What it does
    /// Checks that every file under `emscripten/` belongs to exactly one commit's
    /// `overlay` list, and that every listed overlay file exists.
    ///
    /// ## Why is this bad?
    /// An unowned file is silently left out of the series; a listed file that is
    /// missing breaks `apply`. (A file listed by two commits is ambiguous too; loading
    /// `series.toml` rejects it before this rule runs.)
    ///
    /// ## Example
    /// ```text
    /// emscripten/test/sockets/test_udp_connect.c is in no commit's overlay
    /// ```
    ///
    /// ## Fix
    /// Add the path to one commit's `overlay` in `patch-series/series.toml` (or remove
    /// the file).
    pub struct OverlayOwnership {
        code: "DS104",
        name: "overlay-ownership",
        stability: Stable,
        target: Series,
    }
}
