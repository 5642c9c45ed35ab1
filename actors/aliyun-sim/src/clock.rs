//! The simulator's notion of "now": wall-clock time plus an offset tests can advance,
//! so status transitions (Pending -> Starting -> Running, ...) can be driven without
//! sleeping. A test that needs exact steps freezes the clock first, so real time
//! passing between its calls cannot move a status on its own. Signature freshness
//! checks use the real wall clock instead, because clients stamp requests with it.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};
use parking_lot::Mutex;

#[derive(Debug, Default)]
pub struct SimClock {
    offset_ms: AtomicI64,
    frozen_at: Mutex<Option<DateTime<Utc>>>,
}

impl SimClock {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn now(&self) -> DateTime<Utc> {
        let base = self.frozen_at.lock().unwrap_or_else(Utc::now);
        base + Duration::milliseconds(self.offset_ms.load(Ordering::SeqCst))
    }

    /// Stops wall-clock time from moving simulated time; only [`Self::advance`] does.
    pub fn freeze(&self) {
        let mut frozen = self.frozen_at.lock();
        if frozen.is_none() {
            *frozen = Some(Utc::now());
        }
    }

    /// Lets wall-clock time move simulated time again (from the real now plus the offset).
    pub fn unfreeze(&self) {
        *self.frozen_at.lock() = None;
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen_at.lock().is_some()
    }

    /// Moves simulated time forward (never backward: transitions only go one way).
    pub fn advance(&self, by: std::time::Duration) {
        self.offset_ms.fetch_add(
            by.as_millis().min(i64::MAX as u128) as i64,
            Ordering::SeqCst,
        );
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

    #[test]
    fn a_frozen_clock_moves_only_when_advanced() {
        let clock = SimClock::new();
        clock.freeze();
        let t0 = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(clock.now(), t0);
        clock.advance(std::time::Duration::from_millis(5));
        assert_eq!(clock.now() - t0, Duration::milliseconds(5));
        clock.unfreeze();
        assert!(!clock.is_frozen());
        assert!(clock.now() > t0);
    }
}
