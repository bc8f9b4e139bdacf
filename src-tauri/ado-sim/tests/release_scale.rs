//! The `scale` seed (demo + 10,000 releases): the app's "current production release" query is one
//! request that returns the newest release, and release lists page with continuation tokens.

mod release_support;

use std::time::Instant;

use ado_sim::Seed;
use release_support::TestSim;

#[tokio::test]
async fn latest_succeeded_production_deployment_is_one_request_returning_the_newest_release() {
    let sim = TestSim::start(Seed::Scale, 10).await;
    let defs = sim
        .get(&sim.rm(
            "definitions?searchText=Synapse-Release&isExactNameMatch=true&$expand=environments",
        ))
        .await;
    assert_eq!(defs["count"], 1, "{defs}");
    let def = &defs["value"][0];
    let prod = def["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Production")
        .unwrap();
    let (def_id, env_id) = (def["id"].as_i64().unwrap(), prod["id"].as_i64().unwrap());

    let (status, headers, body) = sim
        .call(
            reqwest::Method::GET,
            &sim.rm(&format!(
                "deployments?definitionId={def_id}&definitionEnvironmentId={env_id}&deploymentStatus=succeeded&latestAttemptsOnly=true&queryOrder=descending&$top=1"
            )),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["count"], 1);
    assert_eq!(
        v["value"][0]["release"]["name"], "Release-10003",
        "the newest of 3 + 10,000 releases"
    );
    assert_eq!(v["value"][0]["deploymentStatus"], "succeeded");
    assert_eq!(prod["currentRelease"]["id"], v["value"][0]["release"]["id"]);
    let token = headers
        .get("x-ms-continuationtoken")
        .expect("more pages are announced")
        .to_str()
        .unwrap()
        .to_owned();

    // The next page continues right below.
    let next = sim
        .get(&sim.rm(&format!(
            "deployments?definitionId={def_id}&definitionEnvironmentId={env_id}&deploymentStatus=succeeded&latestAttemptsOnly=true&queryOrder=descending&$top=2&continuationToken={token}"
        )))
        .await;
    let names: Vec<&str> = next["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["release"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Release-10002", "Release-10001"]);

    // Releases list: 50 by default, newest first, with a continuation token.
    let (status, headers, body) = sim
        .call(
            reqwest::Method::GET,
            &sim.rm(&format!("releases?definitionId={def_id}")),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["count"], 50);
    assert_eq!(v["value"][0]["name"], "Release-10003");
    assert!(headers.get("x-ms-continuationtoken").is_some());
    // environmentStatusFilter=4 (succeeded) on Production: Release-1..3 and every scale release.
    let v = sim
        .get(&sim.rm(&format!("releases?definitionId={def_id}&definitionEnvironmentId={env_id}&environmentStatusFilter=4&queryOrder=ascending&$top=3")))
        .await;
    let names: Vec<&str> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Release-1", "Release-2", "Release-3"]);
}

/// Benchmark, not a check: prints how long starting the scale world takes
/// (`cargo test -p ado-sim --release --test release_scale -- --ignored --nocapture`).
#[tokio::test]
#[ignore = "benchmark: prints the scale seed's start time"]
#[allow(clippy::print_stdout)] // a benchmark reports its figure on stdout
async fn bench_scale_seed_start_time() {
    let t = Instant::now();
    let sim = TestSim::start(Seed::Scale, 10).await;
    let started = t.elapsed();
    let t = Instant::now();
    let _ = sim.get(&sim.rm("deployments?definitionId=1&deploymentStatus=succeeded&latestAttemptsOnly=true&queryOrder=descending&$top=1")).await;
    println!(
        "scale seed: simulator started in {started:?}; latest-deployment query answered in {:?}",
        t.elapsed()
    );
}
