-- Generated from actors/node/src/tables.rs; do not edit.
DROP INDEX idx_user_tag_tag_pattern_uuid;
ALTER TABLE user_tag DROP COLUMN tag_pattern_uuid;
DROP INDEX idx_l2_network_pool_uuid;
ALTER TABLE l2_network DROP COLUMN pool_uuid;
ALTER TABLE l2_network DROP COLUMN vni;
DROP TABLE long_job;
DROP TABLE tag_pattern;
DROP TABLE vni_range;
