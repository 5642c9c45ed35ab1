-- Generated from actors/node/src/tables.rs; do not edit.
DROP TABLE aliyun_snapshot;
