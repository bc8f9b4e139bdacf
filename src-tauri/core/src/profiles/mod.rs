//! Saved workspace profiles: the model, the versioned store on disk, import and export.

pub mod model;

pub use model::{NamedRef, NumberedRef, Profile};
