//! Rendering a definition and its stages into the shapes of `GET _apis/release/definitions/{id}`.

use serde_json::{json, Value};
use uuid::Uuid;

use super::{Ctx, Definition, ReleaseWorld};
use crate::release::links::{ts, Person};

/// The definition in the shape of `GET _apis/release/definitions/{id}`.
pub fn render_definition(
    ctx: &Ctx,
    d: &Definition,
    world: &ReleaseWorld,
    expand_envs: bool,
    expand_artifacts: bool,
) -> Value {
    let mut v = d.body().clone();
    let url = format!("{}/definitions/{}", ctx.vsrm(), d.id);
    let obj = v.as_object_mut().map(std::mem::take).unwrap_or_default();
    let mut out = serde_json::Map::new();
    out.insert(
        "source".into(),
        obj.get("source")
            .cloned()
            .unwrap_or_else(|| json!("restApi")),
    );
    out.insert("revision".into(), json!(d.revision));
    out.insert(
        "description".into(),
        obj.get("description").cloned().unwrap_or(Value::Null),
    );
    out.insert("createdBy".into(), ctx.who(&d.created_by));
    out.insert("createdOn".into(), json!(ts(d.created_on)));
    out.insert("modifiedBy".into(), ctx.who(&d.modified_by));
    out.insert("modifiedOn".into(), json!(ts(d.modified_on)));
    out.insert("isDeleted".into(), json!(false));
    out.insert("lastRelease".into(), last_release(ctx, d, world));
    out.insert("retentionPolicy".into(), json!({"daysToKeep": 30}));
    out.insert(
        "variables".into(),
        obj.get("variables").cloned().unwrap_or_else(|| json!({})),
    );
    out.insert(
        "variableGroups".into(),
        obj.get("variableGroups")
            .cloned()
            .unwrap_or_else(|| json!([])),
    );
    let envs: Vec<Value> = obj
        .get("environments")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|e| render_definition_environment(ctx, d, world, e))
        .collect();
    if expand_envs {
        out.insert("environments".into(), Value::Array(envs));
    }
    if expand_artifacts {
        out.insert(
            "artifacts".into(),
            obj.get("artifacts").cloned().unwrap_or_else(|| json!([])),
        );
    }
    out.insert(
        "triggers".into(),
        obj.get("triggers").cloned().unwrap_or_else(|| json!([])),
    );
    out.insert(
        "releaseNameFormat".into(),
        obj.get("releaseNameFormat")
            .cloned()
            .unwrap_or_else(|| json!("Release-$(rev:r)")),
    );
    out.insert(
        "tags".into(),
        obj.get("tags").cloned().unwrap_or_else(|| json!([])),
    );
    out.insert(
        "properties".into(),
        obj.get("properties").cloned().unwrap_or_else(|| json!({})),
    );
    out.insert("id".into(), json!(d.id));
    out.insert("name".into(), json!(d.name()));
    out.insert("path".into(), json!(d.path()));
    out.insert("projectReference".into(), Value::Null);
    out.insert("url".into(), json!(url));
    out.insert(
        "_links".into(),
        json!({"self": {"href": url},
               "web": {"href": format!("{}/{}/{}/_release?definitionId={}", ctx.base, ctx.org, ctx.project_id, d.id)}}),
    );
    Value::Object(out)
}

/// `lastRelease` of a definition (a `ReleaseReference`), `null` before the first release.
fn last_release(ctx: &Ctx, d: &Definition, world: &ReleaseWorld) -> Value {
    world.releases.values().rev().find(|r| r.definition_id == d.id).map_or(Value::Null, |r| {
        let url = format!("{}/releases/{}", ctx.vsrm(), r.id);
        json!({
            "id": r.id, "name": r.name, "artifacts": [], "webAccessUri": ctx.release_web(r.id),
            "_links": {"self": {"href": url}, "web": {"href": ctx.release_web(r.id)}},
            "description": r.description,
            "releaseDefinition": {"id": d.id, "_links": {}},
            "createdOn": ts(r.created_on), "createdBy": ctx.who(&r.created_by), "modifiedBy": ctx.who(&r.modified_by),
            "reason": r.reason,
        })
    })
}

/// An identity stored in a definition (possibly just `{"id": ...}`) rendered as a full IdentityRef.
fn expand_identity(ctx: &Ctx, v: &Value, fallback: &Person) -> Value {
    let person = v["id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .map_or_else(
            || fallback.clone(),
            |id| Person {
                id,
                display_name: v["displayName"]
                    .as_str()
                    .unwrap_or(&fallback.display_name)
                    .to_owned(),
                unique_name: v["uniqueName"]
                    .as_str()
                    .unwrap_or(&fallback.unique_name)
                    .to_owned(),
            },
        );
    ctx.who(&person)
}

