-- search on logs: ResourceAttributes.k8s.pod.name:frontend-*
coalesce("__hdx_materialized_k8s.pod.name", '') ILIKE ? ESCAPE '\'
-- args:
string "frontend-%"
