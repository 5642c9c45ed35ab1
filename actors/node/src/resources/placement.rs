//! What VM allocation needs to know about the topology, kept in memory: for
//! a set of L3 networks, the hosts of the clusters attached to all of their
//! L2 networks, and the primary storage attached to each of those clusters.
//! Capacity and state are not kept here: the host and storage actors check
//! them when they reserve, so a stale entry costs one refused reservation,
//! never a wrong one. Entries are dropped whenever the topology changes
//! (anything created under a parent, attached, detached or deleted).

use crate::app::App;
use crate::store::str_of;
use crate::tables;
use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use zstack_kit::ApiResult;

#[derive(Debug, Clone)]
pub struct HostRef {
    pub uuid: String,
    pub cluster: String,
    pub zone: String,
}

#[derive(Debug, Default)]
pub struct Candidates {
    /// Shared, so each allocation orders pointers rather than copying every host's uuids.
    pub hosts: Vec<Arc<HostRef>>,
    pub storage_of_cluster: HashMap<String, Vec<String>>,
}

#[derive(Default)]
pub struct Placement {
    generation: AtomicU64,
    by_l3s: Mutex<HashMap<String, Arc<Candidates>>>,
}

impl Placement {
    pub fn topology_changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.by_l3s.lock().clear();
    }

    pub async fn candidates(&self, app: &App, l3s: &[String]) -> ApiResult<Arc<Candidates>> {
        let mut key: Vec<&str> = l3s.iter().map(String::as_str).collect();
        key.sort();
        let key = key.join(",");
        if let Some(c) = self.by_l3s.lock().get(&key) {
            return Ok(c.clone());
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let built = Arc::new(build(app, l3s).await?);
        // Keep it only if nothing changed while it was being read.
        if self.generation.load(Ordering::SeqCst) == generation {
            self.by_l3s.lock().insert(key, built.clone());
        }
        Ok(built)
    }
}

async fn build(app: &App, l3s: &[String]) -> ApiResult<Candidates> {
    let mut common: Option<HashSet<String>> = None;
    for l3 in l3s {
        let inv = super::network::l3_read(app, l3).await?;
        let l2 = str_of(&inv, "l2NetworkUuid").unwrap_or_default().to_string();
        let clusters: HashSet<String> = app.store.column_where_in(&tables::L2_NETWORK_CLUSTER_REF, "clusterUuid", "l2NetworkUuid", &[l2]).await?.into_iter().collect();
        common = Some(match common {
            None => clusters,
            Some(c) => c.intersection(&clusters).cloned().collect(),
        });
    }
    let clusters: Vec<String> = common.unwrap_or_default().into_iter().collect();
    let hosts = app
        .store
        .inv_where_in(&tables::HOST, "clusterUuid", &clusters)
        .await?
        .iter()
        .map(|h| Arc::new(HostRef {
            uuid: str_of(h, "uuid").unwrap_or_default().to_string(),
            cluster: str_of(h, "clusterUuid").unwrap_or_default().to_string(),
            zone: str_of(h, "zoneUuid").unwrap_or_default().to_string(),
        }))
        .collect();
    let mut storage_of_cluster: HashMap<String, Vec<String>> = HashMap::new();
    for r in app.store.inv_where_in(&tables::PRIMARY_STORAGE_CLUSTER_REF, "clusterUuid", &clusters).await? {
        let (c, p) = (str_of(&r, "clusterUuid").unwrap_or_default(), str_of(&r, "primaryStorageUuid").unwrap_or_default());
        storage_of_cluster.entry(c.to_string()).or_default().push(p.to_string());
    }
    for list in storage_of_cluster.values_mut() {
        list.sort();
    }
    Ok(Candidates { hosts, storage_of_cluster })
}