/// Approvals block of a stage (`preDeployApprovals` / snapshot) with complete approver identities
/// and the default approval options the service fills in.
pub fn render_approvals_config(
    ctx: &Ctx,
    v: Option<&Value>,
    fallback: &Person,
    pre: bool,
) -> Value {
    let mut v = v.cloned().unwrap_or_else(|| json!({"approvals": []}));
    if let Some(list) = v.get_mut("approvals").and_then(Value::as_array_mut) {
        for a in list {
            if let Some(ap) = a.get("approver").filter(|x| !x.is_null()).cloned() {
                a["approver"] = expand_identity(ctx, &ap, fallback);
            }
            if a.get("id").is_none() {
                a["id"] = json!(0);
            }
        }
    }
    if pre {
        let defaults = json!({"requiredApproverCount": 0, "releaseCreatorCanBeApprover": true,
            "autoTriggeredAndPreviousEnvironmentApprovedCanBeSkipped": false, "enforceIdentityRevalidation": false,
            "timeoutInMinutes": 0, "executionOrder": "beforeGates"});
        let opts = v
            .get("approvalOptions")
            .filter(|o| o.is_object())
            .cloned()
            .unwrap_or_else(|| json!({}));
        let mut merged = defaults;
        if let (Some(m), Some(o)) = (merged.as_object_mut(), opts.as_object()) {
            for (k, x) in o {
                if !x.is_null() {
                    m.insert(k.clone(), x.clone());
                }
            }
        }
        v["approvalOptions"] = merged;
    }
    v
}

/// A deploy phase with the defaults the service fills into `deploymentInput`.
pub fn render_phase_config(p: &Value) -> Value {
    let mut p = p.clone();
    if let Some(di) = p.get_mut("deploymentInput").and_then(Value::as_object_mut) {
        di.entry("overrideInputs").or_insert_with(|| json!({}));
        di.entry("demands").or_insert_with(|| json!([]));
        let adi = di
            .entry("artifactsDownloadInput")
            .or_insert_with(|| json!({}));
        if let Some(o) = adi.as_object_mut() {
            o.entry("downloadInputs").or_insert_with(|| json!([]));
        }
    }
    p
}

fn render_definition_environment(
    ctx: &Ctx,
    d: &Definition,
    world: &ReleaseWorld,
    mut e: Value,
) -> Value {
    let env_id = e["id"]
        .as_i64()
        .and_then(|i| i32::try_from(i).ok())
        .unwrap_or(0);
    let current = world.current_release.get(&env_id).copied().unwrap_or(0);
    let current_url = format!("{}/releases/{current}", ctx.vsrm());
    let owner = expand_identity(ctx, &e["owner"], &d.created_by);
    let pre = render_approvals_config(ctx, e.get("preDeployApprovals"), &d.created_by, true);
    let post = render_approvals_config(ctx, e.get("postDeployApprovals"), &d.created_by, false);
    let phases: Vec<Value> = e["deployPhases"]
        .as_array()
        .map(|p| p.iter().map(render_phase_config).collect())
        .unwrap_or_default();
    if let Some(o) = e.as_object_mut() {
        o.insert("owner".into(), owner);
        o.insert("preDeployApprovals".into(), pre);
        o.insert("postDeployApprovals".into(), post);
        o.insert("deployPhases".into(), Value::Array(phases));
        o.entry("environmentOptions").or_insert_with(|| {
            json!({"emailNotificationType": "OnlyOnFailure", "emailRecipients": "release.environment.owner;release.creator",
                   "skipArtifactsDownload": false, "timeoutInMinutes": 0, "enableAccessToken": false,
                   "publishDeploymentStatus": true, "badgeEnabled": false, "autoLinkWorkItems": false,
                   "pullRequestDeploymentEnabled": false})
        });
        o.entry("variables").or_insert_with(|| json!({}));
        o.entry("variableGroups").or_insert_with(|| json!([]));
        o.entry("demands").or_insert_with(|| json!([]));
        o.entry("conditions").or_insert_with(|| json!([]));
        o.entry("schedules").or_insert_with(|| json!([]));
        o.entry("environmentTriggers").or_insert_with(|| json!([]));
        o.entry("properties").or_insert_with(|| json!({}));
        o.entry("executionPolicy")
            .or_insert_with(|| json!({"concurrencyCount": 1, "queueDepthCount": 0}));
        o.entry("retentionPolicy")
            .or_insert_with(|| json!({"daysToKeep": 30, "releasesToKeep": 3, "retainBuild": true}));
        o.entry("preDeploymentGates")
            .or_insert_with(|| json!({"id": 0, "gatesOptions": null, "gates": []}));
        o.entry("postDeploymentGates")
            .or_insert_with(|| json!({"id": 0, "gatesOptions": null, "gates": []}));
        o.insert(
            "currentRelease".into(),
            json!({"id": current, "url": current_url, "_links": {}}),
        );
        o.insert(
            "badgeUrl".into(),
            json!(format!(
                "{}/vsrm/{}/_apis/public/Release/badge/{}/{}/{env_id}",
                ctx.base, ctx.org, ctx.project_id, d.id
            )),
        );
    }
    e
}

/// The approval configuration of a definition stage: manual approvers (empty = automated).
pub fn manual_approvers(def_env: &Value) -> Vec<(i32, Person)> {
    def_env["preDeployApprovals"]["approvals"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|x| !x["isAutomated"].as_bool().unwrap_or(true))
                .filter_map(|x| {
                    let ap = &x["approver"];
                    let id = ap["id"].as_str().and_then(|s| Uuid::parse_str(s).ok())?;
                    Some((
                        x["rank"]
                            .as_i64()
                            .and_then(|r| i32::try_from(r).ok())
                            .unwrap_or(1),
                        Person {
                            id,
                            display_name: ap["displayName"].as_str().unwrap_or("").to_owned(),
                            unique_name: ap["uniqueName"].as_str().unwrap_or("").to_owned(),
                        },
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}
