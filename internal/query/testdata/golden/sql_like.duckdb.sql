-- sql on logs: Body LIKE 'a%' OR Body ILIKE '%b' OR Body NOT LIKE 'c_'
(Body LIKE ? ESCAPE '\' OR Body ILIKE ? ESCAPE '\' OR NOT regexp_full_match(Body, ?))
-- args:
string "a%"
string "%b"
string "(?s)c."
