"""Simulator fidelity: Microsoft's own `azure-devops` Python client, unchanged, against ado-sim.

Usage: test_client.py <org_url> <pat>

Every call goes through the library's normal path (resource-area discovery, OPTIONS location
lookup, msrest models), so a route, a location id, an api-version or a field name that differs
from the real service shows up here as an exception or a failed assertion. It calls every
operation the app uses and checks the values of the demo world, then runs a hotfix release end
to end (definition, release, deploy, poll, task log).
"""

import io
import re
import sys
import time
import zipfile

from azure.devops.connection import Connection
from msrest.authentication import BasicAuthentication
from azure.devops.v7_1.release.models import (
    ArtifactMetadata,
    BuildVersion,
    ReleaseEnvironmentUpdateMetadata,
    ReleaseStartMetadata,
)

PROJECT = "DataPlatform"
REPO = "synapse-analytics"
SHA = re.compile(r"^[0-9a-f]{40}$")
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        raise AssertionError(what)


def main(org_url, pat):
    conn = Connection(base_url=org_url, creds=BasicAuthentication("", pat))
    clients = conn.clients_v7_1
    core = clients.get_core_client()
    git = clients.get_git_client()
    rm = clients.get_release_client()
    se = clients.get_service_endpoint_client()
    ta = clients.get_task_agent_client()
    em = clients.get_extension_management_client()
    build = clients.get_build_client()

    # Step 0: discovery.
    projects = core.get_projects()
    check(PROJECT in [p.name for p in projects], f"project {PROJECT} listed: {[p.name for p in projects]}")
    repos = git.get_repositories(PROJECT)
    repo = next((r for r in repos if r.name == REPO), None)
    check(repo is not None, f"repository {REPO} listed")
    check(repo.default_branch == "refs/heads/main", f"default branch main: {repo.default_branch}")
    check(repo.project.name == PROJECT, "repository project")
    refs = git.get_refs(repo.id, PROJECT, filter="heads/")
    heads = {r.name: r.object_id for r in refs}
    for b in ("refs/heads/main", "refs/heads/workspace_publish", "refs/heads/demo/broken-artifact"):
        check(b in heads, f"{b} in refs: {sorted(heads)}")
    check(all(SHA.match(s) for s in heads.values()), "ref object ids are full SHAs")
    main_sha = heads["refs/heads/main"]
    commit = git.get_commit(main_sha, repo.id, PROJECT)
    check(commit.commit_id == main_sha, "commit by id")

    endpoints = se.get_service_endpoints(PROJECT, type="azurerm")
    prod = next((e for e in endpoints if e.name == "contoso-prod-arm"), None)
    check(prod is not None, f"contoso-prod-arm listed: {[e.name for e in endpoints]}")
    check(prod.authorization.scheme == "ServicePrincipal", f"scheme: {prod.authorization.scheme}")
    check(prod.is_ready, "endpoint ready")
    check(any(e.authorization.scheme == "WorkloadIdentityFederation" for e in endpoints), "a WIF endpoint exists")

    # Build (Read): the list the app's connection test probes; the demo world has no CI build yet.
    builds = build.get_builds(PROJECT, branch_name="refs/heads/main", status_filter="completed",
                              result_filter="succeeded", query_order="finishTimeDescending", top=1)
    check(builds == [], f"no builds in the demo world: {builds}")

    queues = ta.get_agent_queues(PROJECT, queue_name="Azure Pipelines")
    check(len(queues) == 1 and queues[0].name == "Azure Pipelines", f"queue: {[q.name for q in queues]}")
    check(queues[0].pool.is_hosted, "hosted pool")
    queue_id = queues[0].id

    # Task definitions: not wrapped by the Python client, so call the location id directly
    # (TaskAgentApiBase.getTaskDefinitions, resource 60aac929-...).
    resp = ta._send(http_method="GET", location_id="60aac929-f0cd-4bc8-9ce4-6b30e8f1b1bd", version="7.1-preview.1")
    tasks = ta._unwrap_collection(resp)
    by_name = {t["name"]: t for t in tasks}
    deploy_task = by_name.get("Synapse workspace deployment")
    toggle_task = by_name.get("toggle-triggers-dev")
    check(deploy_task is not None and toggle_task is not None, f"Synapse tasks listed: {sorted(by_name)}")
    check(deploy_task["version"]["major"] == 2, "deploy task major version 2")
    check(deploy_task["contributionIdentifier"].startswith("AzureSynapseWorkspace.synapsecicd-deploy"), "contribution")
    arm = next(i for i in deploy_task["inputs"] if i["name"] == "AzureResourceManagerConnection")
    check("azureSubscription" in arm["aliases"], "azureSubscription alias")
    conn_input = next(i for i in toggle_task["inputs"] if "azureSubscription" in i.get("aliases", []))["name"]

    exts = em.get_installed_extensions()
    check(any(x.publisher_id == "AzureSynapseWorkspace" and x.extension_id == "synapsecicd-deploy" for x in exts),
          f"Synapse extension installed: {[(x.publisher_id, x.extension_id) for x in exts]}")

    # Step 1: the release deployed to Production.
    defs = rm.get_release_definitions(PROJECT, search_text="Synapse-Release", is_exact_name_match=True,
                                      expand="environments,artifacts")
    check(len(defs) == 1 and defs[0].name == "Synapse-Release", f"definition: {[d.name for d in defs]}")
    d = defs[0]
    check([e.name for e in d.environments] == ["Test", "Production"], "stages")
    check(sorted(a.alias for a in d.artifacts) == ["_synapse-analytics", "_synapse-analytics-publish"], "artifacts")
    prod_env = next(e for e in d.environments if e.name == "Production")
    deps = rm.get_deployments(PROJECT, definition_id=d.id, definition_environment_id=prod_env.id,
                              deployment_status="succeeded", latest_attempts_only=True, query_order="descending", top=10)
    check([x.release.name for x in deps] == ["Release-3", "Release-2", "Release-1"],
          f"deployment order: {[x.release.name for x in deps]}")
    check(all(x.deployment_status == "succeeded" for x in deps), "deployment status")
    releases = rm.get_releases(PROJECT, definition_id=d.id, expand="environments,artifacts")
    check([r.name for r in releases][:3] == ["Release-3", "Release-2", "Release-1"], "releases newest first")
    r3 = rm.get_release(PROJECT, deps[0].release.id)
    src = next(a for a in r3.artifacts if a.alias == "_synapse-analytics")
    version = src.definition_reference["version"].id
    check(SHA.match(version), f"source artifact version is a full SHA: {version}")
    check(git.get_commit(version, repo.id, PROJECT).commit_id == version, "the release commit exists in the repo")
    check(next(e for e in r3.environments if e.name == "Production").status == "succeeded", "Release-3 on Production")

    # Steps 4-6: a hotfix definition, a release of main, deploy, poll, read the logs.
    def task(task_def, name, inputs):
        return {"taskId": task_def["id"], "version": "2.*", "name": name, "refName": "", "definitionType": "task",
                "enabled": True, "alwaysRun": False, "continueOnError": False, "timeoutInMinutes": 0,
                "condition": "succeeded()", "environment": {}, "overrideInputs": {}, "inputs": inputs}
    toggle = {conn_input: prod.id, "ResourceGroupName": "rg-contoso-synapse-prod", "WorkspaceName": "contoso-synapse-prod"}
    body = {
        "name": "Synapse-Hotfix-Python", "path": "\\Hotfixes", "releaseNameFormat": "Hotfix-$(rev:r)",
        "variables": {}, "variableGroups": [], "triggers": [], "tags": [],
        "artifacts": [{"alias": "_synapse-analytics", "type": "Git", "isPrimary": True,
                       "sourceId": f"{repo.project.id}:{repo.id}",
                       "definitionReference": {"project": {"id": repo.project.id, "name": PROJECT},
                                               "definition": {"id": repo.id, "name": REPO},
                                               "branches": {"id": "main", "name": "main"},
                                               "defaultVersionType": {"id": "latestFromBranchType", "name": "Latest from the default branch"}}}],
        "environments": [{
            "name": "Production_Hotfix", "rank": 1, "conditions": [], "variables": {}, "variableGroups": [],
            "preDeployApprovals": {"approvals": [{"rank": 1, "isAutomated": True, "isNotificationOn": False}]},
            "postDeployApprovals": {"approvals": [{"rank": 1, "isAutomated": True, "isNotificationOn": False}]},
            "retentionPolicy": {"daysToKeep": 30, "releasesToKeep": 3, "retainBuild": True},
            "deployPhases": [{"name": "Agent job", "rank": 1, "phaseType": "agentBasedDeployment",
                              "deploymentInput": {"queueId": queue_id, "agentSpecification": {"identifier": "ubuntu-22.04"}},
                              "workflowTasks": [
                                  task(toggle_task, "Stop Synapse triggers", dict(toggle, ToggleOn="false")),
                                  task(deploy_task, "Synapse deployment", {
                                      "operation": "validateDeploy", "ArtifactsFolder": "$(System.DefaultWorkingDirectory)/_synapse-analytics",
                                      "AzureResourceManagerConnection": prod.id, "ResourceGroupName": "rg-contoso-synapse-prod",
                                      "TargetWorkspaceName": "contoso-synapse-prod", "DeleteArtifactsNotInTemplate": "false",
                                      "DeployManagedPrivateEndpoints": "false", "OverrideArmParameters": "", "Environment": "prod"}),
                                  task(toggle_task, "Start Synapse triggers", dict(toggle, ToggleOn="true")),
                              ]}],
        }],
    }
    created = rm.create_release_definition(body, PROJECT)
    check(created.id > 0 and created.revision == 1, "definition created at revision 1")
    created.description = "updated by the Python client"
    updated = rm.update_release_definition(created, PROJECT)
    check(updated.revision == 2, f"revision after update: {updated.revision}")

    meta = ReleaseStartMetadata(definition_id=created.id, description="hotfix", is_draft=False, reason="manual",
                                manual_environments=["Production_Hotfix"],
                                artifacts=[ArtifactMetadata(alias="_synapse-analytics",
                                                            instance_reference=BuildVersion(id=main_sha, name=main_sha, source_branch="refs/heads/main"))])
    release = rm.create_release(meta, PROJECT)
    check(release.name == "Hotfix-1", f"release name: {release.name}")
    env = release.environments[0]
    queued = rm.update_release_environment(ReleaseEnvironmentUpdateMetadata(status="inProgress", comment="Hotfix deploy"),
                                           PROJECT, release.id, env.id)
    check(queued.status in ("queued", "inProgress"), f"queued: {queued.status}")
    deadline = time.time() + 60
    while True:
        current = rm.get_release(PROJECT, release.id, expand="tasks")
        status = current.environments[0].status
        if status in ("succeeded", "rejected", "canceled", "partiallySucceeded"):
            break
        check(time.time() < deadline, "deployment finishes within a minute")
        time.sleep(0.1)
    check(status == "succeeded", f"hotfix stage status: {status}")
    step = current.environments[0].deploy_steps[-1]
    phase = step.release_deploy_phases[0]
    tasks_run = phase.deployment_jobs[0].tasks
    check([t.status for t in tasks_run if t.name == "Synapse deployment"] == ["succeeded"], "deploy task succeeded")
    deploy = next(t for t in tasks_run if t.name == "Synapse deployment")
    log = b"".join(rm.get_task_log(PROJECT, release.id, env.id, phase.id, deploy.id)).decode()
    check("Validation succeeded" in log, f"task log: {log[:400]}")
    # All logs of the release as one zip (Accept: application/zip;api-version=7.1-preview.2).
    archive = zipfile.ZipFile(io.BytesIO(b"".join(rm.get_logs(PROJECT, release.id))))
    deploy_entries = [n for n in archive.namelist() if n.endswith("_Synapse deployment.log")]
    check(len(deploy_entries) == 1, f"the zip holds the deploy task log: {archive.namelist()}")
    check(archive.read(deploy_entries[0]).decode() == log, "zip entry = task log")
    approvals = rm.get_approvals(PROJECT, release_ids_filter=[release.id])
    check(len(approvals) == 0, "no pending approvals")
    latest = rm.get_deployments(PROJECT, definition_id=created.id, deployment_status="succeeded",
                                latest_attempts_only=True, query_order="descending", top=1)
    check(latest[0].release.id == release.id, "the hotfix is the latest succeeded deployment")
    print(f"{checks} passed, 0 failed")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: test_client.py <org_url> <pat>")
    main(sys.argv[1], sys.argv[2])
