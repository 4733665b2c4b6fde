package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"dagger.io/dagger"
)

// unsetEnv removes a process variable for the test and restores it after.
func unsetEnv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "") // records the old value for cleanup
	os.Unsetenv(name)
}

// syncBuffer is a bytes.Buffer for the SDK's log output, which it writes from
// more than one goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestConnectUsesDaggerOnPath runs the real connectEngine with a stub dagger
// CLI on PATH: the SDK must start it (not download its own) and its failure
// must come back as onepipe's one-line no-engine error.
func TestConnectUsesDaggerOnPath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stub dagger CLI is a shell script")
	}
	for _, v := range []string{cliBinVar, "_EXPERIMENTAL_DAGGER_RUNNER_HOST", "DAGGER_SESSION_PORT", "DAGGER_SESSION_TOKEN"} {
		unsetEnv(t, v)
	}
	bin := t.TempDir()
	marker := filepath.Join(t.TempDir(), "dagger-ran")
	stub := "#!/bin/sh\necho \"$@\" > '" + marker + "'\necho 'stub dagger: no engine here' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "dagger"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)

	var log syncBuffer
	env := &Env{Out: io.Discard, Err: &log, LookupEnv: os.LookupEnv, ReadFile: os.ReadFile, Connect: connectEngine}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := connectEngine(ctx, env, &log, false)
	if err == nil {
		c.Close()
		t.Fatal("connect succeeded with a dagger CLI that exits 1")
	}
	args, rerr := os.ReadFile(marker)
	if rerr != nil {
		t.Fatalf("the dagger CLI on PATH was not run (%v); connect said: %v; log: %s", rerr, err, log.String())
	}
	if !strings.HasPrefix(string(args), "session") {
		t.Errorf("stub ran with %q, want a dagger session", args)
	}
	if strings.Contains(log.String(), "Downloading CLI") {
		t.Errorf("the SDK tried to download its CLI: %s", log.String())
	}
	if !errors.Is(err, ErrNoEngine) {
		t.Errorf("err = %v, want ErrNoEngine", err)
	}

	var out bytes.Buffer
	if code := reportError(context.Background(), &out, err); code != ExitNoEngine {
		t.Errorf("exit %d, want %d", code, ExitNoEngine)
	}
	line := strings.TrimSuffix(out.String(), "\n")
	if strings.Contains(line, "\n") || !strings.HasPrefix(line, "onepipe: no Dagger engine reachable") {
		t.Errorf("report = %q, want one no-engine line", out.String())
	}
}

// TestConnectKeepsCLIBinFromEnvironment checks that a dagger CLI named in
// _EXPERIMENTAL_DAGGER_CLI_BIN wins over the one on PATH.
func TestConnectKeepsCLIBinFromEnvironment(t *testing.T) {
	t.Setenv(cliBinVar, "/opt/dagger/bin/dagger")
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "dagger"), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	if err := useDaggerOnPath(); err != nil {
		t.Fatal(err)
	}
	if got := os.Getenv(cliBinVar); got != "/opt/dagger/bin/dagger" {
		t.Errorf("%s = %q, want the value that was set", cliBinVar, got)
	}
}

func TestTrackSessions(t *testing.T) {
	tests := []struct {
		name string
		log  io.Writer
		err  error
		want bool
	}{
		{"session with progress", io.Discard, nil, true},
		{"connect failed", io.Discard, ErrNoEngine, false},
		{"session without a progress writer", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := &Env{Connect: func(context.Context, *Env, io.Writer, bool) (*dagger.Client, error) { return nil, tt.err }}
			tracked, opened := env.trackSessions()
			if ok, _ := opened(); ok {
				t.Fatal("opened before any connect")
			}
			tracked.Connect(context.Background(), tracked, tt.log, false)
			if got, _ := opened(); got != tt.want {
				t.Errorf("opened() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestTrackSessionsNamesTheLogFile: when the engine's progress went to a
// file (OUT/engine.log), a failure points there, not "above".
func TestTrackSessionsNamesTheLogFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "engine.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := &Env{Err: io.Discard, Connect: func(context.Context, *Env, io.Writer, bool) (*dagger.Client, error) { return nil, nil }}
	tracked, opened := env.trackSessions()
	tracked.Connect(context.Background(), tracked, f, false)
	if ok, where := opened(); !ok || where != f.Name() {
		t.Fatalf("opened() = %v, %q; want the log file", ok, where)
	}
	var out strings.Builder
	reportError(context.Background(), &out, afterProgressAt(errors.New("test: 1 failed\nFAILED x"), f.Name()))
	if want := "onepipe: test: 1 failed (more in " + f.Name() + ")\n"; out.String() != want {
		t.Errorf("reported %q, want %q", out.String(), want)
	}
}
