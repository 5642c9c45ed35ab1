//! The simulator's one error type: an Alibaba Cloud error code, its HTTP status and a
//! message, rendered as the RPC JSON body `{"RequestId","HostId","Code","Message","Recommend"}`
//! or as OSS's XML `<Error>` document, depending on which API answered.

use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

pub type SimResult<T> = Result<T, SimError>;

impl SimError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    /// 400 with a caller-visible reason.
    pub fn bad(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    /// 404 `<Kind>.NotFound`-style errors.
    pub fn not_found(code: &str, message: impl Into<String>) -> Self {
        Self::new(404, code, message)
    }

    /// 403: the resource exists but is in the wrong state (IncorrectInstanceStatus, ...).
    pub fn forbidden(code: &str, message: impl Into<String>) -> Self {
        Self::new(403, code, message)
    }

    pub fn missing(parameter: &str) -> Self {
        Self::bad(
            "MissingParameter",
            format!("The input parameter \"{parameter}\" that is mandatory for processing this request is not supplied."),
        )
    }

    pub fn invalid(parameter: &str, value: &str) -> Self {
        Self::bad(
            "InvalidParameter",
            format!("The specified parameter \"{parameter}\" is not valid: {value:?}."),
        )
    }

    pub fn incorrect_instance_status(id: &str, status: &str) -> Self {
        Self::forbidden(
            "IncorrectInstanceStatus",
            format!("The current status of the resource does not support this operation. Instance {id} is {status}."),
        )
    }

    pub fn throttled() -> Self {
        Self::bad(
            "Throttling.User",
            "Request was denied due to user flow control.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            500,
            "InternalError",
            "The request processing has failed due to some unknown error, exception or failure.",
        )
    }

    /// The RPC error body (ECS/VPC).
    pub fn rpc_body(&self, request_id: &str, host_id: &str) -> serde_json::Value {
        json!({
            "RequestId": request_id,
            "HostId": host_id,
            "Code": self.code,
            "Message": self.message,
            "Recommend": format!("https://api.aliyun.com/troubleshoot?q={}&requestId={request_id}", self.code),
        })
    }

    /// The OSS error document.
    pub fn oss_body(&self, request_id: &str, host_id: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>{}</Code>\n  <Message>{}</Message>\n  <RequestId>{request_id}</RequestId>\n  <HostId>{}</HostId>\n</Error>\n",
            xml_escape(&self.code),
            xml_escape(&self.message),
            xml_escape(host_id)
        )
    }
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (HTTP {}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for SimError {}

pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpc_body_has_the_five_fields_and_oss_body_escapes() {
        let e = SimError::not_found("InvalidVpcId.NotFound", "no <vpc>");
        let body = e.rpc_body("R-1", "vpc.aliyuncs.com");
        for key in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
            assert!(body.get(key).is_some(), "{key}");
        }
        assert_eq!(body["Code"], "InvalidVpcId.NotFound");
        let xml = e.oss_body("R-1", "h");
        assert!(xml.contains("<Message>no &lt;vpc&gt;</Message>"), "{xml}");
    }
}
