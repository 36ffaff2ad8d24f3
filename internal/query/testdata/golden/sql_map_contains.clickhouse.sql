-- sql on logs: mapContains(LogAttributes, 'k') OR has(ResourceAttributes, 'r')
(mapContains(LogAttributes, ?) OR mapContains(ResourceAttributes, ?))
-- args:
string "k"
string "r"
