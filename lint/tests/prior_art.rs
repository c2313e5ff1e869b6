//! The prior art (maceip/Socket.IWA `emscripten/src/lib/libdirectsockets.js`) must show
//! every known class of mistake. The file is read from a git mirror at test time and never
//! copied into this repository: set `DSOCK_PRIOR_ART_MIRROR` to a clone of
//! https://github.com/maceip/Socket.IWA and run the ignored test
//! (`cargo test -p dsock-lint --test prior_art -- --ignored`; `.ci/run` does when the
//! variable is set). Without the variable the ignored test fails, naming it.

use std::collections::BTreeMap;
use std::process::Command;

const PATH: &str = "emscripten/src/lib/libdirectsockets.js";

#[test]
#[ignore = "needs DSOCK_PRIOR_ART_MIRROR: a clone of maceip/Socket.IWA"]
fn socket_iwa_shows_every_known_class() {
    let mirror = std::env::var("DSOCK_PRIOR_ART_MIRROR")
        .expect("set DSOCK_PRIOR_ART_MIRROR to a clone of https://github.com/maceip/Socket.IWA");
    let out = Command::new("git").args(["-C", &mirror, "show", &format!("HEAD:{PATH}")]).output().expect("run git");
    assert!(out.status.success(), "no {PATH} at HEAD of {mirror}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let found = dsock_lint::lint_file(PATH, &text, &dsock_lint::LintOptions::default());
    let mut by_code: BTreeMap<&str, Vec<&dsock_lint::Diagnostic>> = BTreeMap::new();
    for d in &found {
        by_code.entry(d.code.as_str()).or_default().push(d);
    }
    eprintln!(
        "prior art: {} findings: {:?}",
        found.len(),
        by_code.iter().map(|(c, v)| (*c, v.len())).collect::<Vec<_>>()
    );
    let has = |code: &str, needle: &str| by_code.get(code).is_some_and(|v| v.iter().any(|d| d.message.contains(needle)));
    // Swapped IPv6 multicast constants, and literals where cDefs belong.
    assert!(has("DS002", "`IPV6_MULTICAST_LOOP` is 18 here but 19"), "{by_code:#?}");
    assert!(has("DS002", "`IPV6_MULTICAST_HOPS` is 19 here but 18"));
    assert!(has("DS001", "41 compared with `level`"));
    // Private fd map beside FS.streams.
    assert!(has("DS005", "DIRECT_SOCKETS.sockets"));
    // Swallowed read errors: EOF reported without looking at the stored error.
    assert!(by_code.get("DS007").is_some_and(|v| v.len() >= 3));
    // localPort possibly 0, dnsQueryType in bound mode, mixed UDP options.
    assert!(has("DS009", "localPort = bindAddr.port"));
    assert!(by_code.contains_key("DS010"));
    assert!(has("DS008", "UDPSocket options can mix"));
    // Close-and-reopen on connect after bind.
    assert!(has("DS013", "close-and-reopen"));
    // Syscall layer instead of sock_ops; repeated __deps.
    assert!(has("DS014", "__syscall_fcntl64") && has("DS014", "_emscripten_lookup_name"));
    assert!(has("DS004", "$DNS"));
    // It parses (every AST rule ran).
    assert!(!by_code.contains_key("DS000"));
}
