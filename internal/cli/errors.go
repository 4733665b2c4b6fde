package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
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

// afterProgressError marks an error that ended a command after an engine
// session was open: the session's progress output, already on stderr, holds
// the detail the one-line report leaves out.
type afterProgressError struct {
	err error
	// where the progress is: "" for above, on the terminal; else a file.
	where string
}

// note points at the progress, for the end of a one-line error.
func (e *afterProgressError) note() string {
	if e.where == "" {
		return "more above in the progress output"
	}
	return "more in " + e.where
}

func (e *afterProgressError) Error() string { return e.err.Error() }
func (e *afterProgressError) Unwrap() error { return e.err }

// afterProgress marks err as reported after the engine printed progress; nil
// stays nil.
func afterProgress(err error) error { return afterProgressAt(err, "") }

// afterProgressAt is afterProgress with the progress in the file where.
func afterProgressAt(err error, where string) error {
	if err == nil {
		return nil
	}
	var ap *afterProgressError
	if errors.As(err, &ap) {
		return err
	}
	return &afterProgressError{err: err, where: where}
}

// reportError prints err as one line and returns the exit code for it.
func reportError(ctx context.Context, w io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	var (
		ee       *exitError
		progress *afterProgressError
	)
	shownProgress := errors.As(err, &progress)
	code := ExitFailed
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case !shownProgress && isCobraUsage(err):
		code = ExitUsage
	}
	if ctx.Err() != nil {
		code = ExitInterrupted
	}
	note := ""
	if shownProgress {
		note = progress.note()
	}
	fmt.Fprintf(w, "onepipe: %s\n", oneLine(cobraMessage(err.Error()), note))
	return code
}

// Limits for joining a multi-line message into one line.
const (
	maxDetailLines = 6
	maxDetailChars = 300
)

// oneLine turns a message into a single line. After engine progress (the
// error came from a stage) it keeps the first line and adds note, which
// points at the progress output that has the rest; otherwise the lines are joined, the
// detail cut only when it is long.
func oneLine(msg, note string) string {
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	switch {
	case len(lines) == 0:
		return strings.TrimSpace(msg)
	case len(lines) == 1:
		return lines[0]
	case note != "":
		return lines[0] + " (" + note + ")"
	}
	var b strings.Builder
	b.WriteString(lines[0])
	for i, l := range lines[1:] {
		if i+1 >= maxDetailLines || b.Len()+len(l) > maxDetailChars {
			fmt.Fprintf(&b, " … (%d more lines)", len(lines)-1-i)
			break
		}
		if strings.HasSuffix(lines[i], ":") {
			b.WriteString(" ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(l)
	}
	return b.String()
}

// cobraPrefixes start the argument errors cobra raises before a command runs
// (unknown commands, positional arguments, required flags, flag groups).
var cobraPrefixes = []string{
	"unknown command ", "invalid argument ", "accepts ", "requires at least ",
	"required flag(s) ", "if any flags in the group ", "at least one of the flags in the group ",
}

// isCobraUsage recognises the argument errors cobra raises before a command
// runs. cobra returns them unwrapped, so they start with its wording.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range cobraPrefixes {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

var (
	exclusiveGroup = regexp.MustCompile(`^if any flags in the group \[([^\]]*)\] are set none of the others can be; \[([^\]]*)\] were all set$`)
	togetherGroup  = regexp.MustCompile(`^if any flags in the group \[([^\]]*)\] are set they must all be set; missing \[([^\]]*)\]$`)
	oneOfGroup     = regexp.MustCompile(`^at least one of the flags in the group \[([^\]]*)\] is required$`)
	requiredFlags  = regexp.MustCompile(`^required flag\(s\) "(.*)" not set$`)
)

// suggestionsHeader starts the suggestions cobra appends to "unknown command".
const suggestionsHeader = "\n\nDid you mean this?\n"

// cobraMessage rewrites cobra's own wording of flag-group, required-flag and
// unknown-command errors into onepipe's: flags named as on the command line
// (--tag and --branch cannot be used together), suggestions on the same line
// (did you mean deploy?). Other messages are returned unchanged.
func cobraMessage(msg string) string {
	if head, tail, ok := strings.Cut(msg, suggestionsHeader); ok {
		if s := strings.Fields(tail); len(s) > 0 {
			return head + "; did you mean " + orList(s) + "?"
		}
		return head
	}
	if m := exclusiveGroup.FindStringSubmatch(msg); m != nil {
		set := strings.Fields(m[2])
		return andList(dashed(inGroupOrder(strings.Fields(m[1]), set))) + " cannot be used together"
	}
	if m := togetherGroup.FindStringSubmatch(msg); m != nil {
		missing := dashed(strings.Fields(m[2]))
		verb := " is missing"
		if len(missing) > 1 {
			verb = " are missing"
		}
		return andList(dashed(strings.Fields(m[1]))) + " must be used together: " + andList(missing) + verb
	}
	if m := oneOfGroup.FindStringSubmatch(msg); m != nil {
		return "one of " + orList(dashed(strings.Fields(m[1]))) + " is required"
	}
	if m := requiredFlags.FindStringSubmatch(msg); m != nil {
		names := dashed(strings.Split(m[1], `", "`))
		if len(names) == 1 {
			return names[0] + " is required"
		}
		return andList(names) + " are required"
	}
	return msg
}

// inGroupOrder returns the names in set in the order group declares them.
func inGroupOrder(group, set []string) []string {
	var out []string
	for _, g := range group {
		for _, s := range set {
			if g == s {
				out = append(out, g)
				break
			}
		}
	}
	if len(out) != len(set) {
		return set
	}
	return out
}

// dashed writes flag names as they are typed: --name.
func dashed(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "--" + n
	}
	return out
}

// andList joins words as "a, b and c".
func andList(words []string) string { return joinList(words, "and") }

// orList joins words as "a, b or c".
func orList(words []string) string { return joinList(words, "or") }

func joinList(words []string, last string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + last + " " + words[len(words)-1]
}
