-- sql on logs: NOT (ServiceName != 'a' OR ServiceName <> 'b')
NOT coalesce((ServiceName != ? OR ServiceName != ?), FALSE)
-- args:
string "a"
string "b"
