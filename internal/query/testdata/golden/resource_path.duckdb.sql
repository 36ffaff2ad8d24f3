-- search on traces: ResourceAttributes.k8s.pod.name:x
coalesce(map_extract_value(ResourceAttributes, ?), '') ILIKE ? ESCAPE '\'
-- args:
string "k8s.pod.name"
string "%x%"
