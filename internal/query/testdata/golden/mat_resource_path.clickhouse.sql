-- search on logs: ResourceAttributes.k8s.pod.name:frontend-*
`__hdx_materialized_k8s.pod.name` ILIKE ?
-- args:
string "frontend-%"
