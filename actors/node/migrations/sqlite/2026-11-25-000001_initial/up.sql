-- Generated from actors/node/src/tables.rs for sqlite; do not edit.
CREATE TABLE zone (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    state TEXT,
    type TEXT,
    is_default INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_zone_name ON zone (name);
CREATE TABLE cluster (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    state TEXT,
    hypervisor_type TEXT,
    zone_uuid TEXT,
    type TEXT,
    architecture TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_cluster_zone_uuid ON cluster (zone_uuid);
CREATE TABLE host (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    zone_uuid TEXT,
    cluster_uuid TEXT,
    management_ip TEXT,
    hypervisor_type TEXT,
    state TEXT,
    status TEXT,
    total_cpu_capacity INTEGER,
    available_cpu_capacity INTEGER,
    cpu_sockets INTEGER,
    total_memory_capacity INTEGER,
    available_memory_capacity INTEGER,
    cpu_num INTEGER,
    architecture TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_host_cluster_uuid ON host (cluster_uuid);
CREATE INDEX idx_host_zone_uuid ON host (zone_uuid);
CREATE INDEX idx_host_management_ip ON host (management_ip);
CREATE TABLE primary_storage (
    uuid TEXT NOT NULL PRIMARY KEY,
    zone_uuid TEXT,
    name TEXT,
    url TEXT,
    description TEXT,
    total_capacity INTEGER,
    available_capacity INTEGER,
    total_physical_capacity INTEGER,
    available_physical_capacity INTEGER,
    system_used_capacity INTEGER,
    type TEXT,
    state TEXT,
    status TEXT,
    mount_path TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_primary_storage_zone_uuid ON primary_storage (zone_uuid);
CREATE TABLE primary_storage_cluster_ref (
    uuid TEXT NOT NULL PRIMARY KEY,
    primary_storage_uuid TEXT,
    cluster_uuid TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_primary_storage_cluster_ref_primary_storage_uuid ON primary_storage_cluster_ref (primary_storage_uuid);
CREATE INDEX idx_primary_storage_cluster_ref_cluster_uuid ON primary_storage_cluster_ref (cluster_uuid);
CREATE TABLE backup_storage (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    url TEXT,
    description TEXT,
    total_capacity INTEGER,
    available_capacity INTEGER,
    type TEXT,
    state TEXT,
    status TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE TABLE backup_storage_zone_ref (
    uuid TEXT NOT NULL PRIMARY KEY,
    backup_storage_uuid TEXT,
    zone_uuid TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_backup_storage_zone_ref_backup_storage_uuid ON backup_storage_zone_ref (backup_storage_uuid);
CREATE INDEX idx_backup_storage_zone_ref_zone_uuid ON backup_storage_zone_ref (zone_uuid);
CREATE TABLE l2_network (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    zone_uuid TEXT,
    physical_interface TEXT,
    type TEXT,
    v_switch_type TEXT,
    virtual_network_id INTEGER,
    vlan INTEGER,
    isolated INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_l2_network_zone_uuid ON l2_network (zone_uuid);
CREATE TABLE l2_network_cluster_ref (
    uuid TEXT NOT NULL PRIMARY KEY,
    l2_network_uuid TEXT,
    cluster_uuid TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_l2_network_cluster_ref_l2_network_uuid ON l2_network_cluster_ref (l2_network_uuid);
CREATE INDEX idx_l2_network_cluster_ref_cluster_uuid ON l2_network_cluster_ref (cluster_uuid);
CREATE TABLE l3_network (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    type TEXT,
    zone_uuid TEXT,
    l2_network_uuid TEXT,
    state TEXT,
    dns_domain TEXT,
    f_system INTEGER,
    category TEXT,
    ip_version INTEGER,
    enable_i_p_a_m INTEGER,
    isolated INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_l3_network_l2_network_uuid ON l3_network (l2_network_uuid);
CREATE INDEX idx_l3_network_zone_uuid ON l3_network (zone_uuid);
CREATE TABLE ip_range (
    uuid TEXT NOT NULL PRIMARY KEY,
    l3_network_uuid TEXT,
    name TEXT,
    description TEXT,
    start_ip TEXT,
    end_ip TEXT,
    netmask TEXT,
    gateway TEXT,
    network_cidr TEXT,
    ip_version INTEGER,
    prefix_len INTEGER,
    ip_range_type TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_ip_range_l3_network_uuid ON ip_range (l3_network_uuid);
CREATE TABLE used_ip (
    uuid TEXT NOT NULL PRIMARY KEY,
    ip_range_uuid TEXT,
    l3_network_uuid TEXT,
    ip_version INTEGER,
    ip TEXT,
    netmask TEXT,
    gateway TEXT,
    used_for TEXT,
    ip_in_long INTEGER,
    vm_nic_uuid TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_used_ip_l3_network_uuid ON used_ip (l3_network_uuid);
CREATE INDEX idx_used_ip_vm_nic_uuid ON used_ip (vm_nic_uuid);
CREATE INDEX idx_used_ip_ip_range_uuid ON used_ip (ip_range_uuid);
CREATE TABLE l3_network_dns (
    uuid TEXT NOT NULL PRIMARY KEY,
    l3_network_uuid TEXT,
    dns TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_l3_network_dns_l3_network_uuid ON l3_network_dns (l3_network_uuid);
CREATE TABLE network_service_l3_ref (
    uuid TEXT NOT NULL PRIMARY KEY,
    l3_network_uuid TEXT,
    network_service_provider_uuid TEXT,
    network_service_type TEXT,
    inv TEXT NOT NULL
);
CREATE INDEX idx_network_service_l3_ref_l3_network_uuid ON network_service_l3_ref (l3_network_uuid);
CREATE TABLE instance_offering (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    cpu_num INTEGER,
    cpu_speed INTEGER,
    memory_size INTEGER,
    reserved_memory_size INTEGER,
    type TEXT,
    allocator_strategy TEXT,
    sort_key INTEGER,
    state TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE TABLE disk_offering (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    disk_size INTEGER,
    sort_key INTEGER,
    state TEXT,
    type TEXT,
    allocator_strategy TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE TABLE image (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    state TEXT,
    status TEXT,
    size INTEGER,
    actual_size INTEGER,
    md5_sum TEXT,
    url TEXT,
    media_type TEXT,
    guest_os_type TEXT,
    type TEXT,
    platform TEXT,
    architecture TEXT,
    format TEXT,
    f_system INTEGER,
    virtio INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE TABLE image_backup_storage_ref (
    uuid TEXT NOT NULL PRIMARY KEY,
    image_uuid TEXT,
    backup_storage_uuid TEXT,
    install_path TEXT,
    status TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_image_backup_storage_ref_image_uuid ON image_backup_storage_ref (image_uuid);
CREATE INDEX idx_image_backup_storage_ref_backup_storage_uuid ON image_backup_storage_ref (backup_storage_uuid);
CREATE TABLE vm_instance (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    zone_uuid TEXT,
    cluster_uuid TEXT,
    image_uuid TEXT,
    host_uuid TEXT,
    last_host_uuid TEXT,
    instance_offering_uuid TEXT,
    root_volume_uuid TEXT,
    platform TEXT,
    architecture TEXT,
    default_l3_network_uuid TEXT,
    type TEXT,
    hypervisor_type TEXT,
    memory_size INTEGER,
    reserved_memory_size INTEGER,
    cpu_num INTEGER,
    cpu_speed INTEGER,
    allocator_strategy TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    state TEXT,
    guest_os_type TEXT,
    inv TEXT NOT NULL
);
CREATE INDEX idx_vm_instance_host_uuid ON vm_instance (host_uuid);
CREATE INDEX idx_vm_instance_cluster_uuid ON vm_instance (cluster_uuid);
CREATE INDEX idx_vm_instance_zone_uuid ON vm_instance (zone_uuid);
CREATE INDEX idx_vm_instance_state ON vm_instance (state);
CREATE INDEX idx_vm_instance_name ON vm_instance (name);
CREATE TABLE vm_nic (
    uuid TEXT NOT NULL PRIMARY KEY,
    vm_instance_uuid TEXT,
    l3_network_uuid TEXT,
    ip TEXT,
    mac TEXT,
    hypervisor_type TEXT,
    netmask TEXT,
    gateway TEXT,
    ip_version INTEGER,
    driver_type TEXT,
    internal_name TEXT,
    device_id INTEGER,
    type TEXT,
    state TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_vm_nic_vm_instance_uuid ON vm_nic (vm_instance_uuid);
CREATE INDEX idx_vm_nic_l3_network_uuid ON vm_nic (l3_network_uuid);
CREATE INDEX idx_vm_nic_ip ON vm_nic (ip);
CREATE INDEX idx_vm_nic_mac ON vm_nic (mac);
CREATE TABLE volume (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    primary_storage_uuid TEXT,
    vm_instance_uuid TEXT,
    disk_offering_uuid TEXT,
    root_image_uuid TEXT,
    install_path TEXT,
    type TEXT,
    format TEXT,
    size INTEGER,
    actual_size INTEGER,
    device_id INTEGER,
    state TEXT,
    status TEXT,
    is_shareable INTEGER,
    last_vm_instance_uuid TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_volume_vm_instance_uuid ON volume (vm_instance_uuid);
CREATE INDEX idx_volume_primary_storage_uuid ON volume (primary_storage_uuid);
CREATE TABLE system_tag (
    uuid TEXT NOT NULL PRIMARY KEY,
    resource_uuid TEXT,
    resource_type TEXT,
    tag TEXT,
    type TEXT,
    inherent INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_system_tag_resource_uuid ON system_tag (resource_uuid);
CREATE TABLE user_tag (
    uuid TEXT NOT NULL PRIMARY KEY,
    resource_uuid TEXT,
    resource_type TEXT,
    tag TEXT,
    type TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_user_tag_resource_uuid ON user_tag (resource_uuid);
CREATE TABLE global_config (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    category TEXT,
    description TEXT,
    default_value TEXT,
    value TEXT,
    inv TEXT NOT NULL
);
CREATE TABLE account (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    type TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_account_name ON account (name);
CREATE TABLE account_credential (
    uuid TEXT NOT NULL PRIMARY KEY,
    password_hash TEXT,
    inv TEXT NOT NULL
);
CREATE TABLE session (
    uuid TEXT NOT NULL PRIMARY KEY,
    account_uuid TEXT,
    user_uuid TEXT,
    user_type TEXT,
    expired_date INTEGER,
    create_date INTEGER,
    inv TEXT NOT NULL
);
CREATE TABLE async_job (
    uuid TEXT NOT NULL PRIMARY KEY,
    api_name TEXT,
    state TEXT,
    http_status INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_async_job_state ON async_job (state);
