package meta

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestAlertStoreSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenAlerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Create(Alert{Name: "errors", Source: "logs", Query: "SeverityText:ERROR", Interval: "1m",
		ThresholdType: "above", Threshold: 10, Channel: Channel{Type: "webhook", URL: "http://x"}})
	if err != nil {
		t.Fatal(err)
	}
	until := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.SetSilence(a.ID, &until); err != nil {
		t.Fatal(err)
	}
	v := 12.0
	if _, err := s.SetStatus(a.ID, true, func(st *AlertStatus) {
		st.State = "alert"
		st.History = append(st.History, AlertEvent{At: until, State: "alert", Value: &v})
	}); err != nil {
		t.Fatal(err)
	}

	s2, err := OpenAlerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s2.Get(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "errors" || got.Query != "SeverityText:ERROR" || got.State != "alert" {
		t.Errorf("after restart: %+v", got)
	}
	if got.SilenceUntil == nil || !got.SilenceUntil.Equal(until) {
		t.Errorf("silence after restart = %v, want %s", got.SilenceUntil, until)
	}
	if len(got.History) != 2 || got.History[0].State != "silenced" || got.History[1].State != "alert" || *got.History[1].Value != 12 {
		t.Errorf("history after restart = %+v", got.History)
	}
	if err := s2.Delete(a.ID); err != nil {
		t.Fatal(err)
	}
	s3, _ := OpenAlerts(dir)
	if len(s3.List()) != 0 {
		t.Errorf("deleted alert came back")
	}
}

func TestAlertStoreBoundsHistory(t *testing.T) {
	s, _ := OpenAlerts(t.TempDir())
	a, _ := s.Create(Alert{Name: "x"})
	for i := 0; i < MaxAlertHistory+5; i++ {
		_, _ = s.SetStatus(a.ID, false, func(st *AlertStatus) {
			st.History = append(st.History, AlertEvent{State: "alert", Error: string(rune('a' + i%26))})
			st.Notifications = append(st.Notifications, NotificationResult{Attempts: i})
		})
	}
	got, _ := s.Get(a.ID)
	if len(got.History) != MaxAlertHistory || len(got.Notifications) != MaxAlertNotifications {
		t.Fatalf("history %d, notifications %d: want %d and %d", len(got.History), len(got.Notifications), MaxAlertHistory, MaxAlertNotifications)
	}
	if got.Notifications[MaxAlertNotifications-1].Attempts != MaxAlertHistory+4 {
		t.Errorf("newest notification not kept: %+v", got.Notifications[MaxAlertNotifications-1])
	}
}

func TestAlertStoreRefusesCorruptFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, alertsFileName), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenAlerts(dir); err == nil {
		t.Fatal("a corrupt alerts.json opened without error")
	}
}

func TestAlertStoreDropsStatusOfAnOldRule(t *testing.T) {
	s, _ := OpenAlerts(t.TempDir())
	s.now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	a, _ := s.Create(Alert{Name: "x", Threshold: 1})
	s.now = func() time.Time { return time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC) }
	if _, err := s.Update(a.ID, Alert{Name: "x", Threshold: 2}, false); err != nil {
		t.Fatal(err)
	}
	_, err := s.SetStatusOf(a.ID, &a.Alert, true, func(st *AlertStatus) { st.State = "alert" })
	if !errors.Is(err, ErrRuleChanged) {
		t.Fatalf("status of the old rule: err %v, want ErrRuleChanged", err)
	}
	got, _ := s.Get(a.ID)
	if got.State != "" {
		t.Errorf("state %q written for an old rule", got.State)
	}
}

func TestAlertStoreRefusesStatusOfAnOldSilence(t *testing.T) {
	s, _ := OpenAlerts(t.TempDir())
	a, _ := s.Create(Alert{Name: "x", Threshold: 1})
	until := time.Now().Add(time.Hour).UTC()
	for _, tc := range []struct {
		name        string
		from, to    *time.Time
		wantChanged bool
	}{
		{"silenced meanwhile", nil, &until, true},
		{"unsilenced meanwhile", &until, nil, true},
		{"silence moved", &until, ptr(until.Add(time.Minute)), true},
		{"unchanged", &until, ptr(until), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.SetSilence(a.ID, tc.from); err != nil {
				t.Fatal(err)
			}
			before, _ := s.Get(a.ID)
			if _, err := s.SetSilence(a.ID, tc.to); err != nil {
				t.Fatal(err)
			}
			got, err := s.SetStatusOf(a.ID, &before.Alert, true, func(st *AlertStatus) { st.State = tc.name })
			if changed := errors.Is(err, ErrSilenceChanged); changed != tc.wantChanged {
				t.Fatalf("err %v, want ErrSilenceChanged %v", err, tc.wantChanged)
			}
			if tc.wantChanged && got.State == tc.name {
				t.Errorf("state written for an old silence")
			}
			if !tc.wantChanged && got.State != tc.name {
				t.Errorf("state %q, want %q", got.State, tc.name)
			}
		})
	}
}
