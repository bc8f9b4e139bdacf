//! Platform behaviour of the simulator: auth like the real service, VSS error bodies for unknown
//! routes / wrong methods / malformed JSON / missing api-version, location discovery, fault
//! injection, the journal, persistence and reset, a poisoned lock, and the binary's single line.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use ado_sim::{Seed, SimHandle, SimInfo, SimOptions};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn sim(seed: Seed) -> SimHandle {
    ado_sim::start(SimOptions {
        seed,
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get(info: &SimInfo, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}/{path}", info.org_url))
        .basic_auth("", Some(&info.pat))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn anonymous_calls_get_the_sign_in_page_and_bad_tokens_get_401() {
    let s = sim(Seed::Empty).await;
    let info = s.info().clone();
    let url = format!("{}/_apis/projects?api-version=7.1", info.org_url);

    let anon = client().get(&url).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::NON_AUTHORITATIVE_INFORMATION);
    assert!(anon.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(anon.text().await.unwrap().contains("Sign in"));

    let suppressed = client()
        .get(&url)
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .send()
        .await
        .unwrap();
    assert_eq!(suppressed.status(), StatusCode::UNAUTHORIZED);

    let malformed = client()
        .get(&url)
        .header("Authorization", "Basic not*base64")
        .send()
        .await
        .unwrap();
    assert_eq!(
        malformed.status(),
        StatusCode::NON_AUTHORITATIVE_INFORMATION
    );

    let unknown = client()
        .get(&url)
        .basic_auth("", Some("not-a-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let realm = unknown.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(realm.starts_with("Basic realm="), "{realm}");

    let ok = client()
        .get(&url)
        .basic_auth("anyone", Some(&info.pat))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["count"], 1);
    assert_eq!(body["value"][0]["name"], "DataPlatform");
}

#[tokio::test]
async fn scopes_are_enforced_and_tokens_can_be_revoked() {
    let s = sim(Seed::Empty).await;
    let info = s.info().clone();
    let admin = client();
    let r = admin
        .post(format!("{}/tokens", info.admin_url))
        .json(&json!({"token": "CodeOnlyToken", "scopes": ["vso.code_write"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let c = client();
    let repos = c
        .get(format!(
            "{}/DataPlatform/_apis/git/repositories?api-version=7.1",
            info.org_url
        ))
        .basic_auth("", Some("CodeOnlyToken"))
        .send()
        .await
        .unwrap();
    assert_eq!(repos.status(), StatusCode::OK, "code_write implies code");
    let projects = c
        .get(format!("{}/_apis/projects?api-version=7.1", info.org_url))
        .basic_auth("", Some("CodeOnlyToken"))
        .send()
        .await
        .unwrap();
    assert_eq!(projects.status(), StatusCode::UNAUTHORIZED);
    let body: Value = projects.json().await.unwrap();
    let msg = body["message"].as_str().unwrap();
    assert!(
        msg.contains("scope") && msg.contains("vso.project"),
        "{msg}"
    );

    let del = admin
        .delete(format!("{}/tokens/CodeOnlyToken", info.admin_url))
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::NO_CONTENT);
    let after = c
        .get(format!(
            "{}/DataPlatform/_apis/git/repositories?api-version=7.1",
            info.org_url
        ))
        .basic_auth("", Some("CodeOnlyToken"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn errors_are_vss_bodies_with_the_real_status_codes() {
    let s = sim(Seed::Empty).await;
    let info = s.info().clone();
    let c = client();

    let unknown = get(&info, "_apis/nosuchthing?api-version=7.1").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let b: Value = unknown.json().await.unwrap();
    assert_eq!(b["$id"], "1");
    assert_eq!(b["typeKey"], "HttpException");
    assert!(b["message"]
        .as_str()
        .unwrap()
        .contains("/_apis/nosuchthing"));

    let wrong = c
        .put(format!("{}/_apis/projects?api-version=7.1", info.org_url))
        .basic_auth("", Some(&info.pat))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    let b: Value = wrong.json().await.unwrap();
    assert!(b["message"].as_str().unwrap().contains("'PUT'"));

    let refs = format!(
        "{}/DataPlatform/_apis/git/repositories/synapse-analytics/refs?api-version=7.1",
        info.org_url
    );
    let bad_json = c
        .post(&refs)
        .basic_auth("", Some(&info.pat))
        .header("content-type", "application/json")
        .body("[{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_json.status(), StatusCode::BAD_REQUEST);
    let b: Value = bad_json.json().await.unwrap();
    assert_eq!(b["typeKey"], "JsonReaderException");
    assert!(b["message"].as_str().unwrap().starts_with("TF400898"));

    let no_version = get(&info, "_apis/projects").await;
    assert_eq!(no_version.status(), StatusCode::BAD_REQUEST);
    let b: Value = no_version.json().await.unwrap();
    assert_eq!(b["typeKey"], "VssVersionNotSpecifiedException");

    let accept = c
        .get(format!("{}/_apis/projects", info.org_url))
        .basic_auth("", Some(&info.pat))
        .header("accept", "application/json;api-version=7.1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        accept.status(),
        StatusCode::OK,
        "api-version in the Accept header counts"
    );

    let shouting = get(
        &info,
        "DATAPLATFORM/_APIS/GIT/Repositories/SYNAPSE-ANALYTICS?api-version=7.1",
    )
    .await;
    assert_eq!(
        shouting.status(),
        StatusCode::OK,
        "routes are case-insensitive"
    );
    let b: Value = shouting.json().await.unwrap();
    assert_eq!(
        b["name"], "synapse-analytics",
        "answers with the stored spelling"
    );

    let no_project = get(&info, "Nope/_apis/git/repositories?api-version=7.1").await;
    assert_eq!(no_project.status(), StatusCode::NOT_FOUND);
    let b: Value = no_project.json().await.unwrap();
    assert!(b["message"].as_str().unwrap().starts_with("TF200016"));
}

#[tokio::test]
async fn discovery_announces_every_host_like_the_real_service() {
    let s = sim(Seed::Empty).await;
    let info = s.info().clone();
    let c = client();
    let areas: Value = c
        .get(format!(
            "{}/_apis/ResourceAreas?api-version=7.1-preview.1",
            info.org_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url_of = |id: &str| {
        areas["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()["locationUrl"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        url_of("efc2f575-36ef-48e9-b672-0c6fb4a48ac5"),
        format!("{}/", info.release_url)
    );
    assert_eq!(
        url_of("6c2b0933-3600-42ae-bf8b-93d4f7e83594"),
        format!("{}/", info.extmgmt_url)
    );
    assert_eq!(
        url_of("4e080c62-fa21-4fbc-8fef-2a10a2b38049"),
        format!("{}/", info.org_url)
    );

    let options = |url: String| {
        let c = c.clone();
        let pat = info.pat.clone();
        async move {
            let r = c
                .request(Method::OPTIONS, url)
                .basic_auth("", Some(&pat))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()
        }
    };
    let org = options(format!("{}/_apis", info.org_url)).await;
    let ids: Vec<&str> = org["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"2d874a60-a811-4f62-9c9f-963a6ea0a55b"),
        "git refs"
    );
    assert!(
        ids.contains(&"e81700f7-3be2-46de-8624-2eb35882fcaa"),
        "resource areas"
    );
    let refs = org["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "2d874a60-a811-4f62-9c9f-963a6ea0a55b")
        .unwrap();
    assert_eq!(
        refs["routeTemplate"],
        "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{*filter}"
    );
    let vsrm = options(format!("{}/_apis", info.release_url)).await;
    assert!(vsrm["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["id"] == "a166fde7-27ad-408e-ba75-703c2cc9d500"));
    assert!(!vsrm["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["area"] == "git"));
    let ext = options(format!("{}/_apis", info.extmgmt_url)).await;
    assert!(ext["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["resourceName"] == "InstalledExtensions"));

    let not_preview = c
        .get(format!(
            "{}/_apis/ResourceAreas?api-version=7.1",
            info.org_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        not_preview.status(),
        StatusCode::BAD_REQUEST,
        "preview-only resources need -preview"
    );
    let b: Value = not_preview.json().await.unwrap();
    assert_eq!(b["typeKey"], "VssInvalidPreviewVersionException");

    let cd: Value = get(&info, "_apis/connectionData?api-version=7.1-preview.1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cd["authenticatedUser"]["providerDisplayName"], "Maya Lopez");
}

#[tokio::test]
async fn faults_fire_the_requested_number_of_times_and_the_journal_records_them() {
    let s = sim(Seed::Empty).await;
    let info = s.info().clone();
    let c = client();
    let admin = |path: &str| format!("{}{path}", info.admin_url);
    c.delete(admin("/journal")).send().await.unwrap();
    let r = c
        .post(admin("/faults"))
        .json(&json!({"method": "GET", "path": "/_apis/projects$", "status": 503, "times": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.json::<Value>().await.unwrap()["id"].is_u64());
    let url = "_apis/Projects?api-version=7.1";
    assert_eq!(
        get(&info, url).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let second = get(&info, url).await;
    assert_eq!(second.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(second.json::<Value>().await.unwrap()["message"]
        .as_str()
        .unwrap()
        .starts_with("TF400893"));
    assert_eq!(
        get(&info, url).await.status(),
        StatusCode::OK,
        "fault used up"
    );

    c.post(admin("/faults"))
        .json(&json!({"path": "projects", "status": 429}))
        .send()
        .await
        .unwrap();
    let limited = get(&info, url).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    for h in [
        "retry-after",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-resource",
    ] {
        assert!(limited.headers().contains_key(h), "{h}");
    }
    assert_eq!(limited.headers()["x-ratelimit-remaining"], "0");

    c.post(admin("/faults"))
        .json(&json!({"path": "projects", "delayMs": 300}))
        .send()
        .await
        .unwrap();
    let t = Instant::now();
    assert_eq!(get(&info, url).await.status(), StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(300));

    c.post(admin("/faults"))
        .json(&json!({"path": "projects", "drop": true}))
        .send()
        .await
        .unwrap();
    let dropped = c
        .get(format!("{}/{url}", info.org_url))
        .basic_auth("", Some(&info.pat))
        .send()
        .await;
    let failed = match dropped {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(failed, "a dropped connection is an error for the client");

    let bad = c
        .post(admin("/faults"))
        .json(&json!({"path": "(", "status": 500}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let journal: Vec<Value> = c
        .get(admin("/journal"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let statuses: Vec<u64> = journal
        .iter()
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    assert_eq!(&statuses[..4], &[503, 503, 200, 429]);
    assert_eq!(
        journal[0]["path"], "/contoso/_apis/Projects",
        "original casing"
    );
    assert_eq!(journal[0]["query"], "api-version=7.1");
    assert!(journal
        .windows(2)
        .all(|w| w[0]["seq"].as_u64() < w[1]["seq"].as_u64()));
}

#[tokio::test]
async fn a_poisoned_world_lock_does_not_take_the_server_down() {
    let s = sim(Seed::Empty).await;
    let state = s.state();
    let poisoner = std::sync::Arc::clone(&state);
    let _ = std::thread::spawn(move || {
        let _guard = poisoner.world.lock().unwrap();
        panic!("poison the world lock on purpose");
    })
    .join();
    assert!(state.world.is_poisoned());
    let r = get(s.info(), "_apis/projects?api-version=7.1").await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn state_persists_across_restarts_and_reset_starts_over() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SimOptions {
        seed: Seed::Demo,
        state_dir: Some(dir.path().to_path_buf()),
        ..SimOptions::default()
    };
    let first = ado_sim::start(opts.clone()).await.unwrap();
    let info = first.info().clone();
    let refs_url = format!(
        "{}/DataPlatform/_apis/git/repositories/synapse-analytics/refs?api-version=7.1",
        info.org_url
    );
    let heads: Value = get(&info, "DataPlatform/_apis/git/repositories/synapse-analytics/refs?filter=heads/main&api-version=7.1").await.json().await.unwrap();
    let main = heads["value"][0]["objectId"].as_str().unwrap().to_owned();
    let r: Value = client()
        .post(&refs_url)
        .basic_auth("", Some(&info.pat))
        .json(&json!([{"name": "refs/heads/Release3_Hotfixes", "oldObjectId": "0000000000000000000000000000000000000000", "newObjectId": main}]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["value"][0]["success"], true);
    first.shutdown().await;

    let second = ado_sim::start(opts).await.unwrap();
    let info2 = second.info().clone();
    assert_eq!(info2.pat, info.pat, "the world (and its PAT) is reloaded");
    let again: Value = get(&info2, "DataPlatform/_apis/git/repositories/synapse-analytics/refs?filter=heads/Release3&api-version=7.1").await.json().await.unwrap();
    assert_eq!(again["count"], 1);

    let reset = client()
        .post(format!("{}/reset", info2.admin_url))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::OK);
    let after: Value = get(&info2, "DataPlatform/_apis/git/repositories/synapse-analytics/refs?filter=heads/Release3&api-version=7.1").await.json().await.unwrap();
    assert_eq!(after["count"], 0, "reset re-seeds; the PAT still works");
    let dump: Value = client()
        .get(format!("{}/state", info2.admin_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dump["git"]["repos"][0]["name"], "synapse-analytics");
}

#[test]
fn the_binary_prints_exactly_one_json_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ado-sim"))
        .args(["--seed", "empty", "--port", "0", "--state-dir"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("one line on stdout");
    let info: SimInfo = serde_json::from_str(&line).expect("the line is SimInfo JSON");
    assert!(info.org_url.ends_with("/contoso"));
    assert_eq!(info.project, "DataPlatform");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async { get(&info, "_apis/projects?api-version=7.1").await.status() });
    assert_eq!(status, StatusCode::OK, "serving after printing");
    assert!(
        rx.recv_timeout(Duration::from_millis(500)).is_err(),
        "nothing else on stdout"
    );
    child.kill().unwrap();
    let _ = child.wait();
}

#[tokio::test]
async fn the_synapse_data_plane_takes_its_bearer_token_only() {
    let s = sim(Seed::Demo).await;
    let info = s.info().clone();
    let url = format!(
        "{}/triggers?api-version=2020-12-01",
        info.synapse_url_template
            .replace("{workspaceName}", "contoso-synapse-prod")
    );
    let c = client();
    let anon = c.get(&url).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    assert!(anon.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let with_pat = c
        .get(&url)
        .basic_auth("", Some(&info.pat))
        .send()
        .await
        .unwrap();
    assert_eq!(
        with_pat.status(),
        StatusCode::UNAUTHORIZED,
        "an Azure DevOps PAT is not a Synapse token"
    );
    let wrong_bearer = c
        .get(&url)
        .bearer_auth("not-the-synapse-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_bearer.status(), StatusCode::UNAUTHORIZED);
    // Every auth failure is the Azure CloudError shape, whichever way the token was wrong.
    for (what, body) in [
        ("no token", anon.json::<Value>().await.unwrap()),
        ("a PAT", with_pat.json::<Value>().await.unwrap()),
        (
            "a wrong bearer",
            wrong_bearer.json::<Value>().await.unwrap(),
        ),
    ] {
        assert_eq!(
            body["error"]["code"], "AuthenticationFailed",
            "{what}: {body}"
        );
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("https://dev.azuresynapse.net"),
            "{what}: the message says which token to get: {body}"
        );
        assert!(
            body.get("code").is_none() && body.get("message").is_none(),
            "{what}: {body}"
        );
    }
    let ok = c
        .get(&url)
        .bearer_auth(&info.synapse_token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
}
