//! Which service-connection authentication the two Synapse tasks accept (`synapse/TASKS.md`,
//! "Corrections and additions" 9): deploy takes a service principal with a secret or a
//! certificate, or a managed identity; toggle takes a service principal with a secret or a managed
//! identity, and only in the Azure Public and US Government clouds; neither takes workload identity
//! federation. Pure functions, so the table is tested on its own.

/// How an `azurerm` service connection signs in, from `authorization.scheme` and
/// `authorization.parameters.authenticationType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArmAuth {
    /// `ServicePrincipal` with `authenticationType` `spnKey` (or none: the key is the default).
    SecretServicePrincipal,
    /// `ServicePrincipal` with `authenticationType` `spnCertificate`.
    CertificateServicePrincipal,
    /// `ManagedServiceIdentity`.
    ManagedIdentity,
    /// `WorkloadIdentityFederation`.
    WorkloadIdentityFederation,
    /// Anything else, as the connection names it.
    Other(String),
}

impl ArmAuth {
    pub fn of(scheme: &str, authentication_type: Option<&str>) -> Self {
        let scheme = scheme.trim();
        if scheme.eq_ignore_ascii_case("ServicePrincipal") {
            match authentication_type.map(str::trim) {
                Some(t) if t.eq_ignore_ascii_case("spnCertificate") => {
                    ArmAuth::CertificateServicePrincipal
                }
                _ => ArmAuth::SecretServicePrincipal,
            }
        } else if scheme.eq_ignore_ascii_case("ManagedServiceIdentity") {
            ArmAuth::ManagedIdentity
        } else if scheme.eq_ignore_ascii_case("WorkloadIdentityFederation") {
            ArmAuth::WorkloadIdentityFederation
        } else {
            ArmAuth::Other(scheme.to_owned())
        }
    }

    /// In words, for the check's detail.
    pub fn describe(&self) -> String {
        match self {
            ArmAuth::SecretServicePrincipal => "a service principal with a secret".into(),
            ArmAuth::CertificateServicePrincipal => "a service principal with a certificate".into(),
            ArmAuth::ManagedIdentity => "a managed identity".into(),
            ArmAuth::WorkloadIdentityFederation => "workload identity federation".into(),
            ArmAuth::Other(s) if s.is_empty() => "an unknown authentication scheme".into(),
            ArmAuth::Other(s) => format!("the authentication scheme \"{s}\""),
        }
    }
}

/// Which of the two tasks can use a connection, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSupport {
    pub deploy: bool,
    pub toggle: bool,
    /// One sentence per refusal, naming the task and the reason.
    pub reasons: Vec<String>,
}

impl TaskSupport {
    pub fn both(&self) -> bool {
        self.deploy && self.toggle
    }
}

/// Clouds the toggle task accepts (`data.environment`; the task stops with `U0001` otherwise).
const TOGGLE_CLOUDS: [&str; 2] = ["AzureCloud", "AzureUSGovernment"];

/// What the tasks accept for `auth`, in the cloud `environment` (`data.environment`; `None` when
/// the connection does not say, which means Azure Public).
pub fn task_support(auth: &ArmAuth, environment: Option<&str>) -> TaskSupport {
    let (deploy, toggle) = match auth {
        ArmAuth::SecretServicePrincipal | ArmAuth::ManagedIdentity => (true, true),
        ArmAuth::CertificateServicePrincipal => (true, false),
        ArmAuth::WorkloadIdentityFederation | ArmAuth::Other(_) => (false, false),
    };
    let mut reasons = Vec::new();
    let how = auth.describe();
    if !deploy {
        reasons.push(format!(
            "The Synapse workspace deployment task does not support {how}."
        ));
    }
    if !toggle {
        reasons.push(format!(
            "The toggle-triggers task does not support {how} (it stops with \"authScheme … is \
             not supported\")."
        ));
    }
    let cloud = environment.map(str::trim).filter(|e| !e.is_empty());
    let cloud_ok = cloud.is_none_or(|c| TOGGLE_CLOUDS.iter().any(|t| t.eq_ignore_ascii_case(c)));
    if !cloud_ok {
        reasons.push(format!(
            "The toggle-triggers task works only with Azure Public and Azure US Government \
             connections; this one is for \"{}\".",
            cloud.unwrap_or_default()
        ));
    }
    TaskSupport {
        deploy,
        toggle: toggle && cloud_ok,
        reasons,
    }
}

