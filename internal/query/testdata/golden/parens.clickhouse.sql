-- search on logs: (a OR b) c
(((hasTokenCaseInsensitive(Body, ?)) OR (hasTokenCaseInsensitive(Body, ?))) AND (hasTokenCaseInsensitive(Body, ?)))
-- args:
string "a"
string "b"
string "c"
