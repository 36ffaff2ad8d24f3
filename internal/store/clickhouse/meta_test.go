package clickhouse

import (
	"testing"
	"time"

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

// TestSharedAlertsAndAudit: two stores on one database share alerts (one
// document per alert: what one creates, evaluates or deletes the other
// sees) and the audit log; read_only offers neither.
func TestSharedAlertsAndAudit(t *testing.T) {
	a, b := openTest(t, nil), openTest(t, nil)
	defer a.Close()
	defer b.Close()
	aa, err := meta.OpenSharedAlerts(a.MetaSet("alerts/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ab, err := meta.OpenSharedAlerts(b.MetaSet("alerts/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := aa.Create(meta.Alert{Name: "errors", Source: "logs", Interval: "1m", Threshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ab.SetStatus(x.ID, false, func(st *meta.AlertStatus) { st.State = "firing" }); err != nil {
		t.Fatal(err)
	}
	if l := aa.List(); len(l) != 1 || l[0].Name != "errors" || l[0].State != "firing" {
		t.Fatalf("A lists %+v after B's evaluation", l)
	}
	if err := ab.Delete(x.ID); err != nil {
		t.Fatal(err)
	}
	if l := aa.List(); len(l) != 0 {
		t.Fatalf("A lists %+v after B's delete", l)
	}
	// Dashboards under their own key are not alerts.
	if _, err := meta.OpenShared(a.MetaDocument("dashboards")); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 6, 10, 0, 0, 123, time.UTC)
	for i, act := range []string{"login", "user.create"} {
		if err := a.AuditLog().Append(AuditRecord{Time: at.Add(time.Duration(i) * time.Second), Actor: "ana@example.com", Action: act, Outcome: "ok", IP: "10.0.0.1"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.AuditLog().Read(10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Action != "user.create" || got[1].Action != "login" || !got[1].Time.Equal(at) || got[1].IP != "10.0.0.1" {
		t.Fatalf("B reads the audit log %+v", got)
	}
	ro := openTest(t, func(c *Config) { c.ReadOnly = true })
	defer ro.Close()
	if ro.MetaSet("alerts/") != nil || ro.AuditLog() != nil {
		t.Fatal("a read_only store offers shared metadata it cannot write")
	}
}

// TestLease: of two processes exactly one holds the lease; it keeps it
// while it renews; when it stops renewing, the other takes it after the
// lease's time.
func TestLease(t *testing.T) {
	a, b := openTest(t, nil), openTest(t, nil)
	defer a.Close()
	defer b.Close()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	la, lb := a.Lease("alerts", time.Minute).(*lease), b.Lease("alerts", time.Minute).(*lease)
	la.now, lb.now = clock, clock
	if !la.Held() || lb.Held() {
		t.Fatalf("a holds %v, b holds %v; want only a", la.checked, lb.checked)
	}
	now = now.Add(40 * time.Second) // a renews, b still waits
	if !la.Held() || lb.Held() {
		t.Fatal("after a renewal: want only a")
	}
	now = now.Add(61 * time.Second) // a stopped renewing: expired
	if !lb.Held() {
		t.Fatal("b did not take the expired lease")
	}
	now = now.Add(30 * time.Second)
	if la.Held() {
		t.Fatal("a holds the lease b took")
	}
}
