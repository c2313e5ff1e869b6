use std::process::ExitCode;

fn main() -> ExitCode {
    dsock::run(std::env::args_os()).into()
}
