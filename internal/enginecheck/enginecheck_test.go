package enginecheck

import (
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestProblem(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "engine.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := Problem(lookup(map[string]string{"_EXPERIMENTAL_DAGGER_RUNNER_HOST": "unix://" + sock})); err != nil {
		t.Errorf("listening socket: %v", err)
	}
	if err := Problem(lookup(map[string]string{"DAGGER_SESSION_PORT": "1234"})); err != nil {
		t.Errorf("session: %v", err)
	}
	if err := Problem(lookup(nil)); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("nothing set: %v", err)
	}
	dead := "unix://" + filepath.Join(t.TempDir(), "none.sock")
	if err := Problem(lookup(map[string]string{"_EXPERIMENTAL_DAGGER_RUNNER_HOST": dead})); err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Errorf("dead socket: %v", err)
	}
	if err := Dial("docker-container://dagger-engine"); err != nil {
		t.Errorf("other schemes are the CLI's business: %v", err)
	}
	if err := Dial("nonsense"); err == nil {
		t.Error("Dial accepted a non-URL")
	}
}
