//! The REST shapes of the git area, keyed like the service's httpExamples.

use chrono::TimeZone;
use serde_json::{json, Value};

use super::RepoInfo;
use crate::auth::Identity;
use crate::state::Sim;

/// `{org}/{projectId}/_apis/git/repositories/{repoId}`
pub fn repo_api_url(sim: &Sim, repo: &RepoInfo) -> String {
    format!(
        "{}/{}/_apis/git/repositories/{}",
        sim.info.org_url, repo.project_id, repo.id
    )
}

/// `{org}/{project}/_git/{repo}` (clone URL and web URL)
pub fn remote_url(sim: &Sim, repo: &RepoInfo) -> String {
    format!(
        "{}/{}/_git/{}",
        sim.info.org_url, repo.project_name, repo.name
    )
}

fn project_json(sim: &Sim, repo: &RepoInfo) -> Value {
    let world = sim.world();
    match world.core.project(&repo.project_id.to_string()) {
        Some(p) => crate::core_api::project_ref(sim, p),
        None => json!({"id": repo.project_id, "name": repo.project_name, "state": "wellFormed"}),
    }
}

/// A `GitRepository`.
pub fn repo_json(sim: &Sim, repo: &RepoInfo, size: u64) -> Value {
    let url = repo_api_url(sim, repo);
    let remote = remote_url(sim, repo);
    let mut v = json!({
        "id": repo.id,
        "name": repo.name,
        "url": url,
        "project": project_json(sim, repo),
        "defaultBranch": repo.default_branch,
        "size": size,
        "remoteUrl": remote,
        "sshUrl": format!("git@ssh.dev.azure.com:v3/{}/{}/{}", sim.world().core.organization, repo.project_name, repo.name),
        "webUrl": remote,
        "isDisabled": false,
        "isInMaintenance": false,
        "_links": {
            "self": {"href": url},
            "project": {"href": format!("vstfs:///Classification/TeamProject/{}", repo.project_id)},
            "web": {"href": remote},
            "ssh": {"href": format!("git@ssh.dev.azure.com:v3/{}/{}/{}", sim.world().core.organization, repo.project_name, repo.name)},
            "commits": {"href": format!("{url}/commits")},
            "refs": {"href": format!("{url}/refs")},
            "pullRequests": {"href": format!("{url}/pullRequests")},
            "items": {"href": format!("{url}/items")},
            "pushes": {"href": format!("{url}/pushes")},
        }
    });
    if repo.default_branch.is_empty() {
        if let Some(o) = v.as_object_mut() {
            o.remove("defaultBranch");
        }
    }
    v
}

/// The short repository reference inside pull requests.
pub fn repo_ref_json(sim: &Sim, repo: &RepoInfo) -> Value {
    json!({
        "id": repo.id,
        "name": repo.name,
        "url": repo_api_url(sim, repo),
        "project": project_json(sim, repo),
        "remoteUrl": remote_url(sim, repo),
    })
}

/// ISO-8601 UTC with a `Z`, as the service writes git dates.
pub fn git_time(t: git2::Time) -> String {
    chrono::Utc
        .timestamp_opt(t.seconds(), 0)
        .single()
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn user_date(sig: &git2::Signature<'_>) -> Value {
    json!({
        "name": sig.name().unwrap_or(""),
        "email": sig.email().unwrap_or(""),
        "date": git_time(sig.when()),
    })
}

/// Max comment length in list responses before `commentTruncated`.
const COMMENT_LIMIT: usize = 200;

/// A `GitCommitRef`. `full` adds parents/treeId/_links (single-commit GET); lists truncate the
/// comment like the service.
pub fn commit_json(
    sim: &Sim,
    repo: &RepoInfo,
    commit: &git2::Commit<'_>,
    change_counts: Option<Value>,
    full: bool,
) -> Value {
    let id = commit.id().to_string();
    let url = format!("{}/commits/{id}", repo_api_url(sim, repo));
    let remote = format!("{}/commit/{id}", remote_url(sim, repo));
    let message = commit.message().unwrap_or("").to_owned();
    let mut v = json!({
        "commitId": id,
        "author": user_date(&commit.author()),
        "committer": user_date(&commit.committer()),
    });
    let o = v.as_object_mut().expect("json object literal");
    if full {
        o.insert(
            "parents".into(),
            json!(commit
                .parent_ids()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()),
        );
        o.insert("treeId".into(), json!(commit.tree_id().to_string()));
        o.insert("comment".into(), json!(message));
    } else {
        let first = message.trim_end_matches('\n');
        if first.chars().count() > COMMENT_LIMIT || first.contains('\n') {
            let cut: String = first
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(COMMENT_LIMIT)
                .collect();
            o.insert("comment".into(), json!(cut));
            o.insert("commentTruncated".into(), json!(true));
        } else {
            o.insert("comment".into(), json!(first));
        }
    }
    if let Some(cc) = change_counts {
        o.insert("changeCounts".into(), cc);
    }
    o.insert("url".into(), json!(url));
    o.insert("remoteUrl".into(), json!(remote));
    if full {
        let api = repo_api_url(sim, repo);
        o.insert(
            "_links".into(),
            json!({
                "self": {"href": url},
                "repository": {"href": api},
                "changes": {"href": format!("{url}/changes")},
                "web": {"href": remote},
                "tree": {"href": format!("{api}/trees/{}", commit.tree_id())},
            }),
        );
    }
    v
}

/// A short commit reference (`{commitId, url}`).
pub fn commit_ref(sim: &Sim, repo: &RepoInfo, id: &str) -> Value {
    json!({"commitId": id, "url": format!("{}/commits/{id}", repo_api_url(sim, repo))})
}

/// An identity as refs and pull requests show it, with URLs on the simulator's current base
/// (the stored ones may name the port of an earlier run).
pub fn identity_short(sim: &Sim, user: &Identity) -> Value {
    let org = &sim.info.org_url;
    let avatar = format!("{org}/_apis/GraphProfile/MemberAvatars/{}", user.descriptor);
    json!({
        "displayName": user.display_name,
        "url": format!("{org}/_apis/Identities/{}", user.id),
        "_links": {"avatar": {"href": avatar}},
        "id": user.id,
        "uniqueName": user.unique_name,
        "imageUrl": avatar,
        "descriptor": user.descriptor,
    })
}

/// Percent-encodes a query value (refs `url` fields use `filter=heads%2Ffeature%2Fx`).
pub fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
