//! The one error type of the API layer and below. Every failure a caller can
//! see is an `ApiError`; the HTTP layer owns the single mapping to the wire
//! (ZStack's `{"error": {code, description, details}}` or a plain-text body
//! for transport-level rejections).

use serde::Serialize;
use std::fmt;

/// How the HTTP layer must deliver an error. ZStack distinguishes errors the
/// REST layer rejects before the API runs (plain text, 400/404/405) from
/// errors the API itself produced (JSON error object, 503 or failed job).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The API ran and failed: JSON `{"error": ...}` (503 for sync APIs).
    Operation,
    /// Rejected by the REST layer: plain-text body with this HTTP status.
    Transport(u16),
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiError {
    pub code: String,
    pub description: String,
    pub details: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<Box<ApiError>>,
    #[serde(skip)]
    pub delivery: Delivery,
}

pub type ApiResult<T> = Result<T, ApiError>;

/// ZStack's system error codes (`SysErrors.java`) and the descriptions its
/// error-code catalogue gives them.
pub mod codes {
    pub const INTERNAL: (&str, &str) = ("SYS.1000", "An internal error happened in system");
    pub const TIMEOUT: (&str, &str) = ("SYS.1001", "Operation timeout");
    pub const CREATE_RESOURCE: (&str, &str) = ("SYS.1002", "Failed to create a resource");
    pub const RESOURCE_NOT_FOUND: (&str, &str) = ("SYS.1003", "Unable to find a resource");
    pub const DELETE_RESOURCE: (&str, &str) = ("SYS.1004", "Failed to delete a resource");
    pub const CHANGE_RESOURCE_STATE: (&str, &str) = ("SYS.1005", "Failed to change state of a resource");
    pub const OPERATION: (&str, &str) = ("SYS.1006", "An operation failed");
    pub const INVALID_ARGUMENT: (&str, &str) = ("SYS.1007", "One or more API argument is invalid");
    pub const UNKNOWN_MESSAGE: (&str, &str) = ("SYS.1008", "Message has an unknown type");
    pub const RESOURCE_BUSY: (&str, &str) = ("SYS.1010", "Resource is not ready");
    pub const INVALID_SESSION: (&str, &str) = ("ID.1001", "Session expired");
    pub const AUTHENTICATION: (&str, &str) = ("ID.1000", "Authentication failed");
    pub const PERMISSION_DENIED: (&str, &str) = ("ID.1002", "Permission denied");
    pub const NO_AVAILABLE_HOST: (&str, &str) = ("HOST_ALLOCATION.1000", "No available host");
}

impl ApiError {
    pub fn new(code: (&str, &str), details: impl Into<String>) -> Self {
        ApiError {
            code: code.0.to_string(),
            description: code.1.to_string(),
            details: details.into(),
            location: None,
            cause: None,
            delivery: Delivery::Operation,
        }
    }

    pub fn invalid_argument(details: impl Into<String>) -> Self {
        Self::new(codes::INVALID_ARGUMENT, details)
    }

    pub fn not_found(resource_type: &str, uuid: &str) -> Self {
        Self::new(codes::INVALID_ARGUMENT, format!("the {resource_type}[uuid:{uuid}] does not exist"))
    }

    pub fn operation(details: impl Into<String>) -> Self {
        Self::new(codes::OPERATION, details)
    }

    pub fn internal(details: impl Into<String>) -> Self {
        Self::new(codes::INTERNAL, details)
    }

    /// A transport-level rejection delivered as plain text (ZStack's `RestException`).
    pub fn transport(status: u16, details: impl Into<String>) -> Self {
        let mut e = Self::new(codes::INVALID_ARGUMENT, details);
        e.delivery = Delivery::Transport(status);
        e
    }

    /// Wrap this error as the cause of a new one, as ZStack's `operr(cause)` does.
    pub fn wrap(self, code: (&str, &str), details: impl Into<String>) -> Self {
        let mut outer = Self::new(code, details);
        outer.cause = Some(Box::new(self));
        outer
    }

    pub fn at(mut self, location: impl Into<String>) -> Self {
        if self.location.is_none() {
            self.location = Some(location.into());
        }
        self
    }

}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.details)
    }
}

impl std::error::Error for ApiError {}
