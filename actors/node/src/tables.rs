//! Every table of the management node, described once. The migrations of the
//! three backends and `schema.rs` are generated from these descriptions
//! (`tests/schema_drift.rs` fails when the committed files differ), and the
//! query compiler reads them to resolve fields and join paths.

use std::collections::HashMap;
use std::sync::OnceLock;
use zstack_db::query::Catalog;
use zstack_db::spec::ColKind::{Bool, Float, Int, LongStr, Str, Time};
use zstack_db::{Column, DbKind, Hop, Join, TableSpec};

pub use crate::hybrid::tables::*;

macro_rules! cols {
    ($($f:ident : $k:ident),* $(,)?) => { &[$(Column { field: stringify!($f), kind: $k }),*] };
}
macro_rules! join {
    ($name:literal => $($local:literal, $table:literal, $remote:literal);+) => {
        Join { name: $name, hops: &[$(Hop { local: $local, table: $table, remote: $remote }),+] }
    };
}

pub static ZONE: TableSpec = TableSpec {
    table: "zone",
    inventory_class: "org.zstack.header.zone.ZoneInventory",
    vo: "ZoneVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, state: Str, type: Str, isDefault: Bool, createDate: Time, lastOpDate: Time),
    joins: &[
        join!("cluster" => "uuid", "cluster", "zoneUuid"),
        join!("host" => "uuid", "host", "zoneUuid"),
        join!("vmInstance" => "uuid", "vm_instance", "zoneUuid"),
        join!("primaryStorage" => "uuid", "primary_storage", "zoneUuid"),
        join!("l2Network" => "uuid", "l2_network", "zoneUuid"),
        join!("l3Network" => "uuid", "l3_network", "zoneUuid"),
        join!("backupStorage" => "uuid", "backup_storage_zone_ref", "zoneUuid"; "backupStorageUuid", "backup_storage", "uuid"),
    ],
    indexes: &["name"],
};

pub static CLUSTER: TableSpec = TableSpec {
    table: "cluster",
    inventory_class: "org.zstack.header.cluster.ClusterInventory",
    vo: "ClusterVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, state: Str, hypervisorType: Str, zoneUuid: Str, type: Str, architecture: Str, createDate: Time, lastOpDate: Time),
    joins: &[
        join!("zone" => "zoneUuid", "zone", "uuid"),
        join!("host" => "uuid", "host", "clusterUuid"),
        join!("vmInstance" => "uuid", "vm_instance", "clusterUuid"),
        join!("l2Network" => "uuid", "l2_network_cluster_ref", "clusterUuid"; "l2NetworkUuid", "l2_network", "uuid"),
        join!("primaryStorage" => "uuid", "primary_storage_cluster_ref", "clusterUuid"; "primaryStorageUuid", "primary_storage", "uuid"),
    ],
    indexes: &["zoneUuid"],
};

pub static HOST: TableSpec = TableSpec {
    table: "host",
    inventory_class: "org.zstack.header.host.HostInventory",
    vo: "HostVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, zoneUuid: Str, clusterUuid: Str, managementIp: Str, hypervisorType: Str, state: Str, status: Str,
        totalCpuCapacity: Int, availableCpuCapacity: Int, cpuSockets: Int, totalMemoryCapacity: Int, availableMemoryCapacity: Int, cpuNum: Int,
        architecture: Str, createDate: Time, lastOpDate: Time),
    joins: &[
        join!("zone" => "zoneUuid", "zone", "uuid"),
        join!("cluster" => "clusterUuid", "cluster", "uuid"),
        join!("vmInstance" => "uuid", "vm_instance", "hostUuid"),
    ],
    indexes: &["clusterUuid", "zoneUuid", "managementIp"],
};

pub static PRIMARY_STORAGE: TableSpec = TableSpec {
    table: "primary_storage",
    inventory_class: "org.zstack.header.storage.primary.PrimaryStorageInventory",
    vo: "PrimaryStorageVO",
    columns: cols!(uuid: Str, zoneUuid: Str, name: Str, url: LongStr, description: LongStr, totalCapacity: Int, availableCapacity: Int,
        totalPhysicalCapacity: Int, availablePhysicalCapacity: Int, systemUsedCapacity: Int, type: Str, state: Str, status: Str, mountPath: LongStr,
        createDate: Time, lastOpDate: Time),
    joins: &[
        join!("zone" => "zoneUuid", "zone", "uuid"),
        join!("volume" => "uuid", "volume", "primaryStorageUuid"),
        join!("cluster" => "uuid", "primary_storage_cluster_ref", "primaryStorageUuid"; "clusterUuid", "cluster", "uuid"),
    ],
    indexes: &["zoneUuid"],
};

