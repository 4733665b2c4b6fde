//go:build !unix

package cli

import "testing"

// fifoAt skips the row: named pipes are made with mkfifo, on Unix only.
func fifoAt(string) func(*testing.T, string) error {
	return func(t *testing.T, _ string) error {
		t.Skip("named pipes need Unix")
		return nil
	}
}
