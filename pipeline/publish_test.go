package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"
)

func TestRegistryHost(t *testing.T) {
	for ref, want := range map[string]string{
		"127.0.0.1:5000/onepipe/tornado":       "127.0.0.1:5000",
		"acme.azurecr.io/shop":                 "acme.azurecr.io",
		"registry.gitlab.com/group/app:v1.2.3": "registry.gitlab.com",
		"localhost/app":                        "localhost",
		"acme/shop":                            "docker.io",
		"shop":                                 "docker.io",
	} {
		if got := RegistryHost(ref); got != want {
			t.Errorf("RegistryHost(%q) = %q, want %q", ref, got, want)
		}
	}
}

func TestCheckRepository(t *testing.T) {
	good := []string{"127.0.0.1:5000/onepipe/tornado", "acme.azurecr.io/shop", "acme/shop", "registry.gitlab.com/a-b/c_d/e.f"}
	for _, r := range good {
		if err := CheckRepository(r); err != nil {
			t.Errorf("CheckRepository(%q) = %v", r, err)
		}
	}
	bad := map[string]string{
		"":                          "no image repository",
		"acme/Shop":                 "malformed",
		"acme/shop:v1":              "malformed",
		"https://acme.azurecr.io/x": "malformed",
		"acme//shop":                "malformed",
	}
	for r, want := range bad {
		err := CheckRepository(r)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckRepository(%q) = %v, want %q", r, err, want)
		}
	}
}

func TestRetry(t *testing.T) {
	tests := []struct {
		name      string
		errs      []error
		wantCalls int
		wantErr   bool
	}{
		{"success first", []error{nil}, 1, false},
		{"transient then success", []error{errors.New("dial tcp: connection refused"), nil}, 2, false},
		{"auth is final", []error{errors.New("401 Unauthorized")}, 1, true},
		{"unknown is final", []error{errors.New("manifest invalid")}, 1, true},
		{"transient exhausts", []error{errors.New("503"), errors.New("503"), errors.New("503")}, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := retry(context.Background(), 3, time.Millisecond, func() error {
				e := tt.errs[calls]
				calls++
				return e
			})
			if calls != tt.wantCalls || (err != nil) != tt.wantErr {
				t.Errorf("calls=%d err=%v, want calls=%d err=%v", calls, err, tt.wantCalls, tt.wantErr)
			}
		})
	}
}

func TestRetryStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := retry(ctx, 5, time.Hour, func() error {
		calls++
		cancel()
		return errors.New("connection reset")
	})
	if err == nil || calls != 1 {
		t.Errorf("calls=%d err=%v, want 1 call and an error", calls, err)
	}
}

func TestPublishError(t *testing.T) {
	auth := publishError("r.io/a:v1", errors.New("failed to push: 401 Unauthorized"))
	if !errors.Is(auth, ErrRegistryAuth) {
		t.Errorf("auth error not classified: %v", auth)
	}
	down := publishError("127.0.0.1:5999/a:v1", errors.New("dial tcp 127.0.0.1:5999: connection refused"))
	if !strings.Contains(down.Error(), "registry 127.0.0.1:5999 unreachable") {
		t.Errorf("unreachable error = %v", down)
	}
}

func TestCheckPlatform(t *testing.T) {
	for _, tt := range []struct {
		want, got string
		ok        bool
	}{
		{"linux/amd64", "linux/amd64", true},
		{"linux/arm64", "linux/arm64/v8", true},
		{"linux/arm/v7", "linux/arm/v6", false},
		{"linux/arm64", "linux/amd64", false},
	} {
		err := checkPlatform(dagger.Platform(tt.want), dagger.Platform(tt.got))
		if (err == nil) != tt.ok {
			t.Errorf("checkPlatform(%s, %s) = %v", tt.want, tt.got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "has no "+tt.want+" variant") {
			t.Errorf("message = %v", err)
		}
	}
}
