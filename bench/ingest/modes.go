package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// The three ways to run: against a server this program starts (-binary),
// one already running (-target), or the store in-process (-raw). Each runs
// the same load (measureLoad) and then fills in what it can measure.

// serverProbe reads the server process's counters.
type serverProbe func() (procStats, error)

// postTimeout bounds each step after the load (scrape, stop, lookups are
// per lookup), even when the run was interrupted.
const postTimeout = 30 * time.Second

// measureLoad runs the load and accounts the CPU of the server (probe, may
// be nil), of this process and of everything else on the machine. With
// count (may be nil), it counts the stored rows before and after.
func measureLoad(ctx context.Context, cfg loadConfig, s sink, rep *report, probe serverProbe, count countFunc, clientName string) (*loadResult, error) {
	var before map[signal]int64
	if count != nil {
		var err error
		if before, err = countRows(ctx, count, cfg.signals, rep.Conditions.Start, cfg.spread); err != nil {
			return nil, fmt.Errorf("count rows before the load: %w", err)
		}
	}
	rep.Conditions.CalibrationMS[0] = calibrate()
	self0, err := readProcStats("self")
	if err != nil {
		return nil, err
	}
	busy0, err := machineBusySeconds()
	if err != nil {
		return nil, err
	}
	var srv0, srv1 procStats
	if probe != nil {
		if srv0, err = probe(); err != nil {
			return nil, fmt.Errorf("server stats before the load: %w", err)
		}
	}
	res, err := runLoad(ctx, cfg, s)
	if err != nil {
		return nil, err
	}
	self1, err := readProcStats("self")
	if err != nil {
		return nil, err
	}
	busy1, err := machineBusySeconds()
	if err != nil {
		return nil, err
	}
	if probe != nil {
		if srv1, err = probe(); err != nil {
			return nil, fmt.Errorf("server stats after the load: %w", err)
		}
	}
	rep.Conditions.CalibrationMS[1] = calibrate()
	el := res.Elapsed.Seconds()
	rep.ElapsedS = round2(el)
	var total int64
	for _, sig := range cfg.signals {
		sr := summarizeSignal(res.Signals[sig], res.Elapsed)
		rep.Signals = append(rep.Signals, sr)
		total += sr.AckedRows
	}
	resources := func(name string, before, after procStats, how string) *resourceReport {
		cpu := after.CPUSeconds - before.CPUSeconds
		r := &resourceReport{Process: name, PeakRSSBytes: after.PeakRSS, PeakRSSHow: how,
			CPUSeconds: round2(cpu), AvgCores: round2(cpu / el)}
		if total > 0 {
			r.CPUPer1kRows = round2(cpu * 1000 / (float64(total) / 1000))
		}
		return r
	}
	rep.Client = resources(clientName, self0, self1, "VmHWM")
	ceiling := func(r *resourceReport) {
		if r.CPUPer1kRows > 0 {
			r.CPUCeiling = math.Round(float64(rep.Conditions.CPUs) * 1e6 / r.CPUPer1kRows)
		}
	}
	busy := (busy1 - busy0) / el
	rep.Conditions.MachineBusy = round2(busy)
	other := busy - rep.Client.AvgCores
	if probe != nil {
		rep.Server = resources("overlook server", srv0, srv1, "VmHWM")
		other -= rep.Server.AvgCores
		ceiling(rep.Server)
	} else if _, raw := s.(*rawSink); raw {
		ceiling(rep.Client) // the store runs in this process
	}
	rep.Conditions.OtherCores = round2(max(other, 0))
	if count != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
		defer cancel()
		after, err := countRows(cctx, count, cfg.signals, rep.Conditions.Start, cfg.spread)
		if err != nil {
			return nil, fmt.Errorf("count rows after the load: %w", err)
		}
		for i := range rep.Signals {
			sr := &rep.Signals[i]
			sr.RowsInStore = after[sr.Signal] - before[sr.Signal]
			switch {
			case sr.RowsInStore > sr.AckedRows:
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: %d rows in the store, %d acknowledged: %d stored twice "+
					"(exports that timed out or were refused but committed later, then retried)",
					sr.Signal, sr.RowsInStore, sr.AckedRows, sr.RowsInStore-sr.AckedRows))
			case sr.RowsInStore < sr.AckedRows:
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: LOST DATA? %d rows acknowledged but only %d in the store",
					sr.Signal, sr.AckedRows, sr.RowsInStore))
			}
		}
	}
	return res, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// runBinary starts the server, loads it, looks traces up and stops it.
