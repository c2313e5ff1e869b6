//! The embedded CPython (PyO3) that runs Emscripten's `test/runner.py` in-process.
//!
//! The interpreter is the one dsock was built against (build.rs records its path and sets an
//! rpath to its shared libpython). It is initialized once per process with `PyConfig` so that
//! `sys.executable`/`sys.prefix` are the real interpreter's, not the dsock binary's — the
//! runner and Emscripten's tools start Python subprocesses through them. Everything else
//! (sys.argv, EMTEST_* environment, multiprocessing.set_executable, result hooks) happens in
//! `test-browser/python/dsock_driver.py` before `runner` is imported.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyAnyMethods;
use serde::Serialize;

use crate::error::{CommandError, CommandResult};

/// The interpreter dsock links (`python3` found at build time), overridable with `DSOCK_PYTHON`
/// (must be the same version: the library is linked, only the prefix changes).
pub fn python_executable() -> PathBuf {
    std::env::var_os("DSOCK_PYTHON")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("DSOCK_BUILD_PYTHON")))
}

/// What `dsock_driver.main` receives (serialized to JSON); see the driver's docstring.
#[derive(Debug, Clone, Serialize)]
pub struct DriverConfig {
    pub checkout: PathBuf,
    pub argv: Vec<String>,
    /// `None` removes the variable.
    pub env: BTreeMap<String, Option<String>>,
    pub python: PathBuf,
    pub extensions: Vec<PathBuf>,
    pub results: PathBuf,
    pub timeout: u64,
}

static INIT: Mutex<Option<Result<(), String>>> = Mutex::new(None);

/// Initialize CPython once, with `program_name`/`executable` = `python`.
fn ensure_initialized(python: &Path) -> Result<(), String> {
    let mut guard = INIT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = guard.as_ref() {
        return r.clone();
    }
    let result = unsafe { init_from_config(python) };
    *guard = Some(result.clone());
    result
}

unsafe fn init_from_config(python: &Path) -> Result<(), String> {
    use pyo3::ffi;
    if ffi::Py_IsInitialized() != 0 {
        return Ok(());
    }
    let exe = CString::new(python.as_os_str().as_encoded_bytes()).map_err(|e| e.to_string())?;
    let mut config: ffi::PyConfig = std::mem::zeroed();
    ffi::PyConfig_InitPythonConfig(&mut config);
    // Do not read PYTHON* from a caller's shell that targets another interpreter.
    config.parse_argv = 0;
    let check = |st: ffi::PyStatus, what: &str| -> Result<(), String> {
        if ffi::PyStatus_Exception(st) != 0 {
            let msg = if st.err_msg.is_null() {
                String::new()
            } else {
                std::ffi::CStr::from_ptr(st.err_msg).to_string_lossy().into_owned()
            };
            Err(format!("{what}: {msg}"))
        } else {
            Ok(())
        }
    };
    let r = (|| {
        check(ffi::PyConfig_SetBytesString(&mut config, &mut config.program_name, exe.as_ptr()), "program_name")?;
        check(ffi::PyConfig_SetBytesString(&mut config, &mut config.executable, exe.as_ptr()), "executable")?;
        check(ffi::Py_InitializeFromConfig(&config), "Py_InitializeFromConfig")
    })();
    ffi::PyConfig_Clear(&mut config);
    if r.is_ok() {
        // Release the GIL taken by initialization so `Python::attach` can take it.
        ffi::PyEval_SaveThread();
    }
    r
}

/// Run `dsock_driver.main(config)` from `driver_dir`; returns the runner's exit code
/// (130 when interrupted). The driver writes `config.results`.
///
/// Errors: Environment when the interpreter cannot start (hint: rebuild dsock / DSOCK_PYTHON);
/// Internal with the Python traceback when the driver itself raises.
pub fn run_driver(driver_dir: &Path, config: &DriverConfig) -> CommandResult<i32> {
    if !config.python.exists() {
        return Err(CommandError::environment(format!(
            "the Python interpreter dsock embeds ({}) does not exist",
            config.python.display()
        ))
        .with_hint("reinstall it, or rebuild dsock (`cargo build`) against the python3 on PATH, or set DSOCK_PYTHON"));
    }
    ensure_initialized(&config.python).map_err(|e| {
        CommandError::environment(format!("cannot start the embedded Python ({}): {e}", config.python.display()))
            .with_hint("rebuild dsock against a python3 with a shared libpython (`cargo build`), or set DSOCK_PYTHON")
    })?;
    let json = serde_json::to_string(config).map_err(|e| CommandError::internal(e.to_string()))?;
    Python::attach(|py| -> PyResult<i32> {
        let sys = py.import("sys")?;
        sys.getattr("path")?.call_method1("insert", (0, driver_dir.display().to_string()))?;
        let driver = py.import("dsock_driver")?;
        driver.getattr("main")?.call1((json,))?.extract::<i32>()
    })
    .map_err(|e| {
        let tb = Python::attach(|py| {
            let tb = e.traceback(py).and_then(|t| t.format().ok()).unwrap_or_default();
            format!("{tb}{e}")
        });
        CommandError::internal(format!("the test driver failed:\n{tb}"))
    })
}
