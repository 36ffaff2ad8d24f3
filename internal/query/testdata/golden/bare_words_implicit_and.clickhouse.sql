-- search on logs: payment failed
((hasTokenCaseInsensitive(Body, ?)) AND (hasTokenCaseInsensitive(Body, ?)))
-- args:
string "payment"
string "failed"
