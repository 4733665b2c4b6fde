//go:build unix

package cli

import (
	"path/filepath"
	"syscall"
	"testing"
)

// fifoAt makes rel in the app a named pipe.
func fifoAt(rel string) func(*testing.T, string) error {
	return func(_ *testing.T, dir string) error {
		return syscall.Mkfifo(filepath.Join(dir, filepath.FromSlash(rel)), 0o644)
	}
}
