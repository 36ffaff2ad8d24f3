-- search on logs: body:timeout message:"x"
(Body ILIKE ? AND Body = ?)
-- args:
string "%timeout%"
string "x"
