//! The resource tree for cascade deletion: who is below whom (ZStack's
//! cascade graph, §4.3 of the reference) and what deleting, stopping or
//! detaching each node means. The walk itself is `zstack_kit::cascade`.

use super::vm::{nic_detach, vm_delete_for, vm_stop_for};
use super::{Dir, Kind, Res};
use crate::app::App;
use crate::store::{str_of, Inventory};
use crate::tables;
use futures::future::LocalBoxFuture;
use std::collections::HashSet;
use zstack_db::Stmt;
use zstack_kit::actor::Cell;
use zstack_kit::cascade::{cascade, CascadeGraph, DeleteMode, Node, Visit};
use zstack_kit::{ApiError, ApiResult};

pub const ZONE: &str = "ZoneVO";
pub const CLUSTER: &str = "ClusterVO";
pub const HOST: &str = "HostVO";
pub const PRIMARY_STORAGE: &str = "PrimaryStorageVO";
pub const BACKUP_STORAGE: &str = "BackupStorageVO";
pub const L2: &str = "L2NetworkVO";
pub const L3: &str = "L3NetworkVO";
pub const VM: &str = "VmInstanceVO";
pub const IMAGE: &str = "ImageVO";
pub const INSTANCE_OFFERING: &str = "InstanceOfferingVO";
pub const DISK_OFFERING: &str = "DiskOfferingVO";

struct Tree {
    app: App,
    /// Nodes this walk marked as being deleted, unmarked when it ends.
    marked: std::cell::RefCell<Vec<String>>,
}

fn uuids(rows: Vec<Inventory>) -> Vec<String> {
    rows.iter().filter_map(|r| str_of(r, "uuid").map(String::from)).collect()
}

impl Tree {
    /// Mark the node as being deleted, then let every operation already
    /// queued on its actor finish. Creations under a node check the mark on
    /// the node's actor, so after this barrier nothing new appears under it
    /// and everything already created is visible to the listing that follows.
    async fn mark_and_settle(&self, node: &Node) {
        if self.app.dirs().deleting.lock().insert(node.uuid.clone()) {
            self.marked.borrow_mut().push(node.uuid.clone());
        }
        let d = self.app.dirs();
        let u = node.uuid.as_str();
        // A node whose row is already gone has nothing queued: errors are fine.
        let _ = match node.kind {
            ZONE => d.zone.ask(u, |_c: Cell<Res<super::ZoneK>>| Box::pin(async { Ok(()) })).await,
            CLUSTER => d.cluster.ask(u, |_c: Cell<Res<super::ClusterK>>| Box::pin(async { Ok(()) })).await,
            HOST => d.host.ask(u, |_c: Cell<Res<super::HostK>>| Box::pin(async { Ok(()) })).await,
            PRIMARY_STORAGE => d.primary_storage.ask(u, |_c: Cell<Res<super::PrimaryStorageK>>| Box::pin(async { Ok(()) })).await,
            L2 => d.l2.ask(u, |_c: Cell<Res<super::L2K>>| Box::pin(async { Ok(()) })).await,
            L3 => d.l3.ask(u, |_c: Cell<super::network::L3State>| Box::pin(async { Ok(()) })).await,
            _ => Ok(()),
        };
    }

    fn unmark(&self) {
        let mut deleting = self.app.dirs().deleting.lock();
        for u in self.marked.borrow_mut().drain(..) {
            deleting.remove(&u);
        }
    }

    /// The distinct VMs owning rows of `spec` whose `field` is `value` (volumes on a storage, NICs on a network).
    async fn vms_of(&self, spec: &'static zstack_db::TableSpec, field: &str, value: &str) -> ApiResult<Vec<String>> {
        let vms: HashSet<String> = self.app.store.column_where_in(spec, "vmInstanceUuid", field, &[value.to_string()]).await?.into_iter().collect();
        Ok(vms.into_iter().collect())
    }

