//! Serde helpers for Alibaba Cloud's JSON shapes.
//!
//! Lists come wrapped in an object named after the item (`"Regions": {"Region": [...]}`);
//! `wrapped::<name>` modules unwrap them into a plain `Vec` on the way in and wrap them
//! again on the way out, so the simulator can emit the same shape from the same structs.
//! Some numeric fields arrive as strings in one product and numbers in another
//! (`OrderId`), so `lenient_string` accepts both.

use serde::{Deserialize, Deserializer, Serializer};

/// Reads `{"<key>": [...]}`, `{}` or `null` into a `Vec`. Keys other than `key` are ignored.
pub(crate) fn deserialize_wrapped<'de, D, T>(deserializer: D, key: &str) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let wrapper: Option<std::collections::BTreeMap<String, Option<Vec<T>>>> =
        Option::deserialize(deserializer)?;
    Ok(wrapper
        .and_then(|mut map| map.remove(key))
        .flatten()
        .unwrap_or_default())
}

macro_rules! wrapped_lists {
    ($($module:ident => $key:literal),* $(,)?) => {
        /// One module per wrapper key, for `#[serde(with = "wrapped::<key>")]`.
        pub mod wrapped { $(
            #[allow(non_snake_case)]
            pub mod $module {
                use serde::ser::SerializeMap;
                #[allow(clippy::ptr_arg)]
                pub fn serialize<S: serde::Serializer, T: serde::Serialize>(items: &Vec<T>, s: S) -> Result<S::Ok, S::Error> {
                    let mut map = s.serialize_map(Some(1))?;
                    map.serialize_entry($key, items)?;
                    map.end()
                }
                pub fn deserialize<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
                    super::super::deserialize_wrapped(d, $key)
                }
            }
        )* }
    };
}

wrapped_lists! {
    Region => "Region",
    Zone => "Zone",
    Instance => "Instance",
    InstanceIdSet => "InstanceIdSet",
    IpAddress => "IpAddress",
    SecurityGroupId => "SecurityGroupId",
    SecurityGroup => "SecurityGroup",
    Tag => "Tag",
    Vpc => "Vpc",
    VSwitch => "VSwitch",
    VSwitchId => "VSwitchId",
    EipAddress => "EipAddress",
    Disk => "Disk",
    Image => "Image",
    InstanceTypes => "InstanceTypes",
    DiskCategories => "DiskCategories",
    ResourceTypes => "ResourceTypes",
    VRouter => "VRouter",
    RouteTableId => "RouteTableId",
    RouteTable => "RouteTable",
    RouteEntry => "RouteEntry",
    NextHop => "NextHop",
    VirtualBorderRouterType => "VirtualBorderRouterType",
    RouterInterfaceType => "RouterInterfaceType",
    AccessPointType => "AccessPointType",
    VpnGateway => "VpnGateway",
    CustomerGateway => "CustomerGateway",
    VpnConnection => "VpnConnection",
    Snapshot => "Snapshot",
}

/// A string field that some answers send as a number (`"OrderId": 0` vs `"1234"`).
pub mod lenient_string {
    use super::*;

    pub fn serialize<S: Serializer>(value: &str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => s,
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        })
    }
}

/// A number field that some answers send as a string (`"Bandwidth": "5"`).
pub mod lenient_i64 {
    use super::*;

    pub fn serialize<S: Serializer>(value: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(*value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .ok_or_else(|| serde::de::Error::custom("number out of range")),
            serde_json::Value::String(s) if s.trim().is_empty() => Ok(0),
            serde_json::Value::String(s) => s.trim().parse().map_err(serde::de::Error::custom),
            serde_json::Value::Null => Ok(0),
            other => Err(serde::de::Error::custom(format!(
                "expected a number, got {other}"
            ))),
        }
    }
}
