//! Request counters per action, so tests and benchmarks can check what reached the
//! service: how many requests, how many passed the signature check, which error codes
//! were answered, how many faults fired. `GET /__sim/stats` returns them as JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::auth::SignatureKind;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ActionStats {
    /// Requests received for this action.
    pub requests: u64,
    /// Requests whose signature verified.
    pub signed_ok: u64,
    /// Requests answered with success.
    pub succeeded: u64,
    /// Injected faults that fired.
    pub faults: u64,
    /// Error answers by code (signature errors included).
    pub errors: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SimStats {
    pub total_requests: u64,
    /// Verified requests per scheme: rpc_v1, acs3, oss_v1, oss_v4.
    pub signatures: BTreeMap<String, u64>,
    pub actions: BTreeMap<String, ActionStats>,
}

impl SimStats {
    fn action(&mut self, action: &str) -> &mut ActionStats {
        self.actions.entry(action.to_string()).or_default()
    }

    pub fn received(&mut self, action: &str) {
        self.total_requests += 1;
        self.action(action).requests += 1;
    }

    pub fn signed(&mut self, action: &str, kind: SignatureKind) {
        self.action(action).signed_ok += 1;
        let name = serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        *self.signatures.entry(name).or_default() += 1;
    }

    pub fn fault(&mut self, action: &str) {
        self.action(action).faults += 1;
    }

    pub fn answered(&mut self, action: &str, error_code: Option<&str>) {
        let stats = self.action(action);
        match error_code {
            None => stats.succeeded += 1,
            Some(code) => *stats.errors.entry(code.to_string()).or_default() += 1,
        }
    }
}
