package rules

import (
	"errors"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// scopedRegisterer registers the engine's metrics (the rules manager's and
// the notifier's, under Prometheus's own names) on the process registry
// and removes them when the engine stops, so that the next engine of the
// process (after a collector reload) can register them again.
type scopedRegisterer struct {
	reg prometheus.Registerer

	mu   sync.Mutex
	mine []prometheus.Collector
}

var _ prometheus.Registerer = (*scopedRegisterer)(nil)

func (s *scopedRegisterer) Register(c prometheus.Collector) error {
	err := s.reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		// Left by an engine that did not stop cleanly: replace it.
		s.reg.Unregister(are.ExistingCollector)
		err = s.reg.Register(c)
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.mine = append(s.mine, c)
	s.mu.Unlock()
	return nil
}

func (s *scopedRegisterer) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := s.Register(c); err != nil {
			panic(err) // as prometheus.Registry.MustRegister does
		}
	}
}

func (s *scopedRegisterer) Unregister(c prometheus.Collector) bool { return s.reg.Unregister(c) }

// unregisterAll removes every collector registered through s.
func (s *scopedRegisterer) unregisterAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.mine {
		s.reg.Unregister(c)
	}
	s.mine = nil
}
