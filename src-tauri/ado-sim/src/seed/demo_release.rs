//! The release half of the demo world, built from the repository facts: the catalogue (tasks,
//! extension, service connections, agent queues), the Synapse workspaces, the classic release
//! pipeline `Synapse-Release` (stages `Test` and `Production`, two Git artifacts) and its history
//! Release-1..Release-3, each deployed to Test and then Production (Release-3 current).

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::demo_repo::{DemoRepoFacts, DEV_WORKSPACE};
use crate::catalog;
use crate::release::links::{Person, ProjectRef};
use crate::release::model::{Counters, Definition, Release, ReleaseEnvironment};
use crate::state::World;
use crate::synapse::Workspace;

/// Names the demo uses (also read by tests).
pub const DEFINITION: &str = "Synapse-Release";
/// The stages of [`DEFINITION`], in order.
pub const TEST_STAGE: &str = "Test";
pub const PROD_STAGE: &str = "Production";
pub const PUBLISH_ALIAS: &str = "_synapse-analytics-publish";
pub const SOURCE_ALIAS: &str = "_synapse-analytics";
pub const PROD_CONNECTION: &str = "contoso-prod-arm";
pub const WIF_CONNECTION: &str = "contoso-nonprod-arm-wif";
pub const AGENT_QUEUE: &str = "Azure Pipelines";
pub const TEST_WORKSPACE: &str = "contoso-synapse-test";
pub const PROD_WORKSPACE: &str = "contoso-synapse-prod";
pub const SUBSCRIPTION_ID: &str = "6b1f3c52-9d7e-4f1a-8c3e-2a5d0e9b7f41";
pub const TENANT_ID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const EXTENSION_VERSION: &str = "2.4.0";

/// The people of the release history (release managers and the data engineers).
fn people() -> Vec<Person> {
    super::demo_repo::PEOPLE
        .iter()
        .map(|(n, e)| Person::new(n, e))
        .collect()
}

/// The seeded users as persons (same ids as the core identities, so `createdBy` matches users).
fn users(world: &World) -> Vec<Person> {
    let from_core: Vec<Person> = world
        .core
        .users
        .iter()
        .map(crate::release::links::person_of)
        .collect();
    if from_core.is_empty() {
        people()
    } else {
        from_core
    }
}

fn date(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map_or_else(|_| Utc::now(), |d| d.with_timezone(&Utc))
}

/// The three Synapse tasks of a stage deploying the publish artifact's ARM templates to `workspace`.
pub fn synapse_stage_tasks(
    world: &World,
    endpoint_id: &str,
    resource_group: &str,
    workspace: &str,
) -> Vec<Value> {
    let deploy = world
        .catalog
        .task_id_by_name(catalog::DEPLOY_TASK_NAME)
        .unwrap_or_default();
    let toggle = world
        .catalog
        .task_id_by_name(catalog::TOGGLE_TASK_NAME)
        .unwrap_or_default();
    let common = |name: &str, id: &str, inputs: Value| {
        json!({"environment": {}, "taskId": id, "version": "2.*", "name": name, "refName": "", "enabled": true,
               "alwaysRun": false, "continueOnError": false, "timeoutInMinutes": 0, "retryCountOnTaskFailure": 0,
               "definitionType": "task", "overrideInputs": {}, "condition": "succeeded()", "inputs": inputs})
    };
    let toggle_inputs = |on: bool| {
        json!({"ServiceConnectionName": endpoint_id, "ResourceGroupName": resource_group, "WorkspaceName": workspace,
               "ToggleOn": on.to_string(), "Triggers": "*", "Continue": "false", "Debug": "false"})
    };
    vec![
        common("Stop Synapse triggers", &toggle, toggle_inputs(false)),
        common(
            &format!("Synpase deployment task for workspace: {workspace}"),
            &deploy,
            json!({
                "operation": "deploy",
                "TemplateFile": format!("$(System.DefaultWorkingDirectory)/{PUBLISH_ALIAS}/{DEV_WORKSPACE}/TemplateForWorkspace.json"),
                "ParametersFile": format!("$(System.DefaultWorkingDirectory)/{PUBLISH_ALIAS}/{DEV_WORKSPACE}/TemplateParametersForWorkspace.json"),
                "ArtifactsFolder": "",
                "AzureResourceManagerConnection": endpoint_id,
                "ResourceGroupName": resource_group,
                "TargetWorkspaceName": workspace,
                "DeleteArtifactsNotInTemplate": "false",
                "DeployManagedPrivateEndpoints": "false",
                "OverrideArmParameters": super::demo_production::overrides_for(workspace),
                "FailOnMissingOverrides": "false",
                "Environment": "prod",
                "npmpackage": "prod",
            }),
        ),
        common("Start Synapse triggers", &toggle, toggle_inputs(true)),
    ]
}

