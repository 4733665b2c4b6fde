package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// afterFault bounds how long onepipe may take to exit once the fault
// happened: longer is a hang.
const afterFault = 2 * time.Minute

// running is an onepipe process a test started and waits for.
type running struct {
	cmd  *exec.Cmd
	out  bytes.Buffer
	errb *watchBuffer
}

// start runs onepipe with args and returns once its stderr shows want.
func start(t *testing.T, env []string, want string, within time.Duration, args ...string) *running {
	t.Helper()
	r := &running{cmd: exec.Command(onepipeBin, args...), errb: &watchBuffer{want: want, seen: make(chan struct{})}}
	r.cmd.Dir, r.cmd.Env = repoRoot, append(os.Environ(), env...)
	r.cmd.Stdout, r.cmd.Stderr = &r.out, r.errb
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.cmd.Process.Kill() }) // a test that failed early leaves no process
	select {
	case <-r.errb.seen:
	case <-time.After(within):
		t.Fatalf("%q did not show within %s; last lines:\n%s", want, within, lastLines(r.errb.String(), 20))
	}
	return r
}

// wait waits for onepipe to exit, at most afterFault, and returns its exit
// code and how long it took.
func (r *running) wait(t *testing.T) (int, time.Duration) {
	t.Helper()
	begin := time.Now()
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, time.Since(begin)
	case <-time.After(afterFault):
		r.cmd.Process.Kill()
		<-done
		t.Fatalf("onepipe hangs: still running %s after the fault; last lines:\n%s", afterFault, lastLines(r.errb.String(), 20))
		return 0, 0
	}
}

// killSession kills the dagger session process that onepipe's SDK started:
// the process that holds onepipe's connection to the engine. For onepipe the
// engine is gone; the shared engine itself runs on.
func killSession(t *testing.T, pid int) {
	t.Helper()
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	killed := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, field := range strings.Fields(string(b)) {
			child, err := strconv.Atoi(field)
			if err != nil {
				continue
			}
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", child))
			if !slices.Contains(strings.Split(string(cmdline), "\x00"), "session") {
				continue
			}
			if err := syscall.Kill(child, syscall.SIGKILL); err != nil {
				t.Fatalf("kill the dagger session %d: %v", child, err)
			}
			killed++
		}
	}
	if killed == 0 {
		t.Fatalf("onepipe (pid %d) has no dagger session child to kill", pid)
	}
}
