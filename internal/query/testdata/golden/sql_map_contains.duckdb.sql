-- sql on logs: mapContains(LogAttributes, 'k') OR has(ResourceAttributes, 'r')
(map_contains(LogAttributes, ?) OR map_contains(ResourceAttributes, ?))
-- args:
string "k"
string "r"
