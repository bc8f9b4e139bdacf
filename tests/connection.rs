//! A profile connected to the simulator the way the profile form does it: test the connection,
//! fill the fields from the pickers, save, and talk to Azure DevOps with the saved token — until
//! the token is revoked.

use ado_sim::{start, SimOptions};
use hotfix_core::connection;
use hotfix_core::profiles::{Profile, ProfileStore};
use hotfix_core::secrets::{SecretStore, Token};
use hotfix_core::ErrorCode;

#[tokio::test]
async fn a_profile_is_filled_from_the_pickers_and_used_with_its_saved_token() {
    let sim = start(SimOptions::default()).await.unwrap();
    let info = sim.info().clone();
    let home = tempfile::tempdir().unwrap();
    let store = ProfileStore::open(home.path()).unwrap();
    let secrets = SecretStore::in_memory();

    let report = connection::test_connection(&info.org_url, Token::new(&info.pat), true, None)
        .await
        .unwrap();
    assert!(report.ok, "{report:?}");

    let client = connection::client(&info.org_url, Token::new(&info.pat), true).unwrap();
    let project = connection::list_projects(&client)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == info.project)
        .unwrap();
    let repo = connection::list_repositories(&client, &project.name)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == info.repository)
        .unwrap();
    let definition = connection::list_release_definitions(&client, &project.name)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.name == "Synapse-Release")
        .unwrap();
    let production = definition
        .stages
        .iter()
        .find(|s| s.name == "Production")
        .unwrap()
        .clone();
    let endpoint = connection::list_service_connections(&client, &project.name)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.supported)
        .unwrap();
    let queue = connection::list_agent_queues(&client, &project.name)
        .await
        .unwrap()
        .remove(0);
    let publish = connection::read_publish_branch(&client, &project.name, &repo.id, "main")
        .await
        .unwrap();

    let mut draft = Profile::new_with_defaults(String::new());
    draft.name = "Demo".into();
    draft.simulated = true;
    draft.organization_url = format!("{}/", info.org_url);
    draft.project = Some(project.clone().into());
    draft.repository = Some(repo.into());
    draft.release_definition = Some(definition.into());
    draft.production_stage = Some(production);
    draft.service_connection = Some(endpoint.into());
    draft.agent_queue = Some(queue.into());
    draft.publish_branch = Some(publish.branch);
    draft.dev_workspace = "contoso-synapse-dev".into();
    draft.prod_workspace = "contoso-synapse-prod".into();
    let saved = store.create(draft).unwrap();
    assert_eq!(saved.organization_url, info.org_url);
    assert!(store.check(&saved).is_empty());

    // A dedicated token for this profile, so it can be revoked without touching the seeded one.
    let admin = reqwest::Client::new();
    let scopes = [
        "vso.project",
        "vso.code_write",
        "vso.release_execute",
        "vso.build",
        "vso.serviceendpoint",
        "vso.agentpools",
        "vso.extension",
    ];
    let resp = admin
        .post(format!("{}/tokens", info.admin_url))
        .json(&serde_json::json!({"token": "profile-token", "scopes": scopes}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    secrets
        .store(&saved.id, &Token::new("profile-token"))
        .unwrap();
    let client = connection::client_for(&saved, &secrets).unwrap();
    let repos = connection::list_repositories(&client, &project.name)
        .await
        .unwrap();
    assert!(repos.iter().any(|r| r.name == info.repository));

    let resp = admin
        .delete(format!("{}/tokens/profile-token", info.admin_url))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let err = connection::list_repositories(&client, &project.name)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::TokenRejected, "{err:?}");
    assert!(!format!("{err:?}").contains("profile-token"));
}