func runBinary(ctx context.Context, o options, cfg loadConfig, rep *report, dataDir, workDir string, stderr io.Writer) error {
	srv, err := startServer(o.binary, dataDir, workDir, o.serverSets)
	if err != nil {
		return err
	}
	stopped := false
	defer func() {
		if !stopped {
			_, _ = srv.stop(o.stopTimeout)
		}
	}()
	fmt.Fprintf(stderr, "overlook started: pid %d, OTLP gRPC %s, API %s, data %s, log %s\n",
		srv.cmd.Process.Pid, srv.grpc, srv.api, dataDir, srv.logPath)
	sk, err := newGRPCSink(srv.grpc, o.compression)
	if err != nil {
		return err
	}
	defer sk.close()
	cfg.status = cpuStatus("server", srv.procStats)
	res, err := measureLoad(ctx, cfg, sk, rep, srv.procStats, httpCount(srv.api), "load generator (this process)")
	if err != nil {
		return err
	}
	post := context.WithoutCancel(ctx)
	sctx, cancel := context.WithTimeout(post, postTimeout)
	samples, err := scrapeMetrics(sctx, srv.api)
	cancel()
	if err != nil {
		return err
	}
	rep.Disk = diskFromMetrics(samples, nil, cfg.signals, rep)
	doLookups(ctx, o, cfg, res, rep, httpLookup(srv.api), stderr)
	fmt.Fprintln(stderr, "stopping overlook (SIGINT)...")
	took, err := srv.stop(o.stopTimeout)
	stopped = true
	if err != nil {
		return err
	}
	rep.Disk.Stopped, rep.Disk.StopS = true, round2(took.Seconds())
	rep.Disk.DBBytesAfterStop, rep.Disk.WALBytesAfterStop = dataFilesSize(dataDir)
	rep.Disk.DirBytesAfterStop = dirSize(dataDir)
	rep.Disk.PerRowAfterStop = perRow(rep.Disk.DirBytesAfterStop, rep.Disk.RowsStored)
	return nil
}

// runTarget loads a running server; with -api it also reads /metrics
// before and after (deltas) and looks traces up.
func runTarget(ctx context.Context, o options, cfg loadConfig, rep *report, stderr io.Writer) error {
	sk, err := newGRPCSink(o.target, o.compression)
	if err != nil {
		return err
	}
	defer sk.close()
	if o.api == "" {
		rep.Notes = append(rep.Notes, "no -api: server CPU, RSS, disk and trace lookups not measured")
		_, err := measureLoad(ctx, cfg, sk, rep, nil, nil, "load generator (this process)")
		return err
	}
	mp := &metricsProbe{api: o.api}
	before, err := scrapeMetrics(ctx, o.api)
	if err != nil {
		return err
	}
	cfg.status = cpuStatus("server", mp.sample)
	res, err := measureLoad(ctx, cfg, sk, rep, mp.sample, httpCount(o.api), "load generator (this process)")
	if err != nil {
		return err
	}
	rep.Server.PeakRSSHow = "max of process_resident_memory_bytes, sampled every -progress"
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
	after, err := scrapeMetrics(sctx, o.api)
	cancel()
	if err != nil {
		return err
	}
	rep.Disk = diskFromMetrics(after, before, cfg.signals, rep)
	rep.Notes = append(rep.Notes, "-target: disk bytes and rows are the change during the run; "+
		"the WAL and checkpoints make the byte delta approximate")
	doLookups(ctx, o, cfg, res, rep, httpLookup(o.api), stderr)
	return nil
}

// runRaw inserts into the store in this process.
func runRaw(ctx context.Context, o options, cfg loadConfig, rep *report, dataDir string, stderr io.Writer) error {
	sk, err := openRawSink(dataDir, o.checkpointWAL)
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			_ = sk.close()
		}
	}()
	self := func() (procStats, error) { return readProcStats("self") }
	cfg.status = cpuStatus("process", self)
	res, err := measureLoad(ctx, cfg, sk, rep, nil, storeCount(sk), "bench process (store in-process; includes decoding and the load generator)")
	if err != nil {
		return err
	}
	rep.RawSplit = &rawSplit{DecodeS: round2(time.Duration(sk.decodeNanos.Load()).Seconds()),
		InsertS: round2(time.Duration(sk.insertNanos.Load()).Seconds())}
	d := &diskReport{RowsSource: "acknowledged by the store", BytesBeforeStop: sk.diskBytes(),
		MixedSignalPerRows: len(cfg.signals) > 1}
	for _, s := range rep.Signals {
		d.RowsStored += s.AckedRows
	}
	d.PerRowBeforeStop = perRow(d.BytesBeforeStop, d.RowsStored)
	rep.Disk = d
	doLookups(ctx, o, cfg, res, rep, storeLookup(sk), stderr)
	fmt.Fprintln(stderr, "closing the store (commit, checkpoint)...")
	t0 := time.Now()
	err = sk.close()
	closed = true
	if err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	d.Stopped, d.StopS = true, round2(time.Since(t0).Seconds())
	d.DBBytesAfterStop, d.WALBytesAfterStop = dataFilesSize(dataDir)
	d.DirBytesAfterStop = dirSize(dataDir)
	d.PerRowAfterStop = perRow(d.DirBytesAfterStop, d.RowsStored)
	return nil
}

