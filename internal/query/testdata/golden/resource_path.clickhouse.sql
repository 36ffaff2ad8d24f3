-- search on traces: ResourceAttributes.k8s.pod.name:x
ResourceAttributes[?] ILIKE ?
-- args:
string "k8s.pod.name"
string "%x%"
