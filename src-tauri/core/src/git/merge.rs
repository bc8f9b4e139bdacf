//! What the merge-back computes from the cached clone, without asking Azure DevOps: how far a
//! target branch is ahead of / behind the hotfix branch, whether it already contains the fix
//! commit, and the in-memory merge of the hotfix head into the target (the same
//! `merge_commits(target, source)` Azure Repos runs for a pull request's `mergeStatus`), with the
//! conflicting paths.

use git2::{Oid, Repository};

use crate::error::{AppError, AppResult, ErrorCode};

/// How a path conflicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictSide {
    /// Changed on both branches.
    BothModified,
    /// Added on both branches with different content.
    BothAdded,
    /// Deleted on the target, changed by the hotfix.
    DeletedInTarget,
    /// Changed on the target, deleted by the hotfix.
    DeletedInHotfix,
}

/// One conflicting path (`/pipeline/x.json`, as Azure Repos names paths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub path: String,
    pub side: ConflictSide,
}

/// The result of merging a source commit into a target commit in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeOutcome {
    /// The target already contains the source: there is nothing to merge.
    pub up_to_date: bool,
    /// Paths that conflict, sorted (empty for a clean merge).
    pub conflicts: Vec<Conflict>,
    /// Paths a clean merge changes on the target, sorted (empty when it conflicts).
    pub changed: Vec<String>,
}

fn git_err(what: &str, e: &git2::Error) -> AppError {
    AppError::new(
        ErrorCode::Git,
        format!(
            "The app could not {what} in its copy of the repository: {}. List the targets again; \
             a damaged copy is made again.",
            e.message()
        ),
    )
    .with_detail(format!("{:?}/{:?}", e.class(), e.code()))
}

/// Parses a full commit id.
pub fn oid(id: &str) -> AppResult<Oid> {
    Oid::from_str(id).map_err(|_| {
        AppError::internal(format!("\"{id}\" is not a commit id.")).with_detail(id.to_owned())
    })
}

/// `(ahead, behind)` of `target` relative to `hotfix`: commits on the target the hotfix branch
/// does not have, and hotfix commits the target does not have yet.
pub fn ahead_behind(repo: &Repository, target: Oid, hotfix: Oid) -> AppResult<(u32, u32)> {
    let (a, b) = repo
        .graph_ahead_behind(target, hotfix)
        .map_err(|e| git_err("count the commits between two branches", &e))?;
    Ok((
        u32::try_from(a).unwrap_or(u32::MAX),
        u32::try_from(b).unwrap_or(u32::MAX),
    ))
}

/// True when `commit` is `head` or one of its ancestors.
pub fn contains(repo: &Repository, head: Oid, commit: Oid) -> AppResult<bool> {
    if head == commit {
        return Ok(true);
    }
    repo.graph_descendant_of(head, commit)
        .map_err(|e| git_err("look for the fix commit in a branch", &e))
}

