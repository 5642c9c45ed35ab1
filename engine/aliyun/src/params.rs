//! Building an action's parameter list the way the SDKs flatten it: repeated structures
//! as `Tag.1.Key` / `DataDisk.2.Size`, id lists as JSON array strings
//! (`InstanceIds=["i-1","i-2"]`), optional values left out entirely.

/// Ordered `(name, value)` pairs for [`crate::AliyunClient::call`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(mut self, name: &str, value: impl ToString) -> Self {
        self.0.push((name.to_string(), value.to_string()));
        self
    }

    pub fn set_opt(self, name: &str, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.set(name, v),
            None => self,
        }
    }

    /// Skips empty strings too: Alibaba Cloud treats `Name=` differently from no `Name`.
    pub fn set_nonempty(self, name: &str, value: &str) -> Self {
        if value.is_empty() {
            self
        } else {
            self.set(name, value)
        }
    }

    /// `name=["a","b"]`, left out when `items` is empty.
    pub fn set_json_list(self, name: &str, items: &[String]) -> Self {
        if items.is_empty() {
            return self;
        }
        let json = serde_json::to_string(items).expect("a list of strings always serializes");
        self.set(name, json)
    }

    /// `prefix.index.field=value`, `index` counted from 1.
    pub fn set_indexed(
        self,
        prefix: &str,
        index: usize,
        field: &str,
        value: impl ToString,
    ) -> Self {
        self.set(&format!("{prefix}.{index}.{field}"), value)
    }

    /// `Tag.N.Key` / `Tag.N.Value`.
    pub fn set_tags(mut self, tags: &[(String, String)]) -> Self {
        for (i, (key, value)) in tags.iter().enumerate() {
            self = self.set_indexed("Tag", i + 1, "Key", key).set_indexed(
                "Tag",
                i + 1,
                "Value",
                value,
            );
        }
        self
    }

    pub fn extend(mut self, extra: &[(String, String)]) -> Self {
        self.0.extend_from_slice(extra);
        self
    }

    pub fn as_slice(&self) -> &[(String, String)] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<(String, String)> {
        self.0
    }
}

/// A fresh idempotency token: generated once per logical call so every retry of a
/// creating action carries the same one and the service creates at most one resource.
pub fn new_client_token() -> String {
    use rand::Rng;
    hex::encode(rand::thread_rng().gen::<[u8; 16]>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattening_matches_the_sdk_wire_format() {
        let params = Params::new()
            .set("RegionId", "cn-hangzhou")
            .set_opt("Amount", Some(2))
            .set_opt("Skipped", None::<String>)
            .set_nonempty("Empty", "")
            .set_json_list("InstanceIds", &["i-bp1aaaaaaaaaaaaaaaaa".to_string()])
            .set_json_list("Nothing", &[])
            .set_indexed("DataDisk", 1, "Size", 100)
            .set_tags(&[("env".into(), "test".into())]);
        let expected: Vec<(String, String)> = [
            ("RegionId", "cn-hangzhou"),
            ("Amount", "2"),
            ("InstanceIds", "[\"i-bp1aaaaaaaaaaaaaaaaa\"]"),
            ("DataDisk.1.Size", "100"),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "test"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(params.into_vec(), expected);
    }

    #[test]
    fn client_tokens_are_unique() {
        let a = new_client_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, new_client_token());
    }
}