func perRow(bytes, rows int64) float64 {
	if rows == 0 {
		return 0
	}
	return math.Round(float64(bytes)/float64(rows)*10) / 10
}

// diskFromMetrics reads the store size and committed rows from /metrics
// (minus before, if given).
func diskFromMetrics(after, before []promSample, sigs []signal, rep *report) *diskReport {
	d := &diskReport{RowsSource: "server overlook_ingested_rows_total", MixedSignalPerRows: len(sigs) > 1}
	val := func(s []promSample, name string, labels ...string) float64 {
		v, _ := promValue(s, name, labels...)
		return v
	}
	bytes := val(after, "overlook_store_disk_bytes") - val(before, "overlook_store_disk_bytes")
	var acked int64
	for _, sig := range sigs {
		l := fmt.Sprintf("signal=%q", sig)
		d.RowsStored += int64(val(after, "overlook_ingested_rows_total", l) - val(before, "overlook_ingested_rows_total", l))
	}
	for _, s := range rep.Signals {
		acked += s.AckedRows
	}
	if d.RowsStored == 0 && acked > 0 {
		d.RowsStored, d.RowsSource = acked, "acknowledged (overlook_ingested_rows_total missing)"
	} else if d.RowsStored != acked {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the server committed %d rows, the client had %d acknowledged "+
			"(timed-out exports may be stored and then sent again)", d.RowsStored, acked))
	}
	d.BytesBeforeStop = int64(bytes)
	d.PerRowBeforeStop = perRow(d.BytesBeforeStop, d.RowsStored)
	return d
}

// doLookups times trace-by-ID lookups of sent traces.
func doLookups(ctx context.Context, o options, cfg loadConfig, res *loadResult, rep *report, lookup lookupFunc, stderr io.Writer) {
	r, ok := res.Signals[sigTraces]
	if o.lookups == 0 || !ok || ctx.Err() != nil {
		return
	}
	traces := sampleTraces(r, cfg.templates[sigTraces], o.lookups, rand.New(rand.NewPCG(cfg.salt, 99)))
	fmt.Fprintf(stderr, "looking up %d traces by ID...\n", len(traces))
	lr := runLookups(ctx, lookup, traces, postTimeout)
	rep.Lookups = &lr
}

// metricsProbe reads a -target server's process metrics and keeps the
// highest RSS seen.
type metricsProbe struct {
	api     string
	mu      sync.Mutex
	peakRSS int64
}

func (m *metricsProbe) sample() (procStats, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := scrapeMetrics(ctx, m.api)
	if err != nil {
		return procStats{}, err
	}
	cpu, _ := promValue(s, "process_cpu_seconds_total")
	rss, _ := promValue(s, "process_resident_memory_bytes")
	m.mu.Lock()
	defer m.mu.Unlock()
	m.peakRSS = max(m.peakRSS, int64(rss))
	return procStats{CPUSeconds: cpu, RSS: int64(rss), PeakRSS: m.peakRSS}, nil
}

// cpuStatus returns a progress-line suffix showing a process's RSS and the
// cores it used since the previous line.
func cpuStatus(name string, probe serverProbe) func() string {
	var last procStats
	var at time.Time
	return func() string {
		ps, err := probe()
		if err != nil {
			return "(" + err.Error() + ")"
		}
		cores := 0.0
		if !at.IsZero() {
			cores = (ps.CPUSeconds - last.CPUSeconds) / time.Since(at).Seconds()
		}
		last, at = ps, time.Now()
		return fmt.Sprintf("| %s rss %s (peak %s), %.2f cores", name, mib(ps.RSS), mib(ps.PeakRSS), cores)
	}
}
