package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// signal is what a template holds: "traces" or "logs".
type signal string

const (
	sigTraces signal = "traces"
	sigLogs   signal = "logs"
)

// templateWindow is the time a template's records are spread over.
const templateWindow = time.Second

// templateBaseUnix is the (arbitrary) time templates are generated at;
// every send shifts it to the send time.
const templateBaseUnix = 1_700_000_000

// template is one pre-encoded export request (see patch.go).
type template struct {
	raw    []byte // ExportTraceServiceRequest or ExportLogsServiceRequest
	rows   int
	sites  patchSites
	newest int64       // newest timestamp in raw, unix ns
	traces []traceInfo // the traces of a traces template
}

// render writes into dst (grown as needed) the template patched with m and
// shifted so that its newest timestamp is now, and returns it.
func (t *template) render(dst []byte, m masks, now time.Time) []byte {
	dst = append(dst[:0], t.raw...)
	t.sites.apply(dst, m, now.UnixNano()-t.newest)
	return dst
}

// pregenerate builds count distinct templates of batch rows of sig, in
// parallel. The shop (services, pods, users) is the same for all of them,
// as it would be for one system; everything else is drawn per template.
func pregenerate(sig signal, count, batch int, seed uint64) ([]*template, error) {
	return pregenerateShape(sig, shapeShop, count, batch, seed)
}

// pregenerateShape is pregenerate with traces of the given shape (shapeShop
// or shapeTen; logs have one shape).
func pregenerateShape(sig signal, shape string, count, batch int, seed uint64) ([]*template, error) {
	sh := newShop(rand.New(rand.NewPCG(seed, 0)))
	out := make([]*template, count)
	errs := make([]error, count)
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = genTemplate(sig, shape, sh, batch, seed, i)
			}
		})
	}
	for i := range count {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("template %d: %w", i, err)
		}
	}
	return out, nil
}

func genTemplate(sig signal, shape string, sh *shop, batch int, seed uint64, i int) (*template, error) {
	r := rand.New(rand.NewPCG(seed, uint64(i)+1))
	t := &template{rows: batch}
	var ws wireSchema
	var err error
	switch sig {
	case sigTraces:
		td, infos := genTracesShape(r, sh, batch, time.Unix(templateBaseUnix, 0), templateWindow, shape)
		t.traces = infos
		t.raw, err = ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
		ws = traceRequestSchema()
	case sigLogs:
		ld := genLogs(r, sh, batch, time.Unix(templateBaseUnix, 0), templateWindow)
		t.raw, err = plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
		ws = logsRequestSchema()
	default:
		return nil, fmt.Errorf("unknown signal %q", sig)
	}
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", sig, err)
	}
	if t.sites, err = findPatchSites(t.raw, ws); err != nil {
		return nil, fmt.Errorf("find patch sites: %w", err)
	}
	for _, off := range t.sites.times {
		t.newest = max(t.newest, int64(binary.LittleEndian.Uint64(t.raw[off:])))
	}
	return t, nil
}
