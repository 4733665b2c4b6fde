//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadRefusesNonRegularFiles: a named pipe used to block Load forever
// (reading waits for a writer, and Ctrl-C did not stop it); a folder gave a
// read error. Both are refused before anything is opened.
func TestLoadRefusesNonRegularFiles(t *testing.T) {
	tests := []struct {
		name string
		make func(path string) error
		want string
	}{
		{"named pipe", func(p string) error { return syscall.Mkfifo(p, 0o644) }, "not a regular file (a named pipe)"},
		{"folder", func(p string) error { return os.Mkdir(p, 0o755) }, "not a regular file (a folder)"},
		{"link to a named pipe", func(p string) error {
			target := filepath.Join(filepath.Dir(p), "pipe")
			if err := syscall.Mkfifo(target, 0o644); err != nil {
				return err
			}
			return os.Symlink(target, p)
		}, "not a regular file (a named pipe)"},
		{"dangling link", func(p string) error { return os.Symlink(filepath.Join(filepath.Dir(p), "gone.yaml"), p) }, "which does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := tt.make(path); err != nil {
				t.Skipf("cannot make a %s here: %v", tt.name, err)
			}
			done := make(chan error, 1)
			go func() { _, err := Load(dir); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), path+": ") {
					t.Errorf("Load error = %v, want %s: ...%s...", err, path, tt.want)
				}
				if err != nil && strings.Contains(err.Error(), "\n") {
					t.Errorf("error is not one line: %q", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("Load did not return within 5s on a %s", tt.name)
			}
		})
	}
}

func TestLoadFollowsLinkToAFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.yaml")
	if err := os.WriteFile(target, []byte("app: linked\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, FileName)); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	c, err := Load(dir)
	if err != nil || c.App != "linked" {
		t.Errorf("Load = %+v, %v", c.App, err)
	}
}
