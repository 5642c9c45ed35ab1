-- Generated from actors/node/src/tables.rs for mysql; do not edit.
CREATE TABLE hybrid_key (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    account_uuid VARCHAR(255),
    type VARCHAR(255),
    f_key VARCHAR(255),
    current BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_hybrid_key_f_key ON hybrid_key (f_key);
CREATE TABLE hybrid_key_secret (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    sealed TEXT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE data_center (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    region_id VARCHAR(255),
    region_name VARCHAR(255),
    dc_type VARCHAR(255),
    endpoint TEXT,
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_data_center_region_id ON data_center (region_id);
CREATE TABLE identity_zone (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    zone_id VARCHAR(255),
    zone_name VARCHAR(255),
    type VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_identity_zone_data_center_uuid ON identity_zone (data_center_uuid);
CREATE INDEX idx_identity_zone_zone_id ON identity_zone (zone_id);
CREATE TABLE ecs_vpc (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    ecs_vpc_id VARCHAR(255),
    name VARCHAR(255),
    vpc_name VARCHAR(255),
    cidr_block VARCHAR(255),
    status VARCHAR(255),
    v_router_id VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_ecs_vpc_data_center_uuid ON ecs_vpc (data_center_uuid);
CREATE INDEX idx_ecs_vpc_ecs_vpc_id ON ecs_vpc (ecs_vpc_id);
CREATE TABLE ecs_vswitch (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    v_switch_id VARCHAR(255),
    ecs_vpc_uuid VARCHAR(255),
    identity_zone_uuid VARCHAR(255),
    name VARCHAR(255),
    v_switch_name VARCHAR(255),
    cidr_block VARCHAR(255),
    status VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_ecs_vswitch_data_center_uuid ON ecs_vswitch (data_center_uuid);
CREATE INDEX idx_ecs_vswitch_ecs_vpc_uuid ON ecs_vswitch (ecs_vpc_uuid);
CREATE INDEX idx_ecs_vswitch_v_switch_id ON ecs_vswitch (v_switch_id);
CREATE TABLE ecs_security_group (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    ecs_vpc_uuid VARCHAR(255),
    security_group_id VARCHAR(255),
    name VARCHAR(255),
    security_group_name VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_ecs_security_group_data_center_uuid ON ecs_security_group (data_center_uuid);
CREATE INDEX idx_ecs_security_group_ecs_vpc_uuid ON ecs_security_group (ecs_vpc_uuid);
CREATE INDEX idx_ecs_security_group_security_group_id ON ecs_security_group (security_group_id);
CREATE TABLE ecs_security_group_rule (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    ecs_security_group_uuid VARCHAR(255),
    direction VARCHAR(255),
    protocol VARCHAR(255),
    port_range VARCHAR(255),
    cidr VARCHAR(255),
    policy VARCHAR(255),
    nictype VARCHAR(255),
    priority BIGINT,
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_ecs_security_group_rule_data_center_uuid ON ecs_security_group_rule (data_center_uuid);
CREATE INDEX idx_ecs_security_group_rule_ecs_security_group_uuid ON ecs_security_group_rule (ecs_security_group_uuid);
CREATE TABLE ecs_image (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    ecs_image_id VARCHAR(255),
    local_image_uuid VARCHAR(255),
    name VARCHAR(255),
    ecs_image_size BIGINT,
    platform VARCHAR(255),
    os_type VARCHAR(255),
    architecture VARCHAR(255),
    type VARCHAR(255),
    status VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_ecs_image_data_center_uuid ON ecs_image (data_center_uuid);
CREATE INDEX idx_ecs_image_ecs_image_id ON ecs_image (ecs_image_id);
CREATE TABLE ecs_instance (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    ecs_instance_id VARCHAR(255),
    local_vm_instance_uuid VARCHAR(255),
    name VARCHAR(255),
    ecs_status VARCHAR(255),
    ecs_instance_type VARCHAR(255),
    cpu_cores BIGINT,
    memory_size BIGINT,
    ecs_band_width BIGINT,
    ecs_eip_uuid VARCHAR(255),
    ecs_vpc_uuid VARCHAR(255),
    ecs_v_switch_uuid VARCHAR(255),
    ecs_security_group_uuid VARCHAR(255),
    ecs_image_uuid VARCHAR(255),
    identity_zone_uuid VARCHAR(255),
    public_ip_address VARCHAR(255),
    private_ip_address VARCHAR(255),
    charge_type VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_ecs_instance_data_center_uuid ON ecs_instance (data_center_uuid);
CREATE INDEX idx_ecs_instance_ecs_instance_id ON ecs_instance (ecs_instance_id);
CREATE INDEX idx_ecs_instance_ecs_v_switch_uuid ON ecs_instance (ecs_v_switch_uuid);
CREATE INDEX idx_ecs_instance_ecs_status ON ecs_instance (ecs_status);
CREATE TABLE aliyun_disk (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    disk_id VARCHAR(255),
    name VARCHAR(255),
    description TEXT,
    identity_zone_uuid VARCHAR(255),
    ecs_instance_uuid VARCHAR(255),
    disk_category VARCHAR(255),
    disk_type VARCHAR(255),
    status VARCHAR(255),
    size_with_g_b BIGINT,
    device_info VARCHAR(255),
    delete_with_instance BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_aliyun_disk_data_center_uuid ON aliyun_disk (data_center_uuid);
CREATE INDEX idx_aliyun_disk_disk_id ON aliyun_disk (disk_id);
CREATE INDEX idx_aliyun_disk_ecs_instance_uuid ON aliyun_disk (ecs_instance_uuid);
CREATE TABLE hybrid_eip (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    eip_id VARCHAR(255),
    eip_address VARCHAR(255),
    name VARCHAR(255),
    description TEXT,
    band_width BIGINT,
    charge_type VARCHAR(255),
    status VARCHAR(255),
    allocate_resource_uuid VARCHAR(255),
    allocate_resource_type VARCHAR(255),
    eip_type VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_hybrid_eip_data_center_uuid ON hybrid_eip (data_center_uuid);
CREATE INDEX idx_hybrid_eip_eip_id ON hybrid_eip (eip_id);
CREATE INDEX idx_hybrid_eip_allocate_resource_uuid ON hybrid_eip (allocate_resource_uuid);
