//! Small helpers shared by the release, catalogue and seed code: identity refs, timestamps in the
//! service's format, project lookup and URL templating.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::errors::{ApiError, ApiResult};
use crate::state::{Sim, World};

/// A person as the release area records them (rendered as an `IdentityRef`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub display_name: String,
    pub unique_name: String,
}

impl Person {
    /// A person with a stable id derived from the unique name (so re-seeding gives the same ids).
    pub fn new(display_name: &str, unique_name: &str) -> Self {
        Self {
            id: stable_id(unique_name),
            display_name: display_name.to_owned(),
            unique_name: unique_name.to_owned(),
        }
    }
}

/// A GUID derived from a name (FNV-1a, 128-bit), so seeded people keep their ids across re-seeds.
fn stable_id(name: &str) -> Uuid {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in name.to_ascii_lowercase().bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    uuid::Builder::from_u128(h)
        .with_variant(uuid::Variant::RFC4122)
        .with_version(uuid::Version::Random)
        .into_uuid()
}

/// The identity the service uses for work it does on its own (e.g. automated approvals).
pub fn system_person() -> Person {
    Person {
        id: Uuid::from_u128(0x0000_0002_0000_8888_8000_0000_0000_0000),
        display_name: "Project Collection Build Service (contoso)".into(),
        unique_name: "Build\\0000000a-0000-8888-8000-000000000000".into(),
    }
}

fn descriptor(p: &Person) -> String {
    use base64::Engine as _;
    format!(
        "aad.{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(p.id.to_string())
    )
}

/// An `IdentityRef` exactly like the examples (`displayName`, `url`, `_links.avatar`, `id`,
/// `uniqueName`, `imageUrl`, `descriptor`).
pub fn identity(base: &str, org: &str, p: &Person) -> Value {
    let d = descriptor(p);
    json!({
        "displayName": p.display_name,
        "url": format!("{base}/{org}/_apis/Identities/{}", p.id),
        "_links": {"avatar": {"href": format!("{base}/{org}/_apis/GraphProfile/MemberAvatars/{d}")}},
        "id": p.id.to_string(),
        "uniqueName": p.unique_name,
        "imageUrl": format!("{base}/{org}/_api/_common/identityImage?id={}", p.id),
        "descriptor": d,
    })
}

/// The same identity with `{base}`/`{org}` placeholders, for values stored in the world and
/// answered through [`rebase`].
pub fn identity_template(p: &Person) -> Value {
    identity("{base}", "{org}", p)
}

/// Replaces the `{base}` / `{org}` placeholders in every string of a stored value.
pub fn rebase(v: &Value, sim: &Sim) -> Value {
    let base = sim.info.base_url.as_str();
    let org = org_of(&sim.info.org_url);
    fn walk(v: &Value, base: &str, org: &str) -> Value {
        match v {
            Value::String(s) if s.contains('{') => {
                Value::String(s.replace("{base}", base).replace("{org}", org))
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| walk(x, base, org)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| (k.clone(), walk(x, base, org)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    walk(v, base, &org)
}

/// The organization name: the last path segment of the org URL (`{base}/contoso` → `contoso`).
pub fn org_of(org_url: &str) -> String {
    org_url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("contoso")
        .to_owned()
}

/// A timestamp as the service writes it (`2018-12-11T04:48:42.657Z`).
pub fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A project reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRef {
    pub id: Uuid,
    pub name: String,
}

/// Finds a project by name (case-insensitive) or GUID; 404 with the real error otherwise.
pub fn project(world: &World, name_or_id: &str) -> ApiResult<ProjectRef> {
    find_project(world, name_or_id).ok_or_else(|| {
        ApiError::not_found(
            format!(
                "VS800075: The project with id 'vstfs:///Classification/TeamProject/{name_or_id}' does not exist, or you do not have permission to access it."
            ),
            "ProjectDoesNotExistException",
        )
    })
}

/// Finds a project by name (case-insensitive) or GUID.
pub fn find_project(world: &World, name_or_id: &str) -> Option<ProjectRef> {
    world.core.project(name_or_id).map(|p| ProjectRef {
        id: p.id,
        name: p.name.clone(),
    })
}

/// The person behind a simulator identity (`auth::Identity`).
pub fn person_of(user: &crate::auth::Identity) -> Person {
    Person {
        id: user.id,
        display_name: user.display_name.clone(),
        unique_name: user.unique_name.clone(),
    }
}
