package auth

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkSessionsCreate: a login with n sessions held rewrites the
// whole file (and fsyncs it): its cost grows with n.
func BenchmarkSessionsCreate(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("held=%d", n), func(b *testing.B) {
			s, err := OpenSessions(b.TempDir(), time.Hour, 20)
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			s.mu.Lock()
			for i := range n {
				s.byID[fmt.Sprintf("%064d", i)] = session{UserID: fmt.Sprintf("u%d", i), Created: now, Expires: now.Add(time.Hour)}
			}
			s.mu.Unlock()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, _, err := s.Create(fmt.Sprintf("bench%d", i%1000)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
