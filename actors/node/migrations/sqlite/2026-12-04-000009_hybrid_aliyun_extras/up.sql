-- Generated from actors/node/src/tables.rs for sqlite; do not edit.
CREATE TABLE oss_bucket (
    uuid TEXT NOT NULL PRIMARY KEY,
    bucket_name TEXT,
    data_center_uuid TEXT,
    region_id TEXT,
    current INTEGER,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_oss_bucket_data_center_uuid ON oss_bucket (data_center_uuid);
CREATE INDEX idx_oss_bucket_bucket_name ON oss_bucket (bucket_name);
CREATE TABLE aliyun_virtual_router (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    vr_id TEXT,
    vpc_uuid TEXT,
    v_router_name TEXT,
    route_table_id TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_aliyun_virtual_router_data_center_uuid ON aliyun_virtual_router (data_center_uuid);
CREATE INDEX idx_aliyun_virtual_router_vpc_uuid ON aliyun_virtual_router (vpc_uuid);
CREATE INDEX idx_aliyun_virtual_router_vr_id ON aliyun_virtual_router (vr_id);
CREATE TABLE aliyun_route_entry (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    v_router_uuid TEXT,
    v_router_type TEXT,
    route_entry_id TEXT,
    route_table_id TEXT,
    destination_cidr_block TEXT,
    next_hop_type TEXT,
    next_hop_id TEXT,
    next_hop_uuid TEXT,
    type TEXT,
    status TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_aliyun_route_entry_data_center_uuid ON aliyun_route_entry (data_center_uuid);
CREATE INDEX idx_aliyun_route_entry_v_router_uuid ON aliyun_route_entry (v_router_uuid);
CREATE INDEX idx_aliyun_route_entry_route_entry_id ON aliyun_route_entry (route_entry_id);
CREATE TABLE vpc_vpn_gateway (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    gateway_id TEXT,
    name TEXT,
    vpc_uuid TEXT,
    v_switch_uuid TEXT,
    public_ip TEXT,
    spec TEXT,
    status TEXT,
    business_status TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_vpc_vpn_gateway_data_center_uuid ON vpc_vpn_gateway (data_center_uuid);
CREATE INDEX idx_vpc_vpn_gateway_gateway_id ON vpc_vpn_gateway (gateway_id);
CREATE TABLE vpc_user_vpn_gateway (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    gateway_id TEXT,
    name TEXT,
    ip TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_vpc_user_vpn_gateway_data_center_uuid ON vpc_user_vpn_gateway (data_center_uuid);
CREATE INDEX idx_vpc_user_vpn_gateway_gateway_id ON vpc_user_vpn_gateway (gateway_id);
CREATE TABLE vpc_vpn_connection (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    connection_id TEXT,
    name TEXT,
    local_subnet TEXT,
    remote_subnet TEXT,
    status TEXT,
    active INTEGER,
    vpn_gateway_uuid TEXT,
    user_gateway_uuid TEXT,
    ike_config_uuid TEXT,
    ipsec_config_uuid TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_vpc_vpn_connection_data_center_uuid ON vpc_vpn_connection (data_center_uuid);
CREATE INDEX idx_vpc_vpn_connection_connection_id ON vpc_vpn_connection (connection_id);
CREATE INDEX idx_vpc_vpn_connection_vpn_gateway_uuid ON vpc_vpn_connection (vpn_gateway_uuid);
CREATE INDEX idx_vpc_vpn_connection_user_gateway_uuid ON vpc_vpn_connection (user_gateway_uuid);
CREATE TABLE vpc_vpn_ike_config (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    psk TEXT,
    version TEXT,
    mode TEXT,
    enc_alg TEXT,
    auth_alg TEXT,
    pfs TEXT,
    lifetime INTEGER,
    local_ip TEXT,
    remote_ip TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE TABLE vpc_vpn_ipsec_config (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    enc_alg TEXT,
    auth_alg TEXT,
    pfs TEXT,
    lifetime INTEGER,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE TABLE virtual_border_router (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    vbr_id TEXT,
    name TEXT,
    status TEXT,
    vlan_id INTEGER,
    circuit_code TEXT,
    local_gateway_ip TEXT,
    peer_gateway_ip TEXT,
    peering_subnet_mask TEXT,
    physical_connection_id TEXT,
    physical_connection_status TEXT,
    access_point_id TEXT,
    route_table_id TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_virtual_border_router_data_center_uuid ON virtual_border_router (data_center_uuid);
CREATE INDEX idx_virtual_border_router_vbr_id ON virtual_border_router (vbr_id);
CREATE TABLE aliyun_router_interface (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    router_interface_id TEXT,
    name TEXT,
    router_type TEXT,
    router_id TEXT,
    v_router_uuid TEXT,
    role TEXT,
    spec TEXT,
    status TEXT,
    access_point_id TEXT,
    opposite_region_id TEXT,
    opposite_interface_id TEXT,
    opposite_router_id TEXT,
    opposite_router_type TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_aliyun_router_interface_data_center_uuid ON aliyun_router_interface (data_center_uuid);
CREATE INDEX idx_aliyun_router_interface_router_interface_id ON aliyun_router_interface (router_interface_id);
CREATE INDEX idx_aliyun_router_interface_v_router_uuid ON aliyun_router_interface (v_router_uuid);
