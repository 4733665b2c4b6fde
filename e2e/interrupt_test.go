package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestInterruptCancelsAndPublishesNothing sends SIGINT while the checks run:
// onepipe must exit 130, name the cancelled stages and push no tag.
func TestInterruptCancelsAndPublishesNothing(t *testing.T) {
	needEngine(t)
	needRegistry(t, mirror)
	src := copyApp(t, "flask")
	// a slow test, unique per run so no cache serves it, keeps the run busy
	writeFile(t, filepath.Join(src, "tests", "test_slow.py"),
		fmt.Sprintf("import time\n\n\ndef test_slow():\n    time.sleep(60)  # %d\n", time.Now().UnixNano()))
	repo := fmt.Sprintf("onepipe-e2e/interrupted-%d", time.Now().UnixNano())

	// the engine's log on stderr (--progress plain): the test watches for pytest starting
	cmd := exec.Command(onepipeBin, "run", "--source", src, "--publish", mirror+"/"+repo, "--sha", e2eSHA, "--out", t.TempDir(), "--progress", "plain")
	var out bytes.Buffer
	errb := &watchBuffer{want: "test session starts", seen: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &out, errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select { // interrupt once the tests run, not before
	case <-errb.seen:
		time.Sleep(2 * time.Second)
	case <-time.After(3 * time.Minute):
		t.Fatal("the test stage never started")
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	took := time.Since(start)

	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 130 {
		t.Errorf("exit %d, want 130\n%s\n%s", code, out.String(), lastLine(errb.String()))
	}
	if last := lastLine(errb.String()); !strings.HasPrefix(last, "onepipe: interrupted: cancelled ") || !strings.Contains(last, "test") || !strings.HasSuffix(last, "nothing was published") {
		t.Errorf("stderr does not name the cancelled stages: %q", lastLines(errb.String(), 3))
	}
	if !strings.Contains(out.String(), "publish  skipped") {
		t.Errorf("summary does not show publish skipped:\n%s", out.String())
	}
	if tags := tags(t, mirror, repo); len(tags) != 0 {
		t.Errorf("interrupted run pushed %v", tags)
	}
	t.Logf("stopped %.1fs after SIGINT", took.Seconds())
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString(text)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// watchBuffer collects output and closes seen when want first appears.
type watchBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *watchBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *watchBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
