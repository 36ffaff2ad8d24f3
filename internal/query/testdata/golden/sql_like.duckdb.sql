-- sql on logs: Body LIKE 'a%' OR Body ILIKE '%b' OR Body NOT LIKE 'c_'
(Body LIKE ? ESCAPE '\' OR Body ILIKE ? ESCAPE '\' OR Body NOT LIKE ? ESCAPE '\')
-- args:
string "a%"
string "%b"
string "c_"
