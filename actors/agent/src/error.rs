//! The agent's one error type and its one mapping to the wire: every failure
//! becomes `{"success":false,"error":"..."}` with a message naming what failed
//! (VM, path, command) and the underlying error text (libvirt's, qemu-img's,
//! the OS's). Only auth and unknown paths change the HTTP status.

use std::fmt;
use zstack_agent_proto::AgentResponse;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is malformed or asks for something invalid.
    BadRequest,
    /// Missing or wrong agent token.
    Unauthorized,
    /// No handler for the path.
    UnknownPath,
    /// The VM (domain) or file the command names does not exist.
    NotFound,
    /// libvirt refused or failed.
    Libvirt,
    /// An external command (qemu-img, ip) failed.
    Command,
    /// A filesystem or network I/O failure.
    Io,
    /// A checksum or format did not match what the command expected.
    Verification,
    /// A bug or an unexpected state in the agent itself.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentError {
    pub kind: ErrorKind,
    pub message: String,
}

pub type AgentResult<T> = Result<T, AgentError>;

impl AgentError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AgentError {
            kind,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
    pub fn verification(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Verification, message)
    }
    pub fn command(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Command, message)
    }
    /// `context` says what the agent was doing ("cannot start VM x").
    pub fn libvirt(context: impl fmt::Display, err: &virt::error::Error) -> Self {
        let kind = if is_no_domain(err) {
            ErrorKind::NotFound
        } else {
            ErrorKind::Libvirt
        };
        Self::new(kind, format!("{context}: libvirt: {}", err.message()))
    }
    pub fn io(context: impl fmt::Display, err: &std::io::Error) -> Self {
        let kind = if err.kind() == std::io::ErrorKind::NotFound {
            ErrorKind::NotFound
        } else {
            ErrorKind::Io
        };
        Self::new(kind, format!("{context}: {err}"))
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }

    /// The wire form of this error.
    pub fn to_response(&self) -> AgentResponse {
        AgentResponse::failure(self.message.clone())
    }

    /// HTTP status for a synchronous answer: ZStack's agents answer command
    /// failures with 200 and `success=false`; only requests the agent will not
    /// run at all get an error status.
    pub fn http_status(&self) -> u16 {
        match self.kind {
            ErrorKind::Unauthorized => 401,
            ErrorKind::UnknownPath => 404,
            _ => 200,
        }
    }
}

/// True when libvirt says the domain does not exist.
pub fn is_no_domain(err: &virt::error::Error) -> bool {
    matches!(err.code(), virt::error::ErrorNumber::NoDomain)
}

impl fmt::Display for AgentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AgentError {}
