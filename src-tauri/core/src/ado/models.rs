//! Wire shapes shared by every area: the `{count, value}` list wrapper.

use serde::Deserialize;

/// The list wrapper every Azure DevOps collection comes in: `{"count": n, "value": [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct VssList<T> {
    #[serde(default)]
    pub count: Option<u64>,
    pub value: Vec<T>,
}

/// Some older endpoints (agent queues on Azure DevOps Server) answer with a bare array instead of
/// the wrapper; this accepts both.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ListOrArray<T> {
    List(VssList<T>),
    Array(Vec<T>),
}

impl<T> ListOrArray<T> {
    pub fn into_vec(self) -> Vec<T> {
        match self {
            Self::List(l) => l.value,
            Self::Array(a) => a,
        }
    }
}
