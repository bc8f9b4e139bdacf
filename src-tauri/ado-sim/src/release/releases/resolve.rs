//! Resolving a release artifact's version at release creation: a Git commit (pinned or the
//! branch head) or a build of the simulated catalogue.

use serde_json::{json, Value};

use crate::errors::ApiResult;
use crate::release::api::{invalid, no_source_info};
use crate::release::model::ReleaseArtifact;
use crate::state::World;

/// Resolves a release artifact from the definition's artifact and the caller's instance reference
/// (`None` = the default version: latest commit of the branch / latest build).
pub(crate) fn resolve_artifact(
    world: &World,
    def_artifact: &Value,
    instance: Option<&Value>,
) -> ApiResult<ReleaseArtifact> {
    let alias = def_artifact["alias"].as_str().unwrap_or("").to_owned();
    let kind = def_artifact["type"].as_str().unwrap_or("Git").to_owned();
    let mut dr = def_artifact["definitionReference"].clone();
    let repo_id = dr["definition"]["id"].as_str().unwrap_or("").to_owned();
    let project_id = dr["project"]["id"].as_str().unwrap_or("").to_owned();
    if repo_id.is_empty() || project_id.is_empty() {
        return Err(no_source_info());
    }
    if let Some(inst) = instance {
        if inst["id"].as_str().is_none_or(|s| s.trim().is_empty()) {
            return Err(no_source_info());
        }
    }
    if kind.eq_ignore_ascii_case("Git") {
        let repo = world
            .git
            .repo(&project_id, &repo_id)
            .ok_or_else(no_source_info)?;
        let git = git2::Repository::open_bare(&repo.path)?;
        let (commit, branch) = match instance {
            Some(inst) => {
                let id = inst["id"].as_str().unwrap_or("").trim();
                let obj = git.revparse_single(id).ok().and_then(|o| o.peel_to_commit().ok()).ok_or_else(|| {
                    invalid(format!(
                        "The version '{id}' of artifact '{alias}' was not found in repository '{}'. Specify an existing commit id and try again.",
                        repo.name
                    ))
                })?;
                let branch = inst["sourceBranch"]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| {
                        dr["branches"]["id"]
                            .as_str()
                            .or_else(|| dr["branch"]["id"].as_str())
                            .map(|b| {
                                if b.starts_with("refs/") {
                                    b.to_owned()
                                } else {
                                    format!("refs/heads/{b}")
                                }
                            })
                    });
                (obj.id().to_string(), branch)
            }
            None => {
                let b = dr["branches"]["id"]
                    .as_str()
                    .or_else(|| dr["branch"]["id"].as_str())
                    .unwrap_or("")
                    .to_owned();
                let short = b.trim_start_matches("refs/heads/").to_owned();
                let reference = git.find_reference(&format!("refs/heads/{short}")).map_err(|_| {
                    invalid(format!(
                        "No version is available for artifact '{alias}': branch '{short}' does not exist in repository '{}'. Push the branch or pick a version and try again.",
                        repo.name
                    ))
                })?;
                let commit = reference.peel_to_commit()?;
                (commit.id().to_string(), Some(format!("refs/heads/{short}")))
            }
        };
        dr["version"] = json!({"id": commit, "name": commit[..8].to_owned()});
        if let Some(b) = branch {
            let short = b.trim_start_matches("refs/heads/").to_owned();
            dr["branch"] = json!({"id": b, "name": short});
        }
        let source_id = def_artifact["sourceId"]
            .as_str()
            .map_or_else(|| format!("{project_id}:{repo_id}"), str::to_owned);
        return Ok(ReleaseArtifact {
            alias,
            kind,
            is_primary: def_artifact["isPrimary"].as_bool().unwrap_or(false),
            source_id,
            definition_reference: dr,
        });
    }
    // Build artifact: the version is a build id.
    let build = match instance {
        Some(inst) => {
            let id = inst["id"]
                .as_str()
                .and_then(|s| s.trim().parse::<i32>().ok())
                .unwrap_or(-1);
            world.catalog.builds.iter().find(|b| b.id == id)
        }
        None => world
            .catalog
            .builds
            .iter()
            .rev()
            .find(|b| b.definition_id.to_string() == repo_id),
    }
    .ok_or_else(|| {
        invalid(format!(
            "No build was found for artifact '{alias}'. Specify a valid build id and try again."
        ))
    })?;
    dr["version"] = json!({"id": build.id.to_string(), "name": build.build_number});
    dr["branch"] = json!({"id": build.source_branch, "name": build.source_branch});
    dr["repository"] =
        json!({"id": build.repository_id.to_string(), "name": build.repository_name});
    dr["sourceVersion"] = json!({"id": build.source_version, "name": build.source_version});
    Ok(ReleaseArtifact {
        alias,
        kind,
        is_primary: def_artifact["isPrimary"].as_bool().unwrap_or(false),
        source_id: def_artifact["sourceId"].as_str().unwrap_or("").to_owned(),
        definition_reference: dr,
    })
}
