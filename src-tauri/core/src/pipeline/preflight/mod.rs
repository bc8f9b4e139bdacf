//! Pre-flight checks of wizard step 4, run before anything is created: the Synapse extension and
//! its two tasks, the production service connection (authentication both tasks accept, effective
//! resource group), the agent queue, the token's release scopes, and the run's own facts (commits
//! on the hotfix branch, the plan acknowledged).
//!
//! Every remote read is one request, all of them concurrent: the extension list, the task
//! catalogue, the service connection, the agent queue and one scope probe (two when the token
//! lacks `vso.release_manage`). A read that fails makes its own check "could not check"; the
//! others still answer.

pub mod auth;
pub mod connection;
mod extension;
pub mod model;
pub mod scopes;

pub use model::{CheckId, CheckOutcome, PreflightCheck, PreflightReport, RunFacts};

use serde::Deserialize;

use crate::ado::{encode_segment as seg, AdoClient, AdoError, Area};
use crate::error::AppError;
use crate::pipeline::catalog::{select_synapse_tasks, CatalogError, SynapseTasks};
use crate::profiles::{NumberedRef, Profile};

fn reason(e: &AdoError) -> String {
    AppError::from(e.clone()).message
}

/// Runs every check for `profile` and the run's `facts`. Never fails as a whole: a read that
/// errors is reported on its own check.
pub async fn run_preflight(
    client: &AdoClient,
    profile: &Profile,
    facts: &RunFacts,
) -> PreflightReport {
    let org = client.org_url_str().to_owned();
    let project = profile.project.as_ref().map(|p| p.name.clone());

    let extensions = extension::read_extension(client);
    let catalog = crate::ado::tasks::list_task_definitions(client);
    let endpoint = async {
        match (&project, &profile.service_connection) {
            (Some(p), Some(sc)) => Some(connection::read_endpoint(client, p, &sc.id).await),
            _ => None,
        }
    };
    let queue = async {
        match (&project, &profile.agent_queue) {
            (Some(p), Some(q)) => Some(read_queue(client, p, q.id).await),
            _ => None,
        }
    };
    let scopes = async {
        match &project {
            Some(p) => Some(scopes::scope_checks(client, p).await),
            None => None,
        }
    };
    let (extensions, catalog, endpoint, queue, scopes) =
        futures::join!(extensions, catalog, endpoint, queue, scopes);

    let mut checks = Vec::with_capacity(8);
    let (ext_check, extension_version) = extension::judge_extension(extensions, &org);
    checks.push(ext_check);

    let (tasks_check, tasks) = judge_tasks(catalog.map_err(CatalogError::from), &org);
    checks.push(tasks_check);

    let no_project = |id: CheckId| {
        PreflightCheck::fail(
            id,
            "The profile names no Azure DevOps project.",
            "Pick the project in the profile.",
            None,
        )
    };

    let (connection_check, effective_resource_group) =
        match (&project, &profile.service_connection, endpoint) {
            (None, _, _) => (no_project(CheckId::ServiceConnection), None),
            (Some(p), None, _) => (
                PreflightCheck::fail(
                    CheckId::ServiceConnection,
                    "The profile names no production service connection.",
                    "Pick the production Azure Resource Manager service connection in the profile.",
                    Some(connection::connection_page(&org, p, None)),
                ),
                None,
            ),
            (Some(p), Some(sc), Some(Ok(found))) => connection::judge_connection(
                sc,
                found.as_ref(),
                &profile.prod_resource_group,
                &org,
                p,
            ),
            (Some(_), Some(_), Some(Err(e))) => (
                PreflightCheck::could_not_check(
                    CheckId::ServiceConnection,
                    format!("The service connection could not be read: {}", reason(&e)),
                ),
                None,
            ),
            (Some(_), Some(_), None) => (no_project(CheckId::ServiceConnection), None),
        };
    checks.push(connection_check);

    checks.push(match (&project, &profile.agent_queue, queue) {
        (None, _, _) => no_project(CheckId::AgentQueue),
        (Some(p), None, _) => PreflightCheck::fail(
            CheckId::AgentQueue,
            "The profile names no agent queue.",
            "Pick the agent queue the hotfix pipeline runs on in the profile.",
            Some(queues_page(&org, p)),
        ),
        (Some(p), Some(wanted), Some(result)) => judge_queue(wanted, result, &org, p),
        (Some(p), Some(_), None) => PreflightCheck::fail(
            CheckId::AgentQueue,
            "The agent queue was not read.",
            "Run the checks again.",
            Some(queues_page(&org, p)),
        ),
    });

    match scopes {
        Some((execute, manage)) => checks.extend([execute, manage]),
        None => {
            for id in [CheckId::ReleaseScope, CheckId::ApprovalScope] {
                checks.push(no_project(id));
            }
        }
    }

    checks.extend(run_checks(facts));
    PreflightReport {
        ok: checks.iter().all(|c| c.outcome == CheckOutcome::Pass),
        checks,
        effective_resource_group,
        extension_version,
        tasks,
    }
}

