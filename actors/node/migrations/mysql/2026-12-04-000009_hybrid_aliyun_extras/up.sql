-- Generated from actors/node/src/tables.rs for mysql; do not edit.
CREATE TABLE oss_bucket (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    bucket_name VARCHAR(255),
    data_center_uuid VARCHAR(255),
    region_id VARCHAR(255),
    current BIGINT,
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_oss_bucket_data_center_uuid ON oss_bucket (data_center_uuid);
CREATE INDEX idx_oss_bucket_bucket_name ON oss_bucket (bucket_name);
CREATE TABLE aliyun_virtual_router (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    vr_id VARCHAR(255),
    vpc_uuid VARCHAR(255),
    v_router_name VARCHAR(255),
    route_table_id VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_aliyun_virtual_router_data_center_uuid ON aliyun_virtual_router (data_center_uuid);
CREATE INDEX idx_aliyun_virtual_router_vpc_uuid ON aliyun_virtual_router (vpc_uuid);
CREATE INDEX idx_aliyun_virtual_router_vr_id ON aliyun_virtual_router (vr_id);
CREATE TABLE aliyun_route_entry (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    v_router_uuid VARCHAR(255),
    v_router_type VARCHAR(255),
    route_entry_id VARCHAR(255),
    route_table_id VARCHAR(255),
    destination_cidr_block VARCHAR(255),
    next_hop_type VARCHAR(255),
    next_hop_id VARCHAR(255),
    next_hop_uuid VARCHAR(255),
    type VARCHAR(255),
    status VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_aliyun_route_entry_data_center_uuid ON aliyun_route_entry (data_center_uuid);
CREATE INDEX idx_aliyun_route_entry_v_router_uuid ON aliyun_route_entry (v_router_uuid);
CREATE INDEX idx_aliyun_route_entry_route_entry_id ON aliyun_route_entry (route_entry_id);
CREATE TABLE vpc_vpn_gateway (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    gateway_id VARCHAR(255),
    name VARCHAR(255),
    vpc_uuid VARCHAR(255),
    v_switch_uuid VARCHAR(255),
    public_ip VARCHAR(255),
    spec VARCHAR(255),
    status VARCHAR(255),
    business_status VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_vpc_vpn_gateway_data_center_uuid ON vpc_vpn_gateway (data_center_uuid);
CREATE INDEX idx_vpc_vpn_gateway_gateway_id ON vpc_vpn_gateway (gateway_id);
CREATE TABLE vpc_user_vpn_gateway (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    gateway_id VARCHAR(255),
    name VARCHAR(255),
    ip VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_vpc_user_vpn_gateway_data_center_uuid ON vpc_user_vpn_gateway (data_center_uuid);
CREATE INDEX idx_vpc_user_vpn_gateway_gateway_id ON vpc_user_vpn_gateway (gateway_id);
CREATE TABLE vpc_vpn_connection (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    connection_id VARCHAR(255),
    name VARCHAR(255),
    local_subnet TEXT,
    remote_subnet TEXT,
    status VARCHAR(255),
    active BIGINT,
    vpn_gateway_uuid VARCHAR(255),
    user_gateway_uuid VARCHAR(255),
    ike_config_uuid VARCHAR(255),
    ipsec_config_uuid VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_vpc_vpn_connection_data_center_uuid ON vpc_vpn_connection (data_center_uuid);
CREATE INDEX idx_vpc_vpn_connection_connection_id ON vpc_vpn_connection (connection_id);
CREATE INDEX idx_vpc_vpn_connection_vpn_gateway_uuid ON vpc_vpn_connection (vpn_gateway_uuid);
CREATE INDEX idx_vpc_vpn_connection_user_gateway_uuid ON vpc_vpn_connection (user_gateway_uuid);
CREATE TABLE vpc_vpn_ike_config (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    psk VARCHAR(255),
    version VARCHAR(255),
    mode VARCHAR(255),
    enc_alg VARCHAR(255),
    auth_alg VARCHAR(255),
    pfs VARCHAR(255),
    lifetime BIGINT,
    local_ip VARCHAR(255),
    remote_ip VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE vpc_vpn_ipsec_config (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    enc_alg VARCHAR(255),
    auth_alg VARCHAR(255),
    pfs VARCHAR(255),
    lifetime BIGINT,
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE virtual_border_router (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    vbr_id VARCHAR(255),
    name VARCHAR(255),
    status VARCHAR(255),
    vlan_id BIGINT,
    circuit_code VARCHAR(255),
    local_gateway_ip VARCHAR(255),
    peer_gateway_ip VARCHAR(255),
    peering_subnet_mask VARCHAR(255),
    physical_connection_id VARCHAR(255),
    physical_connection_status VARCHAR(255),
    access_point_id VARCHAR(255),
    route_table_id VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_virtual_border_router_data_center_uuid ON virtual_border_router (data_center_uuid);
CREATE INDEX idx_virtual_border_router_vbr_id ON virtual_border_router (vbr_id);
CREATE TABLE aliyun_router_interface (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    router_interface_id VARCHAR(255),
    name VARCHAR(255),
    router_type VARCHAR(255),
    router_id VARCHAR(255),
    v_router_uuid VARCHAR(255),
    role VARCHAR(255),
    spec VARCHAR(255),
    status VARCHAR(255),
    access_point_id VARCHAR(255),
    opposite_region_id VARCHAR(255),
    opposite_interface_id VARCHAR(255),
    opposite_router_id VARCHAR(255),
    opposite_router_type VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_aliyun_router_interface_data_center_uuid ON aliyun_router_interface (data_center_uuid);
CREATE INDEX idx_aliyun_router_interface_router_interface_id ON aliyun_router_interface (router_interface_id);
CREATE INDEX idx_aliyun_router_interface_v_router_uuid ON aliyun_router_interface (v_router_uuid);
