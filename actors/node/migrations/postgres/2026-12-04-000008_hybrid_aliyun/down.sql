-- Generated from actors/node/src/tables.rs; do not edit.
DROP TABLE hybrid_eip;
DROP TABLE aliyun_disk;
DROP TABLE ecs_instance;
DROP TABLE ecs_image;
DROP TABLE ecs_security_group_rule;
DROP TABLE ecs_security_group;
DROP TABLE ecs_vswitch;
DROP TABLE ecs_vpc;
DROP TABLE identity_zone;
DROP TABLE data_center;
DROP TABLE hybrid_key_secret;
DROP TABLE hybrid_key;
