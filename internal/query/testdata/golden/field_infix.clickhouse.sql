-- search on logs: userEmail:a*e
multiIf(mapContains(LogAttributes, ?), LogAttributes[?], mapContains(ResourceAttributes, ?), ResourceAttributes[?], ScopeAttributes[?]) ILIKE ?
-- args:
string "userEmail"
string "userEmail"
string "userEmail"
string "userEmail"
string "userEmail"
string "a%e"
