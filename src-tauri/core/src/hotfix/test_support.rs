//! Set-up shared by the service's and the watchers' unit tests: a service in a temporary folder
//! with an observer, one started run, and a session whose client points at a closed port.

use std::sync::Arc;

use super::service::{HotfixService, RunObserver};
use super::session::Session;
use crate::profiles::Profile;

/// `(folder, service, observer, session, run id)`; keep the folder alive for the test.
pub(crate) fn service_with_run<O: RunObserver + Default + 'static>() -> (
    tempfile::TempDir,
    HotfixService,
    Arc<O>,
    Arc<Session>,
    String,
) {
    let dir = tempfile::tempdir().unwrap();
    let svc = HotfixService::new(dir.path());
    let observer = Arc::new(O::default());
    svc.set_observer(Some(observer.clone()));
    let mut p = Profile::new_with_defaults("p".into());
    p.prod_workspace = "prod".into();
    p.organization_url = "http://127.0.0.1:9/org".into();
    let run = svc.start_run(&p).unwrap();
    let client = crate::connection::client(
        &p.organization_url,
        crate::secrets::Token::new(String::from("x")),
        true,
    )
    .unwrap();
    let s = svc.session(&p, || Ok(client)).unwrap();
    (dir, svc, observer, s, run.id)
}
