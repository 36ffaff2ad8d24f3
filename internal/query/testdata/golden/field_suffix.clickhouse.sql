-- search on logs: userEmail:*@example.com
multiIf(mapContains(LogAttributes, ?), LogAttributes[?], mapContains(ResourceAttributes, ?), ResourceAttributes[?], ScopeAttributes[?]) ILIKE ?
-- args:
string "userEmail"
string "userEmail"
string "userEmail"
string "userEmail"
string "userEmail"
string "%@example.com"
