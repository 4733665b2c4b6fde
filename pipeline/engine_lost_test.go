package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"syscall"
	"testing"
)

func TestSessionGone(t *testing.T) {
	post := func(u string, err error) error { return &url.Error{Op: "Post", URL: u, Err: err} }
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"session ended mid-request", fmt.Errorf("test: %w", post("http://dagger/query", io.EOF)), true},
		{"session gone", fmt.Errorf("deploy: %w", post("http://dagger/query", syscall.ECONNREFUSED)), true},
		{"dagger run session", post("http://127.0.0.1:35121/query", syscall.ECONNRESET), true},
		{"chain flattened with %v", fmt.Errorf("publish r.io/a:v1: %v", post("http://dagger/query", io.EOF)), true},
		{"cancelled", fmt.Errorf("test: %w", post("http://dagger/query", context.Canceled)), false},
		{"timed out", post("http://dagger/query", context.DeadlineExceeded), false},
		{"another service", post("https://management.azure.com/subscriptions/x", io.EOF), false},
		{"registry error in the engine", errors.New(`failed to do request: Put "http://127.0.0.1:5000/v2/a/blobs/uploads/x": EOF`), false},
		{"command failed", &CommandError{Cmd: []string{"pytest"}, ExitCode: 1}, false},
		{"nil", nil, false},
	} {
		if got := EngineLost(tt.err); got != tt.want {
			t.Errorf("%s: EngineLost(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
