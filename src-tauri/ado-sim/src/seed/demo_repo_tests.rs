//! The demo repository resolves: every release commit and main, all but the broken branch.
use std::path::Path;

use git2::Oid;
use serde_json::Value;

use super::*;

#[test]
fn release_artifacts_resolve_and_the_broken_branch_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, facts) = build(dir.path(), uuid::Uuid::new_v4(), "DataPlatform").unwrap();
    let git = repo.open().unwrap();
    let check = |sha: &str| -> Vec<(String, String)> {
        let tree = git
            .find_commit(Oid::from_str(sha).unwrap())
            .unwrap()
            .tree()
            .unwrap();
        let mut present = std::collections::BTreeSet::new();
        let mut refs = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
            if let (Some(name), Some(folder)) = (e.name(), dir.strip_suffix('/')) {
                if let Some(stem) = name.strip_suffix(".json") {
                    present.insert((folder.to_owned(), stem.to_owned()));
                    let blob = git.find_blob(e.id()).unwrap();
                    let v: Value = serde_json::from_slice(blob.content()).unwrap();
                    assert_eq!(v["name"], stem, "artifact name matches its file");
                    assert!(v["properties"].is_object());
                    refs.extend(artifact_references(&v));
                }
            }
            git2::TreeWalkResult::Ok
        })
        .unwrap();
        refs.into_iter().filter(|r| !present.contains(r)).collect()
    };
    for sha in &facts.release_commits {
        assert_eq!(
            check(sha),
            Vec::<(String, String)>::new(),
            "release {sha} resolves"
        );
    }
    assert_eq!(check(&facts.main_head), Vec::<(String, String)>::new());
    assert_eq!(
        check(&facts.broken_commit),
        vec![("dataset".to_owned(), "ds_raw_returns_csv".to_owned())]
    );
    // the publish branch has the two templates only, and Release-3's mentions the blob trigger
    let p3 = git
        .find_commit(Oid::from_str(&facts.publish_commits[2]).unwrap())
        .unwrap();
    let t = p3.tree().unwrap();
    let tpl = t
        .get_path(Path::new("contoso-synapse-dev/TemplateForWorkspace.json"))
        .unwrap();
    let text = String::from_utf8(git.find_blob(tpl.id()).unwrap().content().to_vec()).unwrap();
    assert!(text.contains("tr_sales_file_arrival"));
    assert!(t
        .get_path(Path::new(
            "contoso-synapse-dev/TemplateParametersForWorkspace.json"
        ))
        .is_ok());
    assert_eq!(t.len(), 1, "only the workspace folder on workspace_publish");
}
