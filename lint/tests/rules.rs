//! Fixture tests, one pair per rule (ruff style): `fixtures/DSnnn/fail*.js` must produce
//! findings of that rule (snapshotted with their code frames), `fixtures/DSnnn/pass*.js`
//! must produce none of it.

use std::path::{Path, PathBuf};

use dsock_lint::diagnostic::render_human;
use dsock_lint::registry::{Target, RULES};
use dsock_lint::{lint_file, LintOptions};

fn fixtures(code: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(code);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn lint(code: &str, path: &Path) -> Vec<dsock_lint::Diagnostic> {
    let text = std::fs::read_to_string(path).unwrap();
    let name = format!("{code}/{}", path.file_name().unwrap().to_string_lossy());
    lint_file(&name, &text, &LintOptions::default())
}

#[test]
fn every_file_rule_has_failing_and_passing_fixtures() {
    for rule in RULES.iter().filter(|r| r.meta.target != Target::Series) {
        let code = rule.meta.code;
        let files = fixtures(code);
        let fails: Vec<_> = files.iter().filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("fail")).collect();
        let passes: Vec<_> = files.iter().filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("pass")).collect();
        assert!(!fails.is_empty() && !passes.is_empty(), "{code}: needs fail*.js and pass*.js fixtures");
        for f in fails {
            let found: Vec<_> = lint(code, f).into_iter().filter(|d| d.code == code).collect();
            assert!(!found.is_empty(), "{code}: {} produced no {code} finding", f.display());
            let rendered: String = found.iter().map(render_human).collect::<Vec<_>>().join("\n");
            let name = format!("{code}_{}", f.file_stem().unwrap().to_string_lossy().replace('.', "_"));
            insta::assert_snapshot!(name, rendered);
        }
        for p in passes {
            let found: Vec<_> = lint(code, p).into_iter().filter(|d| d.code == code).collect();
            assert!(found.is_empty(), "{code}: {} should be clean:\n{}", p.display(), found.iter().map(render_human).collect::<String>());
        }
    }
}

#[test]
fn pass_fixtures_parse() {
    // A pass fixture that does not parse would pass every AST rule vacuously.
    for rule in RULES.iter().filter(|r| r.meta.target == Target::Ast) {
        for p in fixtures(rule.meta.code) {
            if p.file_name().unwrap().to_string_lossy().starts_with("pass") {
                let parse: Vec<_> = lint(rule.meta.code, &p).into_iter().filter(|d| d.code == "DS000").collect();
                assert!(parse.is_empty(), "{} does not parse: {:?}", p.display(), parse);
            }
        }
    }
}

#[test]
fn docs_have_the_four_sections_in_order() {
    for r in RULES {
        let doc = r.meta.doc_text();
        let pos: Vec<usize> = ["## What it does", "## Why is this bad?", "## Example", "## Fix"]
            .iter()
            .map(|h| doc.find(h).unwrap_or_else(|| panic!("{}: missing {h}", r.meta.code)))
            .collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{}: sections out of order", r.meta.code);
        assert!(!r.meta.summary().is_empty(), "{}: empty summary", r.meta.code);
    }
}

#[test]
fn codes_are_unique_sorted_and_match_file_names() {
    let codes: Vec<&str> = RULES.iter().map(|r| r.meta.code).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(codes, sorted);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    for code in codes {
        let prefix = code.to_ascii_lowercase() + "_";
        assert!(
            std::fs::read_dir(&dir).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with(&prefix)),
            "{code}: no src/rules/{prefix}*.rs"
        );
    }
}

#[test]
fn docs_lint_md_table_is_in_sync() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/lint.md");
    let doc = std::fs::read_to_string(&path).expect("docs/lint.md exists");
    let table = dsock_lint::registry::markdown_table();
    assert!(
        doc.contains(&table),
        "docs/lint.md's rule table is stale; replace it with:\n{table}"
    );
}
