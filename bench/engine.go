package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// restarter empties the engine's state and starts it again: what a new CI
// runner sees. It returns how long that took.
type restarter func(ctx context.Context) (time.Duration, error)

// startScript restarts the engine with `start.sh --fresh` (shared/engine):
// it stops the engine, deletes /var/lib/dagger and starts it again, keeping
// the registry at 127.0.0.1:5000. The export lines it prints are applied to
// this process (the onepipe runs inherit them), then the engine must answer
// within wait.
func startScript(path string, wait time.Duration) restarter {
	return func(ctx context.Context) (time.Duration, error) {
		start := time.Now()
		// not stopped by Ctrl-C: an engine left half-started fails everyone
		// on the machine; the bench stops after it
		cmd := exec.Command(path, "--fresh")
		cmd.Stderr = os.Stderr // its log lines ([engine] ...)
		out, err := cmd.Output()
		if err != nil {
			return 0, fmt.Errorf("%s --fresh: %w", path, err)
		}
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("%s --fresh: %w", path, err)
		}
		vars, err := parseExports(out)
		if err != nil {
			return 0, fmt.Errorf("%s --fresh: %w", path, err)
		}
		for _, v := range vars {
			if err := os.Setenv(v.name, v.value); err != nil {
				return 0, fmt.Errorf("set %s: %w", v.name, err)
			}
		}
		if err := waitFor(ctx, engineAnswers, time.Second, wait); err != nil {
			return 0, fmt.Errorf("after %s --fresh: %w", path, err)
		}
		return time.Since(start), nil
	}
}

// envVar is one NAME=VALUE pair.
type envVar struct{ name, value string }

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// runnerHostVar is the variable that points the SDK at the engine.
const runnerHostVar = "_EXPERIMENTAL_DAGGER_RUNNER_HOST"

// parseExports reads the `export NAME=VALUE` lines start.sh prints on
// stdout; other lines are ignored. The runner host must be among them.
func parseExports(out []byte) ([]envVar, error) {
	var vars []envVar
	host := false
	for i, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(line, "export ")
		if !ok {
			continue
		}
		name, value, ok := strings.Cut(strings.TrimSpace(rest), "=")
		if !ok || !envName.MatchString(name) {
			return nil, fmt.Errorf("stdout line %d %q: want export NAME=VALUE", i+1, line)
		}
		value = unquote(value)
		vars = append(vars, envVar{name, value})
		host = host || (name == runnerHostVar && value != "")
	}
	if !host {
		return nil, fmt.Errorf("no `export %s=...` line on stdout (got %q)", runnerHostVar, firstLine(string(out)))
	}
	return vars, nil
}

// unquote strips one pair of matching single or double quotes.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// waitFor calls probe every interval until it succeeds, ctx ends or timeout
// passes; the error then carries the probe's last answer.
func waitFor(ctx context.Context, probe func(context.Context) error, interval, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		err := probe(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the engine did not answer within %s: %w", timeout, err)
		case <-time.After(interval):
		}
	}
}

// engineAnswers asks the engine for its version through the dagger CLI the
// environment names (_EXPERIMENTAL_DAGGER_CLI_BIN, else dagger on PATH).
func engineAnswers(ctx context.Context) error {
	bin := os.Getenv("_EXPERIMENTAL_DAGGER_CLI_BIN")
	if bin == "" {
		bin = "dagger"
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "core", "version")
	cmd.Env = append(os.Environ(), "DO_NOT_TRACK=1", "DAGGER_NO_NAG=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if msg := lastLine(string(bytes.TrimSpace(out))); msg != "" {
			return fmt.Errorf("%s core version: %w: %s", bin, err, msg)
		}
		return fmt.Errorf("%s core version: %w", bin, err)
	}
	return nil
}

// checkStartScript makes sure -fresh can restart the engine, before any work.
func checkStartScript(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("-engine-start %s: no such file: give the path of shared/engine/start.sh", path)
	}
	if err != nil {
		return fmt.Errorf("-engine-start %s: %w", path, err)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return fmt.Errorf("-engine-start %s: not an executable file: give the path of shared/engine/start.sh", path)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("-fresh: %s --fresh must run as root: run the bench as root", path)
	}
	return nil
}
