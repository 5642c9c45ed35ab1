//! Timestamps on the wire look like Java 8's default `DateFormat` rendering
//! (`Jan 6, 2017 3:51:16 AM`, as ZStack's Gson writes them); in the database
//! they are epoch milliseconds so they compare and sort as numbers.

use chrono::{DateTime, NaiveDateTime, Utc};

const WIRE_FORMAT: &str = "%b %-d, %Y %-I:%M:%S %p";

pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

pub fn to_wire(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().format(WIRE_FORMAT).to_string()
}

/// Parse a wire timestamp, a `yyyy-MM-dd HH:mm:ss[.f]` (Java `Timestamp.valueOf`) or epoch milliseconds.
pub fn parse_any(s: &str) -> Option<i64> {
    if let Ok(ms) = s.parse::<i64>() {
        return Some(ms);
    }
    for fmt in [WIRE_FORMAT, "%b %-d, %Y, %-I:%M:%S %p", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_round_trips_to_the_second() {
        let ms = 1483674676000; // 2017-01-06 03:51:16 UTC
        assert_eq!(to_wire(ms), "Jan 6, 2017 3:51:16 AM");
        assert_eq!(parse_any("Jan 6, 2017 3:51:16 AM"), Some(ms));
        assert_eq!(parse_any("2017-01-06 03:51:16"), Some(ms));
        assert_eq!(parse_any("2017-01-06 03:51:16.0"), Some(ms));
        assert_eq!(parse_any("yesterday"), None);
    }
}
