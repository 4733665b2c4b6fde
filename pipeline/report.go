package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"dagger.io/dagger"
)

// Stage names a step of the flow.
type Stage string

// The stages, in the order a run reports them.
const (
	StageTest    Stage = "test"
	StageLint    Stage = "lint"
	StagePack    Stage = "pack"
	StagePublish Stage = "publish"
	StageCluster Stage = "cluster"
	StageDeploy  Stage = "deploy"
)

// Status is how a stage ended.
type Status string

// Stage statuses.
const (
	StatusPassed    Status = "passed"
	StatusFailed    Status = "failed"
	StatusAllowed   Status = "failed (allowed)"
	StatusCancelled Status = "cancelled"
	StatusSkipped   Status = "skipped"
	// StatusStarted is only ever seen in an event: the stage began.
	StatusStarted Status = "started"
)

// StageResult is one stage's line in the summary.
type StageResult struct {
	Stage    Stage
	Status   Status
	Duration time.Duration
	// Detail is one line: test counts, image digest, address, or the error.
	Detail string
}

// Report collects stage results as a run goes; it is safe for concurrent use.
type Report struct {
	mu      sync.Mutex
	eventMu sync.Mutex
	stages  []StageResult
	// Published lists the image references pushed by the publish stage.
	Published []Published
	// Deployed is what the deploy stage left (nil when it did not pass).
	Deployed *Deployed
	// files are the reports and artifacts by name, in the order they came.
	files []namedFile
	// events receives each stage's start and end as they happen (nil: none).
	events func(StageResult)
}

// emit hands an event to the flow's listener, one at a time.
func (r *Report) emit(e StageResult) {
	if r.events == nil {
		return
	}
	r.eventMu.Lock()
	defer r.eventMu.Unlock()
	r.events(e)
}

type namedFile struct {
	name string
	file *dagger.File
}

// addFile records a report or artifact; a nil file is ignored.
func (r *Report) addFile(name string, f *dagger.File) {
	if f == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files = append(r.files, namedFile{name, f})
}

// FileNames lists the reports and artifacts the run produced, in order.
func (r *Report) FileNames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.files))
	for i, f := range r.files {
		out[i] = f.name
	}
	return out
}

// Export writes the reports and artifacts to dir on the host (junit.xml,
// lint.txt, lint-junit.xml, image.tar). It is the edge where they leave
// the engine; a run that failed still exports what it produced.
func (r *Report) Export(ctx context.Context, dir string) error {
	r.mu.Lock()
	files := slices.Clone(r.files)
	r.mu.Unlock()
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if _, err := f.file.Export(ctx, path); err != nil {
			return fmt.Errorf("write %s: %w", path, Explain(err))
		}
	}
	return nil
}

// Directory holds the reports and artifacts, and the summary as
// summary.txt, as one engine directory (what the Dagger module returns).
func (r *Report) Directory(dag *dagger.Client) *dagger.Directory {
	var summary strings.Builder
	r.Print(&summary)
	dir := dag.Directory().WithNewFile("summary.txt", summary.String())
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.files {
		dir = dir.WithFile(f.name, f.file)
	}
	return dir
}

// Stages returns the results so far in pipeline order: test, lint, pack,
// publish, then later stages in the order they ran.
func (r *Report) Stages() []StageResult {
	r.mu.Lock()
	stages := append([]StageResult(nil), r.stages...)
	r.mu.Unlock()
	sort.SliceStable(stages, func(i, j int) bool { return stageRank(stages[i].Stage) < stageRank(stages[j].Stage) })
	return stages
}

// Status returns a stage's status, or "" when it did not run.
func (r *Report) Status(s Stage) Status {
	for _, st := range r.Stages() {
		if st.Stage == s {
			return st.Status
		}
	}
	return ""
}

// Skip records a stage that will not run, with the reason.
func (r *Report) Skip(s Stage, why string) {
	res := StageResult{Stage: s, Status: StatusSkipped, Detail: why}
	r.add(res)
	r.emit(res)
}

func (r *Report) add(res StageResult) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stages = append(r.stages, res)
	return len(r.stages) - 1
}

// do runs fn as stage s, timing it and recording how it ended. When
// allowFailure is set a failure is recorded but not returned.
func (r *Report) do(ctx context.Context, s Stage, allowFailure bool, fn func(context.Context) (string, error)) error {
	start := time.Now()
	r.emit(StageResult{Stage: s, Status: StatusStarted})
	detail, err := fn(ctx)
	res := StageResult{Stage: s, Status: StatusPassed, Duration: time.Since(start), Detail: detail}
	switch {
	case err == nil:
	case ctx.Err() != nil:
		// the engine reports cancellation in its own words (exit 137,
		// "context canceled"): whatever ended while ctx was done was cancelled
		res.Status, res.Detail = StatusCancelled, cancelReason(ctx)
		err = fmt.Errorf("%s: %w", s, context.Cause(ctx))
	case allowFailure:
		res.Status, res.Detail, err = StatusAllowed, err.Error(), nil
	default:
		res.Status, res.Detail = StatusFailed, err.Error()
	}
	r.add(res)
	r.emit(res)
	return err
}

func cancelReason(ctx context.Context) string {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return "cancelled: " + cause.Error()
	}
	return ""
}

// stageRank orders the summary: checks first, then what follows publish in
// the order it ran.
func stageRank(s Stage) int {
	for i, known := range []Stage{StageTest, StageLint, StagePack, StageScan, StageCluster, StagePublish} {
		if s == known {
			return i
		}
	}
	return 100
}

// Print writes the summary table.
func (r *Report) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STAGE\tSTATUS\tTIME\tDETAIL")
	for _, s := range r.Stages() {
		dur := "-"
		if s.Status != StatusSkipped {
			dur = fmt.Sprintf("%.1fs", s.Duration.Seconds())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Stage, s.Status, dur, s.Detail)
	}
	tw.Flush()
	for _, p := range r.Published {
		fmt.Fprintf(w, "pushed %s\n", p)
	}
	if r.Deployed != nil {
		fmt.Fprintf(w, "address: %s\n", r.Deployed.AddressLine())
	}
}