fn judge_tasks(
    catalog: Result<Vec<crate::ado::tasks::TaskDefinitionDto>, CatalogError>,
    org: &str,
) -> (PreflightCheck, Option<SynapseTasks>) {
    let id = CheckId::Tasks;
    let picked = catalog.and_then(|all| select_synapse_tasks(&all));
    match picked {
        Ok(t) => (
            PreflightCheck::pass(
                id,
                format!(
                    "\"{}\" {} and \"{}\" {} are in the task catalogue.",
                    t.deploy.name, t.deploy.version, t.toggle.name, t.toggle.version
                ),
            ),
            Some(t),
        ),
        Err(CatalogError::Read(e)) => (
            PreflightCheck::could_not_check(
                id,
                format!("The task catalogue could not be read: {}", reason(&e)),
            ),
            None,
        ),
        Err(CatalogError::Missing { missing }) => (
            PreflightCheck::fail(
                id,
                format!(
                    "The organization's task catalogue has no task named \"{}\".",
                    missing.join("\" or \"")
                ),
                "Install (or enable) the Synapse Workspace Deployment extension in the \
                 organization; its tasks then appear in the catalogue.",
                Some(extension::extensions_page(org)),
            ),
            None,
        ),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueueDto {
    id: i32,
    #[serde(default)]
    name: String,
    #[serde(default)]
    pool: Option<PoolDto>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PoolDto {
    #[serde(default)]
    name: String,
    #[serde(default)]
    is_hosted: Option<bool>,
}

/// `GET {project}/_apis/distributedtask/queues/{id}`; `Ok(None)` for an empty answer or a 404.
async fn read_queue(
    client: &AdoClient,
    project: &str,
    id: i32,
) -> Result<Option<QueueDto>, AdoError> {
    let path = format!("{}/_apis/distributedtask/queues/{id}", seg(project));
    match client
        .get::<Option<QueueDto>>(Area::Core, &path, &[("actionFilter", "use".to_owned())])
        .await
    {
        Ok(q) => Ok(q),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

fn queues_page(org: &str, project: &str) -> String {
    format!(
        "{}/{}/_settings/agentqueues",
        org.trim_end_matches('/'),
        seg(project)
    )
}

fn judge_queue(
    wanted: &NumberedRef,
    result: Result<Option<QueueDto>, AdoError>,
    org: &str,
    project: &str,
) -> PreflightCheck {
    let id = CheckId::AgentQueue;
    match result {
        Ok(Some(q)) => {
            let pool = q.pool.as_ref();
            let hosted = match pool.and_then(|p| p.is_hosted) {
                Some(true) => "Microsoft-hosted",
                Some(false) => "self-hosted",
                None => "agent",
            };
            let renamed = if !wanted.name.is_empty() && !q.name.eq_ignore_ascii_case(&wanted.name) {
                format!(" (the profile calls it \"{}\")", wanted.name)
            } else {
                String::new()
            };
            let pool_name = pool.map(|p| p.name.as_str()).filter(|n| !n.is_empty());
            PreflightCheck::pass(
                id,
                format!(
                    "Queue \"{}\" (id {}){renamed} runs on the {hosted} pool{}.",
                    q.name,
                    q.id,
                    pool_name.map(|n| format!(" \"{n}\"")).unwrap_or_default()
                ),
            )
        }
        Ok(None) => PreflightCheck::fail(
            id,
            format!(
                "The agent queue \"{}\" (id {}) was not found in project {project}, or your \
                 account may not use it.",
                wanted.name, wanted.id
            ),
            "Pick an agent queue of the project in the profile, or ask a project administrator to \
             add the pool to the project and grant you \"Use\" on it.",
            Some(queues_page(org, project)),
        ),
        Err(e) => PreflightCheck::could_not_check(
            id,
            format!("The agent queue could not be read: {}", reason(&e)),
        ),
    }
}

/// The checks on the run itself: commits to deploy, and the plan acknowledged.
pub fn run_checks(facts: &RunFacts) -> [PreflightCheck; 2] {
    let branch = if facts.hotfix_branch.is_empty() {
        "the hotfix branch".to_owned()
    } else {
        format!("branch {}", facts.hotfix_branch)
    };
    let commits = if facts.fix_commit_count > 0 {
        PreflightCheck::pass(
            CheckId::FixCommits,
            format!(
                "{} commit{} on {branch} beyond the release commit.",
                facts.fix_commit_count,
                if facts.fix_commit_count == 1 { "" } else { "s" }
            ),
        )
    } else {
        PreflightCheck::fail(
            CheckId::FixCommits,
            format!(
                "{branch} has no commits beyond the release commit: there is nothing to deploy."
            ),
            format!("Commit the fix to {branch} in Synapse Studio, then check again in step 3."),
            None,
        )
    };
    let plan = match (facts.plan_needs_ack, facts.plan_acknowledged) {
        (false, _) => PreflightCheck::pass(
            CheckId::PlanAcknowledged,
            "Nothing in the deployment plan needs an acknowledgement.",
        ),
        (true, true) => PreflightCheck::pass(
            CheckId::PlanAcknowledged,
            "The warnings of the deployment plan were acknowledged.",
        ),
        (true, false) => PreflightCheck::fail(
            CheckId::PlanAcknowledged,
            "The deployment plan has warnings that were not acknowledged.",
            "Go back to step 3, read the plan's warnings and acknowledge them.",
            None,
        ),
    };
    [commits, plan]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_facts_become_two_checks() {
        let ok = RunFacts {
            hotfix_branch: "Release3_Hotfixes".into(),
            fix_commit_count: 2,
            plan_needs_ack: true,
            plan_acknowledged: true,
        };
        let [commits, plan] = run_checks(&ok);
        assert_eq!(commits.outcome, CheckOutcome::Pass);
        assert!(
            commits
                .detail
                .contains("2 commits on branch Release3_Hotfixes"),
            "{}",
            commits.detail
        );
        assert_eq!(plan.outcome, CheckOutcome::Pass);

        let [commits, plan] = run_checks(&RunFacts {
            plan_needs_ack: true,
            ..RunFacts::default()
        });
        assert_eq!(commits.outcome, CheckOutcome::Fail);
        assert!(commits.fix.unwrap().contains("Synapse Studio"));
        assert_eq!(plan.outcome, CheckOutcome::Fail);
        assert!(plan.fix.unwrap().contains("step 3"));

        let [_, plan] = run_checks(&RunFacts::default());
        assert_eq!(plan.outcome, CheckOutcome::Pass, "nothing to acknowledge");
    }

    #[test]
    fn a_missing_queue_points_at_the_queues_page() {
        let wanted = NumberedRef {
            id: 77,
            name: "Gone".into(),
        };
        let check = judge_queue(
            &wanted,
            Ok(None),
            "https://dev.azure.com/contoso",
            "Data Platform",
        );
        assert_eq!(check.outcome, CheckOutcome::Fail);
        assert_eq!(
            check.link.as_deref(),
            Some("https://dev.azure.com/contoso/Data%20Platform/_settings/agentqueues")
        );
        assert!(check.detail.contains("\"Gone\" (id 77)"));
    }
}
