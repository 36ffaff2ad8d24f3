-- sql on logs: NOT (ServiceName != 'a' OR ServiceName <> 'b')
NOT ifNull((ServiceName != ? OR ServiceName != ?), false)
-- args:
string "a"
string "b"