pub static PRIMARY_STORAGE_CLUSTER_REF: TableSpec = TableSpec {
    table: "primary_storage_cluster_ref",
    inventory_class: "org.zstack.header.storage.primary.PrimaryStorageClusterRefInventory",
    vo: "PrimaryStorageClusterRefVO",
    columns: cols!(uuid: Str, primaryStorageUuid: Str, clusterUuid: Str, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["primaryStorageUuid", "clusterUuid"],
};

pub static BACKUP_STORAGE: TableSpec = TableSpec {
    table: "backup_storage",
    inventory_class: "org.zstack.header.storage.backup.BackupStorageInventory",
    vo: "BackupStorageVO",
    columns: cols!(uuid: Str, name: Str, url: LongStr, description: LongStr, totalCapacity: Int, availableCapacity: Int, type: Str, state: Str, status: Str,
        createDate: Time, lastOpDate: Time),
    joins: &[
        join!("zone" => "uuid", "backup_storage_zone_ref", "backupStorageUuid"; "zoneUuid", "zone", "uuid"),
        join!("image" => "uuid", "image_backup_storage_ref", "backupStorageUuid"; "imageUuid", "image", "uuid"),
    ],
    indexes: &[],
};

pub static BACKUP_STORAGE_ZONE_REF: TableSpec = TableSpec {
    table: "backup_storage_zone_ref",
    inventory_class: "org.zstack.header.storage.backup.BackupStorageZoneRefInventory",
    vo: "BackupStorageZoneRefVO",
    columns: cols!(uuid: Str, backupStorageUuid: Str, zoneUuid: Str, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["backupStorageUuid", "zoneUuid"],
};

pub static L2_NETWORK: TableSpec = TableSpec {
    table: "l2_network",
    inventory_class: "org.zstack.header.network.l2.L2NetworkInventory",
    vo: "L2NetworkVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, zoneUuid: Str, physicalInterface: Str, type: Str, vSwitchType: Str, virtualNetworkId: Int,
        vlan: Int, isolated: Bool, createDate: Time, lastOpDate: Time, vni: Int, poolUuid: Str),
    joins: &[
        join!("zone" => "zoneUuid", "zone", "uuid"),
        join!("vxlanPool" => "poolUuid", "l2_network", "uuid"),
        join!("vniRange" => "uuid", "vni_range", "l2NetworkUuid"),
        join!("l3Network" => "uuid", "l3_network", "l2NetworkUuid"),
        join!("cluster" => "uuid", "l2_network_cluster_ref", "l2NetworkUuid"; "clusterUuid", "cluster", "uuid"),
    ],
    indexes: &["zoneUuid", "poolUuid"],
};

pub static L2_NETWORK_CLUSTER_REF: TableSpec = TableSpec {
    table: "l2_network_cluster_ref",
    inventory_class: "org.zstack.header.network.l2.L2NetworkClusterRefInventory",
    vo: "L2NetworkClusterRefVO",
    columns: cols!(uuid: Str, l2NetworkUuid: Str, clusterUuid: Str, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["l2NetworkUuid", "clusterUuid"],
};

pub static L3_NETWORK: TableSpec = TableSpec {
    table: "l3_network",
    inventory_class: "org.zstack.header.network.l3.L3NetworkInventory",
    vo: "L3NetworkVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, type: Str, zoneUuid: Str, l2NetworkUuid: Str, state: Str, dnsDomain: Str, system: Bool,
        category: Str, ipVersion: Int, enableIPAM: Bool, isolated: Bool, createDate: Time, lastOpDate: Time),
    joins: &[
        join!("zone" => "zoneUuid", "zone", "uuid"),
        join!("l2Network" => "l2NetworkUuid", "l2_network", "uuid"),
        join!("vmNic" => "uuid", "vm_nic", "l3NetworkUuid"),
        join!("usedIp" => "uuid", "used_ip", "l3NetworkUuid"),
        join!("ipRanges" => "uuid", "ip_range", "l3NetworkUuid"),
    ],
    indexes: &["l2NetworkUuid", "zoneUuid"],
};

pub static IP_RANGE: TableSpec = TableSpec {
    table: "ip_range",
    inventory_class: "org.zstack.header.network.l3.IpRangeInventory",
    vo: "IpRangeVO",
    columns: cols!(uuid: Str, l3NetworkUuid: Str, name: Str, description: LongStr, startIp: Str, endIp: Str, netmask: Str, gateway: Str, networkCidr: Str,
        ipVersion: Int, prefixLen: Int, ipRangeType: Str, createDate: Time, lastOpDate: Time),
    joins: &[join!("l3Network" => "l3NetworkUuid", "l3_network", "uuid")],
    indexes: &["l3NetworkUuid"],
};

pub static USED_IP: TableSpec = TableSpec {
    table: "used_ip",
    inventory_class: "org.zstack.header.network.l3.UsedIpInventory",
    vo: "UsedIpVO",
    columns: cols!(uuid: Str, ipRangeUuid: Str, l3NetworkUuid: Str, ipVersion: Int, ip: Str, netmask: Str, gateway: Str, usedFor: Str, ipInLong: Int,
        vmNicUuid: Str, createDate: Time, lastOpDate: Time),
    joins: &[join!("l3Network" => "l3NetworkUuid", "l3_network", "uuid"), join!("vmNic" => "vmNicUuid", "vm_nic", "uuid")],
    indexes: &["l3NetworkUuid", "vmNicUuid", "ipRangeUuid"],
};

pub static L3_DNS: TableSpec = TableSpec {
    table: "l3_network_dns",
    inventory_class: "org.zstack.header.network.l3.L3NetworkDnsInventory",
    vo: "L3NetworkDnsVO",
    columns: cols!(uuid: Str, l3NetworkUuid: Str, dns: Str, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["l3NetworkUuid"],
};

pub static NETWORK_SERVICE_REF: TableSpec = TableSpec {
    table: "network_service_l3_ref",
    inventory_class: "org.zstack.header.network.service.NetworkServiceL3NetworkRefInventory",
    vo: "NetworkServiceL3NetworkRefVO",
    columns: cols!(uuid: Str, l3NetworkUuid: Str, networkServiceProviderUuid: Str, networkServiceType: Str),
    joins: &[],
    indexes: &["l3NetworkUuid"],
};

pub static INSTANCE_OFFERING: TableSpec = TableSpec {
    table: "instance_offering",
    inventory_class: "org.zstack.header.configuration.InstanceOfferingInventory",
    vo: "InstanceOfferingVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, cpuNum: Int, cpuSpeed: Int, memorySize: Int, reservedMemorySize: Int, type: Str,
        allocatorStrategy: Str, sortKey: Int, state: Str, createDate: Time, lastOpDate: Time),
    joins: &[join!("vmInstance" => "uuid", "vm_instance", "instanceOfferingUuid")],
    indexes: &[],
};

pub static DISK_OFFERING: TableSpec = TableSpec {
    table: "disk_offering",
    inventory_class: "org.zstack.header.configuration.DiskOfferingInventory",
    vo: "DiskOfferingVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, diskSize: Int, sortKey: Int, state: Str, type: Str, allocatorStrategy: Str,
        createDate: Time, lastOpDate: Time),
    joins: &[join!("volume" => "uuid", "volume", "diskOfferingUuid")],
    indexes: &[],
};

