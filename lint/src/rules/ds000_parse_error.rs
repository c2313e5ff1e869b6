crate::declare_rule! {
    /// ## What it does
    /// Reports a library file that does not parse as JavaScript once its `{{{ … }}}`
    /// macros and `#if`/`#else`/`#endif` lines are masked.
    ///
    /// ## Why is this bad?
    /// Every AST rule is skipped for that file, so nothing else is checked. It is usually
    /// a real syntax error; sometimes two `#if` arms each hold half of a construct, which
    /// Emscripten's preprocessor accepts but which is hard to review.
    ///
    /// ## Example
    /// ```js
    /// #if ASSERTIONS
    ///   function check(x) {
    /// #else
    ///   function check(x, y) {
    /// #endif
    /// ```
    ///
    /// ## Fix
    /// Fix the syntax error, or restructure the `#if` so each arm is complete
    /// (dsock already retries with only the first arm of every `#if`).
    pub struct ParseError {
        code: "DS000",
        name: "parse-error",
        stability: Stable,
        target: Ast,
    }
}
