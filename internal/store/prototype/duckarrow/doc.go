// Package duckarrow is a PROTOTYPE (issue 10, "How" step 2, design (b)):
// the same DuckDB file as today's store, filled through DuckDB's Arrow
// interface (an Arrow record batch per InsertTraces, registered as a view
// and copied with INSERT … BY NAME SELECT) instead of the appender, with
// the Map columns either as MAP(VARCHAR, VARCHAR) (today's layout) or as
// STRUCT(keys VARCHAR[], "values" VARCHAR[]) (parallel lists, no MAP
// key-uniqueness pass). Commits are grouped as in today's writer: one
// transaction for every batch waiting when the writer is free.
//
// duckdb-go compiles its Arrow interface only with the duckdb_arrow build
// tag, so this package builds only with -tags duckdb_arrow; without it,
// it is empty. It is not wired into the server.
package duckarrow
