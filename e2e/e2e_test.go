// Package e2e runs the onepipe binary against a real Dagger engine. Every test
// skips with one line when no engine is reachable (set
// _EXPERIMENTAL_DAGGER_RUNNER_HOST and _EXPERIMENTAL_DAGGER_CLI_BIN to run them).
package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/enginecheck"
)

var (
	onepipeBin string // built once by TestMain
	repoRoot   string
	skipReason string
)

func TestMain(m *testing.M) {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Dir(filepath.Dir(file))
	skipReason = engineProblem()
	if skipReason != "" {
		fmt.Println("e2e: skipping end-to-end tests:", skipReason)
	} else {
		dir, err := os.MkdirTemp("", "onepipe-e2e")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		onepipeBin = filepath.Join(dir, "onepipe")
		build := exec.Command("go", "build", "-o", onepipeBin, "./cmd/onepipe")
		build.Dir = repoRoot
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build onepipe: %v\n%s", err, out)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

// engineProblem says why no engine can be used, or "" when one answers.
func engineProblem() string {
	if err := enginecheck.Problem(os.LookupEnv); err != nil {
		return err.Error() + " (to run end-to-end tests)"
	}
	return ""
}

func needEngine(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
}

type result struct {
	code           int
	stdout, stderr string
}

// onepipe runs the binary with extra environment variables.
func onepipe(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runBinary(t, onepipeBin, env, args...)
}

// runBinary runs bin in the repository root with extra environment
// variables and returns its exit code and output.
func runBinary(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// copyApp copies examples/<name> to a temp dir so a test may break it.
func copyApp(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if out, err := exec.Command("cp", "-r", filepath.Join(repoRoot, "examples", name), dst).CombinedOutput(); err != nil {
		t.Fatalf("copy: %v %s", err, out)
	}
	return dst
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
