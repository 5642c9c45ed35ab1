-- Generated from actors/node/src/tables.rs; do not edit.
DROP TABLE hybrid_pending_create;
