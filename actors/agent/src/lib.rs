//! zstack-agent library (placeholder while the crate is written).
