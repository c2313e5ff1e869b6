crate::declare_rule! {
    /// ## What it does
    /// Finds lines the series adds (patch `+` lines and overlay files) that end in
    /// whitespace, or that contain tabs in file types where upstream forbids them
    /// (`.js`, `.mjs`, `.py`, `.c`, `.h`, `.cpp`, `.cc`, `.rst`, `.md`, `.json`, `.toml`, `.txt`).
    ///
    /// ## Why is this bad?
    /// Upstream's linters and `git diff --check` reject them, and they make noisy diffs.
    ///
    /// ## Example
    /// ```diff
    /// +  var sock = getSocketFromFD(fd);␠␠
    /// ```
    ///
    /// ## Fix
    /// Strip trailing whitespace and expand tabs, then `dsock export`.
    pub struct AddedWhitespace {
        code: "DS105",
        name: "added-whitespace",
        stability: Stable,
        target: Series,
    }
}
