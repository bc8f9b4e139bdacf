//! Fidelity with Microsoft's own client: `tests/python/test_client.py` drives the simulator with
//! the `azure-devops` Python package (installed in `.venv` by `scripts/install-deps.sh`) through
//! every operation the app uses, plus a hotfix release end to end.

use std::path::PathBuf;
use std::process::Stdio;

use ado_sim::{Seed, SimOptions};

#[tokio::test]
async fn microsofts_python_client_works_unchanged_against_the_simulator() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `bash scripts/install-deps.sh` (it creates .venv and installs tests/python/requirements.txt)",
        python.display()
    );
    let sim = ado_sim::start(SimOptions {
        seed: Seed::Demo,
        port: 0,
        state_dir: None,
        task_delay_ms: 10,
    })
    .await
    .expect("the simulator starts");
    let info = sim.info().clone();
    let out = tokio::process::Command::new(&python)
        .arg(root.join("tests/python/test_client.py"))
        .arg(&info.org_url)
        .arg(&info.pat)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the Python client failed against the simulator:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(" passed, 0 failed"),
        "the script reports its checks: {stdout}"
    );
}
