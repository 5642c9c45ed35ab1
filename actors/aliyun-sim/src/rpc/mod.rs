//! RPC-style APIs (ECS 2014-05-26, VPC 2016-04-28): parameters, paging, ClientToken
//! idempotency and the action table. The product is chosen by the API version the
//! request names (`Version` parameter or `x-acs-version` header), which is what every
//! SDK sends even when all products share one local address.

pub mod ecs;
pub mod snapshot;
pub mod express;
pub mod modify;
pub mod vpc;
pub mod vpn;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::{SimError, SimResult};
use crate::state::{IdempotentAnswer, SimState};

pub const ECS_VERSION: &str = "2014-05-26";
pub const VPC_VERSION: &str = "2016-04-28";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    Ecs,
    Vpc,
}

impl Product {
    pub fn for_version(version: &str) -> Option<Self> {
        match version {
            ECS_VERSION => Some(Self::Ecs),
            VPC_VERSION => Some(Self::Vpc),
            _ => None,
        }
    }

    pub fn host_id(&self) -> &'static str {
        match self {
            Self::Ecs => "ecs.aliyuncs.com",
            Self::Vpc => "vpc.aliyuncs.com",
        }
    }
}

/// Parameters that belong to the protocol, not the action (left out of ClientToken fingerprints).
const PROTOCOL_PARAMS: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "Timestamp",
];

/// An action's decoded parameters (query and form body together).
#[derive(Debug, Clone, Default)]
pub struct RpcParams {
    pairs: Vec<(String, String)>,
}

impl RpcParams {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }

    /// The value, when given and not empty (the service treats `Name=` as absent).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn get_or<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.get(name).unwrap_or(default)
    }

    pub fn required(&self, name: &str) -> SimResult<&str> {
        self.get(name).ok_or_else(|| SimError::missing(name))
    }

    pub fn bool(&self, name: &str, default: bool) -> SimResult<bool> {
        match self.get(name) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(SimError::invalid(name, v)),
        }
    }

    pub fn int(&self, name: &str) -> SimResult<Option<i64>> {
        self.get(name)
            .map(|v| {
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| SimError::invalid(name, v))
            })
            .transpose()
    }

    /// `["a","b"]` as the SDKs send id lists; a bare id is accepted too.
    pub fn json_list(&self, name: &str) -> SimResult<Vec<String>> {
        let Some(raw) = self.get(name) else {
            return Ok(Vec::new());
        };
        if raw.trim_start().starts_with('[') {
            serde_json::from_str::<Vec<String>>(raw).map_err(|_| {
                SimError::bad(
                    &format!("Invalid{name}.Malformed"),
                    format!("The specified parameter {name} is not valid JSON: {raw}"),
                )
            })
        } else {
            Ok(raw
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect())
        }
    }

    /// `Prefix.N.Field=value` groups, ordered by N.
    pub fn indexed(&self, prefix: &str) -> Vec<BTreeMap<String, String>> {
        let mut groups: BTreeMap<u32, BTreeMap<String, String>> = BTreeMap::new();
        let lead = format!("{prefix}.");
        for (k, v) in &self.pairs {
            if let Some(rest) = k.strip_prefix(&lead) {
                if let Some((index, field)) = rest.split_once('.') {
                    if let Ok(index) = index.parse::<u32>() {
                        groups
                            .entry(index)
                            .or_default()
                            .insert(field.to_string(), v.clone());
                    }
                }
            }
        }
        groups.into_values().collect()
    }

    /// `Prefix.N=value` values, ordered by N.
    pub fn repeated(&self, prefix: &str) -> Vec<String> {
        let mut values: BTreeMap<u32, String> = BTreeMap::new();
        let lead = format!("{prefix}.");
        for (k, v) in &self.pairs {
            if let Some(index) = k.strip_prefix(&lead).and_then(|i| i.parse::<u32>().ok()) {
                values.insert(index, v.clone());
            }
        }
        values.into_values().collect()
    }

    pub fn tags(&self) -> Vec<(String, String)> {
        self.indexed("Tag")
            .into_iter()
            .filter_map(|t| {
                Some((
                    t.get("Key")?.clone(),
                    t.get("Value").cloned().unwrap_or_default(),
                ))
            })
            .collect()
    }

    /// The `Tag.N.Key`/`Tag.N.Value` filter of a Describe action: true when `tags` holds
    /// every tag asked for (a filter tag without a Value matches any value of its key).
    pub fn tags_match(&self, tags: &[(String, String)]) -> bool {
        self.indexed("Tag").iter().all(|want| {
            let Some(key) = want.get("Key") else { return true };
            tags.iter().any(|(k, v)| k == key && want.get("Value").is_none_or(|w| w == v))
        })
    }

    /// Hash of the action's own parameters, minus ClientToken and the protocol ones.
    pub fn fingerprint(&self) -> String {
        let mut own: Vec<&(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| !PROTOCOL_PARAMS.contains(&k.as_str()) && k != "ClientToken")
            .collect();
        own.sort();
        let mut hasher = Sha256::new();
        for (k, v) in own {
            hasher.update(k.as_bytes());
            hasher.update([0]);
            hasher.update(v.as_bytes());
            hasher.update([0]);
        }
        hex::encode(hasher.finalize())
    }
}

