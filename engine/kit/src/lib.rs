//! Machinery shared by every resource and knowing none of them: the API error
//! type, the per-resource actor kit, the flow engine and the cascade walker.
//! Nothing here may depend on `actors/`.

pub mod actor;
pub mod cascade;
pub mod error;
pub mod flow;

pub use error::{ApiError, ApiResult};
