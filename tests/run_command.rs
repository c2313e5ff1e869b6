//! `dsock run` through the binary. The bad-input tests are hermetic (they stop before any browser
//! starts). The others build small C programs with emcc and run them in headless Chromium; they
//! are `#[ignore]`d and need `DSOCK_EMSCRIPTEN` (a bootstrapped checkout), `dsock toolchain`'s
//! environment (EM_CONFIG), Chromium, `test-browser/node_modules`, and a private network
//! namespace on a shared machine:
//!
//! ```sh
//! . ~/.local/share/dsock/toolchain/env.sh
//! DSOCK_EMSCRIPTEN=~/src/emscripten netns-run cargo test --test run_command -- --ignored --test-threads=1
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn dsock() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dsock"));
    c.env_remove("DSOCK_CHROMIUM");
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    dsock()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("spawn dsock")
}

const EMCC_LIKE_JS: &str = "var Module = typeof Module != 'undefined' ? Module : {};\n\
    function findWasmBinary() { return locateFile('prog.wasm'); }\n\
    WebAssembly.instantiate(binary, info);\n";

#[test]
fn bad_input_exits_2_naming_the_problem() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("plain.js"), "console.log('hi')").unwrap();
    std::fs::write(d.path().join("page.html"), "<p>no script</p>").unwrap();
    for (args, want) in [
        (vec!["run", "missing.js"], "error: no such file: missing.js"),
        (
            vec!["run", "plain.js"],
            "plain.js is not an Emscripten build",
        ),
        (vec!["run", "page.html"], "page.html loads no .js"),
    ] {
        let out = run_in(d.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let err = text(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(err.contains("hint: "), "{args:?}: no hint: {err}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
    }
}

#[test]
fn missing_chromium_exits_2_naming_dsock_toolchain() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("prog.js"), EMCC_LIKE_JS).unwrap();
    std::fs::write(d.path().join("prog.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let out = run_in(
        d.path(),
        &["run", "--chromium", "/nonexistent/chromium", "prog.js"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("Chromium not found at /nonexistent/chromium"),
        "{err}"
    );
    assert!(err.contains("dsock toolchain"), "{err}");
}

#[test]
fn headful_without_a_display_exits_2() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("prog.js"), EMCC_LIKE_JS).unwrap();
    std::fs::write(d.path().join("prog.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let out = dsock()
        .args(["run", "--headful", "prog.js"])
        .current_dir(d.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--headful needs a display"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn program_arguments_need_the_double_dash() {
    let out = dsock().args(["run", "a.js", "b"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

// ---- in Chromium -------------------------------------------------------------------------

const HELLO_C: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  printf("hello argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("arg[%d]=%s\n", i, argv[i]);
  fprintf(stderr, "to stderr\n");
  if (argc > 1 && !strcmp(argv[1], "abort")) abort();
  if (argc > 1 && !strcmp(argv[1], "forever")) for (;;) sleep(1);
  return argc > 1 && !strcmp(argv[1], "code") ? 42 : 0;
}
"#;

/// The builds, once per test process: (name, emcc flags, output file).
const BUILDS: &[(&str, &[&str], &str)] = &[
    ("plain", &[], "plain.js"),
    ("shell", &[], "shell.html"),
    ("jspi", &["-sJSPI"], "jspi.js"),
    ("pthread", &["-pthread", "-sPROXY_TO_PTHREAD"], "pthread.js"),
];

fn builds() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let ems = std::env::var_os("DSOCK_EMSCRIPTEN")
            .map(PathBuf::from)
            .expect("these tests need DSOCK_EMSCRIPTEN=<bootstrapped Emscripten checkout> (and `. env.sh` of `dsock toolchain`)");
        let dir = tempfile::Builder::new().prefix("dsock-run-test-").tempdir().unwrap().keep();
        std::fs::write(dir.join("hello.c"), HELLO_C).unwrap();
        for (name, flags, out) in BUILDS {
            let st = Command::new(ems.join("emcc"))
                .args(["-O1", "hello.c", "-o", out])
                .args(*flags)
                .current_dir(&dir)
                .stdout(Stdio::null())
                .status()
                .expect("run emcc");
            assert!(st.success(), "emcc for {name} failed");
        }
        dir
    })
}

/// Run `dsock run <file> <extra>` on the builds; the duration is the run's only (the builds are
/// made first: on a cold Emscripten cache they compile the system libraries, which took 77 s
/// of a "timeout" run's 60 s bound in a CI run on a fresh machine).
fn run_build(file: &str, extra: &[&str]) -> (Output, Duration) {
    let dir = builds();
    let t0 = Instant::now();
    let mut args = vec!["run"];
    if !extra.contains(&"--timeout") {
        args.extend(["--timeout", "120"]);
    }
    args.extend_from_slice(extra);
    args.insert(1, file);
    let out = run_in(dir, &args);
    (out, t0.elapsed())
}

#[test]
#[ignore = "needs Chromium, node modules and an Emscripten checkout (DSOCK_EMSCRIPTEN)"]
fn prints_output_passes_arguments_and_exits_with_the_status() {
    for (_, _, file) in BUILDS {
        let (out, _) = run_build(file, &["--", "code", "two words"]);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(42), "{file}: {stderr}");
        assert_eq!(
            stdout, "hello argc=3\narg[1]=code\narg[2]=two words\n",
            "{file}: {stderr}"
        );
        assert!(stderr.contains("to stderr\n"), "{file}: {stderr}");
        let (out, _) = run_build(file, &[]);
        assert_eq!(out.status.code(), Some(0), "{file}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "hello argc=1\n", "{file}");
    }
}

#[test]
#[ignore = "needs Chromium, node modules and an Emscripten checkout (DSOCK_EMSCRIPTEN)"]
fn abort_exits_134_with_the_reason() {
    for file in ["plain.js", "pthread.js"] {
        let (out, _) = run_build(file, &["--", "abort"]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(134), "{file}: {stderr}");
        assert!(stderr.contains("Aborted("), "{file}: {stderr}");
        assert!(
            stderr.contains(&format!("dsock run: {file} aborted")),
            "{file}: {stderr}"
        );
    }
}

#[test]
#[ignore = "needs Chromium, node modules and an Emscripten checkout (DSOCK_EMSCRIPTEN)"]
fn a_program_that_never_exits_stops_at_the_timeout_with_124() {
    let (out, took) = run_build("jspi.js", &["--timeout", "5", "--", "forever"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(124), "{stderr}");
    assert!(stderr.contains("did not exit within 5 s"), "{stderr}");
    assert_eq!(text(&out.stdout), "hello argc=2\narg[1]=forever\n");
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

#[test]
#[ignore = "needs Chromium, node modules and an Emscripten checkout (DSOCK_EMSCRIPTEN)"]
fn keep_open_runs_until_sigterm_and_tears_chromium_down() {
    let log = builds().join("keep-open.log");
    let mut child = dsock()
        .args(["run", "--verbose", "--keep-open", "--log"])
        .arg(&log)
        .args(["plain.js", "--", "code"])
        .current_dir(builds())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The program's output first (it has exited by then), then check the app is still up.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)).map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).unwrap();
        s
    });
    let first = rx
        .recv_timeout(Duration::from_secs(90))
        .expect("no output from the program");
    assert_eq!(first, "hello argc=2");
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        child.try_wait().unwrap().is_none(),
        "--keep-open exited by itself"
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    let stderr = reader.join().unwrap();
    assert_eq!(
        status.code(),
        Some(42),
        "the program's status after SIGTERM: {stderr}"
    );
    assert!(stderr.contains("--keep-open: the app stays up"), "{stderr}");
    let pid: i32 = stderr
        .split("Chromium pid ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no Chromium pid in: {stderr}"));
    assert_ne!(
        unsafe { libc::kill(pid, 0) },
        0,
        "Chromium {pid} is still running"
    );
    let profile = stderr
        .split("--user-data-dir=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap();
    assert!(
        !Path::new(profile).exists(),
        "profile {profile} left behind"
    );
    let console = std::fs::read_to_string(&log).unwrap();
    assert!(
        console.contains("hello argc=2"),
        "--log has the app console: {console}"
    );
}
