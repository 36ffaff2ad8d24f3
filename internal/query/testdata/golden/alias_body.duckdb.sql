-- search on logs: body:timeout message:"x"
(Body ILIKE ? ESCAPE '\' AND Body = ?)
-- args:
string "%timeout%"
string "x"
