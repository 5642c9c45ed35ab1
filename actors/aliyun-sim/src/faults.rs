//! Injected faults: tell the simulator to throttle, fail or time out a given action,
//! either for the next `count` matching requests or for a fraction (`rate`) of them.
//! Faults are checked after the signature (an unsigned request is refused as such),
//! and before the action runs — except `timeout`, which lets the action take effect and
//! then holds the answer back, as a lost response does (a retry with the same
//! ClientToken must then find the resource already created).

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::SimError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// `Throttling.User`, HTTP 400 (OSS: `SlowDown`, 503).
    Throttle,
    /// `InternalError`, HTTP 500, or the `code`/`status` given.
    Fail,
    /// The action runs, the answer is delayed by `delay_ms`.
    Timeout,
}

/// One rule, as posted to `POST /__sim/faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// Action name (`RunInstances`, `PutObject`, ...) or `*` for every action.
    pub action: String,
    pub kind: FaultKind,
    /// Affect this many matching requests, then stop (default: 1 unless `rate` is given).
    #[serde(default)]
    pub count: Option<u32>,
    /// Affect each matching request with this probability (0..=1), until removed.
    #[serde(default)]
    pub rate: Option<f64>,
    /// Delay of a `timeout` (default 30 s).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Error code of a `fail` (default `InternalError`).
    #[serde(default)]
    pub code: Option<String>,
    /// HTTP status of a `fail` (default 500).
    #[serde(default)]
    pub status: Option<u16>,
    /// How many requests this rule has affected.
    #[serde(default)]
    pub fired: u32,
}

/// What the server does about one request.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultDecision {
    /// Answer with this error without running the action.
    Refuse(SimError),
    /// Run the action, then wait this long before answering.
    Delay(std::time::Duration),
}

pub const DEFAULT_TIMEOUT_DELAY_MS: u64 = 30_000;

#[derive(Debug, Default)]
pub struct FaultPlan {
    rules: Vec<FaultRule>,
}

impl FaultPlan {
    pub fn add(&mut self, mut rule: FaultRule) -> Result<(), String> {
        if let Some(rate) = rule.rate {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("rate {rate} is outside 0..=1"));
            }
        }
        if rule.count.is_none() && rule.rate.is_none() {
            rule.count = Some(1);
        }
        rule.fired = 0;
        self.rules.push(rule);
        Ok(())
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    pub fn rules(&self) -> &[FaultRule] {
        &self.rules
    }

    /// The first matching rule with budget left decides; spent count rules are dropped.
    pub fn decide(&mut self, action: &str, oss: bool) -> Option<FaultDecision> {
        let mut rng = rand::thread_rng();
        let mut decision = None;
        for rule in self.rules.iter_mut() {
            if rule.action != "*" && rule.action != action {
                continue;
            }
            let fires = match (rule.count, rule.rate) {
                (Some(0), _) => false,
                (Some(_), Some(rate)) | (None, Some(rate)) => rng.gen_bool(rate),
                (Some(_), None) => true,
                (None, None) => false,
            };
            if !fires {
                continue;
            }
            if let Some(left) = rule.count.as_mut() {
                *left -= 1;
            }
            rule.fired += 1;
            decision = Some(match rule.kind {
                FaultKind::Throttle if oss => FaultDecision::Refuse(SimError::new(
                    503,
                    "SlowDown",
                    "Please reduce your request rate.",
                )),
                FaultKind::Throttle => FaultDecision::Refuse(SimError::throttled()),
                FaultKind::Fail => {
                    let mut error = SimError::internal();
                    if let Some(code) = &rule.code {
                        error.code = code.clone();
                    }
                    if let Some(status) = rule.status {
                        error.status = status;
                    }
                    FaultDecision::Refuse(error)
                }
                FaultKind::Timeout => FaultDecision::Delay(std::time::Duration::from_millis(
                    rule.delay_ms.unwrap_or(DEFAULT_TIMEOUT_DELAY_MS),
                )),
            });
            break;
        }
        self.rules
            .retain(|r| r.count != Some(0) || r.rate.is_some());
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(action: &str, kind: FaultKind, count: Option<u32>, rate: Option<f64>) -> FaultRule {
        FaultRule {
            action: action.into(),
            kind,
            count,
            rate,
            delay_ms: None,
            code: None,
            status: None,
            fired: 0,
        }
    }

    #[test]
    fn count_rules_fire_exactly_count_times_for_their_action_only() {
        let mut plan = FaultPlan::default();
        plan.add(rule("RunInstances", FaultKind::Throttle, Some(2), None))
            .unwrap();
        assert_eq!(plan.decide("DescribeRegions", false), None);
        for _ in 0..2 {
            match plan.decide("RunInstances", false) {
                Some(FaultDecision::Refuse(e)) => assert_eq!(e.code, "Throttling.User"),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(plan.decide("RunInstances", false), None);
        assert!(plan.rules().is_empty());
    }

    #[test]
    fn rate_rules_fire_about_as_often_as_asked() {
        let mut plan = FaultPlan::default();
        plan.add(rule("*", FaultKind::Fail, None, Some(0.5)))
            .unwrap();
        let fired = (0..2000)
            .filter(|_| plan.decide("X", false).is_some())
            .count();
        assert!((800..1200).contains(&fired), "{fired}");
        assert!(plan
            .add(rule("*", FaultKind::Fail, None, Some(1.5)))
            .is_err());
    }

    #[test]
    fn timeout_delays_and_default_count_is_one() {
        let mut plan = FaultPlan::default();
        let mut r = rule("PutObject", FaultKind::Timeout, None, None);
        r.delay_ms = Some(250);
        plan.add(r).unwrap();
        assert_eq!(
            plan.decide("PutObject", true),
            Some(FaultDecision::Delay(std::time::Duration::from_millis(250)))
        );
        assert_eq!(plan.decide("PutObject", true), None);
    }
}
