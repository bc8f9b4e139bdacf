//! Approvals of a deployment attempt: the automated records a stage without approvers gets, and
//! what an approve / reject decision does to the held attempt.

use chrono::{DateTime, Utc};

use crate::release::links::Person;
use crate::release::model::{Approval, Counters};
use crate::state::World;

/// Stores the automated, approved `kind` approval (`preDeploy` / `postDeploy`) of a stage's
/// latest attempt, as the service does for a stage without approvers. No-op when the attempt
/// already has one of that kind.
pub(super) fn automated_approval(
    world: &mut World,
    rid: i32,
    eid: i32,
    kind: &str,
    who: &Person,
    at: DateTime<Utc>,
) {
    let rel = &mut world.release;
    let Some(r) = rel.releases.get(&rid) else {
        return;
    };
    let Some(attempt) = r
        .environments
        .iter()
        .find(|e| e.id == eid)
        .and_then(|e| e.deploy_steps.last())
        .map(|a| a.attempt)
    else {
        return;
    };
    let definition_id = r.definition_id;
    if rel
        .approvals
        .iter()
        .any(|a| a.release_environment_id == eid && a.attempt == attempt && a.approval_type == kind)
    {
        return;
    }
    let id = Counters::next(&mut rel.ids.approval);
    rel.approvals.push(Approval {
        id,
        revision: 1,
        release_id: rid,
        release_environment_id: eid,
        definition_id,
        approval_type: kind.to_owned(),
        status: "approved".into(),
        approver: who.clone(),
        approved_by: None,
        comments: String::new(),
        created_on: at,
        modified_on: at,
        rank: 1,
        attempt,
        is_automated: true,
    });
}

/// After an approval changed: `true` when the stage may now run (every approval approved).
pub fn approval_decided(world: &mut World, rid: i32, eid: i32) -> bool {
    let now = Utc::now();
    let rel = &mut world.release;
    let Some(attempt_no) = rel
        .releases
        .get(&rid)
        .and_then(|r| r.environments.iter().find(|e| e.id == eid))
        .and_then(|e| e.deploy_steps.last())
        .map(|a| a.attempt)
    else {
        return false;
    };
    let mine: Vec<&Approval> = rel
        .approvals
        .iter()
        .filter(|a| {
            a.release_environment_id == eid
                && a.attempt == attempt_no
                && a.approval_type == "preDeploy"
        })
        .collect();
    let rejected = mine.iter().any(|a| a.status == "rejected");
    let all_approved = !mine.is_empty() && mine.iter().all(|a| a.status == "approved");
    if rejected {
        for a in rel.approvals.iter_mut().filter(|a| {
            a.release_environment_id == eid && a.attempt == attempt_no && a.status == "pending"
        }) {
            a.status = "skipped".into();
            a.modified_on = now;
        }
    }
    let Some(e) = rel
        .releases
        .get_mut(&rid)
        .and_then(|r| r.environments.iter_mut().find(|e| e.id == eid))
    else {
        return false;
    };
    let Some(a) = e.deploy_steps.last_mut() else {
        return false;
    };
    if a.operation_status != "Pending" {
        return false;
    }
    if rejected {
        a.operation_status = "Rejected".into();
        a.status = "notDeployed".into();
        a.completed_on = Some(now);
        a.last_modified_on = now;
        for p in &mut a.phases {
            p.status = "skipped".into();
        }
        e.status = "rejected".into();
        e.modified_on = now;
        return false;
    }
    if all_approved {
        a.operation_status = "Approved".into();
        a.last_modified_on = now;
        return true;
    }
    false
}
