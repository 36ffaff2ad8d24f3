package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// report is everything a run measured; it is printed as text or JSON.
type report struct {
	Mode       string          `json:"mode"` // "end-to-end" or "raw"
	Config     runConfig       `json:"config"`
	Conditions conditions      `json:"conditions"`
	ElapsedS   float64         `json:"elapsed_s"`
	Signals    []signalReport  `json:"signals"`
	Disk       *diskReport     `json:"disk,omitempty"`
	Server     *resourceReport `json:"server,omitempty"`
	Client     *resourceReport `json:"client,omitempty"`
	RawSplit   *rawSplit       `json:"raw_split,omitempty"`
	Lookups    *lookupResult   `json:"trace_lookups,omitempty"`
	Targets    []targetCheck   `json:"targets,omitempty"`
	Notes      []string        `json:"notes,omitempty"`
}

type runConfig struct {
	Signal      string   `json:"signal"`
	Batch       int      `json:"batch"`
	Concurrency int      `json:"concurrency_per_signal"`
	Pregen      int      `json:"pregen"`
	DurationS   float64  `json:"duration_s"`
	Rows        int64    `json:"rows"`
	Compression string   `json:"compression"`
	Target      string   `json:"target,omitempty"`
	Binary      string   `json:"binary,omitempty"`
	ServerSets  []string `json:"server_sets,omitempty"`
	Jaeger      string   `json:"jaeger,omitempty"`
	Shape       string   `json:"shape"`
	Rate        float64  `json:"rate_rows_per_s,omitempty"`
	SpreadS     float64  `json:"spread_s,omitempty"`
	DataDir     string   `json:"data_dir,omitempty"`
	// TemplateBytesPerRow is the OTLP protobuf size of the data sent, per
	// row, by signal.
	TemplateBytesPerRow map[signal]float64 `json:"otlp_bytes_per_row"`
}

// conditions describe the machine while the load ran.
type conditions struct {
	Start       time.Time `json:"start"`
	CPUs        int       `json:"cpus"`
	LoadAvg     string    `json:"loadavg_before"`
	GoVersion   string    `json:"go_version"`
	OtherCores  float64   `json:"other_processes_cores"` // CPU used by everything but server and client during the load
	MachineBusy float64   `json:"machine_busy_cores"`
	// CalibrationMS is calibrate() before and after the load: one core's
	// speed at the time (lower is faster).
	CalibrationMS [2]float64 `json:"calibration_ms"`
}

type signalReport struct {
	Signal          signal  `json:"signal"`
	RowsPerSec      float64 `json:"rows_per_s"`
	AckedRows       int64   `json:"acked_rows"`
	AckedBatches    int64   `json:"acked_batches"`
	RejectedRows    int64   `json:"rejected_rows"`
	RefusedAttempts int64   `json:"refused_attempts"`
	RefusedRows     int64   `json:"refused_rows"`
	Timeouts        int64   `json:"timeouts"`
	ServerTimeouts  int64   `json:"server_timeouts"` // refusals by the server's own timeout: rows may be stored anyway
	RowsInStore     int64   `json:"rows_in_store"`   // counted after the load; above acked_rows: duplicates
	FailedBatches   int64   `json:"failed_batches"`
	FailedRows      int64   `json:"failed_rows"`
	AbandonedRows   int64   `json:"abandoned_rows"`
	FirstError      string  `json:"first_error,omitempty"`
	AttemptP50ms    float64 `json:"attempt_p50_ms"`
	AttemptP99ms    float64 `json:"attempt_p99_ms"`
	AttemptMaxMs    float64 `json:"attempt_max_ms"`
	ExportP50ms     float64 `json:"export_p50_ms"` // first attempt to acknowledgement, retries included
	ExportP99ms     float64 `json:"export_p99_ms"`
	SecMin          float64 `json:"per_second_min"` // over the full seconds of the run
	SecP10          float64 `json:"per_second_p10"`
	SecMedian       float64 `json:"per_second_median"`
	StallSeconds    int     `json:"stall_seconds"` // seconds without any acknowledgement
	// MaxAckGapMs is the longest time without any acknowledgement of this
	// signal, from the start of the load to its end; AckGapsOver500ms
	// counts the gaps between consecutive acknowledgements over 500 ms.
	MaxAckGapMs      float64 `json:"max_ack_gap_ms"`
	AckGapsOver500ms int64   `json:"ack_gaps_over_500ms"`
	// PerSecond is the acknowledged rows in each full second of the run.
	PerSecond []int64 `json:"per_second_acked_rows"`
}

