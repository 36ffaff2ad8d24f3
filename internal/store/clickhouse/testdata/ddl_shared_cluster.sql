CREATE TABLE IF NOT EXISTS `otel`.`overlook_meta` ON CLUSTER `prod` (
    `Key` String,
    `Version` UInt64,
    `Doc` String CODEC(ZSTD(1))
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/overlook_meta', '{replica}', Version)
ORDER BY Key;

CREATE TABLE IF NOT EXISTS `otel`.`overlook_audit` ON CLUSTER `prod` (
    `Time` DateTime64(9),
    `Actor` String,
    `Action` LowCardinality(String),
    `Target` String,
    `Outcome` LowCardinality(String),
    `IP` String
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{database}/overlook_audit', '{replica}')
ORDER BY Time;

CREATE TABLE IF NOT EXISTS `otel`.`overlook_sessions` ON CLUSTER `prod` (
    `Hash` String,
    `UserID` String,
    `Created` DateTime64(3),
    `Expires` DateTime64(3),
    `Deleted` UInt8
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/overlook_sessions', '{replica}', Deleted)
ORDER BY Hash
TTL toDateTime(Expires);
