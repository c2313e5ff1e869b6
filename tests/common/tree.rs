//! Building commits from code, without a work tree: the fixtures of the check and
//! review tests (a tiny "Emscripten" history and series branches on top).

use dsock::git::{Git, Ident};

/// Commit `files` on `parent` (`None`: a root commit) through a private index, touching
/// no work tree. Each entry is a path and `Some(content)` to write it (mode 100644) or
/// `None` to delete it. `author` is `Name <email>`, `date` git's `<seconds> <offset>`;
/// `message` is used as is. Returns the new commit id. Panics on any git failure.
pub fn commit_files(
    git: &Git,
    parent: Option<&str>,
    files: &[(&str, Option<&str>)],
    author: &str,
    date: &str,
    message: &str,
) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let g = git.with_index(&tmp.path().join("index"));
    match parent {
        Some(p) => g.run(["read-tree", p]).unwrap(),
        None => g.run(["read-tree", "--empty"]).unwrap(),
    };
    for (path, content) in files {
        match content {
            Some(c) => {
                let blob = g.hash_object(c.as_bytes()).unwrap();
                g.run(["update-index", "--add", "--cacheinfo", &format!("100644,{blob},{path}")]).unwrap();
            }
            None => {
                g.run(["update-index", "--force-remove", path]).unwrap();
            }
        }
    }
    let tree = g.run(["write-tree"]).unwrap();
    let parents: Vec<&str> = parent.into_iter().collect();
    git.commit_tree(&tree, &parents, message, &Ident::parse(author, date).unwrap()).unwrap().into()
}