pub static IMAGE: TableSpec = TableSpec {
    table: "image",
    inventory_class: "org.zstack.header.image.ImageInventory",
    vo: "ImageVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, state: Str, status: Str, size: Int, actualSize: Int, md5Sum: Str, url: LongStr,
        mediaType: Str, guestOsType: Str, type: Str, platform: Str, architecture: Str, format: Str, system: Bool, virtio: Bool,
        createDate: Time, lastOpDate: Time),
    joins: &[
        join!("backupStorage" => "uuid", "image_backup_storage_ref", "imageUuid"; "backupStorageUuid", "backup_storage", "uuid"),
        join!("volume" => "uuid", "volume", "rootImageUuid"),
    ],
    indexes: &[],
};

pub static IMAGE_BACKUP_STORAGE_REF: TableSpec = TableSpec {
    table: "image_backup_storage_ref",
    inventory_class: "org.zstack.header.image.ImageBackupStorageRefInventory",
    vo: "ImageBackupStorageRefVO",
    columns: cols!(uuid: Str, imageUuid: Str, backupStorageUuid: Str, installPath: LongStr, status: Str, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["imageUuid", "backupStorageUuid"],
};

pub static VM_INSTANCE: TableSpec = TableSpec {
    table: "vm_instance",
    inventory_class: "org.zstack.header.vm.VmInstanceInventory",
    vo: "VmInstanceVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, zoneUuid: Str, clusterUuid: Str, imageUuid: Str, hostUuid: Str, lastHostUuid: Str,
        instanceOfferingUuid: Str, rootVolumeUuid: Str, platform: Str, architecture: Str, defaultL3NetworkUuid: Str, type: Str, hypervisorType: Str,
        memorySize: Int, reservedMemorySize: Int, cpuNum: Int, cpuSpeed: Int, allocatorStrategy: Str, createDate: Time, lastOpDate: Time, state: Str,
        guestOsType: Str),
    joins: &[
        join!("zone" => "zoneUuid", "zone", "uuid"),
        join!("cluster" => "clusterUuid", "cluster", "uuid"),
        join!("host" => "hostUuid", "host", "uuid"),
        join!("image" => "imageUuid", "image", "uuid"),
        join!("instanceOffering" => "instanceOfferingUuid", "instance_offering", "uuid"),
        join!("rootVolume" => "rootVolumeUuid", "volume", "uuid"),
        join!("vmNics" => "uuid", "vm_nic", "vmInstanceUuid"),
        join!("allVolumes" => "uuid", "volume", "vmInstanceUuid"),
    ],
    indexes: &["hostUuid", "clusterUuid", "zoneUuid", "state", "name"],
};

