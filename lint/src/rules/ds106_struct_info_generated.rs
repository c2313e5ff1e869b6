crate::declare_rule! {
    /// ## What it does
    /// With an Emscripten checkout and toolchain, regenerates `struct_info_generated.json`
    /// and `struct_info_generated_wasm64.json` with `tools/gen_struct_info.py` on
    /// the applied series and compares them with what the series commits.
    ///
    /// ## Why is this bad?
    /// Hand-edited generated files disagree with the C headers; upstream CI regenerates
    /// them and fails, and `cDefs` values in the backend would be wrong until then.
    ///
    /// ## Example
    /// ```text
    /// src/struct_info_generated.json differs from gen_struct_info.py output
    /// ```
    ///
    /// ## Fix
    /// Run `./tools/gen_struct_info.py` (and `--wasm64`) on the applied branch,
    /// amend the struct_info commit, and `dsock export`.
    pub struct StructInfoGenerated {
        code: "DS106",
        name: "struct-info-generated",
        stability: Preview,
        target: Series,
    }
}
