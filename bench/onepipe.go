package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Result is one measured onepipe invocation.
type Result struct {
	App      string  `json:"app"`
	Scenario string  `json:"scenario"`
	Seconds  float64 `json:"seconds"`
	// Stages are the stage times onepipe reported (--output json).
	Stages []StageTime `json:"stages,omitempty"`
	// Executed and Cached count the container commands the engine ran or
	// served from its cache (read from the run's engine.log).
	Executed int `json:"executed"`
	Cached   int `json:"cached"`
	// DepsInstalled says whether `pip install -r` ran (not served from cache).
	DepsInstalled bool `json:"depsInstalled"`
	ExitCode      int  `json:"exitCode"`
}

// Summary is the part of `onepipe run --output json` the bench reads.
type Summary struct {
	Passed  bool        `json:"passed"`
	Error   string      `json:"error"`
	Stages  []StageTime `json:"stages"`
	Address string      `json:"address"`
}

// StageTime is one stage's line in onepipe's JSON summary.
type StageTime struct {
	Stage   string  `json:"stage"`
	Status  string  `json:"status"`
	Seconds float64 `json:"seconds"`
}

// decodeSummary reads the JSON summary onepipe printed on stdout.
func decodeSummary(stdout []byte) (Summary, error) {
	i := bytes.IndexByte(stdout, '{')
	if i < 0 {
		return Summary{}, fmt.Errorf("onepipe printed no JSON summary on stdout (got %q): is the binary older than --output json?", firstLine(string(stdout)))
	}
	var s Summary
	if err := json.NewDecoder(bytes.NewReader(stdout[i:])).Decode(&s); err != nil {
		return Summary{}, fmt.Errorf("read onepipe's JSON summary: %w", err)
	}
	if s.Stages == nil {
		return Summary{}, fmt.Errorf("onepipe's JSON summary has no stages list: is the binary older than --output json?")
	}
	return s, nil
}

// step is one onepipe invocation on an app copy.
type step struct {
	App, Scenario string
	// Dir is the app folder (--source); reports go to Dir/.onepipe/out.
	Dir string
	// Args are the command and its flags, without --source, --out and --output.
	Args []string
	// Env is added to the bench's own environment.
	Env []string
}

// runner runs one step and measures it; a real one runs the onepipe binary.
type runner func(ctx context.Context, s step) (Result, error)

// binary runs the onepipe binary at bin.
func binary(bin string) runner {
	return func(ctx context.Context, s step) (Result, error) {
		out := filepath.Join(s.Dir, ".onepipe", "out")
		args := append(append([]string{}, s.Args...), "--source", s.Dir, "--out", out, "--output", "json")
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), s.Env...)
		// Ctrl-C reaches onepipe as an interrupt, so it cancels its stages cleanly
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		cmd.WaitDelay = time.Minute
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		r := Result{App: s.App, Scenario: s.Scenario, Seconds: time.Since(start).Seconds()}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			r.ExitCode = ee.ExitCode()
		} else if err != nil {
			return r, fmt.Errorf("%s: run %s: %w", s.Scenario, bin, err)
		}
		sum, serr := decodeSummary(stdout.Bytes())
		if r.ExitCode != 0 {
			why := lastLine(stderr.String())
			if serr == nil && sum.Error != "" {
				why = sum.Error
			}
			return r, fmt.Errorf("%s: onepipe %s exited %d: %s", s.Scenario, strings.Join(s.Args, " "), r.ExitCode, why)
		}
		if serr != nil {
			return r, fmt.Errorf("%s: %w", s.Scenario, serr)
		}
		r.Stages = sum.Stages
		if log, err := os.ReadFile(filepath.Join(out, "engine.log")); err == nil {
			r.Executed, r.Cached, r.DepsInstalled = countSpans(string(log))
		}
		return r, nil
	}
}

var (
	spanCmd    = regexp.MustCompile(`^(\d+)\s*:\s*(?:┆\s*)*withExec (.*)$`)
	spanStatus = regexp.MustCompile(`^(\d+)\s*:\s*(?:┆\s*)*Container\.withExec (CACHED|DONE|ERROR) \[([\d.]+)s\]`)
	ansi       = regexp.MustCompile(`\x1b\[[0-9;]*m`)
)

// countSpans reads the engine's progress log and counts the container
// commands executed and served from cache, and whether `pip install -r` ran.
func countSpans(log string) (executed, cached int, depsInstalled bool) {
	cmds := map[string]string{}
	for _, line := range strings.Split(ansi.ReplaceAllString(log, ""), "\n") {
		if m := spanCmd.FindStringSubmatch(line); m != nil {
			cmds[m[1]] = m[2]
		}
		if m := spanStatus.FindStringSubmatch(line); m != nil {
			if m[2] == "CACHED" {
				cached++
				continue
			}
			executed++
			if strings.Contains(cmds[m[1]], "pip install -r") {
				depsInstalled = true
			}
		}
	}
	return executed, cached, depsInstalled
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