    async fn children_of(&self, node: &Node) -> ApiResult<Vec<Node>> {
        self.mark_and_settle(node).await;
        let s = &self.app.store;
        let nodes = |kind: &'static str, ids: Vec<String>| ids.into_iter().map(move |u| Node::new(kind, u));
        let mut out: Vec<Node> = Vec::new();
        match node.kind {
            ZONE => {
                out.extend(nodes(CLUSTER, uuids(s.inv_find(&tables::CLUSTER, "zoneUuid", &node.uuid).await?)));
                out.extend(nodes(PRIMARY_STORAGE, uuids(s.inv_find(&tables::PRIMARY_STORAGE, "zoneUuid", &node.uuid).await?)));
                out.extend(nodes(L2, uuids(s.inv_find(&tables::L2_NETWORK, "zoneUuid", &node.uuid).await?)));
            }
            CLUSTER => out.extend(nodes(HOST, uuids(s.inv_find(&tables::HOST, "clusterUuid", &node.uuid).await?))),
            HOST => out.extend(nodes(VM, uuids(s.inv_find(&tables::VM_INSTANCE, "hostUuid", &node.uuid).await?))),
            PRIMARY_STORAGE => out.extend(nodes(VM, self.vms_of(&tables::VOLUME, "primaryStorageUuid", &node.uuid).await?)),
            L2 => {
                out.extend(nodes(L3, uuids(s.inv_find(&tables::L3_NETWORK, "l2NetworkUuid", &node.uuid).await?)));
                // A VXLAN pool's networks go with it.
                out.extend(nodes(L2, uuids(s.inv_find(&tables::L2_NETWORK, "poolUuid", &node.uuid).await?)));
            }
            L3 => out.extend(nodes(VM, self.vms_of(&tables::VM_NIC, "l3NetworkUuid", &node.uuid).await?)),
            INSTANCE_OFFERING => out.extend(nodes(VM, uuids(s.inv_find(&tables::VM_INSTANCE, "instanceOfferingUuid", &node.uuid).await?))),
            BACKUP_STORAGE => {
                // Images with no copy on another backup storage go with it.
                for r in s.inv_find(&tables::IMAGE_BACKUP_STORAGE_REF, "backupStorageUuid", &node.uuid).await? {
                    let image = str_of(&r, "imageUuid").unwrap_or_default().to_string();
                    if s.inv_find(&tables::IMAGE_BACKUP_STORAGE_REF, "imageUuid", &image).await?.len() <= 1 {
                        out.push(Node::new(IMAGE, image));
                    }
                }
            }
            _ => {}
        }
        Ok(out)
    }

    /// Delete the node's rows on its actor (so queued operations finish first) and retire the actor.
    async fn retire<K: Kind>(&self, dir: &Dir<K>, uuid: &str, extra: Vec<Stmt>) -> ApiResult<()> {
        let store = self.app.store.clone();
        let mut stmts = extra;
        stmts.push(store.delete_stmt(K::SPEC, "uuid", uuid));
        stmts.push(store.delete_stmt(&tables::SYSTEM_TAG, "resourceUuid", uuid));
        stmts.push(store.delete_stmt(&tables::USER_TAG, "resourceUuid", uuid));
        let r = dir
            .ask(uuid, move |cell: Cell<Res<K>>| {
                Box::pin(async move {
                    store.db.write(stmts).await?;
                    cell.borrow_mut().gone = true;
                    Ok(())
                })
            })
            .await;
        match r {
            // Already gone (reached through two parents): deletion is idempotent.
            Err(e) if e.details.contains("does not exist") => Ok(()),
            other => other,
        }
    }

