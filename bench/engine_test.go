package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseExports(t *testing.T) {
	host := envVar{runnerHostVar, "unix:///run/dagger/engine.sock"}
	cli := envVar{"_EXPERIMENTAL_DAGGER_CLI_BIN", "/var/lib/onepipe-engine/bin/dagger"}
	for _, tt := range []struct {
		name string
		out  string
		want []envVar
		err  string
	}{
		{name: "start.sh", out: "export _EXPERIMENTAL_DAGGER_RUNNER_HOST=unix:///run/dagger/engine.sock\nexport _EXPERIMENTAL_DAGGER_CLI_BIN=/var/lib/onepipe-engine/bin/dagger\n",
			want: []envVar{host, cli}},
		{name: "quoted, other lines, CRLF", out: "starting\r\n  export _EXPERIMENTAL_DAGGER_RUNNER_HOST='unix:///run/dagger/engine.sock'\r\nexport _EXPERIMENTAL_DAGGER_CLI_BIN=\"/var/lib/onepipe-engine/bin/dagger\"\n",
			want: []envVar{host, cli}},
		{name: "only the cli", out: "export _EXPERIMENTAL_DAGGER_CLI_BIN=/x/dagger\n", err: "no `export _EXPERIMENTAL_DAGGER_RUNNER_HOST=...` line"},
		{name: "empty host", out: "export _EXPERIMENTAL_DAGGER_RUNNER_HOST=\n", err: "no `export _EXPERIMENTAL_DAGGER_RUNNER_HOST"},
		{name: "nothing", out: "", err: "no `export"},
		{name: "no value", out: "export _EXPERIMENTAL_DAGGER_RUNNER_HOST\n", err: `stdout line 1 "export _EXPERIMENTAL_DAGGER_RUNNER_HOST": want export NAME=VALUE`},
		{name: "bad name", out: "export 1X=y\n", err: "want export NAME=VALUE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseExports([]byte(tt.out))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWaitFor(t *testing.T) {
	calls := 0
	answersThird := func(context.Context) error {
		if calls++; calls < 3 {
			return errors.New("connection refused")
		}
		return nil
	}
	if err := waitFor(context.Background(), answersThird, time.Millisecond, time.Minute); err != nil || calls != 3 {
		t.Errorf("waitFor = %v after %d probes, want nil after 3", err, calls)
	}

	never := func(context.Context) error {
		return errors.New("dial unix /run/dagger/engine.sock: connection refused")
	}
	err := waitFor(context.Background(), never, time.Millisecond, 20*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not answer within 20ms: dial unix /run/dagger/engine.sock: connection refused") {
		t.Errorf("waitFor = %v", err)
	}
}

func TestCheckStartScript(t *testing.T) {
	if err := checkStartScript("/nonexistent/start.sh"); err == nil || !strings.Contains(err.Error(), "-engine-start /nonexistent/start.sh: no such file") {
		t.Errorf("missing script: %v", err)
	}
	if err := checkStartScript(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not an executable file") {
		t.Errorf("a folder: %v", err)
	}
}

// writeScript writes an executable shell script into dir.
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStartScriptReexportsAndWaits(t *testing.T) {
	dir := t.TempDir()
	// a dagger CLI that answers once start.sh has run (it leaves a file)
	cli := writeScript(t, dir, "dagger", `[ "$1 $2" = "core version" ] && [ -f `+dir+`/started ] && [ "$_EXPERIMENTAL_DAGGER_RUNNER_HOST" = unix:///run/new.sock ] || { echo "connection refused" >&2; exit 1; }`+"\n")
	start := writeScript(t, dir, "start.sh", `echo "$@" > `+dir+`/args
echo "[engine] engine up" >&2
touch `+dir+`/started
echo "export _EXPERIMENTAL_DAGGER_RUNNER_HOST=unix:///run/new.sock"
echo "export _EXPERIMENTAL_DAGGER_CLI_BIN=`+cli+`"
`)
	t.Setenv(runnerHostVar, "unix:///run/old.sock")
	t.Setenv("_EXPERIMENTAL_DAGGER_CLI_BIN", "/old/dagger")
	took, err := startScript(start, 10*time.Second)(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if args, _ := os.ReadFile(filepath.Join(dir, "args")); string(args) != "--fresh\n" {
		t.Errorf("start.sh got %q, want --fresh", args)
	}
	if got := os.Getenv(runnerHostVar); got != "unix:///run/new.sock" {
		t.Errorf("runner host = %q after the restart", got)
	}
	if got := os.Getenv("_EXPERIMENTAL_DAGGER_CLI_BIN"); got != cli {
		t.Errorf("CLI = %q after the restart", got)
	}
	if took <= 0 {
		t.Errorf("took %v", took)
	}

	// an engine that never answers
	os.Remove(filepath.Join(dir, "started"))
	silent := writeScript(t, dir, "silent.sh", `echo "export _EXPERIMENTAL_DAGGER_RUNNER_HOST=unix:///run/other.sock"
echo "export _EXPERIMENTAL_DAGGER_CLI_BIN=`+cli+`"
`)
	_, err = startScript(silent, 50*time.Millisecond)(context.Background())
	if err == nil || !strings.Contains(err.Error(), "did not answer within 50ms") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("silent engine: %v", err)
	}

	// start.sh fails, or prints no exports
	failing := writeScript(t, dir, "failing.sh", "echo '[engine] must run as root' >&2; exit 1\n")
	if _, err := startScript(failing, time.Second)(context.Background()); err == nil || err.Error() != failing+" --fresh: exit status 1" {
		t.Errorf("failing start.sh: %v", err)
	}
	mute := writeScript(t, dir, "mute.sh", "echo started\n")
	if _, err := startScript(mute, time.Second)(context.Background()); err == nil || !strings.Contains(err.Error(), "no `export _EXPERIMENTAL_DAGGER_RUNNER_HOST=...` line") {
		t.Errorf("start.sh without exports: %v", err)
	}
}
