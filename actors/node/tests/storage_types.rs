//! NFS, shared-mount-point and Ceph primary storage and SFTP and Ceph backup
//! storage (served by the simulator's storage driver): their APIs,
//! inventories and input checks, and VMs on them.

mod common;

use common::{uuid_of, Node, World};
use serde_json::{json, Value};

#[actix_web::test]
async fn simulated_storage_types_hold_vms_and_check_their_input() {
    let n = Node::start().await;
    let w = World::build(&n, 1).await;
    let zone = &w.zone;

    // Input each type refuses, and what it gets.
    for (path, params, why) in [
        ("/v1/primary-storage/nfs", json!({"name": "n", "url": "/no/host", "zoneUuid": zone}), "an NFS url without host:"),
        ("/v1/primary-storage/smp", json!({"name": "s", "url": "relative", "zoneUuid": zone}), "a relative mount point"),
        ("/v1/primary-storage/ceph", json!({"name": "c", "monUrls": ["nohost"], "zoneUuid": zone}), "a mon url without credentials"),
        ("/v1/primary-storage/ceph", json!({"name": "c", "monUrls": ["root:pw@10.0.0.1:notaport/?monPort=6789"], "zoneUuid": zone}), "a bad ssh port"),
        ("/v1/backup-storage/sftp", json!({"name": "b", "url": "rel", "hostname": "h", "username": "root", "password": "p"}), "a relative SFTP path"),
        ("/v1/backup-storage/sftp", json!({"name": "b", "url": "/bs", "hostname": "h", "username": "root", "password": "p", "sshPort": 70000}), "an ssh port out of range"),
    ] {
        let (s, e) = n.call("POST", path, Some(json!({ "params": params }))).await;
        assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")), "{why}: {e}");
    }

    let nfs = n.create("/v1/primary-storage/nfs", json!({"name": "nfs", "url": "10.0.0.5:/export/ps", "zoneUuid": zone})).await;
    assert_eq!((nfs["type"].as_str(), nfs["status"].as_str()), (Some("NFS"), Some("Connected")));
    let smp = uuid_of(&n.create("/v1/primary-storage/smp", json!({"name": "smp", "url": "/mnt/shared", "zoneUuid": zone})).await);
    let ceph = n.create("/v1/primary-storage/ceph", json!({"name": "ceph", "zoneUuid": zone, "monUrls": ["root:pw@10.0.0.7/?monPort=6789"], "rootVolumePoolName": "vms"})).await;
    assert_eq!(ceph["mons"][0]["hostname"], "10.0.0.7");
    assert_eq!(ceph["pools"][0]["poolName"], "vms");
    let ceph_uuid = uuid_of(&ceph);
    let more = n.ok("POST", &format!("/v1/primary-storage/ceph/{ceph_uuid}/mons"), json!({"params": {"monUrls": ["root:pw@10.0.0.8:2222/?monPort=6790"]}})).await;
    assert_eq!(more["inventory"]["mons"].as_array().unwrap().len(), 2);
    assert_eq!(more["inventory"]["mons"][1]["sshPort"], 2222);
    let (s, _) = n.call("POST", &format!("/v1/primary-storage/ceph/{ceph_uuid}/mons"), Some(json!({"params": {"monUrls": ["root:pw@10.0.0.8:2222/?monPort=6790"]}}))).await;
    assert_eq!(s, 503, "the same monitor twice");
    let (s, _) = n.call("POST", &format!("/v1/primary-storage/ceph/{}/mons", uuid_of(&nfs)), Some(json!({"params": {"monUrls": ["root:pw@10.0.0.9/?monPort=6789"]}}))).await;
    assert_eq!(s, 503, "monitors on an NFS storage");
    assert_eq!(n.query("/v1/primary-storage/ceph").await.len(), 1);

    // A VM on NFS storage: the simulator keeps its volume file there.
    n.ok("DELETE", &format!("/v1/clusters/{}/primary-storage/{}", w.cluster, w.ps), Value::Null).await;
    n.ok("POST", &format!("/v1/clusters/{}/primary-storage/{}", w.cluster, uuid_of(&nfs)), json!({"params": {}})).await;
    let vm = n.create("/v1/vm-instances", w.vm_params("on-nfs")).await;
    assert_eq!(vm["allVolumes"][0]["primaryStorageUuid"], uuid_of(&nfs).as_str());
    let nfs_now = &n.query(&format!("/v1/primary-storage/{}", uuid_of(&nfs))).await[0];
    assert!(nfs_now["availableCapacity"].as_i64() < nfs_now["totalCapacity"].as_i64());

    // A KVM cluster takes only local storage (for now), with the reason.
    let kvm = uuid_of(&n.create("/v1/clusters", json!({"zoneUuid": zone, "name": "kvm", "hypervisorType": "KVM"})).await);
    for ps in [uuid_of(&nfs), smp.clone(), ceph_uuid.clone(), w.ps.clone()] {
        let (s, e) = n.call("POST", &format!("/v1/clusters/{kvm}/primary-storage/{ps}"), Some(json!({"params": {}}))).await;
        assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")), "{e}");
        assert!(e["error"]["details"].as_str().unwrap().contains("LocalStorage"), "{e}");
    }

    // Backup storage types.
    let sftp = n.create("/v1/backup-storage/sftp", json!({"name": "sftp", "url": "/sftp", "hostname": "10.0.0.3", "username": "root", "password": "p"})).await;
    assert_eq!((sftp["type"].as_str(), sftp["hostname"].as_str(), sftp["sshPort"].as_i64()), (Some("SftpBackupStorage"), Some("10.0.0.3"), Some(22)));
    assert!(sftp.get("password").is_none(), "passwords are never returned");
    let reconnected = n.ok("PUT", &format!("/v1/backup-storage/sftp/{}/actions", uuid_of(&sftp)), json!({"reconnectSftpBackupStorage": {}})).await;
    assert_eq!(reconnected["inventory"]["status"], "Connected");
    let ceph_bs = n.create("/v1/backup-storage/ceph", json!({"name": "cbs", "monUrls": ["root:pw@10.0.0.7/?monPort=6789"], "poolName": "images"})).await;
    assert_eq!((ceph_bs["type"].as_str(), ceph_bs["poolName"].as_str()), (Some("Ceph"), Some("images")));
    assert_eq!(n.query("/v1/backup-storage/sftp").await.len(), 1);
    assert_eq!(n.query("/v1/backup-storage/ceph").await.len(), 1);
    n.ok("POST", &format!("/v1/zones/{zone}/backup-storage/{}", uuid_of(&sftp)), json!({"params": {}})).await;
    let image = n.create("/v1/images", json!({"name": "on-sftp", "url": "http://example/i.qcow2", "backupStorageUuids": [uuid_of(&sftp)]})).await;
    assert_eq!(image["backupStorageRefs"][0]["backupStorageUuid"], uuid_of(&sftp).as_str());
    // Simulated storage keeps no image cache to clean.
    let (s, _) = n.call("PUT", &format!("/v1/primary-storage/{}/actions", uuid_of(&nfs)), Some(json!({"cleanUpImageCacheOnPrimaryStorage": {}}))).await;
    assert_eq!(s, 503);

    n.ok("DELETE", &format!("/v1/zones/{zone}"), Value::Null).await;
    assert!(n.query("/v1/primary-storage").await.is_empty());
    assert_eq!(n.violations().await, Vec::<String>::new());
}
