package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"dagger.io/dagger"
)

// Explain turns an engine error into one readable line: the command that
// failed, its exit code and the last line it printed, instead of the GraphQL
// query path the engine reports.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	var exec *dagger.ExecError
	if errors.As(err, &exec) {
		out := lastLine(exec.Stderr)
		if out == "" {
			out = lastLine(exec.Stdout)
		}
		return &CommandError{Cmd: exec.Cmd, ExitCode: exec.ExitCode, Output: out, err: err}
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, "input: "); i >= 0 && strings.Contains(msg[i:], "resolve:") {
		msg = msg[i+len("input: "):]
	}
	if first, _, ok := strings.Cut(msg, "\n"); ok {
		msg = first
	}
	if msg == err.Error() {
		return err
	}
	return &wrapped{msg: msg, err: err}
}

// CommandError is a command in a container that exited non-zero.
type CommandError struct {
	Cmd      []string
	ExitCode int
	// Output is the last line the command printed.
	Output string
	// Stderr is all the command wrote to stderr, when known.
	Stderr string
	err    error
}

func (e *CommandError) Error() string {
	s := fmt.Sprintf("`%s` exited %d", strings.Join(e.Cmd, " "), e.ExitCode)
	if e.Output != "" {
		s += ": " + e.Output
	}
	return s
}

func (e *CommandError) Unwrap() error { return e.err }

type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func joinMax(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

func writeHostFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// marked is an error that matches a sentinel with errors.Is without
// repeating the sentinel's text in its message.
type marked struct {
	msg  string
	mark error
}

func (m *marked) Error() string { return m.msg }
func (m *marked) Unwrap() error { return m.mark }

// failf formats a message that errors.Is(err, mark) recognises.
func failf(mark error, format string, args ...any) error {
	return &marked{msg: fmt.Sprintf(format, args...), mark: mark}
}
