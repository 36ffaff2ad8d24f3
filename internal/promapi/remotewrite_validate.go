package promapi

import (
	"fmt"
	"unicode/utf8"

	"github.com/prometheus/prometheus/model/labels"
)

// sanitizeWrite drops what a remote-write request carries that cannot be
// stored, the way Prometheus's own receiver does: series whose labels are
// not valid UTF-8 or that have no metric name are left out and reported
// (the caller answers 400 after storing the rest); metadata without a
// family name is ignored; metadata whose family, help or unit is not valid
// UTF-8 is left out and reported. Before this, such input reached the
// database and came back as a 500 ("could not bind parameter").
func sanitizeWrite(req rwRequest) (rwRequest, []error) {
	var rejected []error
	for fam, md := range req.metadata {
		switch {
		case fam == "":
			delete(req.metadata, fam)
		case !utf8.ValidString(fam) || !utf8.ValidString(md.Help) || !utf8.ValidString(md.Unit):
			delete(req.metadata, fam)
			rejected = append(rejected, fmt.Errorf("metadata of family %q: not valid UTF-8", fam))
		}
	}
	kept := req.series[:0]
	for _, s := range req.series {
		if err := checkSeriesLabels(s.lset); err != nil {
			rejected = append(rejected, err)
			continue
		}
		kept = append(kept, s)
	}
	req.series = kept
	return req, rejected
}

func checkSeriesLabels(ls labels.Labels) error {
	if ls.Get(labels.MetricName) == "" {
		return fmt.Errorf("series %s: without a metric name (__name__)", ls)
	}
	var bad error
	ls.Range(func(l labels.Label) {
		if bad != nil {
			return
		}
		if l.Name == "" || !utf8.ValidString(l.Name) || !utf8.ValidString(l.Value) {
			bad = fmt.Errorf("series %q: label %q: name or value is empty or not valid UTF-8", ls.String(), l.Name)
		}
	})
	return bad
}
