-- Generated from actors/node/src/tables.rs for mysql; do not edit.
CREATE TABLE zone (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    state VARCHAR(255),
    type VARCHAR(255),
    is_default BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_zone_name ON zone (name);
CREATE TABLE cluster (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    state VARCHAR(255),
    hypervisor_type VARCHAR(255),
    zone_uuid VARCHAR(255),
    type VARCHAR(255),
    architecture VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_cluster_zone_uuid ON cluster (zone_uuid);
CREATE TABLE host (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    zone_uuid VARCHAR(255),
    cluster_uuid VARCHAR(255),
    management_ip VARCHAR(255),
    hypervisor_type VARCHAR(255),
    state VARCHAR(255),
    status VARCHAR(255),
    total_cpu_capacity BIGINT,
    available_cpu_capacity BIGINT,
    cpu_sockets BIGINT,
    total_memory_capacity BIGINT,
    available_memory_capacity BIGINT,
    cpu_num BIGINT,
    architecture VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_host_cluster_uuid ON host (cluster_uuid);
CREATE INDEX idx_host_zone_uuid ON host (zone_uuid);
CREATE INDEX idx_host_management_ip ON host (management_ip);
CREATE TABLE primary_storage (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    zone_uuid VARCHAR(255),
    name VARCHAR(255),
    url TEXT,
    description TEXT,
    total_capacity BIGINT,
    available_capacity BIGINT,
    total_physical_capacity BIGINT,
    available_physical_capacity BIGINT,
    system_used_capacity BIGINT,
    type VARCHAR(255),
    state VARCHAR(255),
    status VARCHAR(255),
    mount_path TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_primary_storage_zone_uuid ON primary_storage (zone_uuid);
CREATE TABLE primary_storage_cluster_ref (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    primary_storage_uuid VARCHAR(255),
    cluster_uuid VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_primary_storage_cluster_ref_primary_storage_uuid ON primary_storage_cluster_ref (primary_storage_uuid);
CREATE INDEX idx_primary_storage_cluster_ref_cluster_uuid ON primary_storage_cluster_ref (cluster_uuid);
CREATE TABLE backup_storage (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    url TEXT,
    description TEXT,
    total_capacity BIGINT,
    available_capacity BIGINT,
    type VARCHAR(255),
    state VARCHAR(255),
    status VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE backup_storage_zone_ref (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    backup_storage_uuid VARCHAR(255),
    zone_uuid VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_backup_storage_zone_ref_backup_storage_uuid ON backup_storage_zone_ref (backup_storage_uuid);
CREATE INDEX idx_backup_storage_zone_ref_zone_uuid ON backup_storage_zone_ref (zone_uuid);
CREATE TABLE l2_network (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    zone_uuid VARCHAR(255),
    physical_interface VARCHAR(255),
    type VARCHAR(255),
    v_switch_type VARCHAR(255),
    virtual_network_id BIGINT,
    vlan BIGINT,
    isolated BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_l2_network_zone_uuid ON l2_network (zone_uuid);
CREATE TABLE l2_network_cluster_ref (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    l2_network_uuid VARCHAR(255),
    cluster_uuid VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_l2_network_cluster_ref_l2_network_uuid ON l2_network_cluster_ref (l2_network_uuid);
CREATE INDEX idx_l2_network_cluster_ref_cluster_uuid ON l2_network_cluster_ref (cluster_uuid);
CREATE TABLE l3_network (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    type VARCHAR(255),
    zone_uuid VARCHAR(255),
    l2_network_uuid VARCHAR(255),
    state VARCHAR(255),
    dns_domain VARCHAR(255),
    f_system BIGINT,
    category VARCHAR(255),
    ip_version BIGINT,
    enable_i_p_a_m BIGINT,
    isolated BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_l3_network_l2_network_uuid ON l3_network (l2_network_uuid);
CREATE INDEX idx_l3_network_zone_uuid ON l3_network (zone_uuid);
CREATE TABLE ip_range (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    l3_network_uuid VARCHAR(255),
    name VARCHAR(255),
    description TEXT,
    start_ip VARCHAR(255),
    end_ip VARCHAR(255),
    netmask VARCHAR(255),
    gateway VARCHAR(255),
    network_cidr VARCHAR(255),
    ip_version BIGINT,
    prefix_len BIGINT,
    ip_range_type VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_ip_range_l3_network_uuid ON ip_range (l3_network_uuid);
CREATE TABLE used_ip (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    ip_range_uuid VARCHAR(255),
    l3_network_uuid VARCHAR(255),
    ip_version BIGINT,
    ip VARCHAR(255),
    netmask VARCHAR(255),
    gateway VARCHAR(255),
    used_for VARCHAR(255),
    ip_in_long BIGINT,
    vm_nic_uuid VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_used_ip_l3_network_uuid ON used_ip (l3_network_uuid);
CREATE INDEX idx_used_ip_vm_nic_uuid ON used_ip (vm_nic_uuid);
CREATE INDEX idx_used_ip_ip_range_uuid ON used_ip (ip_range_uuid);
CREATE TABLE l3_network_dns (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    l3_network_uuid VARCHAR(255),
    dns VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_l3_network_dns_l3_network_uuid ON l3_network_dns (l3_network_uuid);
CREATE TABLE network_service_l3_ref (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    l3_network_uuid VARCHAR(255),
    network_service_provider_uuid VARCHAR(255),
    network_service_type VARCHAR(255),
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_network_service_l3_ref_l3_network_uuid ON network_service_l3_ref (l3_network_uuid);
CREATE TABLE instance_offering (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    cpu_num BIGINT,
    cpu_speed BIGINT,
    memory_size BIGINT,
    reserved_memory_size BIGINT,
    type VARCHAR(255),
    allocator_strategy VARCHAR(255),
    sort_key BIGINT,
    state VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE disk_offering (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    disk_size BIGINT,
    sort_key BIGINT,
    state VARCHAR(255),
    type VARCHAR(255),
    allocator_strategy VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE image (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    state VARCHAR(255),
    status VARCHAR(255),
    size BIGINT,
    actual_size BIGINT,
    md5_sum VARCHAR(255),
    url TEXT,
    media_type VARCHAR(255),
    guest_os_type VARCHAR(255),
    type VARCHAR(255),
    platform VARCHAR(255),
    architecture VARCHAR(255),
    format VARCHAR(255),
    f_system BIGINT,
    virtio BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE image_backup_storage_ref (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    image_uuid VARCHAR(255),
    backup_storage_uuid VARCHAR(255),
    install_path TEXT,
    status VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_image_backup_storage_ref_image_uuid ON image_backup_storage_ref (image_uuid);
CREATE INDEX idx_image_backup_storage_ref_backup_storage_uuid ON image_backup_storage_ref (backup_storage_uuid);
CREATE TABLE vm_instance (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    zone_uuid VARCHAR(255),
    cluster_uuid VARCHAR(255),
    image_uuid VARCHAR(255),
    host_uuid VARCHAR(255),
    last_host_uuid VARCHAR(255),
    instance_offering_uuid VARCHAR(255),
    root_volume_uuid VARCHAR(255),
    platform VARCHAR(255),
    architecture VARCHAR(255),
    default_l3_network_uuid VARCHAR(255),
    type VARCHAR(255),
    hypervisor_type VARCHAR(255),
    memory_size BIGINT,
    reserved_memory_size BIGINT,
    cpu_num BIGINT,
    cpu_speed BIGINT,
    allocator_strategy VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    state VARCHAR(255),
    guest_os_type VARCHAR(255),
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_vm_instance_host_uuid ON vm_instance (host_uuid);
CREATE INDEX idx_vm_instance_cluster_uuid ON vm_instance (cluster_uuid);
CREATE INDEX idx_vm_instance_zone_uuid ON vm_instance (zone_uuid);
CREATE INDEX idx_vm_instance_state ON vm_instance (state);
CREATE INDEX idx_vm_instance_name ON vm_instance (name);
CREATE TABLE vm_nic (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    vm_instance_uuid VARCHAR(255),
    l3_network_uuid VARCHAR(255),
    ip VARCHAR(255),
    mac VARCHAR(255),
    hypervisor_type VARCHAR(255),
    netmask VARCHAR(255),
    gateway VARCHAR(255),
    ip_version BIGINT,
    driver_type VARCHAR(255),
    internal_name VARCHAR(255),
    device_id BIGINT,
    type VARCHAR(255),
    state VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_vm_nic_vm_instance_uuid ON vm_nic (vm_instance_uuid);
CREATE INDEX idx_vm_nic_l3_network_uuid ON vm_nic (l3_network_uuid);
CREATE INDEX idx_vm_nic_ip ON vm_nic (ip);
CREATE INDEX idx_vm_nic_mac ON vm_nic (mac);
CREATE TABLE volume (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    primary_storage_uuid VARCHAR(255),
    vm_instance_uuid VARCHAR(255),
    disk_offering_uuid VARCHAR(255),
    root_image_uuid VARCHAR(255),
    install_path TEXT,
    type VARCHAR(255),
    format VARCHAR(255),
    size BIGINT,
    actual_size BIGINT,
    device_id BIGINT,
    state VARCHAR(255),
    status VARCHAR(255),
    is_shareable BIGINT,
    last_vm_instance_uuid VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_volume_vm_instance_uuid ON volume (vm_instance_uuid);
CREATE INDEX idx_volume_primary_storage_uuid ON volume (primary_storage_uuid);
CREATE TABLE system_tag (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    resource_uuid VARCHAR(255),
    resource_type VARCHAR(255),
    tag TEXT,
    type VARCHAR(255),
    inherent BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_system_tag_resource_uuid ON system_tag (resource_uuid);
CREATE TABLE user_tag (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    resource_uuid VARCHAR(255),
    resource_type VARCHAR(255),
    tag TEXT,
    type VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_user_tag_resource_uuid ON user_tag (resource_uuid);
CREATE TABLE global_config (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    category VARCHAR(255),
    description TEXT,
    default_value TEXT,
    value TEXT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE account (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    type VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_account_name ON account (name);
CREATE TABLE account_credential (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    password_hash TEXT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE session (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    account_uuid VARCHAR(255),
    user_uuid VARCHAR(255),
    user_type VARCHAR(255),
    expired_date BIGINT,
    create_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE async_job (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    api_name VARCHAR(255),
    state VARCHAR(255),
    http_status BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_async_job_state ON async_job (state);
