-- sql on logs: startsWith(Body, 'a') AND endsWith(Body, 'z') AND match(Body, '^x+$')
(starts_with(Body, ?) AND ends_with(Body, ?) AND regexp_matches(Body, ?))
-- args:
string "a"
string "z"
string "^x+$"
