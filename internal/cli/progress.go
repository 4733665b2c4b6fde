package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/onepipe/onepipe/internal/plan"
	"github.com/onepipe/onepipe/pipeline"
)

// How a run shows its progress (--progress).
const (
	// progressAuto is tty on a terminal, stages elsewhere (a CI log).
	progressAuto = "auto"
	// progressStages prints one line per stage event; the engine's own log
	// goes to OUT/engine.log.
	progressStages = "stages"
	// progressTTY redraws a table of the stages in place, with their times.
	progressTTY = "tty"
	// progressPlain streams the engine's log (every step) as it comes.
	progressPlain = "plain"
)

var progressModes = []string{progressAuto, progressStages, progressTTY, progressPlain}

// Summary formats (--output).
const (
	outputText = "text"
	outputJSON = "json"
)

// progress decides where the engine's log and the stage events go.
type progress struct {
	mode string
	// engineLog receives the engine's log (stderr, or OUT/engine.log).
	engineLog io.Writer
	// steps receives the cluster and deploy steps (stderr, or the log file
	// when a table is redrawn on the terminal).
	steps io.Writer
	// events prints the stage events.
	events func(pipeline.StageResult)
	close  func()
}

// checkProgress validates --progress and --output before any work.
func (o engineOptions) checkProgress() error {
	if !slices.Contains(progressModes, o.Progress) {
		return fmt.Errorf("--progress %q: use %s", o.Progress, pipeline.OrList(progressModes))
	}
	if o.Output != outputText && o.Output != outputJSON {
		return fmt.Errorf("--output %q: use text or json", o.Output)
	}
	return nil
}

// newProgress opens the engine log of a run; with --debug the engine's log
// is streamed (plain).
func newProgress(env *Env, eo engineOptions, out outOptions) (*progress, error) {
	mode := eo.Progress
	if eo.Debug {
		mode = progressPlain
	}
	if mode == progressAuto {
		mode = progressStages
		if isTerminal(env.Err) {
			mode = progressTTY
		}
	}
	p := &progress{mode: mode, engineLog: env.Err, steps: env.Err, close: func() {}}
	if mode == progressPlain {
		return p, nil
	}
	defer func() { p.close = sync.OnceFunc(p.close) }()
	f, err := os.Create(filepath.Join(out.Out, "engine.log"))
	if err != nil {
		return nil, fmt.Errorf("--out %s: cannot write engine.log: %w", out.Out, err)
	}
	p.engineLog, p.close = f, func() { f.Close() }
	if mode == progressTTY {
		t := newStageTable(env.Err)
		p.events, p.steps = t.event, f
		p.close = func() { t.stop(); f.Close() }
		return p, nil
	}
	p.events = func(e pipeline.StageResult) { fmt.Fprintln(env.Err, stageLine(e)) }
	return p, nil
}

// stageLine is one stage event for a log: "onepipe: test started",
// "onepipe: test passed in 8.1s: 11 passed, 0 failed".
func stageLine(e pipeline.StageResult) string {
	switch e.Status {
	case pipeline.StatusStarted:
		return fmt.Sprintf("onepipe: %s started", e.Stage)
	case pipeline.StatusSkipped:
		return fmt.Sprintf("onepipe: %s skipped: %s", e.Stage, e.Detail)
	}
	line := fmt.Sprintf("onepipe: %s %s in %.1fs", e.Stage, e.Status, e.Duration.Seconds())
	if e.Detail != "" {
		line += ": " + firstLine(e.Detail)
	}
	return line
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// stageTable redraws the stages in place on a terminal, with a running
// clock for the ones that have not ended.
type stageTable struct {
	w      io.Writer
	mu     sync.Mutex
	rows   []pipeline.StageResult
	start  map[pipeline.Stage]time.Time
	drawn  int
	ticker *time.Ticker
	done   chan struct{}
}

func newStageTable(w io.Writer) *stageTable {
	t := &stageTable{w: w, start: map[pipeline.Stage]time.Time{}, ticker: time.NewTicker(time.Second), done: make(chan struct{})}
	go func() {
		for {
			select {
			case <-t.ticker.C:
				t.mu.Lock()
				t.draw()
				t.mu.Unlock()
			case <-t.done:
				return
			}
		}
	}()
	return t
}

func (t *stageTable) event(e pipeline.StageResult) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e.Status == pipeline.StatusStarted {
		t.start[e.Stage] = time.Now()
	}
	i := slices.IndexFunc(t.rows, func(r pipeline.StageResult) bool { return r.Stage == e.Stage })
	if i < 0 {
		t.rows = append(t.rows, e)
	} else {
		t.rows[i] = e
	}
	t.draw()
}

// draw rewrites the table over the one drawn before (ANSI cursor moves).
func (t *stageTable) draw() {
	var b strings.Builder
	if t.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", t.drawn)
	}
	for _, r := range t.rows {
		d := r.Duration
		if r.Status == pipeline.StatusStarted {
			d = time.Since(t.start[r.Stage])
		}
		status := string(r.Status)
		if r.Status == pipeline.StatusStarted {
			status = "running"
		}
		fmt.Fprintf(&b, "\x1b[2K%-8s %-16s %6.1fs  %s\n", r.Stage, status, d.Seconds(), firstLine(r.Detail))
	}
	t.drawn = len(t.rows)
	io.WriteString(t.w, b.String())
}

func (t *stageTable) stop() {
	t.ticker.Stop()
	close(t.done)
}

// jsonSummary is the run's summary for machines (--output json).
type jsonSummary struct {
	Version     string      `json:"version"`
	Environment string      `json:"environment"`
	Passed      bool        `json:"passed"`
	Error       string      `json:"error,omitempty"`
	Stages      []jsonStage `json:"stages"`
	Published   []jsonImage `json:"published"`
	Address     string      `json:"address,omitempty"`
	Reports     string      `json:"reports,omitempty"`
}

type jsonStage struct {
	Stage   string  `json:"stage"`
	Status  string  `json:"status"`
	Seconds float64 `json:"seconds"`
	Detail  string  `json:"detail,omitempty"`
}

type jsonImage struct {
	Ref    string `json:"ref"`
	Digest string `json:"digest"`
}

// printJSON writes the summary of report as one JSON document.
func printJSON(w io.Writer, p *plan.Plan, report *pipeline.Report, reports string, runErr error) error {
	s := jsonSummary{Version: p.Release.Version, Environment: p.EnvName, Passed: runErr == nil, Reports: reports,
		Stages: []jsonStage{}, Published: []jsonImage{}}
	if runErr != nil {
		s.Error = oneLine(runErr.Error(), "")
	}
	for _, st := range report.Stages() {
		s.Stages = append(s.Stages, jsonStage{Stage: string(st.Stage), Status: string(st.Status),
			Seconds: float64(st.Duration.Milliseconds()) / 1000, Detail: st.Detail})
	}
	for _, pub := range report.Published {
		s.Published = append(s.Published, jsonImage{Ref: pub.Ref, Digest: pub.Digest})
	}
	if report.Deployed != nil {
		s.Address = report.Deployed.AddressLine()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}
