//! Repository paths → Synapse artifacts. Synapse Studio's Git integration stores one JSON file per
//! artifact in a folder per type (`pipeline/LoadSales.json`, `notebook/Clean.json`, …), optionally
//! below a *root folder*. Managed private endpoints sit one level deeper, under their managed
//! virtual network (`managedVirtualNetwork/default/managedPrivateEndpoint/pe1.json`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The kinds of Synapse artifact the Git integration stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ArtifactKind {
    Pipeline,
    Notebook,
    Dataset,
    LinkedService,
    Trigger,
    SqlScript,
    Dataflow,
    IntegrationRuntime,
    Credential,
    ManagedVirtualNetwork,
    ManagedPrivateEndpoint,
    SparkJobDefinition,
    SparkConfiguration,
    KqlScript,
    Database,
}

impl ArtifactKind {
    /// The folder Synapse Studio writes this kind to (below the root folder).
    pub fn folder(self) -> &'static str {
        match self {
            Self::Pipeline => "pipeline",
            Self::Notebook => "notebook",
            Self::Dataset => "dataset",
            Self::LinkedService => "linkedService",
            Self::Trigger => "trigger",
            Self::SqlScript => "sqlscript",
            Self::Dataflow => "dataflow",
            Self::IntegrationRuntime => "integrationRuntime",
            Self::Credential => "credential",
            Self::ManagedVirtualNetwork => "managedVirtualNetwork",
            Self::ManagedPrivateEndpoint => "managedPrivateEndpoint",
            Self::SparkJobDefinition => "sparkJobDefinition",
            Self::SparkConfiguration => "sparkConfiguration",
            Self::KqlScript => "kqlscript",
            Self::Database => "database",
        }
    }

    /// Human label, lower case, as used in sentences ("pipeline `LoadSales` edited").
    pub fn label(self) -> &'static str {
        match self {
            Self::Pipeline => "pipeline",
            Self::Notebook => "notebook",
            Self::Dataset => "dataset",
            Self::LinkedService => "linked service",
            Self::Trigger => "trigger",
            Self::SqlScript => "SQL script",
            Self::Dataflow => "data flow",
            Self::IntegrationRuntime => "integration runtime",
            Self::Credential => "credential",
            Self::ManagedVirtualNetwork => "managed virtual network",
            Self::ManagedPrivateEndpoint => "managed private endpoint",
            Self::SparkJobDefinition => "Spark job definition",
            Self::SparkConfiguration => "Spark configuration",
            Self::KqlScript => "KQL script",
            Self::Database => "lake database",
        }
    }

    const TOP_LEVEL: [ArtifactKind; 14] = [
        Self::Pipeline,
        Self::Notebook,
        Self::Dataset,
        Self::LinkedService,
        Self::Trigger,
        Self::SqlScript,
        Self::Dataflow,
        Self::IntegrationRuntime,
        Self::Credential,
        Self::ManagedVirtualNetwork,
        Self::SparkJobDefinition,
        Self::SparkConfiguration,
        Self::KqlScript,
        Self::Database,
    ];

    fn from_folder(folder: &str) -> Option<Self> {
        Self::TOP_LEVEL
            .into_iter()
            .find(|k| k.folder().eq_ignore_ascii_case(folder))
    }
}

/// One artifact: its kind and name (the file name without `.json`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ArtifactRef {
    pub kind: ArtifactKind,
    pub name: String,
}

/// The Synapse root folder of a repository, normalised to `/` or `/folder/sub/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootFolder(String);

impl RootFolder {
    /// Accepts `""`, `/`, `synapse`, `/synapse/`, `\synapse` … as typed in a profile.
    pub fn new(raw: &str) -> Self {
        let parts: Vec<&str> = raw
            .split(['/', '\\'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            Self("/".into())
        } else {
            Self(format!("/{}/", parts.join("/")))
        }
    }

    /// `/` or `/synapse/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path relative to the root folder, or `None` when `path` lies outside it. Azure Repos paths
    /// compare case-insensitively.
    pub fn strip<'a>(&self, path: &'a str) -> Option<&'a str> {
        let path = if path.starts_with('/') {
            path
        } else {
            return None;
        };
        let root = self.0.as_str();
        if root == "/" {
            return Some(&path[1..]);
        }
        let head = path.get(..root.len())?;
        head.eq_ignore_ascii_case(root).then(|| &path[root.len()..])
    }

    /// The repository path of a path relative to the root folder.
    pub fn join(&self, relative: &str) -> String {
        format!("{}{}", self.0, relative.trim_start_matches('/'))
    }
}