type diskReport struct {
	RowsStored         int64   `json:"rows_stored"`
	RowsSource         string  `json:"rows_source"`
	BytesBeforeStop    int64   `json:"bytes_before_stop"`
	PerRowBeforeStop   float64 `json:"bytes_per_row_before_stop"`
	DBBytesAfterStop   int64   `json:"db_bytes_after_stop"`
	DirBytesAfterStop  int64   `json:"data_dir_bytes_after_stop"` // every file under the data dir
	WALBytesAfterStop  int64   `json:"wal_bytes_after_stop"`
	PerRowAfterStop    float64 `json:"bytes_per_row_after_stop"`
	StopS              float64 `json:"stop_s"`
	Stopped            bool    `json:"stopped"`
	MixedSignalPerRows bool    `json:"mixed_signals,omitempty"`
}

type resourceReport struct {
	Process      string  `json:"process"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	PeakRSSHow   string  `json:"peak_rss_source"`
	CPUSeconds   float64 `json:"cpu_s"`
	CPUPer1kRows float64 `json:"cpu_ms_per_1k_rows"` // CPU milliseconds per 1000 rows
	AvgCores     float64 `json:"avg_cores"`
	// CPUCeiling is the rows/s this process would reach if it had every
	// CPU of the machine to itself at this CPU cost per row: an upper
	// bound, useful when other processes took CPU during the run.
	CPUCeiling float64 `json:"cpu_bound_ceiling_rows_per_s"`
}

// rawSplit splits the raw mode's worker time into decoding and inserting.
type rawSplit struct {
	DecodeS float64 `json:"decode_s"`
	InsertS float64 `json:"insert_s"`
}

type targetCheck struct {
	What string  `json:"what"`
	Want string  `json:"want"`
	Got  float64 `json:"got"`
	OK   bool    `json:"ok"`
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s / time.Duration(len(ds))
}

// percentiles returns the nearest-rank percentiles qs (0..1) of ds.
func percentiles(ds []time.Duration, qs ...float64) []time.Duration {
	out := make([]time.Duration, len(qs))
	if len(ds) == 0 {
		return out
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	for i, q := range qs {
		k := int(math.Ceil(q*float64(len(s)))) - 1
		out[i] = s[min(max(k, 0), len(s)-1)]
	}
	return out
}

func summarizeSignal(r *signalResult, elapsed time.Duration) signalReport {
	sr := signalReport{
		Signal: r.Signal, AckedRows: r.AckedRows, AckedBatches: r.AckedBatches, RejectedRows: r.RejectedRows,
		RefusedAttempts: r.RefusedCount, RefusedRows: r.RefusedRows, Timeouts: r.TimeoutCount,
		ServerTimeouts: r.ServerTimeouts,
		FailedBatches:  r.FailedBatches, FailedRows: r.FailedRows, AbandonedRows: r.AbandonedRows,
		FirstError: r.FirstError, MaxAckGapMs: ms(r.MaxAckGap), AckGapsOver500ms: r.AckGapsOver,
		PerSecond: r.perSecond,
	}
	if elapsed > 0 {
		sr.RowsPerSec = math.Round(float64(r.AckedRows) / elapsed.Seconds())
	}
	a := percentiles(r.attemptLatency, 0.5, 0.99, 1)
	sr.AttemptP50ms, sr.AttemptP99ms, sr.AttemptMaxMs = ms(a[0]), ms(a[1]), ms(a[2])
	e := percentiles(r.exportLatency, 0.5, 0.99)
	sr.ExportP50ms, sr.ExportP99ms = ms(e[0]), ms(e[1])
	secs := make([]time.Duration, len(r.perSecond)) // rows as "durations" to reuse percentiles
	for i, n := range r.perSecond {
		secs[i] = time.Duration(n)
		if n == 0 {
			sr.StallSeconds++
		}
	}
	p := percentiles(secs, 0, 0.1, 0.5)
	sr.SecMin, sr.SecP10, sr.SecMedian = float64(p[0]), float64(p[1]), float64(p[2])
	return sr
}

// checkTargets compares a run with issue 10's targets (2-core machine,
// 60 s, medians of 3: bench/targets.sh takes the medians).
func checkTargets(rep *report) []targetCheck {
	var out []targetCheck
	add := func(what, want string, got float64, ok bool) {
		out = append(out, targetCheck{What: what, Want: want, Got: got, OK: ok})
	}
	served := rep.Mode != "raw"
	spans := int64(0)
	for _, s := range rep.Signals {
		switch {
		case served && s.Signal == sigTraces && rep.Config.Shape == shapeTen:
			add("spans/s stored, issue 10's load (-shape ten)", "≥ 90000", s.RowsPerSec, s.RowsPerSec >= 90000)
		case served && s.Signal == sigTraces:
			add("spans/s stored, bench/ingest's data", "≥ 100000", s.RowsPerSec, s.RowsPerSec >= 100000)
		case served && s.Signal == sigLogs:
			add("log records/s, bench/ingest's data", "≥ 150000", s.RowsPerSec, s.RowsPerSec >= 150000)
		}
		if s.Signal == sigTraces {
			spans = s.AckedRows
		}
		if rep.Config.Rate > 0 {
			add(fmt.Sprintf("%s: longest time without an acknowledgement at %.0f rows/s offered", s.Signal, rep.Config.Rate),
				"≤ 500 ms", s.MaxAckGapMs, s.MaxAckGapMs <= 500)
		}
	}
	if r := rep.Server; r != nil && len(rep.Signals) == 1 && rep.Signals[0].Signal == sigTraces {
		add("CPU ms per 1k stored spans", "≤ 20", r.CPUPer1kRows, r.CPUPer1kRows <= 20)
	}
	if r := rep.Server; r != nil && rep.Config.Rate == 0 {
		add("peak RSS at max ingest, MiB", "≤ 400", float64(r.PeakRSSBytes)/(1<<20), r.PeakRSSBytes <= 400<<20)
	}
	if d := rep.Disk; d != nil && !d.MixedSignalPerRows && len(rep.Signals) == 1 && rep.Config.Shape == shapeShop {
		per := d.PerRowAfterStop
		if !d.Stopped {
			per = d.PerRowBeforeStop
		}
		switch rep.Signals[0].Signal {
		case sigTraces:
			add("bytes on disk per span", "≤ 50", per, per <= 50)
		case sigLogs:
			add("bytes on disk per log record", "≤ 80", per, per <= 80)
		}
	}
	if l := rep.Lookups; l != nil && l.Lookups > 0 {
		clean := l.NotFound+l.Errors+l.Mismatches == 0
		at := fmt.Sprintf("at %.1fM spans (target is at 50M)", float64(spans)/1e6)
		add("trace by ID p50 "+at, "≤ 5 ms", l.P50ms, l.P50ms <= 5 && clean)
		add("trace by ID p99 "+at, "≤ 20 ms", l.P99ms, l.P99ms <= 20 && clean)
	}
	return out
}

func writeJSON(w io.Writer, rep *report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func writeText(w io.Writer, rep *report) error {
	var b strings.Builder
	c := rep.Config
	fmt.Fprintf(&b, "\n%s ingest: signal=%s batch=%d concurrency=%d/signal pregen=%d compression=%s, %.1fs\n",
		rep.Mode, c.Signal, c.Batch, c.Concurrency, c.Pregen, c.Compression, rep.ElapsedS)
	fmt.Fprintf(&b, "machine: %d CPUs, load average before %s, other processes used %.2f cores during the load (machine busy %.2f)\n",
		rep.Conditions.CPUs, rep.Conditions.LoadAvg, rep.Conditions.OtherCores, rep.Conditions.MachineBusy)
	fmt.Fprintf(&b, "host speed: calibration %.1f ms before, %.1f ms after the load (one core; lower is faster)\n",
		rep.Conditions.CalibrationMS[0], rep.Conditions.CalibrationMS[1])
	for sig, bpr := range c.TemplateBytesPerRow {
		fmt.Fprintf(&b, "data: %s %.0f OTLP bytes/row\n", sig, bpr)
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\nsignal\trows/s\tacked rows\tin store\t1s min\t1s p10\t1s median\tstall s\tlatency p50 ms\tp99 ms\tmax ms\twith retries p99 ms\trefused (server timeout)\ttimeouts\tfailed rows\t")
	for _, s := range rep.Signals {
		fmt.Fprintf(tw, "%s\t%.0f\t%d\t%d\t%.0f\t%.0f\t%.0f\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%d (%d)\t%d\t%d\t\n",
			s.Signal, s.RowsPerSec, s.AckedRows, s.RowsInStore, s.SecMin, s.SecP10, s.SecMedian, s.StallSeconds,
			s.AttemptP50ms, s.AttemptP99ms, s.AttemptMaxMs, s.ExportP99ms, s.RefusedAttempts, s.ServerTimeouts,
			s.Timeouts, s.FailedRows+s.AbandonedRows)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range rep.Signals {
		if s.FirstError != "" {
			fmt.Fprintf(&b, "%s first error: %s\n", s.Signal, s.FirstError)
		}
	}
	for _, s := range rep.Signals {
		fmt.Fprintf(&b, "%s: longest time without an acknowledgement %.0f ms; %d gaps over 500 ms\n",
			s.Signal, s.MaxAckGapMs, s.AckGapsOver500ms)
	}
	if d := rep.Disk; d != nil {
		fmt.Fprintf(&b, "\ndisk: %d rows (%s); before stop %s = %.1f B/row", d.RowsStored, d.RowsSource, mib(d.BytesBeforeStop), d.PerRowBeforeStop)
		if d.Stopped {
			fmt.Fprintf(&b, "; after stop: data dir %s (database %s, WAL %s) = %.1f B/row (stop took %.1fs)",
				mib(d.DirBytesAfterStop), mib(d.DBBytesAfterStop), mib(d.WALBytesAfterStop), d.PerRowAfterStop, d.StopS)
		}
		if d.MixedSignalPerRows {
			b.WriteString(" [logs and spans together]")
		}
		b.WriteString("\n")
	}
	for _, r := range []*resourceReport{rep.Server, rep.Client} {
		if r != nil {
			fmt.Fprintf(&b, "%s: peak RSS %s (%s), CPU %.1fs = %.1f ms per 1k rows, %.2f cores on average",
				r.Process, mib(r.PeakRSSBytes), r.PeakRSSHow, r.CPUSeconds, r.CPUPer1kRows, r.AvgCores)
			if r.CPUCeiling > 0 {
				fmt.Fprintf(&b, "; with all %d CPUs at most %.0f rows/s", rep.Conditions.CPUs, r.CPUCeiling)
			}
			b.WriteString("\n")
		}
	}
	if r := rep.RawSplit; r != nil {
		fmt.Fprintf(&b, "raw worker time: decode %.1fs, insert %.1fs\n", r.DecodeS, r.InsertS)
	}
	if l := rep.Lookups; l != nil {
		fmt.Fprintf(&b, "trace by ID: %d lookups, p50 %.1f ms, p99 %.1f ms, max %.1f ms, mean %.1f ms; not found %d, wrong span count %d, errors %d\n",
			l.Lookups, l.P50ms, l.P99ms, l.MaxMs, l.MeanMs, l.NotFound, l.Mismatches, l.Errors)
		if l.FirstProblem != "" {
			fmt.Fprintf(&b, "  first problem: %s\n", l.FirstProblem)
		}
	}
	if len(rep.Targets) > 0 {
		b.WriteString("\ntargets:\n")
		for _, t := range rep.Targets {
			mark := "MISS"
			if t.OK {
				mark = "ok"
			}
			fmt.Fprintf(&b, "  %-4s %-50s %12.1f  (want %s)\n", mark, t.What, t.Got, t.Want)
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
