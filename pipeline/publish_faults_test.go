package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"
)

// dropped is how the engine reports a registry that closed the connection
// in the middle of a blob upload (seen in e2e TestFaultRegistryDropsConnections).
const dropped = `failed to copy: failed to do request: Put "http://127.0.0.1:36939/v2/e2e/faults/blobs/uploads/f9f0c7cd?_state=ur0u&digest=sha256%3A18bf608a": ` +
	`readfrom tcp 127.0.0.1:50018->127.0.0.1:36939: write tcp 127.0.0.1:50018->127.0.0.1:36939: use of closed network connection`

// A connection the registry dropped mid-push is worth another attempt.
func TestDroppedConnectionIsRetried(t *testing.T) {
	if !isTransient(strings.ToLower(dropped)) {
		t.Errorf("isTransient(%q) = false, want true", dropped)
	}
	calls := 0
	err := retry(context.Background(), 3, time.Millisecond, func() error {
		calls++
		if calls == 1 {
			return errors.New(dropped)
		}
		return nil
	})
	if err != nil || calls != 2 {
		t.Errorf("calls=%d err=%v, want a second attempt that succeeds", calls, err)
	}
}

// A push whose engine session ended is not the registry's fault: no retry,
// and the error keeps saying what happened.
func TestPublishSessionGone(t *testing.T) {
	lost := fmt.Errorf("publish: %w", &url.Error{Op: "Post", URL: "http://dagger/query", Err: io.EOF})
	calls := 0
	err := retry(context.Background(), 4, time.Millisecond, func() error {
		calls++
		return lost
	})
	if calls != 1 {
		t.Errorf("calls=%d, want 1: a lost engine is not retried", calls)
	}
	got := publishError("127.0.0.1:5000/a:v1", err)
	if !EngineLost(got) || strings.Contains(got.Error(), "unreachable") {
		t.Errorf("publishError = %v, want the lost engine, not an unreachable registry", got)
	}
}
