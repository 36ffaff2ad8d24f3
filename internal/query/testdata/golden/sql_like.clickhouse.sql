-- sql on logs: Body LIKE 'a%' OR Body ILIKE '%b' OR Body NOT LIKE 'c_'
(Body LIKE ? OR Body ILIKE ? OR Body NOT LIKE ?)
-- args:
string "a%"
string "%b"
string "c_"