/// What to change so both tasks accept the connection.
pub fn auth_fix(auth: &ArmAuth) -> String {
    let change = match auth {
        ArmAuth::WorkloadIdentityFederation => {
            "Neither Synapse task supports workload identity federation. Create an Azure Resource \
             Manager service connection that uses a service principal with a secret (or a managed \
             identity on a self-hosted agent in Azure), or convert this one, then pick it in the \
             profile."
        }
        ArmAuth::CertificateServicePrincipal => {
            "The trigger toggle task accepts a service principal only with a secret. Give the \
             service principal a client secret and switch the connection to it, or create a \
             connection with a secret (or a managed identity), then pick it in the profile."
        }
        _ => {
            "Use an Azure Resource Manager service connection with a service principal and a \
             secret, or a managed identity, and pick it in the profile."
        }
    };
    change.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auth_scheme_is_read_from_scheme_and_authentication_type() {
        assert_eq!(
            ArmAuth::of("ServicePrincipal", Some("spnKey")),
            ArmAuth::SecretServicePrincipal
        );
        assert_eq!(
            ArmAuth::of("serviceprincipal", None),
            ArmAuth::SecretServicePrincipal
        );
        assert_eq!(
            ArmAuth::of("ServicePrincipal", Some("SpnCertificate")),
            ArmAuth::CertificateServicePrincipal
        );
        assert_eq!(
            ArmAuth::of("ManagedServiceIdentity", None),
            ArmAuth::ManagedIdentity
        );
        assert_eq!(
            ArmAuth::of("WorkloadIdentityFederation", Some("spnKey")),
            ArmAuth::WorkloadIdentityFederation
        );
        assert_eq!(
            ArmAuth::of("UsernamePassword", None),
            ArmAuth::Other("UsernamePassword".into())
        );
    }

    #[test]
    fn the_compatibility_table() {
        let row = |auth: ArmAuth| {
            let s = task_support(&auth, Some("AzureCloud"));
            (s.deploy, s.toggle)
        };
        assert_eq!(row(ArmAuth::SecretServicePrincipal), (true, true));
        assert_eq!(row(ArmAuth::ManagedIdentity), (true, true));
        assert_eq!(row(ArmAuth::CertificateServicePrincipal), (true, false));
        assert_eq!(row(ArmAuth::WorkloadIdentityFederation), (false, false));
        assert_eq!(
            row(ArmAuth::Other("UsernamePassword".into())),
            (false, false)
        );
    }

    #[test]
    fn each_refusal_names_the_task_and_the_scheme() {
        let cert = task_support(&ArmAuth::CertificateServicePrincipal, None);
        assert!(!cert.both());
        assert_eq!(cert.reasons.len(), 1, "{:?}", cert.reasons);
        assert!(
            cert.reasons[0].contains("toggle-triggers"),
            "{:?}",
            cert.reasons
        );
        assert!(
            cert.reasons[0].contains("certificate"),
            "{:?}",
            cert.reasons
        );

        let wif = task_support(&ArmAuth::WorkloadIdentityFederation, None);
        assert_eq!(wif.reasons.len(), 2, "{:?}", wif.reasons);
        assert!(wif.reasons[0].contains("deployment task"));
        assert!(auth_fix(&ArmAuth::WorkloadIdentityFederation)
            .contains("service principal with a secret"));
        assert!(auth_fix(&ArmAuth::CertificateServicePrincipal).contains("secret"));

        let ok = task_support(&ArmAuth::SecretServicePrincipal, None);
        assert!(ok.both() && ok.reasons.is_empty());
    }

    #[test]
    fn toggle_refuses_clouds_other_than_public_and_us_government() {
        assert!(task_support(&ArmAuth::SecretServicePrincipal, Some("AzureUSGovernment")).both());
        let china = task_support(&ArmAuth::SecretServicePrincipal, Some("AzureChinaCloud"));
        assert!(china.deploy && !china.toggle);
        assert!(
            china.reasons[0].contains("AzureChinaCloud"),
            "{:?}",
            china.reasons
        );
    }
}