/// VPC-product tags as answered: `[{"Key", "Value"}]` (ECS spells them TagKey/TagValue).
pub fn vpc_tags(tags: &[(String, String)]) -> Vec<zstack_aliyun::vpc::VpcTag> {
    tags.iter().map(|(k, v)| zstack_aliyun::vpc::VpcTag { key: k.clone(), value: v.clone() }).collect()
}

/// What a handler may know about the request besides its parameters.
pub struct RpcContext<'a> {
    pub now: DateTime<Utc>,
    pub access_key_id: &'a str,
    /// `http://host:port` the request came to (for URLs in answers, e.g. VNC).
    pub base_url: &'a str,
}

/// ECS answers minutes (`2026-11-25T05:00Z`), VPC seconds.
pub fn ecs_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%MZ").to_string()
}

pub fn vpc_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Where one page starts and how it is described in the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct PageInfo {
    pub total: usize,
    pub page_number: i64,
    pub page_size: i64,
    /// Some in NextToken mode (empty on the last page).
    pub next_token: Option<String>,
}

/// Cuts one page out of `items`. NextToken/MaxResults mode when either is given and
/// the action supports it, else PageNumber/PageSize (defaults 1 and `default_size`).
pub fn page_of<T>(
    items: Vec<T>,
    params: &RpcParams,
    default_size: i64,
    max_size: i64,
    supports_token: bool,
) -> SimResult<(Vec<T>, PageInfo)> {
    let total = items.len();
    let token_mode =
        supports_token && (params.get("NextToken").is_some() || params.get("MaxResults").is_some());
    let (offset, size, page_number) = if token_mode {
        let size = params.int("MaxResults")?.unwrap_or(default_size);
        if !(1..=max_size).contains(&size) {
            return Err(SimError::bad(
                "InvalidParameter.MaxResults",
                format!("MaxResults must be between 1 and {max_size}."),
            ));
        }
        let offset = match params.get("NextToken") {
            None => 0,
            Some(token) => decode_token(token).ok_or_else(|| {
                SimError::bad(
                    "InvalidParameter.NextToken",
                    format!("The specified NextToken {token} is not valid."),
                )
            })?,
        };
        (offset, size, 1)
    } else {
        let number = params.int("PageNumber")?.unwrap_or(1);
        let size = params.int("PageSize")?.unwrap_or(default_size);
        if number < 1 {
            return Err(SimError::invalid("PageNumber", &number.to_string()));
        }
        if !(1..=max_size).contains(&size) {
            return Err(SimError::invalid("PageSize", &size.to_string()));
        }
        (((number - 1) * size) as usize, size, number)
    };
    let page: Vec<T> = items.into_iter().skip(offset).take(size as usize).collect();
    let end = offset + page.len();
    let next_token = token_mode.then(|| {
        if end < total {
            encode_token(end)
        } else {
            String::new()
        }
    });
    Ok((
        page,
        PageInfo {
            total,
            page_number,
            page_size: size,
            next_token,
        },
    ))
}

fn encode_token(offset: usize) -> String {
    format!("sim{offset:08x}")
}

fn decode_token(token: &str) -> Option<usize> {
    usize::from_str_radix(token.strip_prefix("sim")?, 16).ok()
}

/// The answer of a paged Describe*: `{ set: { kind: [render(item), ...] } }` for the page
/// [`page_of`] cut, with TotalCount, PageNumber, PageSize (and NextToken when there is one).
pub fn answer_page<T>((page, info): (Vec<T>, PageInfo), set: &str, kind: &str, render: impl FnMut(&T) -> Value) -> Value {
    let list: Vec<Value> = page.iter().map(render).collect();
    let mut body = json!({ set: { kind: list }, "TotalCount": info.total, "PageNumber": info.page_number, "PageSize": info.page_size });
    if let Some(token) = info.next_token {
        body["NextToken"] = json!(token);
    }
    body
}

pub fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("response structs always serialize")
}

/// `RegionId`, checked against the catalog; actions without one use `default`.
pub fn region_param(params: &RpcParams, required: bool) -> SimResult<Option<&str>> {
    match params.get("RegionId") {
        Some(region) => {
            if crate::state::region(region).is_none() {
                return Err(SimError::not_found(
                    "InvalidRegionId.NotFound",
                    format!("The specified RegionId {region} does not exist."),
                ));
            }
            Ok(Some(region))
        }
        None if required => Err(SimError::missing("RegionId")),
        None => Ok(None),
    }
}