pub static VM_NIC: TableSpec = TableSpec {
    table: "vm_nic",
    inventory_class: "org.zstack.header.vm.VmNicInventory",
    vo: "VmNicVO",
    columns: cols!(uuid: Str, vmInstanceUuid: Str, l3NetworkUuid: Str, ip: Str, mac: Str, hypervisorType: Str, netmask: Str, gateway: Str, ipVersion: Int,
        driverType: Str, internalName: Str, deviceId: Int, type: Str, state: Str, createDate: Time, lastOpDate: Time),
    joins: &[
        join!("vmInstance" => "vmInstanceUuid", "vm_instance", "uuid"),
        join!("l3Network" => "l3NetworkUuid", "l3_network", "uuid"),
        join!("usedIp" => "uuid", "used_ip", "vmNicUuid"),
    ],
    indexes: &["vmInstanceUuid", "l3NetworkUuid", "ip", "mac"],
};

pub static VOLUME: TableSpec = TableSpec {
    table: "volume",
    inventory_class: "org.zstack.header.volume.VolumeInventory",
    vo: "VolumeVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, primaryStorageUuid: Str, vmInstanceUuid: Str, diskOfferingUuid: Str, rootImageUuid: Str,
        installPath: LongStr, type: Str, format: Str, size: Int, actualSize: Int, deviceId: Int, state: Str, status: Str, isShareable: Bool,
        lastVmInstanceUuid: Str, createDate: Time, lastOpDate: Time),
    joins: &[
        join!("vmInstance" => "vmInstanceUuid", "vm_instance", "uuid"),
        join!("primaryStorage" => "primaryStorageUuid", "primary_storage", "uuid"),
        join!("diskOffering" => "diskOfferingUuid", "disk_offering", "uuid"),
        join!("image" => "rootImageUuid", "image", "uuid"),
    ],
    indexes: &["vmInstanceUuid", "primaryStorageUuid"],
};

