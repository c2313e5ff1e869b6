//! Link the embedded CPython (`dsock test` runs Emscripten's test runner in-process): record
//! the interpreter PyO3 builds against and add an rpath to its shared libpython, so the
//! binary starts without LD_LIBRARY_PATH (pyenv and other non-system installs).

fn main() {
    let cfg = pyo3_build_config::get();
    if let Some(dir) = cfg.lib_dir() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
    let exe = cfg.executable().map(|e| e.to_string()).unwrap_or_else(|| "python3".into());
    println!("cargo:rustc-env=DSOCK_BUILD_PYTHON={exe}");
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
    println!("cargo:rerun-if-changed=build.rs");
}
