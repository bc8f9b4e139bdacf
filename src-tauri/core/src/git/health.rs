//! Is a cached clone usable? A clone that is not a repository, points at another remote, was
//! left half-finished (no branches fetched), holds a lock file of an operation that crashed, or
//! misses objects of a branch head's tree is *broken*: the cache re-clones it instead of
//! fetching into it.

use std::path::Path;

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

/// Where remote branches are kept in the cache.
pub(crate) const REMOTE_PREFIX: &str = "refs/remotes/origin/";

/// Why a cached clone cannot be used (a sentence for the log and the user).
pub(crate) type Broken = String;

/// Lock files under `dir` (not inside `objects/`, where git keeps none of its own), as paths
/// relative to `dir`.
fn lock_files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "objects") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|x| x == "lock") {
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                found.push(rel.display().to_string());
            }
        }
    }
    found.sort();
    found
}

/// The remote branch heads of the cache (`main` → its commit).
pub(crate) fn heads(repo: &Repository) -> Result<Vec<(String, Oid)>, git2::Error> {
    let mut out = Vec::new();
    for r in repo.references_glob(&format!("{REMOTE_PREFIX}*"))? {
        let r = r?;
        let (Some(name), Some(target)) = (r.name(), r.target()) else {
            continue;
        };
        let short = &name[REMOTE_PREFIX.len()..];
        if short != "HEAD" {
            out.push((short.to_owned(), target));
        }
    }
    out.sort();
    Ok(out)
}

/// Every object of `commit`'s tree is present (headers only: cheap for Synapse-sized trees).
fn complete(repo: &Repository, commit: Oid) -> Result<(), String> {
    let odb = repo.odb().map_err(|e| e.message().to_owned())?;
    let commit = repo
        .find_commit(commit)
        .map_err(|_| format!("commit {commit} is missing"))?;
    let tree = commit
        .tree()
        .map_err(|_| format!("the tree of commit {} is missing", commit.id()))?;
    let mut missing = None;
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        let needed = matches!(entry.kind(), Some(ObjectType::Blob | ObjectType::Tree));
        if needed && !odb.exists(entry.id()) {
            missing = Some(format!("{dir}{}", entry.name().unwrap_or("?")));
            return TreeWalkResult::Abort;
        }
        TreeWalkResult::Ok
    })
    .ok();
    match missing {
        Some(path) => Err(format!("the object of {path} is missing")),
        None => Ok(()),
    }
}

/// Opens the clone at `dir` if it is usable for `url`; else says why not.
pub(crate) fn check(dir: &Path, url: &str) -> Result<Repository, Broken> {
    let locks = lock_files(dir);
    if let Some(first) = locks.first() {
        return Err(format!(
            "it holds the lock file {first} of a git operation that did not finish (the app was \
             probably closed or crashed during a fetch)"
        ));
    }
    let repo = Repository::open_bare(dir).map_err(|e| {
        format!(
            "it is not a readable git repository ({})",
            e.message().trim_end_matches('.')
        )
    })?;
    let remote_url = repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().map(str::to_owned));
    match remote_url {
        Some(u) if u == url => {}
        Some(_) => return Err("it is a clone of another repository".to_owned()),
        None => return Err("it has no remote (an interrupted clone)".to_owned()),
    }
    let heads =
        heads(&repo).map_err(|e| format!("its branches cannot be read ({})", e.message()))?;
    if heads.is_empty() {
        return Err("it holds no branches (an interrupted clone)".to_owned());
    }
    for (name, oid) in &heads {
        complete(&repo, *oid).map_err(|why| format!("branch {name} is incomplete: {why}"))?;
    }
    Ok(repo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(repo: &Repository, branch: &str) -> Oid {
        let sig = git2::Signature::now("T", "t@example.com").unwrap();
        let blob = repo.blob(b"{}").unwrap();
        let mut tb = repo.treebuilder(None).unwrap();
        tb.insert("a.json", blob, 0o100_644).unwrap();
        let tree = repo.find_tree(tb.write().unwrap()).unwrap();
        let oid = repo.commit(None, &sig, &sig, "c", &tree, &[]).unwrap();
        repo.reference(&format!("{REMOTE_PREFIX}{branch}"), oid, true, "t")
            .unwrap();
        oid
    }

    fn cache(url: &str) -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        repo.remote("origin", url).unwrap();
        (dir, repo)
    }

    #[test]
    fn a_complete_clone_passes_and_lists_its_heads() {
        let (dir, repo) = cache("http://x/_git/r");
        let oid = commit(&repo, "main");
        let ok = check(dir.path(), "http://x/_git/r").unwrap();
        assert_eq!(heads(&ok).unwrap(), vec![("main".to_owned(), oid)]);
    }

    fn broken(dir: &Path, url: &str) -> String {
        match check(dir, url) {
            Ok(_) => panic!("{} passed the check", dir.display()),
            Err(why) => why,
        }
    }

    #[test]
    fn each_kind_of_damage_is_named() {
        let (dir, repo) = cache("http://x/_git/r");
        let why = broken(dir.path(), "http://x/_git/r");
        assert!(why.contains("no branches"), "{why}");
        commit(&repo, "main");
        let why = broken(dir.path(), "http://other/_git/r");
        assert!(why.contains("another repository"), "{why}");
        std::fs::write(dir.path().join("packed-refs.lock"), b"").unwrap();
        let why = broken(dir.path(), "http://x/_git/r");
        assert!(why.contains("packed-refs.lock"), "{why}");
        std::fs::remove_file(dir.path().join("packed-refs.lock")).unwrap();
        // Remove the blob of a.json: the head's tree is incomplete.
        let blob = repo.blob(b"{}").unwrap().to_string();
        std::fs::remove_file(dir.path().join("objects").join(&blob[..2]).join(&blob[2..])).unwrap();
        let why = broken(dir.path(), "http://x/_git/r");
        assert!(why.contains("a.json is missing"), "{why}");
        let junk = tempfile::tempdir().unwrap();
        std::fs::write(junk.path().join("hello.txt"), b"hi").unwrap();
        let why = broken(junk.path(), "http://x/_git/r");
        assert!(why.contains("not a readable git repository"), "{why}");
    }
}