pub static SYSTEM_TAG: TableSpec = TableSpec {
    table: "system_tag",
    inventory_class: "org.zstack.header.tag.SystemTagInventory",
    vo: "SystemTagVO",
    columns: cols!(uuid: Str, resourceUuid: Str, resourceType: Str, tag: LongStr, type: Str, inherent: Bool, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["resourceUuid"],
};

pub static USER_TAG: TableSpec = TableSpec {
    table: "user_tag",
    inventory_class: "org.zstack.header.tag.UserTagInventory",
    vo: "UserTagVO",
    columns: cols!(uuid: Str, resourceUuid: Str, resourceType: Str, tag: LongStr, type: Str, createDate: Time, lastOpDate: Time, tagPatternUuid: Str),
    joins: &[join!("tagPattern" => "tagPatternUuid", "tag_pattern", "uuid")],
    indexes: &["resourceUuid", "tagPatternUuid"],
};

pub static GLOBAL_CONFIG: TableSpec = TableSpec {
    table: "global_config",
    inventory_class: "org.zstack.core.config.GlobalConfigInventory",
    vo: "GlobalConfigVO",
    columns: cols!(uuid: Str, name: Str, category: Str, description: LongStr, defaultValue: LongStr, value: LongStr),
    joins: &[],
    indexes: &[],
};

pub static ACCOUNT: TableSpec = TableSpec {
    table: "account",
    inventory_class: "org.zstack.header.identity.AccountInventory",
    vo: "AccountVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, type: Str, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["name"],
};

/// Secrets stay out of every inventory: one row per account, hashed.
pub static ACCOUNT_CREDENTIAL: TableSpec = TableSpec {
    table: "account_credential",
    inventory_class: "org.zstack.header.identity.AccountInventory",
    vo: "AccountVO",
    columns: cols!(uuid: Str, passwordHash: LongStr),
    joins: &[],
    indexes: &[],
};

pub static SESSION: TableSpec = TableSpec {
    table: "session",
    inventory_class: "org.zstack.header.identity.SessionInventory",
    vo: "SessionVO",
    columns: cols!(uuid: Str, accountUuid: Str, userUuid: Str, userType: Str, expiredDate: Time, createDate: Time),
    joins: &[],
    indexes: &[],
};

/// Async API jobs (ZStack's AsyncRestVO): state, HTTP status and body of the result.
pub static ASYNC_JOB: TableSpec = TableSpec {
    table: "async_job",
    inventory_class: "org.zstack.header.rest.AsyncRestInventory",
    vo: "AsyncRestVO",
    columns: cols!(uuid: Str, apiName: Str, state: Str, httpStatus: Int, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["state"],
};

pub static VOLUME_SNAPSHOT: TableSpec = TableSpec {
    table: "volume_snapshot",
    inventory_class: "org.zstack.header.storage.snapshot.VolumeSnapshotInventory",
    vo: "VolumeSnapshotVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, type: Str, volumeUuid: Str, treeUuid: Str, parentUuid: Str, primaryStorageUuid: Str,
        primaryStorageInstallPath: LongStr, volumeType: Str, format: Str, latest: Bool, size: Int, distance: Int, state: Str, status: Str,
        createDate: Time, lastOpDate: Time),
    joins: &[
        join!("volume" => "volumeUuid", "volume", "uuid"),
        join!("tree" => "treeUuid", "volume_snapshot_tree", "uuid"),
        join!("group" => "uuid", "volume_snapshot_group_ref", "volumeSnapshotUuid"; "volumeSnapshotGroupUuid", "volume_snapshot_group", "uuid"),
        join!("primaryStorage" => "primaryStorageUuid", "primary_storage", "uuid"),
    ],
    indexes: &["volumeUuid", "treeUuid"],
};

pub static VOLUME_SNAPSHOT_TREE: TableSpec = TableSpec {
    table: "volume_snapshot_tree",
    inventory_class: "org.zstack.header.storage.snapshot.VolumeSnapshotTreeInventory",
    vo: "VolumeSnapshotTreeVO",
    columns: cols!(uuid: Str, volumeUuid: Str, current: Bool, status: Str, createDate: Time, lastOpDate: Time),
    joins: &[join!("volume" => "volumeUuid", "volume", "uuid")],
    indexes: &["volumeUuid"],
};

pub static VM_CDROM: TableSpec = TableSpec {
    table: "vm_cdrom",
    inventory_class: "org.zstack.header.vm.cdrom.VmCdRomInventory",
    vo: "VmCdRomVO",
    columns: cols!(uuid: Str, vmInstanceUuid: Str, deviceId: Int, isoUuid: Str, isoInstallPath: LongStr, name: Str, description: LongStr,
        createDate: Time, lastOpDate: Time),
    joins: &[join!("vmInstance" => "vmInstanceUuid", "vm_instance", "uuid")],
    indexes: &["vmInstanceUuid", "isoUuid"],
};

pub static L3_HOST_ROUTE: TableSpec = TableSpec {
    table: "l3_network_host_route",
    inventory_class: "org.zstack.header.network.l3.L3NetworkHostRouteInventory",
    vo: "L3NetworkHostRouteVO",
    columns: cols!(uuid: Str, l3NetworkUuid: Str, prefix: Str, nexthop: Str, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["l3NetworkUuid"],
};

/// Per-resource overrides of global configs (ZStack's ResourceConfigVO).
pub static RESOURCE_CONFIG: TableSpec = TableSpec {
    table: "resource_config",
    inventory_class: "org.zstack.resourceconfig.ResourceConfigInventory",
    vo: "ResourceConfigVO",
    columns: cols!(uuid: Str, resourceUuid: Str, resourceType: Str, category: Str, name: Str, value: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["resourceUuid"],
};

pub static VOLUME_SNAPSHOT_GROUP: TableSpec = TableSpec {
    table: "volume_snapshot_group",
    inventory_class: "org.zstack.header.storage.snapshot.group.VolumeSnapshotGroupInventory",
    vo: "VolumeSnapshotGroupVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, vmInstanceUuid: Str, snapshotsNum: Int, createDate: Time, lastOpDate: Time),
    joins: &[join!("vmInstance" => "vmInstanceUuid", "vm_instance", "uuid")],
    indexes: &["vmInstanceUuid"],
};

pub static VOLUME_SNAPSHOT_GROUP_REF: TableSpec = TableSpec {
    table: "volume_snapshot_group_ref",
    inventory_class: "org.zstack.header.storage.snapshot.group.VolumeSnapshotGroupRefInventory",
    vo: "VolumeSnapshotGroupRefVO",
    columns: cols!(uuid: Str, volumeSnapshotGroupUuid: Str, volumeSnapshotUuid: Str, volumeUuid: Str, volumeType: Str, deviceId: Int,
        snapshotDeleted: Bool, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["volumeSnapshotGroupUuid", "volumeSnapshotUuid"],
};

pub static VNI_RANGE: TableSpec = TableSpec {
    table: "vni_range",
    inventory_class: "org.zstack.network.l2.vxlan.vxlanNetworkPool.VniRangeInventory",
    vo: "VniRangeVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, l2NetworkUuid: Str, startVni: Int, endVni: Int, createDate: Time, lastOpDate: Time),
    joins: &[join!("l2Network" => "l2NetworkUuid", "l2_network", "uuid")],
    indexes: &["l2NetworkUuid"],
};

pub static TAG_PATTERN: TableSpec = TableSpec {
    table: "tag_pattern",
    inventory_class: "org.zstack.header.tag.TagPatternInventory",
    vo: "TagPatternVO",
    columns: cols!(uuid: Str, name: Str, value: LongStr, description: LongStr, color: Str, type: Str, createDate: Time, lastOpDate: Time),
    joins: &[join!("userTag" => "uuid", "user_tag", "tagPatternUuid")],
    indexes: &[],
};

pub static LONG_JOB: TableSpec = TableSpec {
    table: "long_job",
    inventory_class: "org.zstack.header.longjob.LongJobInventory",
    vo: "LongJobVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, apiId: Str, jobName: Str, jobData: LongStr, jobResult: LongStr, state: Str,
        targetResourceUuid: Str, managementNodeUuid: Str, createDate: Time, lastOpDate: Time, executeTime: Int),
    joins: &[],
    indexes: &["state", "apiId"],
};

/// What the node keeps about a KVM host besides its inventory: SSH login,
/// the agent's port and the shared token. Never returned by any API.
pub static KVM_HOST: TableSpec = TableSpec {
    table: "kvm_host",
    inventory_class: "org.zstack.kvm.KVMHostInventory",
    vo: "KVMHostVO",
    columns: cols!(uuid: Str, username: Str, sshPort: Int, agentPort: Int, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &[],
};

pub static LOCAL_STORAGE_HOST_REF: TableSpec = TableSpec {
    table: "local_storage_host_ref",
    inventory_class: "org.zstack.storage.primary.local.LocalStorageHostRefInventory",
    vo: "LocalStorageHostRefVO",
    columns: cols!(uuid: Str, primaryStorageUuid: Str, hostUuid: Str, totalCapacity: Int, availableCapacity: Int, totalPhysicalCapacity: Int,
        availablePhysicalCapacity: Int, systemUsedCapacity: Int, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["primaryStorageUuid", "hostUuid"],
};

pub static LOCAL_STORAGE_RESOURCE_REF: TableSpec = TableSpec {
    table: "local_storage_resource_ref",
    inventory_class: "org.zstack.storage.primary.local.LocalStorageResourceRefInventory",
    vo: "LocalStorageResourceRefVO",
    columns: cols!(uuid: Str, resourceUuid: Str, primaryStorageUuid: Str, hostUuid: Str, resourceType: Str, size: Int, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["resourceUuid", "primaryStorageUuid", "hostUuid"],
};

/// IAM users of an account (their password hashes live in ACCOUNT_CREDENTIAL, keyed by user uuid).
pub static USER: TableSpec = TableSpec {
    table: "iam_user",
    inventory_class: "org.zstack.header.identity.UserInventory",
    vo: "UserVO",
    columns: cols!(uuid: Str, accountUuid: Str, name: Str, description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[join!("account" => "accountUuid", "account", "uuid")],
    indexes: &["accountUuid"],
};

/// One schema change: the tables it creates and the columns it adds to
/// tables created earlier. A released migration never changes.
pub struct Migration {
    pub version: &'static str,
    pub creates: &'static [&'static TableSpec],
    pub adds: &'static [(&'static TableSpec, &'static str)],
}

macro_rules! migration {
    ($version:literal, [$($t:ident),* $(,)?]) => {
        Migration { version: $version, creates: &[$(&$t),*], adds: &[] }
    };
    ($version:literal, [$($t:ident),* $(,)?], adds [$($at:ident . $af:literal),* $(,)?]) => {
        Migration { version: $version, creates: &[$(&$t),*], adds: &[$((&$at, $af)),*] }
    };
}

/// The migrations, oldest first.
pub static MIGRATIONS: &[Migration] = &[
    migration!(
        "2026-11-25-000001_initial",
        [
            ZONE, CLUSTER, HOST, PRIMARY_STORAGE, PRIMARY_STORAGE_CLUSTER_REF, BACKUP_STORAGE, BACKUP_STORAGE_ZONE_REF, L2_NETWORK,
            L2_NETWORK_CLUSTER_REF, L3_NETWORK, IP_RANGE, USED_IP, L3_DNS, NETWORK_SERVICE_REF, INSTANCE_OFFERING, DISK_OFFERING, IMAGE,
            IMAGE_BACKUP_STORAGE_REF, VM_INSTANCE, VM_NIC, VOLUME, SYSTEM_TAG, USER_TAG, GLOBAL_CONFIG, ACCOUNT, ACCOUNT_CREDENTIAL, SESSION,
            ASYNC_JOB,
        ]
    ),
    migration!("2026-11-25-000002_volume_snapshots", [VOLUME_SNAPSHOT, VOLUME_SNAPSHOT_TREE]),
    migration!("2026-11-25-000003_cdroms_host_routes_resource_configs", [VM_CDROM, L3_HOST_ROUTE, RESOURCE_CONFIG]),
    migration!("2026-11-25-000004_volume_snapshot_groups", [VOLUME_SNAPSHOT_GROUP, VOLUME_SNAPSHOT_GROUP_REF]),
    migration!(
        "2026-11-25-000005_vxlan_tag_patterns_long_jobs",
        [VNI_RANGE, TAG_PATTERN, LONG_JOB],
        adds [L2_NETWORK."vni", L2_NETWORK."poolUuid", USER_TAG."tagPatternUuid"]
    ),
    migration!("2026-11-25-000006_kvm_hosts_local_storage", [KVM_HOST, LOCAL_STORAGE_HOST_REF, LOCAL_STORAGE_RESOURCE_REF]),
    migration!("2026-11-25-000007_iam_users", [USER]),
    migration!(
        "2026-12-04-000008_hybrid_aliyun",
        [
            HYBRID_KEY, HYBRID_KEY_SECRET, DATA_CENTER, IDENTITY_ZONE, ECS_VPC, ECS_VSWITCH, ECS_SECURITY_GROUP, ECS_SECURITY_GROUP_RULE, ECS_IMAGE,
            ECS_INSTANCE, ALIYUN_DISK, HYBRID_EIP,
        ]
    ),
    migration!(
        "2026-12-04-000009_hybrid_aliyun_extras",
        [
            OSS_BUCKET, ALIYUN_VIRTUAL_ROUTER, ALIYUN_ROUTE_ENTRY, VPC_VPN_GATEWAY, VPC_USER_VPN_GATEWAY, VPC_VPN_CONNECTION, VPC_VPN_IKE_CONFIG,
            VPC_VPN_IPSEC_CONFIG, VIRTUAL_BORDER_ROUTER, ALIYUN_ROUTER_INTERFACE,
        ]
    ),
    migration!("2026-12-05-000010_hybrid_aliyun_snapshots", [ALIYUN_SNAPSHOT]),
    migration!(
        "2026-12-05-000011_hybrid_aliyun_connections",
        [CONNECTION_ACCESS_POINT, CONNECTION_RELATIONSHIP],
        adds [VIRTUAL_BORDER_ROUTER."vlanInterfaceId"]
    ),
    migration!("2026-12-05-000013_hybrid_pending_creates", [HYBRID_PENDING_CREATE]),
];

/// Every table, in migration order.
pub fn all() -> impl Iterator<Item = &'static TableSpec> {
    MIGRATIONS.iter().flat_map(|m| m.creates.iter().copied())
}

pub fn catalog() -> &'static Catalog {
    static CAT: OnceLock<Catalog> = OnceLock::new();
    CAT.get_or_init(|| Catalog {
        tables: all().map(|t| (t.table, t)).collect::<HashMap<_, _>>(),
        tag_tables: (SYSTEM_TAG.table, USER_TAG.table),
    })
}

/// Columns of a table that some migration adds after creating it.
fn added_later(t: &TableSpec) -> Vec<&'static str> {
    MIGRATIONS.iter().flat_map(|m| m.adds.iter()).filter(|(at, _)| at.table == t.table).map(|(_, f)| *f).collect()
}

/// The `up.sql` of one migration for one backend, generated from the specs.
pub fn migration_up(m: &Migration, kind: DbKind) -> String {
    let mut out = format!("-- Generated from actors/node/src/tables.rs for {}; do not edit.\n", kind.name());
    for t in m.creates {
        out.push_str(&t.ddl_without(kind, &added_later(t)));
    }
    for (t, field) in m.adds {
        out.push_str(&t.add_column_ddl(kind, field));
    }
    out
}

pub fn migration_down(m: &Migration, kind: DbKind) -> String {
    let mut out = String::from("-- Generated from actors/node/src/tables.rs; do not edit.\n");
    for (t, field) in m.adds.iter().rev() {
        if t.indexes.contains(field) {
            let index = format!("idx_{}_{}", t.table, zstack_db::spec::snake(field));
            out.push_str(&if kind == DbKind::Mysql { format!("DROP INDEX {index} ON {};\n", t.table) } else { format!("DROP INDEX {index};\n") });
        }
        out.push_str(&format!("ALTER TABLE {} DROP COLUMN {};\n", t.table, zstack_db::spec::snake(field)));
    }
    for t in m.creates.iter().rev() {
        out.push_str(&format!("DROP TABLE {};\n", t.table));
    }
    out
}

/// `schema.rs`: diesel's `table!` view of the same tables.
pub fn diesel_schema() -> String {
    let mut out = String::from("// @generated from actors/node/src/tables.rs by tests/schema_drift.rs; do not edit.\n");
    for t in all() {
        out.push_str(&format!("\ndiesel::table! {{\n    {} (uuid) {{\n", t.table));
        for c in t.columns {
            let ty = match c.kind {
                Str | LongStr => "Text",
                Int | Bool | Time => "BigInt",
                Float => "Double",
            };
            let ty = if c.field == "uuid" { ty.to_string() } else { format!("Nullable<{ty}>") };
            out.push_str(&format!("        {} -> {ty},\n", zstack_db::spec::snake(c.field)));
        }
        out.push_str("        inv -> Text,\n    }\n}\n");
    }
    out
}