/// A classic stage with one agent phase.
pub fn stage(
    name: &str,
    rank: i32,
    queue_id: i64,
    tasks: &[Value],
    auto_after_release: bool,
    owner: &Person,
) -> Value {
    let owner = crate::release::links::identity_template(owner);
    json!({
        "name": name,
        "rank": rank,
        "owner": owner,
        "variables": {},
        "variableGroups": [],
        "preDeployApprovals": {"approvals": [{"rank": 1, "isAutomated": true, "isNotificationOn": false}],
            "approvalOptions": {"requiredApproverCount": null, "releaseCreatorCanBeApprover": false,
                "autoTriggeredAndPreviousEnvironmentApprovedCanBeSkipped": false, "enforceIdentityRevalidation": false,
                "timeoutInMinutes": 0, "executionOrder": "beforeGates"}},
        "postDeployApprovals": {"approvals": [{"rank": 1, "isAutomated": true, "isNotificationOn": false}]},
        "deployPhases": [{
            "deploymentInput": {"parallelExecution": {"parallelExecutionType": "none"}, "agentSpecification": {"identifier": "ubuntu-22.04"},
                "skipArtifactsDownload": false, "artifactsDownloadInput": {"downloadInputs": []}, "queueId": queue_id,
                "demands": [], "enableAccessToken": false, "timeoutInMinutes": 0, "jobCancelTimeoutInMinutes": 1,
                "condition": "succeeded()", "overrideInputs": {}},
            "rank": 1, "phaseType": "agentBasedDeployment", "name": "Agent job", "refName": null, "workflowTasks": tasks
        }],
        "environmentOptions": {"emailNotificationType": "OnlyOnFailure", "emailRecipients": "release.environment.owner;release.creator",
            "skipArtifactsDownload": false, "timeoutInMinutes": 0, "enableAccessToken": false, "publishDeploymentStatus": true,
            "badgeEnabled": false, "autoLinkWorkItems": false, "pullRequestDeploymentEnabled": false},
        "demands": [],
        "conditions": if auto_after_release { json!([{"name": "ReleaseStarted", "conditionType": "event", "value": ""}]) } else { json!([]) },
        "executionPolicy": {"concurrencyCount": 1, "queueDepthCount": 0},
        "schedules": [],
        "retentionPolicy": {"daysToKeep": 30, "releasesToKeep": 3, "retainBuild": true},
        "properties": {},
        "preDeploymentGates": {"id": 0, "gatesOptions": null, "gates": []},
        "postDeploymentGates": {"id": 0, "gatesOptions": null, "gates": []},
        "environmentTriggers": [],
    })
}

/// A Git artifact of the demo repository on `branch`.
pub fn git_artifact(facts: &DemoRepoFacts, alias: &str, branch: &str, primary: bool) -> Value {
    json!({
        "sourceId": format!("{}:{}", facts.project_id, facts.repository_id),
        "type": "Git",
        "alias": alias,
        "definitionReference": {
            "branches": {"id": branch, "name": branch},
            "checkoutNestedSubmodules": {"id": "True", "name": "Any nested submodule level"},
            "checkoutSubmodules": {"id": "", "name": ""},
            "defaultVersionSpecific": {"id": "", "name": ""},
            "defaultVersionType": {"id": "latestFromBranchType", "name": "Latest from the default branch"},
            "definition": {"id": facts.repository_id.to_string(), "name": facts.repository},
            "fetchDepth": {"id": "", "name": ""},
            "gitLfsSupport": {"id": "", "name": ""},
            "project": {"id": facts.project_id.to_string(), "name": facts.project},
        },
        "isPrimary": primary,
        "isRetained": false,
    })
}

