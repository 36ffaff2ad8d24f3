package schema

// Source is a searchable signal: a table plus what the search language needs
// to know about it.
type Source struct {
	// Name is the API name: "logs" or "traces".
	Name  string
	Table *Table
	// TextColumn is where bare words and phrases match (Body, SpanName).
	TextColumn string
	// MapColumns are the attribute maps that dotted paths address
	// ("SpanAttributes.http.method" → SpanAttributes['http.method']).
	MapColumns []string
	// SeverityColumn and the like are resolved by the query package's aliases.
}

// Search sources.
var (
	LogsSource = Source{Name: "logs", Table: &Logs, TextColumn: "Body",
		MapColumns: []string{"LogAttributes", "ResourceAttributes", "ScopeAttributes"}}
	TracesSource = Source{Name: "traces", Table: &Traces, TextColumn: "SpanName",
		MapColumns: []string{"SpanAttributes", "ResourceAttributes", "ScopeAttributes"}}
)

// SourceByName returns the source with the given API name.
func SourceByName(name string) (*Source, bool) {
	switch name {
	case "logs":
		return &LogsSource, true
	case "traces":
		return &TracesSource, true
	}
	return nil, false
}
