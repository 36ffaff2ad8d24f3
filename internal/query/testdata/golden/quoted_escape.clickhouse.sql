-- search on logs: Body:"say \"hi\""
Body = ?
-- args:
string "say \"hi\""