/// Seeds the catalogue (tasks, extensions, service connections, queues) and the workspaces.
pub fn seed_catalog(world: &mut World, project: &ProjectRef, owner: &Person) {
    let now = Utc::now();
    world.catalog.tasks = catalog::builtin_tasks();
    world
        .catalog
        .tasks
        .extend(catalog::synapse_tasks(EXTENSION_VERSION));
    world.catalog.extensions = vec![
        catalog::builtin_extension(
            "vss-analytics",
            "Analytics",
            "19.253.0.2512",
            now - Duration::days(90),
        ),
        catalog::builtin_extension(
            "vss-code-search",
            "Code Search",
            "19.253.0.1990",
            now - Duration::days(90),
        ),
        catalog::synapse_extension(EXTENSION_VERSION, date("2026-02-20T10:12:00Z")),
    ];
    world.catalog.endpoints = super::demo_connections::endpoints(project, owner);
    world.catalog.queues = vec![
        catalog::agent_queue(9, AGENT_QUEUE, 9, true, project.id),
        catalog::agent_queue(10, "Default", 1, false, project.id),
    ];
    world.synapse.workspaces = vec![
        Workspace::new(DEV_WORKSPACE, "rg-contoso-synapse-dev", SUBSCRIPTION_ID),
        Workspace::new(TEST_WORKSPACE, "rg-contoso-synapse-test", SUBSCRIPTION_ID),
        Workspace::new(PROD_WORKSPACE, "rg-contoso-synapse-prod", SUBSCRIPTION_ID),
    ];
}

/// Seeds the release side of the demo world from the repository facts `demo_repo::seed` returns
/// (called by `seed::demo::seed` after the repository is written).
pub fn seed(world: &mut World, facts: &DemoRepoFacts) -> anyhow::Result<()> {
    let project = ProjectRef {
        id: facts.project_id,
        name: facts.project.clone(),
    };
    let team = users(world);
    let lead = team
        .first()
        .cloned()
        .unwrap_or_else(crate::release::links::system_person);
    let engineer = team.get(1).cloned().unwrap_or_else(|| lead.clone());
    let manager = team.get(2).cloned().unwrap_or_else(|| lead.clone());
    seed_catalog(world, &project, &lead);

    let prod_ep = world
        .catalog
        .endpoint(PROD_CONNECTION)
        .and_then(|e| e["id"].as_str())
        .unwrap_or("")
        .to_owned();
    let test_tasks =
        synapse_stage_tasks(world, &prod_ep, "rg-contoso-synapse-test", TEST_WORKSPACE);
    let prod_tasks =
        synapse_stage_tasks(world, &prod_ep, "rg-contoso-synapse-prod", PROD_WORKSPACE);
    let mut body = json!({
        "source": "userInterface",
        "description": "Deploys the published Synapse workspace (ARM templates from workspace_publish) to Test, then Production.",
        "name": DEFINITION,
        "path": "\\",
        "releaseNameFormat": "Release-$(rev:r)",
        "variables": {}, "variableGroups": [], "triggers": [], "tags": [], "properties": {},
        "artifacts": [
            git_artifact(facts, PUBLISH_ALIAS, "workspace_publish", true),
            git_artifact(facts, SOURCE_ALIAS, "main", false),
        ],
        "environments": [
            stage(TEST_STAGE, 1, 9, &test_tasks, true, &lead),
            stage(PROD_STAGE, 2, 9, &prod_tasks, false, &manager),
        ],
    });
    crate::release::normalise_definition(world, &project, &mut body, None)
        .map_err(|e| anyhow::anyhow!("demo definition rejected: {}", e.message))?;
    let created = date("2026-03-02T09:30:00Z");
    let def_id = Counters::next(&mut world.release.ids.definition);
    world.release.definitions.push(Definition {
        id: def_id,
        project_id: project.id,
        project_name: project.name.clone(),
        revision: 1,
        created_by: manager.clone(),
        created_on: created,
        modified_by: manager.clone(),
        modified_on: created,
        is_deleted: false,
        next_release_number: 1,
        revisions: vec![body],
    });

    for (i, commit) in facts.release_commits.iter().enumerate() {
        let cut = facts
            .release_dates
            .get(i)
            .map_or_else(Utc::now, |d| date(d));
        let publish = facts
            .publish_commits
            .get(i)
            .cloned()
            .unwrap_or_else(|| facts.publish_head.clone());
        let rid = add_release(
            world,
            def_id,
            &[publish, commit.clone()],
            &engineer,
            cut,
            "Hotfix-free scheduled release",
        )?;
        deploy_history(world, rid, &engineer, cut + Duration::minutes(4), true);
        deploy_to(
            world,
            rid,
            PROD_STAGE,
            &manager,
            cut + Duration::hours(20),
            true,
        );
    }

    // Workspaces: dev = main head (Git-connected), test/prod = Release-3 as deployed; one prod
    // trigger stopped on purpose, one prod pipeline changed by hand since.
    let r3 = facts.release_commits.last().cloned().unwrap_or_default();
    use super::demo_production::{add_workspace_defaults, change_by_hand, deploy_source};
    add_workspace_defaults(world);
    deploy_source(world, facts, &facts.main_head, DEV_WORKSPACE, &[])?;
    deploy_source(world, facts, &r3, TEST_WORKSPACE, &[])?;
    deploy_source(
        world,
        facts,
        &r3,
        PROD_WORKSPACE,
        &[super::demo_production::STOPPED_ON_PURPOSE],
    )?;
    change_by_hand(world);
    Ok(())
}

