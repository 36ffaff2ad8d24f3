package clickhouse

import (
	"testing"

	"github.com/overlook-dev/overlook/internal/meta"
)

// TestSharedDashboards: two stores (two overlook processes) on one
// database share dashboards: what one saves, updates or deletes, the other
// sees at its next read.
func TestSharedDashboards(t *testing.T) {
	a, b := openTest(t, nil), openTest(t, nil)
	defer a.Close()
	defer b.Close()
	ma, err := meta.OpenShared(a.MetaDocument("dashboards"))
	if err != nil {
		t.Fatal(err)
	}
	mb, err := meta.OpenShared(b.MetaDocument("dashboards"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := ma.Create(meta.Dashboard{Name: "checkout latency"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := mb.Get(d.ID)
	if err != nil || got.Name != "checkout latency" {
		t.Fatalf("B reads A's dashboard: %+v, %v", got, err)
	}
	got.Name = "checkout p99"
	if _, err := mb.Update(d.ID, got); err != nil {
		t.Fatal(err)
	}
	if l := ma.List(); len(l) != 1 || l[0].Name != "checkout p99" {
		t.Fatalf("A lists %+v after B's update", l)
	}
	if err := ma.Delete(d.ID); err != nil {
		t.Fatal(err)
	}
	if l := mb.List(); len(l) != 0 {
		t.Fatalf("B lists %+v after A's delete", l)
	}
	ro := openTest(t, func(c *Config) { c.ReadOnly = true })
	defer ro.Close()
	if ro.MetaDocument("dashboards") != nil {
		t.Fatal("a read_only store offers a shared document it cannot write")
	}
}
