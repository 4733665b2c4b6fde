package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitFailed      = 1   // a blocking stage failed
	ExitUsage       = 2   // bad input: flags, source folder, config, secrets
	ExitNoEngine    = 3   // no Dagger engine could be reached
	ExitInterrupted = 130 // SIGINT/SIGTERM
)

type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks bad input: the user must change a flag, file or variable.
func usageError(err error) error { return &exitError{code: ExitUsage, err: err} }

// usagef is usageError with formatting.
func usagef(format string, args ...any) error { return usageError(fmt.Errorf(format, args...)) }

// reportError prints err as one line and returns the exit code for it.
func reportError(ctx context.Context, w io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	code := ExitFailed
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case isCobraUsage(err):
		code = ExitUsage
	}
	if ctx.Err() != nil {
		code = ExitInterrupted
	}
	fmt.Fprintf(w, "onepipe: %s\n", oneLine(err.Error()))
	return code
}

// oneLine keeps the first line of a message, saying that more was cut.
func oneLine(msg string) string {
	msg = strings.TrimSpace(msg)
	if first, _, ok := strings.Cut(msg, "\n"); ok {
		return strings.TrimSpace(first) + " (more above in the progress output)"
	}
	return msg
}

// isCobraUsage recognises the argument errors cobra raises before a command
// runs (flag groups, positional arguments, unknown commands).
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"if any flags in the group", "unknown command", "accepts ", "requires at least", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
