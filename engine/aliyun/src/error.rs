//! The one error type of this crate: what went wrong calling Alibaba Cloud, with the
//! service's Code/Message/RequestId when it answered, so callers can branch on codes
//! (`InvalidInstanceId.NotFound`, `IncorrectInstanceStatus`, ...) and operators can
//! quote the RequestId to support.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The service answered with an error that retrying will not fix.
    Api {
        code: String,
        message: String,
        request_id: String,
        http_status: u16,
    },
    /// Still throttled (or the service still unavailable) after every retry.
    Throttled {
        code: String,
        message: String,
        request_id: String,
        http_status: u16,
    },
    /// Connection refused/reset, bad TLS scheme, broken response.
    Transport(String),
    /// No complete answer within the configured timeout.
    Timeout,
    /// A 2xx answer whose body does not have the expected shape.
    Decode(String),
    /// The request could not be built: unknown endpoint, invalid URL.
    Config(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliyunError {
    pub kind: ErrorKind,
    /// `ecs DescribeInstances`, `oss PutObject`: which call failed.
    pub operation: String,
    /// How many times the request was sent before giving up (0 when it never left).
    pub attempts: u32,
}

impl AliyunError {
    pub(crate) fn new(kind: ErrorKind, operation: impl Into<String>, attempts: u32) -> Self {
        Self {
            kind,
            operation: operation.into(),
            attempts,
        }
    }

    pub(crate) fn config(operation: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config(message.into()), operation, 0)
    }

    /// The service's error code, for API and throttling errors.
    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Api { code, .. } | ErrorKind::Throttled { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn message(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Api { message, .. } | ErrorKind::Throttled { message, .. } => Some(message),
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Api { request_id, .. } | ErrorKind::Throttled { request_id, .. } => {
                Some(request_id)
            }
            _ => None,
        }
    }

    pub fn http_status(&self) -> Option<u16> {
        match &self.kind {
            ErrorKind::Api { http_status, .. } | ErrorKind::Throttled { http_status, .. } => {
                Some(*http_status)
            }
            _ => None,
        }
    }

    /// `*.NotFound` codes (and OSS `NoSuchBucket`/`NoSuchKey`): deletes can treat them as done.
    pub fn is_not_found(&self) -> bool {
        self.code()
            .is_some_and(|c| c.ends_with(".NotFound") || c == "NoSuchBucket" || c == "NoSuchKey")
            || self.http_status() == Some(404)
    }
}

impl fmt::Display for AliyunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Alibaba Cloud {} failed", self.operation)?;
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        match &self.kind {
            ErrorKind::Api {
                code,
                message,
                request_id,
                http_status,
            } => {
                write!(
                    f,
                    ": {code}: {message} (RequestId: {request_id}, HTTP {http_status})"
                )
            }
            ErrorKind::Throttled {
                code,
                message,
                request_id,
                http_status,
            } => {
                write!(
                    f,
                    ": throttled: {code}: {message} (RequestId: {request_id}, HTTP {http_status})"
                )
            }
            ErrorKind::Transport(detail) => write!(f, ": transport error: {detail}"),
            ErrorKind::Timeout => write!(f, ": timed out"),
            ErrorKind::Decode(detail) => write!(f, ": unexpected response: {detail}"),
            ErrorKind::Config(detail) => write!(f, ": {detail}"),
        }
    }
}

impl std::error::Error for AliyunError {}

/// Codes after which the same request may succeed later: throttling and server-side trouble.
pub(crate) fn is_retryable_code(code: &str) -> bool {
    code.starts_with("Throttling")
        || matches!(
            code,
            "ServiceUnavailable" | "InternalError" | "UnknownError" | "SlowDown" | "RequestTimeout"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_carries_code_message_and_request_id() {
        let err = AliyunError::new(
            ErrorKind::Api {
                code: "InvalidInstanceId.NotFound".into(),
                message: "The specified InstanceId does not exist.".into(),
                request_id: "E-1".into(),
                http_status: 404,
            },
            "ecs DeleteInstance",
            1,
        );
        let text = err.to_string();
        assert!(text.contains("ecs DeleteInstance"), "{text}");
        assert!(text.contains("InvalidInstanceId.NotFound"), "{text}");
        assert!(
            text.contains("The specified InstanceId does not exist."),
            "{text}"
        );
        assert!(text.contains("RequestId: E-1"), "{text}");
        assert!(err.is_not_found());
        assert_eq!(err.code(), Some("InvalidInstanceId.NotFound"));
        assert_eq!(err.request_id(), Some("E-1"));
    }

    #[test]
    fn retryable_codes() {
        for code in [
            "Throttling",
            "Throttling.User",
            "Throttling.Api",
            "ServiceUnavailable",
            "InternalError",
        ] {
            assert!(is_retryable_code(code), "{code}");
        }
        for code in [
            "InvalidParameter",
            "Forbidden.RAM",
            "IncorrectInstanceStatus",
            "InvalidInstanceId.NotFound",
        ] {
            assert!(!is_retryable_code(code), "{code}");
        }
    }
}