/// What a changed repository path is, from the wizard's point of view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathClass {
    /// A Synapse artifact file.
    Artifact(ArtifactRef),
    /// Inside the root folder but not an artifact (`publish_config.json`, a README, a stray file).
    NonArtifact,
    /// Outside the Synapse root folder: the deployment will not ship it.
    OutsideRoot,
}

/// Classifies a repository path (`/pipeline/LoadSales.json`) against the root folder.
pub fn classify(path: &str, root: &RootFolder) -> PathClass {
    let Some(relative) = root.strip(path) else {
        return PathClass::OutsideRoot;
    };
    let parts: Vec<&str> = relative.split('/').collect();
    let json_name = |file: &str| {
        let (stem, ext) = file.rsplit_once('.')?;
        (ext.eq_ignore_ascii_case("json") && !stem.is_empty()).then(|| stem.to_owned())
    };
    let artifact = match parts.as_slice() {
        [folder, file] => ArtifactKind::from_folder(folder)
            .and_then(|kind| json_name(file).map(|name| ArtifactRef { kind, name })),
        [vnet_folder, vnet, pe_folder, file]
            if vnet_folder.eq_ignore_ascii_case("managedVirtualNetwork")
                && pe_folder.eq_ignore_ascii_case("managedPrivateEndpoint") =>
        {
            json_name(file).map(|name| ArtifactRef {
                kind: ArtifactKind::ManagedPrivateEndpoint,
                name: format!("{vnet}/{name}"),
            })
        }
        _ => None,
    };
    artifact.map_or(PathClass::NonArtifact, PathClass::Artifact)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(kind: ArtifactKind, name: &str) -> PathClass {
        PathClass::Artifact(ArtifactRef {
            kind,
            name: name.into(),
        })
    }

    #[test]
    fn classifies_every_top_level_folder_at_the_repository_root() {
        let root = RootFolder::new("/");
        for (path, kind, name) in [
            (
                "/pipeline/LoadSales.json",
                ArtifactKind::Pipeline,
                "LoadSales",
            ),
            ("/notebook/Clean.json", ArtifactKind::Notebook, "Clean"),
            (
                "/linkedService/ls_sql.json",
                ArtifactKind::LinkedService,
                "ls_sql",
            ),
            ("/sqlscript/q.json", ArtifactKind::SqlScript, "q"),
            (
                "/integrationRuntime/ir.json",
                ArtifactKind::IntegrationRuntime,
                "ir",
            ),
            (
                "/credential/WorkspaceSystemIdentity.json",
                ArtifactKind::Credential,
                "WorkspaceSystemIdentity",
            ),
            (
                "/managedVirtualNetwork/default.json",
                ArtifactKind::ManagedVirtualNetwork,
                "default",
            ),
            (
                "/managedVirtualNetwork/default/managedPrivateEndpoint/pe-sql.json",
                ArtifactKind::ManagedPrivateEndpoint,
                "default/pe-sql",
            ),
        ] {
            assert_eq!(classify(path, &root), art(kind, name), "{path}");
        }
        for kind in ArtifactKind::TOP_LEVEL {
            let path = format!("/{}/x.json", kind.folder());
            assert_eq!(classify(&path, &root), art(kind, "x"), "{path}");
        }
    }

    #[test]
    fn non_artifact_files_inside_the_root_are_told_apart() {
        let root = RootFolder::new("/");
        for path in [
            "/publish_config.json",
            "/pipeline/readme.md",
            "/pipeline/nested/x.json",
            "/unknownFolder/x.json",
        ] {
            assert_eq!(classify(path, &root), PathClass::NonArtifact, "{path}");
        }
    }

    #[test]
    fn honours_a_root_folder() {
        let root = RootFolder::new("synapse\\");
        assert_eq!(root.as_str(), "/synapse/");
        assert_eq!(
            classify("/synapse/dataset/Sales.json", &root),
            art(ArtifactKind::Dataset, "Sales")
        );
        assert_eq!(
            classify("/Synapse/dataset/Sales.json", &root),
            art(ArtifactKind::Dataset, "Sales")
        );
        assert_eq!(
            classify("/dataset/Sales.json", &root),
            PathClass::OutsideRoot
        );
        assert_eq!(
            classify("/synapse2/dataset/Sales.json", &root),
            PathClass::OutsideRoot
        );
        assert_eq!(classify("/README.md", &root), PathClass::OutsideRoot);
        assert_eq!(root.join("pipeline/a.json"), "/synapse/pipeline/a.json");
        assert_eq!(RootFolder::new("").as_str(), "/");
        assert_eq!(RootFolder::new(" / a / b ").as_str(), "/a/b/");
    }
}
