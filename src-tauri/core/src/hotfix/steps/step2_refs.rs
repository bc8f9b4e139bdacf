//! Step 2, the answers of a refs update — what each `updateStatus` that is not a success means
//! for the user, and the update results a 4xx may carry instead of a VSS error body.

use crate::ado::git::RefUpdateResult;
use crate::ado::{AdoError, AdoErrorKind, VssList};
use crate::error::ErrorCode;

/// The message for each `updateStatus` a refs update can answer that is not a success.
pub fn update_status_message(name: &str, sha: &str, r: &RefUpdateResult) -> (ErrorCode, String) {
    let custom = r
        .custom_message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .map(|m| format!(" Azure DevOps said: \"{m}\""))
        .unwrap_or_default();
    let status = r.update_status.to_ascii_lowercase();
    let (code, text) = match status.as_str() {
        "invalidrefname" => (ErrorCode::InvalidInput, format!("Azure DevOps refused {name} as a branch name (invalidRefName). Pick a simpler name (letters, digits, - _ . /).")),
        "refnameconflict" => (ErrorCode::Conflict, format!("{name} clashes with an existing branch (refNameConflict): the same name in another letter case, or a branch that is a folder of it. Pick another name.")),
        "unresolvabletocommit" => (ErrorCode::Precondition, format!("Azure DevOps cannot find commit {sha} in the repository (unresolvableToCommit), so it cannot create {name} from it. Re-run step 1 to resolve the release commit again.")),
        "createbranchpermissionrequired" => (ErrorCode::NoPermission, format!("You may not create branches in this repository (createBranchPermissionRequired). Ask a project administrator for the \"Create branch\" permission, or ask someone who has it to create {name} at {sha}.")),
        "writepermissionrequired" => (ErrorCode::NoPermission, "You may not write to this repository (writePermissionRequired). Ask a project administrator for the \"Contribute\" permission.".to_owned()),
        "managenotepermissionrequired" => (ErrorCode::NoPermission, "Azure DevOps asked for the \"Manage notes\" permission (manageNotePermissionRequired). Ask a project administrator for it.".to_owned()),
        "createtagpermissionrequired" => (ErrorCode::NoPermission, "Azure DevOps asked for the \"Create tag\" permission (createTagPermissionRequired). Ask a project administrator for it.".to_owned()),
        "rejectedbyplugin" => (ErrorCode::Conflict, format!("A server-side check rejected creating {name} (rejectedByPlugin).")),
        "rejectedbypolicy" => (ErrorCode::Conflict, format!("A branch policy rejected creating {name} (rejectedByPolicy). Check the repository's branch policies or pick a name they allow.")),
        "locked" => (ErrorCode::Conflict, format!("{name} is locked (locked). Unlock it in Azure Repos or pick another name.")),
        "forcepushrequired" => (ErrorCode::Conflict, format!("Creating {name} would need a force push (forcePushRequired); the app never overwrites a branch. Pick another name.")),
        "staleoldobjectid" => (ErrorCode::Conflict, format!("{name} was created or moved by someone else at the same moment (staleOldObjectId). Check the name again.")),
        "unprocessed" => (ErrorCode::ServerError, format!("Azure DevOps did not process the creation of {name} (unprocessed). Nothing was changed; try again.")),
        _ => (ErrorCode::ServerError, format!("Azure DevOps did not create {name} (updateStatus \"{}\").", r.update_status)),
    };
    (code, format!("{text}{custom}"))
}

/// A refs POST rejected with a 4xx may carry the `{value:[…]}` update results instead of a VSS
/// error body; those are judged like a `success:false` inside a 200.
pub(super) fn results_in_error_body(e: &AdoError) -> Option<RefUpdateResult> {
    let AdoErrorKind::Http {
        status: 400..=499,
        body: Some(body),
        ..
    } = e.kind()
    else {
        return None;
    };
    let list: VssList<RefUpdateResult> = serde_json::from_str(body).ok()?;
    list.value.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_update_status_has_its_own_message() {
        let statuses = [
            "invalidRefName",
            "refNameConflict",
            "unresolvableToCommit",
            "createBranchPermissionRequired",
            "writePermissionRequired",
            "manageNotePermissionRequired",
            "createTagPermissionRequired",
            "rejectedByPlugin",
            "rejectedByPolicy",
            "locked",
            "forcePushRequired",
            "staleOldObjectId",
            "unprocessed",
        ];
        let mut seen = std::collections::HashSet::new();
        for s in statuses {
            let res = RefUpdateResult {
                name: "refs/heads/x".into(),
                new_object_id: None,
                success: false,
                update_status: s.into(),
                custom_message: None,
                rejected_by: None,
                is_locked: false,
            };
            let (_, msg) = update_status_message("x", &"a".repeat(40), &res);
            assert!(msg.contains(&format!("({s})")), "{s}: {msg}");
            assert!(seen.insert(msg), "{s} shares its message");
        }
        let res = RefUpdateResult {
            name: "refs/heads/x".into(),
            new_object_id: None,
            success: false,
            update_status: "rejectedByPlugin".into(),
            custom_message: Some("Branch names must start with hotfix/".into()),
            rejected_by: None,
            is_locked: false,
        };
        assert!(update_status_message("x", "a", &res)
            .1
            .contains("must start with hotfix/"));
    }
}
