package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/enginecheck"
)

// Connector opens a session with a Dagger engine; progress goes to log, in
// more detail when debug is set.
type Connector func(ctx context.Context, env *Env, log io.Writer, debug bool) (*dagger.Client, error)

// ErrNoEngine means no Dagger engine can be reached from this machine.
var ErrNoEngine = errors.New("no Dagger engine reachable: start Docker (the dagger CLI runs its engine there), " +
	"or point _EXPERIMENTAL_DAGGER_RUNNER_HOST at a running engine (e.g. unix:///run/dagger/engine.sock) " +
	"and _EXPERIMENTAL_DAGGER_CLI_BIN at its dagger CLI, or run onepipe under `dagger run`")

// connectEngine checks that an engine can be reached before dialling it, so a
// machine without one gets ErrNoEngine at once instead of a CLI download that
// hangs offline.
func connectEngine(ctx context.Context, env *Env, log io.Writer, debug bool) (*dagger.Client, error) {
	if err := preflight(env); err != nil {
		return nil, &exitError{code: ExitNoEngine, err: err}
	}
	var opts []dagger.ClientOpt
	if log != nil {
		opts = append(opts, dagger.WithLogOutput(log))
	}
	if debug {
		opts = append(opts, dagger.WithVerbosity(3))
	}
	if err := useDaggerOnPath(); err != nil {
		return nil, &exitError{code: ExitNoEngine, err: fmt.Errorf("%w (%s)", ErrNoEngine, err)}
	}
	c, err := dagger.Connect(ctx, opts...)
	if err != nil {
		return nil, &exitError{code: ExitNoEngine, err: fmt.Errorf("%w (%s)", ErrNoEngine, firstLine(err.Error()))}
	}
	return c, nil
}

// cliBinVar names the dagger CLI the SDK starts its session with.
const cliBinVar = "_EXPERIMENTAL_DAGGER_CLI_BIN"

// useDaggerOnPath points the SDK at the dagger CLI on PATH unless
// _EXPERIMENTAL_DAGGER_CLI_BIN already names one.
//
// It has to set the variable in onepipe's own environment: the SDK's
// engineconn.FromLocalCLI reads it with os.LookupEnv, and
// dagger.WithEnvironmentVariable only reaches the processes the SDK starts.
// Without it the SDK downloads its own CLI, which fails (or hangs) offline
// even though a dagger CLI is installed.
func useDaggerOnPath() error {
	if _, ok := os.LookupEnv(cliBinVar); ok {
		return nil
	}
	bin, err := exec.LookPath("dagger")
	if err != nil {
		return nil // preflight found another route (a session or a runner host with a CLI set)
	}
	if err := os.Setenv(cliBinVar, bin); err != nil {
		return fmt.Errorf("set %s: %w", cliBinVar, err)
	}
	return nil
}

// preflight says whether any engine route exists: a session opened by
// `dagger run`, a runner host that answers, or a dagger CLI to start one.
func preflight(env *Env) error {
	switch err := enginecheck.Problem(env.LookupEnv); {
	case err == nil:
		if _, ok := env.LookupEnv("DAGGER_SESSION_PORT"); ok {
			return nil
		}
		if _, ok := env.LookupEnv(cliBinVar); !ok {
			if _, err := exec.LookPath("dagger"); err != nil {
				return errors.New("_EXPERIMENTAL_DAGGER_RUNNER_HOST is set but no dagger CLI was found: install dagger or set _EXPERIMENTAL_DAGGER_CLI_BIN")
			}
		}
		return nil
	case !errors.Is(err, enginecheck.ErrNotConfigured):
		return err
	}
	if _, ok := env.LookupEnv(cliBinVar); ok {
		return nil
	}
	if _, err := exec.LookPath("dagger"); err == nil {
		return nil
	}
	return ErrNoEngine
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return first
}

// closeTimeout bounds how long onepipe waits for the engine session to end.
const closeTimeout = 10 * time.Second

// closeEngine ends the session without hanging on an engine that went away.
func closeEngine(dag interface{ Close() error }, log io.Writer) {
	done := make(chan struct{})
	go func() {
		dag.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(closeTimeout):
		fmt.Fprintf(log, "onepipe: the engine session did not close within %s; leaving it\n", closeTimeout)
	}
}

// trackSessions returns a copy of env whose Connect records every session
// opened with a progress writer, and a func that says whether one was and
// where its progress went ("" for env.Err; else the log file's path): after
// that the engine's progress output is there, and a failure's detail is too.
func (e *Env) trackSessions() (*Env, func() (bool, string)) {
	var (
		opened atomic.Bool
		where  atomic.Value
	)
	tracked := *e
	if connect := e.Connect; connect != nil {
		tracked.Connect = func(ctx context.Context, env *Env, log io.Writer, debug bool) (*dagger.Client, error) {
			c, err := connect(ctx, env, log, debug)
			if err == nil && log != nil {
				opened.Store(true)
				if f, ok := log.(interface{ Name() string }); ok && log != e.Err {
					where.Store(f.Name())
				}
			}
			return c, err
		}
	}
	return &tracked, func() (bool, string) {
		w, _ := where.Load().(string)
		return opened.Load(), w
	}
}
