-- search on logs: -userEmail:x
NOT ifNull(multiIf(mapContains(LogAttributes, ?), LogAttributes[?], mapContains(ResourceAttributes, ?), ResourceAttributes[?], ScopeAttributes[?]) ILIKE ?, false)
-- args:
string "userEmail"
string "userEmail"
string "userEmail"
string "userEmail"
string "userEmail"
string "%x%"
