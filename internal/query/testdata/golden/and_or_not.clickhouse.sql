-- search on logs: a OR b AND NOT c
((hasTokenCaseInsensitive(Body, ?)) OR ((hasTokenCaseInsensitive(Body, ?)) AND NOT ifNull((hasTokenCaseInsensitive(Body, ?)), false)))
-- args:
string "a"
string "b"
string "c"
