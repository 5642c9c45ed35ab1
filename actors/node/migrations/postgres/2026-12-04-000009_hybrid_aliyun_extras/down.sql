-- Generated from actors/node/src/tables.rs; do not edit.
DROP TABLE aliyun_router_interface;
DROP TABLE virtual_border_router;
DROP TABLE vpc_vpn_ipsec_config;
DROP TABLE vpc_vpn_ike_config;
DROP TABLE vpc_vpn_connection;
DROP TABLE vpc_user_vpn_gateway;
DROP TABLE vpc_vpn_gateway;
DROP TABLE aliyun_route_entry;
DROP TABLE aliyun_virtual_router;
DROP TABLE oss_bucket;
