//! The demo organization's Azure Resource Manager service connections: the production one the demo
//! profile uses (service principal with a secret), and one of every other kind so the pre-flight
//! checks can be shown failing — a certificate (deploy accepts it, the trigger toggle does not), a
//! managed identity (both accept it), workload identity federation (neither does), one scoped to
//! another resource group (it would override the profile's) and one that is not ready.

use serde_json::Value;

use super::demo_release::{PROD_CONNECTION, SUBSCRIPTION_ID, TENANT_ID, WIF_CONNECTION};
use crate::catalog::{ArmAuth, ArmEndpoint};
use crate::release::links::{Person, ProjectRef};

/// Production subscription, service principal with a certificate.
pub const CERT_CONNECTION: &str = "contoso-prod-arm-cert";
/// Production subscription, managed identity.
pub const MSI_CONNECTION: &str = "contoso-prod-arm-msi";
/// Production subscription, workload identity federation.
pub const PROD_WIF_CONNECTION: &str = "contoso-prod-arm-wif";
/// Production subscription, service principal with a secret, scoped to [`SHARED_RESOURCE_GROUP`].
pub const RG_SCOPED_CONNECTION: &str = "contoso-prod-arm-shared-rg";
/// The resource group [`RG_SCOPED_CONNECTION`] is scoped to (not the production workspace's).
pub const SHARED_RESOURCE_GROUP: &str = "rg-contoso-shared-prod";
/// A connection whose creation failed (`isReady: false`).
pub const NOT_READY_CONNECTION: &str = "contoso-sandbox-arm";

const PROD_SUBSCRIPTION: &str = "Contoso Data Platform (prod)";

/// The seeded connections, the demo profile's production one first.
pub fn endpoints(project: &ProjectRef, owner: &Person) -> Vec<Value> {
    let arm = |name, auth, subscription: (&'static str, &'static str), rg, ready| {
        ArmEndpoint {
            name,
            auth,
            subscription_id: subscription.0,
            subscription_name: subscription.1,
            tenant_id: TENANT_ID,
            resource_group: rg,
            project_id: project.id,
            project_name: &project.name,
            created_by: owner,
            is_ready: ready,
        }
        .build()
    };
    let prod = (SUBSCRIPTION_ID, PROD_SUBSCRIPTION);
    vec![
        arm(
            PROD_CONNECTION,
            ArmAuth::SecretServicePrincipal,
            prod,
            None,
            true,
        ),
        arm(
            WIF_CONNECTION,
            ArmAuth::WorkloadIdentityFederation,
            (
                "0c9b7a1e-5f7d-4a1b-9e0c-3d2f1a6b8c90",
                "Contoso Data Platform (non-prod)",
            ),
            None,
            true,
        ),
        arm(
            NOT_READY_CONNECTION,
            ArmAuth::SecretServicePrincipal,
            ("1d2e3f40-1111-4a1b-9e0c-3d2f1a6b8c91", "Contoso Sandbox"),
            None,
            false,
        ),
        arm(
            CERT_CONNECTION,
            ArmAuth::CertificateServicePrincipal,
            prod,
            None,
            true,
        ),
        arm(MSI_CONNECTION, ArmAuth::ManagedIdentity, prod, None, true),
        arm(
            PROD_WIF_CONNECTION,
            ArmAuth::WorkloadIdentityFederation,
            prod,
            None,
            true,
        ),
        arm(
            RG_SCOPED_CONNECTION,
            ArmAuth::SecretServicePrincipal,
            prod,
            Some(SHARED_RESOURCE_GROUP),
            true,
        ),
    ]
}