/// Merges `source` into `target` in memory (nothing is written to any branch).
pub fn merge(repo: &Repository, target: Oid, source: Oid) -> AppResult<MergeOutcome> {
    if contains(repo, target, source)? {
        return Ok(MergeOutcome {
            up_to_date: true,
            conflicts: Vec::new(),
            changed: Vec::new(),
        });
    }
    let find = |o: Oid| {
        repo.find_commit(o)
            .map_err(|e| git_err("read a branch head", &e))
    };
    let (t, s) = (find(target)?, find(source)?);
    let mut index = repo
        .merge_commits(&t, &s, None)
        .map_err(|e| git_err("merge the hotfix into a branch", &e))?;
    if index.has_conflicts() {
        let mut conflicts: Vec<Conflict> = index
            .conflicts()
            .map_err(|e| git_err("read the merge conflicts", &e))?
            .flatten()
            .filter_map(|c| {
                let side = match (&c.ancestor, &c.our, &c.their) {
                    (_, Some(_), Some(_)) if c.ancestor.is_some() => ConflictSide::BothModified,
                    (None, Some(_), Some(_)) => ConflictSide::BothAdded,
                    (_, None, Some(_)) => ConflictSide::DeletedInTarget,
                    _ => ConflictSide::DeletedInHotfix,
                };
                let e = c.our.or(c.their).or(c.ancestor)?;
                Some(Conflict {
                    path: format!("/{}", String::from_utf8_lossy(&e.path)),
                    side,
                })
            })
            .collect();
        conflicts.sort_by(|a, b| a.path.cmp(&b.path));
        conflicts.dedup_by(|a, b| a.path == b.path);
        return Ok(MergeOutcome {
            up_to_date: false,
            conflicts,
            changed: Vec::new(),
        });
    }
    let merged = index
        .write_tree_to(repo)
        .and_then(|id| repo.find_tree(id))
        .map_err(|e| git_err("write the merged tree", &e))?;
    let before = t.tree().map_err(|e| git_err("read a branch's tree", &e))?;
    let diff = repo
        .diff_tree_to_tree(Some(&before), Some(&merged), None)
        .map_err(|e| git_err("compare the merged tree", &e))?;
    let mut changed: Vec<String> = diff
        .deltas()
        .filter_map(|d| {
            d.new_file()
                .path()
                .or_else(|| d.old_file().path())
                .map(|p| p.to_owned())
        })
        .map(|p| format!("/{}", p.to_string_lossy()))
        .collect();
    changed.sort();
    changed.dedup();
    Ok(MergeOutcome {
        up_to_date: false,
        conflicts: Vec::new(),
        changed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::Signature;

    /// Commits `files` (path → content, `None` deletes) on top of `parent`.
    fn commit(repo: &Repository, parent: Option<Oid>, files: &[(&str, Option<&str>)]) -> Oid {
        let sig = Signature::now("T", "t@example.com").unwrap();
        let parent = parent.map(|p| repo.find_commit(p).unwrap());
        let mut b = git2::build::TreeUpdateBuilder::new();
        for (path, content) in files {
            match content {
                Some(c) => {
                    let blob = repo.blob(c.as_bytes()).unwrap();
                    b.upsert(*path, blob, git2::FileMode::Blob);
                }
                None => {
                    b.remove(*path);
                }
            }
        }
        let base = match &parent {
            Some(p) => p.tree().unwrap(),
            None => repo
                .find_tree(repo.treebuilder(None).unwrap().write().unwrap())
                .unwrap(),
        };
        let tree = repo
            .find_tree(b.create_updated(repo, &base).unwrap())
            .unwrap();
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        repo.commit(None, &sig, &sig, "c", &tree, &parents).unwrap()
    }

    const BASE: &str = "{\n  \"name\": \"pl\",\n  \"timeout\": 1\n}\n";

    #[test]
    fn counts_contains_and_merges_cleanly_or_with_conflicts() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let base = commit(
            &repo,
            None,
            &[
                ("pipeline/pl.json", Some(BASE)),
                ("dataset/ds.json", Some("{}")),
            ],
        );
        let fix = commit(
            &repo,
            Some(base),
            &[
                (
                    "pipeline/pl.json",
                    Some("{\n  \"name\": \"pl\",\n  \"timeout\": 2\n}\n"),
                ),
                ("dataset/ds.json", None),
            ],
        );
        // A feature branch that changed something else: clean.
        let feature = commit(&repo, Some(base), &[("notebook/nb.json", Some("{}"))]);
        let feature2 = commit(&repo, Some(feature), &[("notebook/nb2.json", Some("{}"))]);
        assert_eq!(ahead_behind(&repo, feature2, fix).unwrap(), (2, 1));
        assert!(!contains(&repo, feature2, fix).unwrap());
        let clean = merge(&repo, feature2, fix).unwrap();
        assert!(!clean.up_to_date);
        assert!(clean.conflicts.is_empty());
        assert_eq!(clean.changed, vec!["/dataset/ds.json", "/pipeline/pl.json"]);
        // A branch that edited the same line and one that changed the deleted dataset: conflicts.
        let other = commit(
            &repo,
            Some(base),
            &[
                (
                    "pipeline/pl.json",
                    Some("{\n  \"name\": \"pl\",\n  \"timeout\": 9\n}\n"),
                ),
                ("dataset/ds.json", Some("{\"x\":1}")),
            ],
        );
        let bad = merge(&repo, other, fix).unwrap();
        assert_eq!(
            bad.conflicts,
            vec![
                Conflict {
                    path: "/dataset/ds.json".into(),
                    side: ConflictSide::DeletedInHotfix
                },
                Conflict {
                    path: "/pipeline/pl.json".into(),
                    side: ConflictSide::BothModified
                },
            ]
        );
        // A branch that already has the fix.
        let merged = commit(&repo, Some(fix), &[("notebook/n.json", Some("{}"))]);
        assert!(contains(&repo, merged, fix).unwrap());
        assert!(contains(&repo, fix, fix).unwrap());
        assert!(merge(&repo, merged, fix).unwrap().up_to_date);
        assert_eq!(ahead_behind(&repo, merged, fix).unwrap(), (1, 0));
    }

    #[test]
    fn a_bad_commit_id_is_refused() {
        assert!(oid("xyz").is_err());
        assert!(oid(&"a".repeat(40)).is_ok());
    }
}
