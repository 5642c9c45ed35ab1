//! The benchmarks' HTTP client for the node's API: one call, polling an
//! async API's job until it ends; any answer but 200 stops the benchmark.

use serde_json::{json, Value};
use std::time::Duration;

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub session: String,
    /// How often a job is polled. ZStack's SDK waits 1 s; a tighter loop keeps
    /// the latency of each call low without spending the node's CPU on polls.
    pub poll: Duration,
}

impl Client {
    /// Log in as admin (SHA-512 of `password`, as ZStack clients send it) at the node's `base` URL.
    pub async fn login(http: reqwest::Client, base: String, password: &str) -> Client {
        let login: Value = http
            .put(format!("{base}/v1/accounts/login"))
            .json(&json!({"logInByAccount": {"accountName": "admin", "password": zstack::identity::sha512_hex(password)}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = login["inventory"]["uuid"].as_str().unwrap().to_string();
        Client { http, base, session, poll: Duration::from_millis(20) }
    }

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut rb = self.http.request(method, format!("{}{path}", self.base)).header("Authorization", format!("OAuth {}", self.session));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.expect("request");
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        if status != 202 {
            assert_eq!(status, 200, "{path}: {v}");
            return v;
        }
        let loc = v["location"].as_str().unwrap().to_string();
        loop {
            let r = self.http.get(&loc).send().await.expect("poll");
            if r.status().as_u16() != 202 {
                let s = r.status().as_u16();
                let v: Value = r.json().await.unwrap_or(Value::Null);
                assert_eq!(s, 200, "{path}: {v}");
                return v;
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    /// A create API's inventory.
    pub async fn create_inv(&self, path: &str, params: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(json!({ "params": params }))).await["inventory"].clone()
    }

    /// A create API's resource uuid.
    pub async fn create(&self, path: &str, params: Value) -> String {
        self.create_inv(path, params).await["uuid"].as_str().unwrap().to_string()
    }
}
