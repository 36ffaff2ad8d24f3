-- sql on logs: startsWith(Body, 'a') AND endsWith(Body, 'z') AND match(Body, '^x+$')
(startsWith(Body, ?) AND endsWith(Body, ?) AND match(Body, ?))
-- args:
string "a"
string "z"
string "^x+$"
