package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestOneLine(t *testing.T) {
	long := "config onepipe.yaml:"
	for i := 0; i < 10; i++ {
		long += fmt.Sprintf("\n  line %d: a detail that goes on for a while", i)
	}
	tests := []struct {
		name     string
		msg      string
		progress bool
		want     string
	}{
		{"one line stays", "tag \"v1.2\" is not a release version", false, "tag \"v1.2\" is not a release version"},
		{"trailing newline", "boom\n", true, "boom"},
		{"short detail is joined", "lint: 3 findings\napp.py:1: E501\napp.py:2: F401", false, "lint: 3 findings; app.py:1: E501; app.py:2: F401"},
		{"colon joins with a space", "onepipe.yaml: yaml: unmarshal errors:\n  line 3: field nope not found", false,
			"onepipe.yaml: yaml: unmarshal errors: line 3: field nope not found"},
		{"blank lines dropped", "first\n\n\tsecond\n", false, "first; second"},
		{"after progress the rest is above", "test: exit code 1\nFAILED test_app.py::test_home", true,
			"test: exit code 1 (more above in the progress output)"},
		{"long detail is cut and counted", long, false,
			"config onepipe.yaml: line 0: a detail that goes on for a while; line 1: a detail that goes on for a while; " +
				"line 2: a detail that goes on for a while; line 3: a detail that goes on for a while; " +
				"line 4: a detail that goes on for a while … (5 more lines)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			note := ""
			if tt.progress {
				note = "more above in the progress output"
			}
			if got := oneLine(tt.msg, note); got != tt.want {
				t.Errorf("oneLine(%q, %v)\n got %q\nwant %q", tt.msg, tt.progress, got, tt.want)
			}
		})
	}
}

func TestCobraMessage(t *testing.T) {
	tests := []struct {
		name, msg, want string
	}{
		{"suggestion", "unknown command \"depoly\" for \"onepipe\"\n\nDid you mean this?\n\tdeploy\n",
			`unknown command "depoly" for "onepipe"; did you mean deploy?`},
		{"two suggestions", "unknown command \"tst\" for \"onepipe\"\n\nDid you mean this?\n\ttest\n\tlist\n",
			`unknown command "tst" for "onepipe"; did you mean test or list?`},
		{"exclusive pair", "if any flags in the group [tag branch] are set none of the others can be; [branch tag] were all set",
			"--tag and --branch cannot be used together"},
		{"exclusive three of four", "if any flags in the group [a b c d] are set none of the others can be; [a c d] were all set",
			"--a, --c and --d cannot be used together"},
		{"required together", "if any flags in the group [user password] are set they must all be set; missing [password]",
			"--user and --password must be used together: --password is missing"},
		{"required together, two missing", "if any flags in the group [a b c] are set they must all be set; missing [b c]",
			"--a, --b and --c must be used together: --b and --c are missing"},
		{"one required", "at least one of the flags in the group [pat token] is required", "one of --pat or --token is required"},
		{"required flag", `required flag(s) "source" not set`, "--source is required"},
		{"required flags", `required flag(s) "a", "b" not set`, "--a and --b are required"},
		{"anything else", "unknown flag: --nope", "unknown flag: --nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cobraMessage(tt.msg); got != tt.want {
				t.Errorf("cobraMessage(%q)\n got %q\nwant %q", tt.msg, got, tt.want)
			}
		})
	}
}

func TestReportError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code int
		want string
	}{
		{"stage failure after progress", afterProgress(errors.New("test: 2 tests failed\nFAILED a\nFAILED b")), ExitFailed,
			"onepipe: test: 2 tests failed (more above in the progress output)\n"},
		{"usage error with detail", usageError(errors.New("onepipe.yaml: yaml: unmarshal errors:\n  line 2: field nope not found")), ExitUsage,
			"onepipe: onepipe.yaml: yaml: unmarshal errors: line 2: field nope not found\n"},
		{"cobra unknown command", errors.New("unknown command \"depoly\" for \"onepipe\"\n\nDid you mean this?\n\tdeploy\n"), ExitUsage,
			"onepipe: unknown command \"depoly\" for \"onepipe\"; did you mean deploy?\n"},
		{"cobra flag group", errors.New("if any flags in the group [tag branch] are set none of the others can be; [branch tag] were all set"), ExitUsage,
			"onepipe: --tag and --branch cannot be used together\n"},
		{"cobra one-required group", errors.New("at least one of the flags in the group [pat token] is required"), ExitUsage,
			"onepipe: one of --pat or --token is required\n"},
		{"cobra wording inside a stage error is not usage", errors.New("deploy: kubectl: unknown command \"rollout2\""), ExitFailed,
			"onepipe: deploy: kubectl: unknown command \"rollout2\"\n"},
		{"cobra wording after progress is not usage", afterProgress(errors.New("unknown command \"x\" from the app")), ExitFailed,
			"onepipe: unknown command \"x\" from the app\n"},
		{"exit code kept through the marker", afterProgress(&exitError{code: ExitNoEngine, err: ErrNoEngine}), ExitNoEngine,
			"onepipe: " + ErrNoEngine.Error() + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if code := reportError(context.Background(), &out, tt.err); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if out.String() != tt.want {
				t.Errorf("report\n got %q\nwant %q", out.String(), tt.want)
			}
		})
	}
}

func TestReportErrorInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if code := reportError(ctx, &out, afterProgress(errors.New("interrupted: cancelled test"))); code != ExitInterrupted {
		t.Errorf("exit %d, want %d", code, ExitInterrupted)
	}
	if strings.Count(out.String(), "\n") != 1 {
		t.Errorf("report = %q, want one line", out.String())
	}
}

func TestAfterProgressNil(t *testing.T) {
	if err := afterProgress(nil); err != nil {
		t.Errorf("afterProgress(nil) = %v", err)
	}
}
