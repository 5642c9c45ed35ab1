//! Wire types of the ZStack KVM agent protocol (placeholder while the crate is written).
