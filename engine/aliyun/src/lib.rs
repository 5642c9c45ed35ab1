//! Alibaba Cloud OpenAPI client for zstack-rs's hybrid-cloud drivers and its simulator.
//!
//! - [`sign`] / [`oss_sign`]: the signature schemes as pure functions with every
//!   intermediate string (RPC V1 HMAC-SHA1, ACS3-HMAC-SHA256, OSS V1 and V4), plus the
//!   server-side checks a simulator needs.
//! - [`AliyunClient`]: endpoints per product/region, retries with backoff on throttling
//!   and 5xx, timeouts, typed errors ([`AliyunError`]), counters ([`ClientStats`]).
//! - [`ecs`], [`vpc`], [`routing`] (vRouters, route entries, border routers, router
//!   interfaces), [`express`] (access points, the border-router lifecycle, connecting
//!   and (de)activating router interfaces), [`vpn`] (VPN and customer gateways, IPsec connections): typed actions
//!   and responses; creating actions always carry a ClientToken ([`client::creates_resources`]);
//!   [`modify`]: the `Modify...Attribute` actions and the VNC password;
//!   [`oss`]: buckets, objects and multipart uploads;
//!   [`snapshot`]: disk snapshots and images made from them;
//!   [`paging`]: collecting every page in both paging styles.
//!
//! Depends on nothing else of zstack-rs.

pub mod client;
pub mod de;
pub mod ecs;
pub mod encode;
pub mod error;
pub mod express;
pub mod modify;
pub mod oss;
pub mod oss_sign;
pub mod paging;
pub mod params;
pub mod routing;
pub mod sign;
pub mod snapshot;
pub mod vpc;
pub mod vpn;

pub use client::{
    backoff_delay, creates_resources, AliyunClient, ClientConfig, ClientStats, Credentials, Endpoints,
    OssSignatureVersion, RequestStamp, SignatureVersion, ECS, ECS_VERSION, OSS, VPC, VPC_VERSION,
};
pub use error::{AliyunError, ErrorKind};
pub use paging::{paginate_pages, paginate_token, Page, TokenPage};
pub use params::Params;