/// Runs an action with ClientToken idempotency: a repeated token with the same
/// parameters gets the first answer again (no second resource); with other
/// parameters, `IdempotentParameterMismatch`.
pub fn execute(
    state: &mut SimState,
    product: Product,
    action: &str,
    params: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Value> {
    state.settle(ctx.now);
    let token = params.get("ClientToken").map(str::to_string);
    let key = token
        .as_ref()
        .map(|t| (ctx.access_key_id.to_string(), action.to_string(), t.clone()));
    let fingerprint = params.fingerprint();
    if let Some(key) = &key {
        if let Some(answer) = state.client_tokens.get(key) {
            if answer.fingerprint == fingerprint {
                return Ok(answer.body.clone());
            }
            return Err(SimError::bad(
                "IdempotentParameterMismatch",
                "The request uses the same client token as a previous, but non-identical request.",
            ));
        }
    }
    let body = match (modify::handle(state, product, action, params)?, product) {
        (Some(body), _) => body,
        // The ECS API also still serves the VPC actions it used to own (CreateVpc, ...).
        (None, Product::Ecs) => match ecs::handle(state, action, params, ctx)? {
            Some(body) => body,
            None => match snapshot::handle(state, action, params, ctx)? {
                Some(body) => body,
                None => vpc::handle(state, action, params, ctx)?
                    .ok_or_else(|| unknown_action(action, product))?,
            },
        },
        (None, Product::Vpc) => match vpc::handle(state, action, params, ctx)? {
            Some(body) => body,
            // VPC has its own DescribeRegions/DescribeZones with a subset of ECS's fields.
            None if matches!(action, "DescribeRegions" | "DescribeZones") => {
                ecs::handle(state, action, params, ctx)?.expect("ECS handles regions and zones")
            }
            None => match express::handle(state, action, params, ctx)? {
                Some(body) => body,
                None => vpn::handle(state, action, params, ctx)?,
            },
        },
    };
    if let Some(key) = key {
        state.client_tokens.insert(
            key,
            IdempotentAnswer {
                fingerprint,
                body: body.clone(),
            },
        );
    }
    Ok(body)
}

pub fn unknown_action(action: &str, product: Product) -> SimError {
    SimError::not_found(
        "InvalidAction.NotFound",
        format!(
            "Specified api {action} is not found in {} version {}.",
            product.host_id(),
            match product {
                Product::Ecs => ECS_VERSION,
                Product::Vpc => VPC_VERSION,
            }
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> RpcParams {
        RpcParams::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn flattened_parameters_are_regrouped() {
        let p = params(&[
            ("DataDisk.2.Size", "50"),
            ("DataDisk.1.Size", "100"),
            ("DataDisk.1.Category", "cloud_essd"),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "test"),
            ("SecurityGroupIds.1", "sg-1"),
            ("InstanceIds", "[\"i-1\",\"i-2\"]"),
            ("Empty", ""),
        ]);
        let disks = p.indexed("DataDisk");
        assert_eq!(disks.len(), 2);
        assert_eq!(disks[0]["Size"], "100");
        assert_eq!(disks[1]["Size"], "50");
        assert_eq!(p.tags(), vec![("env".to_string(), "test".to_string())]);
        assert_eq!(p.repeated("SecurityGroupIds"), vec!["sg-1"]);
        assert_eq!(p.json_list("InstanceIds").unwrap(), vec!["i-1", "i-2"]);
        assert_eq!(p.get("Empty"), None);
        assert_eq!(p.required("Empty").unwrap_err().code, "MissingParameter");
        let bad = params(&[("InstanceIds", "[\"i-1\"")]);
        assert_eq!(
            bad.json_list("InstanceIds").unwrap_err().code,
            "InvalidInstanceIds.Malformed"
        );
    }

    #[test]
    fn fingerprint_ignores_protocol_params_and_order() {
        let a = params(&[
            ("VpcId", "v"),
            ("SignatureNonce", "1"),
            ("ClientToken", "t"),
        ]);
        let b = params(&[("SignatureNonce", "2"), ("VpcId", "v")]);
        let c = params(&[("VpcId", "w")]);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn both_paging_styles_cover_every_item_once() {
        let items: Vec<u32> = (0..23).collect();
        let (page, info) = page_of(
            items.clone(),
            &params(&[("PageNumber", "3"), ("PageSize", "10")]),
            10,
            100,
            true,
        )
        .unwrap();
        assert_eq!(page, vec![20, 21, 22]);
        assert_eq!(
            (
                info.total,
                info.page_number,
                info.page_size,
                info.next_token
            ),
            (23, 3, 10, None)
        );
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut p = vec![("MaxResults", "10")];
            if let Some(t) = &token {
                p.push(("NextToken", t.as_str()));
            }
            let (page, info) = page_of(items.clone(), &params(&p), 10, 100, true).unwrap();
            seen.extend(page);
            match info.next_token.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, items);
        assert!(page_of(
            items.clone(),
            &params(&[("PageSize", "101")]),
            10,
            100,
            true
        )
        .is_err());
        assert!(page_of(items, &params(&[("NextToken", "garbage")]), 10, 100, true).is_err());
    }
}
