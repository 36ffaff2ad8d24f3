-- search on logs: with\ space:a\*b\:c
multiIf(mapContains(LogAttributes, ?), LogAttributes[?], mapContains(ResourceAttributes, ?), ResourceAttributes[?], ScopeAttributes[?]) ILIKE ?
-- args:
string "with space"
string "with space"
string "with space"
string "with space"
string "with space"
string "%a*b:c%"
