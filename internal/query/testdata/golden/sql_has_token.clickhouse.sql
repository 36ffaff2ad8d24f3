-- sql on logs: hasTokenCaseInsensitive(Body, 'timeout')
(hasTokenCaseInsensitive(Body, ?))
-- args:
string "timeout"
