package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

// Comparison is one scenario as a job on a warm engine and on a fresh one.
type Comparison struct {
	App      string `json:"app"`
	Scenario string `json:"scenario"`
	Warm     Result `json:"warm"`
	Fresh    Result `json:"fresh"`
	// Ratio is the fresh job's wall time over the warm job's; absent when
	// the warm job took no measurable time.
	Ratio float64 `json:"ratio,omitempty"`
	// EngineStartSeconds is how long emptying and starting the engine took
	// (start.sh --fresh); it is not part of the fresh job's time.
	EngineStartSeconds float64 `json:"engineStartSeconds"`
}

// ratio is fresh over warm; ok is false when warm is not positive.
func ratio(fresh, warm float64) (r float64, ok bool) {
	if warm <= 0 || fresh < 0 {
		return 0, false
	}
	return fresh / warm, true
}

// formatRatio prints a ratio as "3.4×" or "378×"; "-" when there is none.
func formatRatio(r float64) string {
	switch {
	case r <= 0:
		return "-"
	case r >= 10:
		return fmt.Sprintf("%.0f×", r)
	default:
		return fmt.Sprintf("%.1f×", r)
	}
}

// formatSeconds prints a wall time as the README does: "0.12 s", "6.5 s".
func formatSeconds(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.1f s", s)
}

// stageOrder is the order stage columns are printed in; stages onepipe
// gains later follow in the order they appear.
var stageOrder = []string{"test", "lint", "pack", "cluster", "publish", "deploy"}

// stageColumns lists the stages that ran in any of rs.
func stageColumns(rs []Result) []string {
	seen := map[string]bool{}
	var extra []string
	for _, r := range rs {
		for _, s := range r.Stages {
			if s.Status == "skipped" || seen[s.Stage] {
				continue
			}
			seen[s.Stage] = true
			if !slices.Contains(stageOrder, s.Stage) {
				extra = append(extra, s.Stage)
			}
		}
	}
	var cols []string
	for _, s := range stageOrder {
		if seen[s] {
			cols = append(cols, s)
		}
	}
	return append(cols, extra...)
}

// stageCell is a stage's seconds in r, or "-" when it did not run.
func stageCell(r Result, stage string) string {
	for _, s := range r.Stages {
		if s.Stage == stage && s.Status != "skipped" {
			return fmt.Sprintf("%.1f", s.Seconds)
		}
	}
	return "-"
}

// printResults writes the table of the standard scenarios.
func printResults(w io.Writer, results []Result, efficiency []string) {
	cols := stageColumns(results)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "APP\tSCENARIO\tWALL\t%sEXECUTED\tCACHED\tDEPS INSTALLED\n", upperCols(cols))
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%.2fs\t", r.App, r.Scenario, r.Seconds)
		for _, c := range cols {
			fmt.Fprintf(tw, "%s\t", stageCell(r, c))
		}
		fmt.Fprintf(tw, "%d\t%d\t%v\n", r.Executed, r.Cached, r.DepsInstalled)
	}
	tw.Flush()
	if len(efficiency) > 0 {
		fmt.Fprintln(w, "\nparallel efficiency (target ≤ 1.2):")
		for _, e := range efficiency {
			fmt.Fprintln(w, "  "+e)
		}
	}
}

// printComparisons writes the fresh-runner table (scenario | warm | fresh
// engine | ratio), then every job's stage times.
func printComparisons(w io.Writer, cs []Comparison, cache string) {
	with := "no registry cache"
	if cache != "" {
		with = "registry cache " + cache
	}
	fmt.Fprintf(w, "fresh runner (%s):\n", with)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tWARM\tFRESH ENGINE\tRATIO\tENGINE START")
	for _, c := range cs {
		fmt.Fprintf(tw, "%s: %s\t%s\t%s\t%s\t%s\n", c.App, c.Scenario, formatSeconds(c.Warm.Seconds),
			formatSeconds(c.Fresh.Seconds), formatRatio(c.Ratio), formatSeconds(c.EngineStartSeconds))
	}
	tw.Flush()

	var all []Result
	for _, c := range cs {
		all = append(all, c.Warm, c.Fresh)
	}
	cols := stageColumns(all)
	fmt.Fprintln(w, "\nstage seconds (cluster: until the cluster is ready):")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "SCENARIO\tENGINE\tWALL\t%sEXECUTED\tCACHED\tDEPS INSTALLED\n", upperCols(cols))
	for _, c := range cs {
		for _, job := range []struct {
			engine string
			r      Result
		}{{"warm", c.Warm}, {"fresh", c.Fresh}} {
			fmt.Fprintf(tw, "%s: %s\t%s\t%.1f\t", c.App, c.Scenario, job.engine, job.r.Seconds)
			for _, col := range cols {
				fmt.Fprintf(tw, "%s\t", stageCell(job.r, col))
			}
			fmt.Fprintf(tw, "%d\t%d\t%v\n", job.r.Executed, job.r.Cached, job.r.DepsInstalled)
		}
	}
	tw.Flush()
}

// printComparisonsMarkdown writes the fresh-runner table for the README.
func printComparisonsMarkdown(w io.Writer, cs []Comparison) {
	fmt.Fprintln(w, "| scenario | warm | fresh engine | ratio |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, c := range cs {
		fmt.Fprintf(w, "| %s: %s | %s | %s | %s |\n", c.App, c.Scenario, formatSeconds(c.Warm.Seconds),
			formatSeconds(c.Fresh.Seconds), formatRatio(c.Ratio))
	}
}

func upperCols(cols []string) string {
	var b strings.Builder
	for _, c := range cols {
		b.WriteString(strings.ToUpper(c) + "\t")
	}
	return b.String()
}

// writeResults sets the given top-level keys of the JSON file at path and
// keeps the others, so the standard and the fresh-runner measurements (with
// and without a registry cache) live side by side in one file.
func writeResults(path string, set map[string]any) error {
	doc := map[string]json.RawMessage{}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("read %s: %w", path, err)
	default:
		if json.Unmarshal(data, &doc) != nil {
			fmt.Fprintf(os.Stderr, "bench: %s is not a JSON object: writing it anew\n", path)
			doc = map[string]json.RawMessage{}
		}
	}
	for k, v := range set {
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("results %s: %w", k, err)
		}
		doc[k] = raw
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}