    async fn delete_node(&self, visit: &Visit, root: &Node) -> ApiResult<()> {
        let app = &self.app;
        let s = &app.store;
        let d = app.dirs();
        let u = visit.node.uuid.as_str();
        match visit.node.kind {
            VM => match visit.parent.kind {
                HOST if root.kind != ZONE => vm_stop_for(app, u).await.or_else(ignore_gone),
                L3 => {
                    for nic in s.inv_find(&tables::VM_NIC, "vmInstanceUuid", u).await? {
                        if str_of(&nic, "l3NetworkUuid") == Some(visit.parent.uuid.as_str()) {
                            nic_detach(app, u, str_of(&nic, "uuid").unwrap_or_default()).await?;
                        }
                    }
                    Ok(())
                }
                INSTANCE_OFFERING => super::mutate(app, &d.vm, u, |s| {
                    s.inv.remove("instanceOfferingUuid");
                    Ok(())
                })
                .await
                .or_else(ignore_gone),
                _ => vm_delete_for(app, u).await,
            },
            HOST => {
                app.kvm.host_removed(app, u).await?;
                app.sim.host_remove(u).await?;
                self.retire(&d.host, u, vec![s.delete_stmt(&tables::RESOURCE_CONFIG, "resourceUuid", u)]).await
            }
            CLUSTER => {
                let extra = vec![s.delete_stmt(&tables::PRIMARY_STORAGE_CLUSTER_REF, "clusterUuid", u), s.delete_stmt(&tables::L2_NETWORK_CLUSTER_REF, "clusterUuid", u)];
                self.retire(&d.cluster, u, extra).await
            }
            PRIMARY_STORAGE => {
                // Volumes left on it (detached data volumes) go with it.
                for v in s.inv_find(&tables::VOLUME, "primaryStorageUuid", u).await? {
                    if let Some(path) = str_of(&v, "installPath") {
                        app.sim.volume_delete(u, path).await?;
                    }
                }
                for snap in s.inv_find(&tables::VOLUME_SNAPSHOT, "primaryStorageUuid", u).await? {
                    if let Some(path) = str_of(&snap, "primaryStorageInstallPath") {
                        app.sim.volume_delete(u, path).await?;
                    }
                }
                let extra = vec![
                    s.delete_stmt(&tables::VOLUME_SNAPSHOT, "primaryStorageUuid", u),
                    s.delete_stmt(&tables::VOLUME, "primaryStorageUuid", u),
                    s.delete_stmt(&tables::PRIMARY_STORAGE_CLUSTER_REF, "primaryStorageUuid", u),
                ];
                self.retire(&d.primary_storage, u, extra).await
            }
            L2 => {
                let extra = vec![s.delete_stmt(&tables::L2_NETWORK_CLUSTER_REF, "l2NetworkUuid", u), s.delete_stmt(&tables::VNI_RANGE, "l2NetworkUuid", u)];
                self.retire(&d.l2, u, extra).await
            }
            L3 => {
                let stmts = vec![
                    s.delete_stmt(&tables::USED_IP, "l3NetworkUuid", u),
                    s.delete_stmt(&tables::IP_RANGE, "l3NetworkUuid", u),
                    s.delete_stmt(&tables::L3_DNS, "l3NetworkUuid", u),
                    s.delete_stmt(&tables::NETWORK_SERVICE_REF, "l3NetworkUuid", u),
                    s.delete_stmt(&tables::L3_HOST_ROUTE, "l3NetworkUuid", u),
                    s.delete_stmt(&tables::L3_NETWORK, "uuid", u),
                    s.delete_stmt(&tables::SYSTEM_TAG, "resourceUuid", u),
                ];
                let store = s.clone();
                let r = d
                    .l3
                    .ask(u, move |cell: Cell<super::network::L3State>| {
                        Box::pin(async move {
                            store.db.write(stmts).await?;
                            cell.borrow_mut().gone = true;
                            Ok(())
                        })
                    })
                    .await;
                r.or_else(ignore_gone)
            }
            ZONE => self.retire(&d.zone, u, vec![s.delete_stmt(&tables::BACKUP_STORAGE_ZONE_REF, "zoneUuid", u)]).await,
            BACKUP_STORAGE => {
                let extra = vec![s.delete_stmt(&tables::BACKUP_STORAGE_ZONE_REF, "backupStorageUuid", u), s.delete_stmt(&tables::IMAGE_BACKUP_STORAGE_REF, "backupStorageUuid", u)];
                self.retire(&d.backup_storage, u, extra).await
            }
            IMAGE => {
                // An ISO that goes leaves the CD-ROM drives it was in empty.
                let mut extra = vec![s.delete_stmt(&tables::IMAGE_BACKUP_STORAGE_REF, "imageUuid", u)];
                for mut drive in s.inv_find(&tables::VM_CDROM, "isoUuid", u).await? {
                    drive.remove("isoUuid");
                    drive.remove("isoInstallPath");
                    extra.push(s.update_stmt(&tables::VM_CDROM, &drive));
                }
                self.retire(&d.image, u, extra).await
            }
            INSTANCE_OFFERING => self.retire(&d.instance_offering, u, vec![]).await,
            DISK_OFFERING => self.retire(&d.disk_offering, u, vec![]).await,
            other => Err(ApiError::internal(format!("no deletion for resource type {other}"))),
        }
    }
}

fn ignore_gone(e: ApiError) -> ApiResult<()> {
    if e.details.contains("does not exist") {
        Ok(())
    } else {
        Err(e)
    }
}

impl CascadeGraph for Tree {
    fn children<'a>(&'a self, node: &'a Node) -> LocalBoxFuture<'a, ApiResult<Vec<Node>>> {
        Box::pin(self.children_of(node))
    }

    /// No resource vetoes a permissive delete here, as in open-source ZStack:
    /// a VM still being created is refused when it commits, because its
    /// parents are marked as being deleted before their children are listed.
    fn check<'a>(&'a self, _visit: &'a Visit, _root: &'a Node) -> LocalBoxFuture<'a, ApiResult<()>> {
        Box::pin(async { Ok(()) })
    }

    fn delete<'a>(&'a self, visit: &'a Visit, root: &'a Node, _mode: DeleteMode) -> LocalBoxFuture<'a, ApiResult<()>> {
        Box::pin(self.delete_node(visit, root))
    }
}

/// Delete a resource and everything below it. The whole walk runs while the
/// resource is marked as being deleted, so nothing new is created under it.
pub async fn delete_resource(app: &App, root: Node, mode: DeleteMode) -> ApiResult<()> {
    let spec = tables::all().find(|t| t.vo == root.kind).ok_or_else(|| ApiError::internal(format!("unknown resource type {}", root.kind)))?;
    if !app.store.inv_exists(spec, &root.uuid).await? {
        // ZStack answers success for deleting what is already gone.
        return Ok(());
    }
    if app.dirs().deleting.lock().contains(&root.uuid) {
        return Err(ApiError::new(zstack_kit::error::codes::RESOURCE_BUSY, format!("{}[uuid:{}] is already being deleted", root.kind, root.uuid)));
    }
    let tree = Tree { app: app.clone(), marked: Default::default() };
    let result = async {
        cascade(&tree, &root, mode).await?;
        let visit = Visit { node: root.clone(), parent: root.clone() };
        tree.delete_node(&visit, &root).await.map_err(|e| e.wrap(zstack_kit::error::codes::DELETE_RESOURCE, format!("failed to delete {}[uuid:{}]", root.kind, root.uuid)))
    }
    .await;
    tree.unmark();
    app.dirs().placement.topology_changed();
    result
}
