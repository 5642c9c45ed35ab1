//! The simulator's notion of "now": wall-clock time plus an offset tests can advance,
//! so status transitions (Pending -> Starting -> Running, ...) can be driven without
//! sleeping. Signature freshness checks use the real wall clock instead, because
//! clients stamp their requests with real time.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Default)]
pub struct SimClock {
    offset_ms: AtomicI64,
}

impl SimClock {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::SeqCst))
    }

    /// Moves simulated time forward (never backward: transitions only go one way).
    pub fn advance(&self, by: std::time::Duration) {
        self.offset_ms
            .fetch_add(by.as_millis().min(i64::MAX as u128) as i64, Ordering::SeqCst);
    }

    pub fn offset(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.offset_ms.load(Ordering::SeqCst).max(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward_by_at_least_the_amount() {
        let clock = SimClock::new();
        let before = clock.now();
        clock.advance(std::time::Duration::from_secs(3600));
        let after = clock.now();
        assert!(after - before >= Duration::seconds(3600));
        assert!(after - before < Duration::seconds(3700));
        assert_eq!(clock.offset(), std::time::Duration::from_secs(3600));
    }
}
