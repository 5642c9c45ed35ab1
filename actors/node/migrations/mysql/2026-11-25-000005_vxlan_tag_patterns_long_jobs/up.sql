-- Generated from actors/node/src/tables.rs for mysql; do not edit.
CREATE TABLE vni_range (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    l2_network_uuid VARCHAR(255),
    start_vni BIGINT,
    end_vni BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_vni_range_l2_network_uuid ON vni_range (l2_network_uuid);
CREATE TABLE tag_pattern (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    value TEXT,
    description TEXT,
    color VARCHAR(255),
    type VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE long_job (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    api_id VARCHAR(255),
    job_name VARCHAR(255),
    job_data TEXT,
    job_result TEXT,
    state VARCHAR(255),
    target_resource_uuid VARCHAR(255),
    management_node_uuid VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    execute_time BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_long_job_state ON long_job (state);
CREATE INDEX idx_long_job_api_id ON long_job (api_id);
ALTER TABLE l2_network ADD COLUMN vni BIGINT;
ALTER TABLE l2_network ADD COLUMN pool_uuid VARCHAR(255);
CREATE INDEX idx_l2_network_pool_uuid ON l2_network (pool_uuid);
ALTER TABLE user_tag ADD COLUMN tag_pattern_uuid VARCHAR(255);
CREATE INDEX idx_user_tag_tag_pattern_uuid ON user_tag (tag_pattern_uuid);
