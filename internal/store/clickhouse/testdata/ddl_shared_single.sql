CREATE TABLE IF NOT EXISTS `otel`.`overlook_meta` (
    `Key` String,
    `Version` UInt64,
    `Doc` String CODEC(ZSTD(1))
) ENGINE = ReplacingMergeTree(Version)
ORDER BY Key;

CREATE TABLE IF NOT EXISTS `otel`.`overlook_audit` (
    `Time` DateTime64(9),
    `Actor` String,
    `Action` LowCardinality(String),
    `Target` String,
    `Outcome` LowCardinality(String),
    `IP` String
) ENGINE = MergeTree
ORDER BY Time;

CREATE TABLE IF NOT EXISTS `otel`.`overlook_sessions` (
    `Hash` String,
    `UserID` String,
    `Created` DateTime64(3),
    `Expires` DateTime64(3),
    `Deleted` UInt8
) ENGINE = ReplacingMergeTree(Deleted)
ORDER BY Hash
TTL toDateTime(Expires);
