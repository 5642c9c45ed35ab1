-- Generated from actors/node/src/tables.rs for sqlite; do not edit.
CREATE TABLE hybrid_key (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    account_uuid TEXT,
    type TEXT,
    f_key TEXT,
    current INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_hybrid_key_f_key ON hybrid_key (f_key);
CREATE TABLE hybrid_key_secret (
    uuid TEXT NOT NULL PRIMARY KEY,
    sealed TEXT,
    inv TEXT NOT NULL
);
CREATE TABLE data_center (
    uuid TEXT NOT NULL PRIMARY KEY,
    region_id TEXT,
    region_name TEXT,
    dc_type TEXT,
    endpoint TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_data_center_region_id ON data_center (region_id);
CREATE TABLE identity_zone (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    zone_id TEXT,
    zone_name TEXT,
    type TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_identity_zone_data_center_uuid ON identity_zone (data_center_uuid);
CREATE INDEX idx_identity_zone_zone_id ON identity_zone (zone_id);
CREATE TABLE ecs_vpc (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    ecs_vpc_id TEXT,
    name TEXT,
    vpc_name TEXT,
    cidr_block TEXT,
    status TEXT,
    v_router_id TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_ecs_vpc_data_center_uuid ON ecs_vpc (data_center_uuid);
CREATE INDEX idx_ecs_vpc_ecs_vpc_id ON ecs_vpc (ecs_vpc_id);
CREATE TABLE ecs_vswitch (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    v_switch_id TEXT,
    ecs_vpc_uuid TEXT,
    identity_zone_uuid TEXT,
    name TEXT,
    v_switch_name TEXT,
    cidr_block TEXT,
    status TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_ecs_vswitch_data_center_uuid ON ecs_vswitch (data_center_uuid);
CREATE INDEX idx_ecs_vswitch_ecs_vpc_uuid ON ecs_vswitch (ecs_vpc_uuid);
CREATE INDEX idx_ecs_vswitch_v_switch_id ON ecs_vswitch (v_switch_id);
CREATE TABLE ecs_security_group (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    ecs_vpc_uuid TEXT,
    security_group_id TEXT,
    name TEXT,
    security_group_name TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_ecs_security_group_data_center_uuid ON ecs_security_group (data_center_uuid);
CREATE INDEX idx_ecs_security_group_ecs_vpc_uuid ON ecs_security_group (ecs_vpc_uuid);
CREATE INDEX idx_ecs_security_group_security_group_id ON ecs_security_group (security_group_id);
CREATE TABLE ecs_security_group_rule (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    ecs_security_group_uuid TEXT,
    direction TEXT,
    protocol TEXT,
    port_range TEXT,
    cidr TEXT,
    policy TEXT,
    nictype TEXT,
    priority INTEGER,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_ecs_security_group_rule_data_center_uuid ON ecs_security_group_rule (data_center_uuid);
CREATE INDEX idx_ecs_security_group_rule_ecs_security_group_uuid ON ecs_security_group_rule (ecs_security_group_uuid);
CREATE TABLE ecs_image (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    ecs_image_id TEXT,
    local_image_uuid TEXT,
    name TEXT,
    ecs_image_size INTEGER,
    platform TEXT,
    os_type TEXT,
    architecture TEXT,
    type TEXT,
    status TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_ecs_image_data_center_uuid ON ecs_image (data_center_uuid);
CREATE INDEX idx_ecs_image_ecs_image_id ON ecs_image (ecs_image_id);
CREATE TABLE ecs_instance (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    ecs_instance_id TEXT,
    local_vm_instance_uuid TEXT,
    name TEXT,
    ecs_status TEXT,
    ecs_instance_type TEXT,
    cpu_cores INTEGER,
    memory_size INTEGER,
    ecs_band_width INTEGER,
    ecs_eip_uuid TEXT,
    ecs_vpc_uuid TEXT,
    ecs_v_switch_uuid TEXT,
    ecs_security_group_uuid TEXT,
    ecs_image_uuid TEXT,
    identity_zone_uuid TEXT,
    public_ip_address TEXT,
    private_ip_address TEXT,
    charge_type TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_ecs_instance_data_center_uuid ON ecs_instance (data_center_uuid);
CREATE INDEX idx_ecs_instance_ecs_instance_id ON ecs_instance (ecs_instance_id);
CREATE INDEX idx_ecs_instance_ecs_v_switch_uuid ON ecs_instance (ecs_v_switch_uuid);
CREATE INDEX idx_ecs_instance_ecs_status ON ecs_instance (ecs_status);
CREATE TABLE aliyun_disk (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    disk_id TEXT,
    name TEXT,
    description TEXT,
    identity_zone_uuid TEXT,
    ecs_instance_uuid TEXT,
    disk_category TEXT,
    disk_type TEXT,
    status TEXT,
    size_with_g_b INTEGER,
    device_info TEXT,
    delete_with_instance INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_aliyun_disk_data_center_uuid ON aliyun_disk (data_center_uuid);
CREATE INDEX idx_aliyun_disk_disk_id ON aliyun_disk (disk_id);
CREATE INDEX idx_aliyun_disk_ecs_instance_uuid ON aliyun_disk (ecs_instance_uuid);
CREATE TABLE hybrid_eip (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    eip_id TEXT,
    eip_address TEXT,
    name TEXT,
    description TEXT,
    band_width INTEGER,
    charge_type TEXT,
    status TEXT,
    allocate_resource_uuid TEXT,
    allocate_resource_type TEXT,
    eip_type TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_hybrid_eip_data_center_uuid ON hybrid_eip (data_center_uuid);
CREATE INDEX idx_hybrid_eip_eip_id ON hybrid_eip (eip_id);
CREATE INDEX idx_hybrid_eip_allocate_resource_uuid ON hybrid_eip (allocate_resource_uuid);
