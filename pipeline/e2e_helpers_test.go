package pipeline

import (
	"context"
	"io"
	"os"
	"testing"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/enginecheck"
)

// connectE2E opens an engine session for a test, or skips it in one line
// when no engine is configured.
func connectE2E(t *testing.T) *dagger.Client {
	t.Helper()
	if err := enginecheck.Problem(os.LookupEnv); err != nil {
		t.Skip(err.Error() + " (to run end-to-end tests)")
	}
	var log io.Writer = io.Discard
	if testing.Verbose() {
		log = os.Stderr
	}
	dag, err := dagger.Connect(context.Background(), dagger.WithLogOutput(log))
	if err != nil {
		t.Fatalf("connect to the engine: %v", err)
	}
	t.Cleanup(func() { dag.Close() })
	return dag
}
