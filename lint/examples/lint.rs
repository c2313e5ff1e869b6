//! Lint JS library files with the shipped constants table and print human output.
//! `cargo run -p dsock-lint --example lint -- FILE...` (use `dsock check` for the real thing).

fn main() {
    let opts = dsock_lint::LintOptions::default();
    let mut n = 0;
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).expect("readable file");
        for d in dsock_lint::lint_file(&path, &text, &opts) {
            print!("{}", dsock_lint::diagnostic::render_human(&d));
            n += 1;
        }
    }
    eprintln!("{n} findings");
}