/// Creates a release of the definition with the given artifact versions (in definition order).
pub fn add_release(
    world: &mut World,
    def_id: i32,
    versions: &[String],
    who: &Person,
    at: DateTime<Utc>,
    description: &str,
) -> anyhow::Result<i32> {
    let def = world
        .release
        .definition(def_id)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("definition {def_id} missing"))?;
    let mut artifacts = Vec::new();
    for (i, da) in def.body()["artifacts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let inst = versions.get(i).map(|v| json!({"id": v, "name": v}));
        let a = crate::release::resolve_artifact(world, da, inst.as_ref())
            .map_err(|e| anyhow::anyhow!(e.message))?;
        artifacts.push(a);
    }
    Ok(add_release_with(
        world,
        &def,
        artifacts,
        who,
        at,
        description,
    ))
}

/// Creates a release with already resolved artifacts (the scale seed reuses them).
pub fn add_release_with(
    world: &mut World,
    def: &Definition,
    artifacts: Vec<crate::release::model::ReleaseArtifact>,
    who: &Person,
    at: DateTime<Utc>,
    description: &str,
) -> i32 {
    let rel = &mut world.release;
    let id = Counters::next(&mut rel.ids.release);
    let number = rel
        .definitions
        .iter()
        .find(|d| d.id == def.id)
        .map_or(id, |d| d.next_release_number);
    let environments = def.body()["environments"]
        .as_array()
        .map(|envs| {
            envs.iter()
                .map(|e| ReleaseEnvironment {
                    id: Counters::next(&mut rel.ids.release_environment),
                    definition_environment_id: e["id"]
                        .as_i64()
                        .and_then(|i| i32::try_from(i).ok())
                        .unwrap_or(0),
                    name: e["name"].as_str().unwrap_or("").to_owned(),
                    rank: e["rank"]
                        .as_i64()
                        .and_then(|i| i32::try_from(i).ok())
                        .unwrap_or(1),
                    status: "notStarted".into(),
                    created_on: at,
                    modified_on: at,
                    trigger_reason: if e["conditions"].as_array().is_some_and(|c| !c.is_empty()) {
                        "After release".into()
                    } else {
                        "Manual".into()
                    },
                    deploy_steps: Vec::new(),
                })
                .collect()
        })
        .unwrap_or_default();
    rel.releases.insert(
        id,
        Release {
            id,
            name: format!("Release-{number}"),
            definition_id: def.id,
            definition_revision: def.revision,
            project_id: def.project_id,
            status: "active".into(),
            reason: "manual".into(),
            description: description.to_owned(),
            created_on: at,
            modified_on: at,
            created_by: who.clone(),
            modified_by: who.clone(),
            artifacts,
            environments,
        },
    );
    if let Some(d) = rel.definitions.iter_mut().find(|d| d.id == def.id) {
        d.next_release_number = number + 1;
    }
    id
}

/// Deploys the first stage (Test) of a release as finished history.
fn deploy_history(world: &mut World, rid: i32, who: &Person, at: DateTime<Utc>, logs: bool) {
    let first = world
        .release
        .releases
        .get(&rid)
        .and_then(|r| r.environments.first())
        .map(|e| e.name.clone());
    if let Some(name) = first {
        deploy_to(world, rid, &name, who, at, logs);
    }
}

/// Deploys stage `stage` of a release as a finished, succeeded deployment started at `at`.
pub fn deploy_to(
    world: &mut World,
    rid: i32,
    stage: &str,
    who: &Person,
    at: DateTime<Utc>,
    logs: bool,
) {
    let Some(eid) = world
        .release
        .releases
        .get(&rid)
        .and_then(|r| {
            r.environments
                .iter()
                .find(|e| e.name.eq_ignore_ascii_case(stage))
        })
        .map(|e| e.id)
    else {
        return;
    };
    if crate::release::engine::queue_deployment(world, rid, eid, who, "manual", "").is_ok() {
        crate::release::engine::complete_as_succeeded(
            world,
            rid,
            eid,
            at,
            Duration::seconds(9),
            logs,
        );
    }
}
