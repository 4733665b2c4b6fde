package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"
)

// CheckRepository is the grammar of github.com/distribution/reference (the
// cases in internal/imageref go through every rule) plus a registry host.
func TestCheckRepository(t *testing.T) {
	good := []string{"127.0.0.1:5000/onepipe/tornado", "[::1]:5000/shop"}
	for _, r := range good {
		if err := CheckRepository(r); err != nil {
			t.Errorf("CheckRepository(%q) = %v", r, err)
		}
	}
	bad := map[string]string{
		"":     "no image repository: pass --publish REPOSITORY",
		"shop": `image repository "shop" names no registry: write docker.io/library/shop for Docker Hub, or host[:port]/path`,
	}
	for r, want := range bad {
		err := CheckRepository(r)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckRepository(%q) = %v, want %q", r, err, want)
		}
	}
}

// digest holds every status code as digits; none of them is a status.
const digest = "sha256:4014035025034295044010403502503429504401403502503429504abc"

// Engine error texts as buildkit and containerd print them.
var (
	connRefused = "failed to push 127.0.0.1:5000/shop:v1: failed to do request: Put \"http://127.0.0.1:5000/v2/shop/blobs/uploads/?digest=" + digest + "\": dial tcp 127.0.0.1:5000: connect: connection refused"
	unavailable = "failed to copy: unexpected status from PUT request to https://r.io/v2/shop/manifests/v1: 503 Service Unavailable"
	noReason    = "unexpected status from PUT request to https://r.io/v2/shop/blobs/" + digest + ": 502"
	putDenied   = "failed to push r.io/shop:v1: unexpected status from PUT request to https://r.io/v2/shop/manifests/v1: 401 Unauthorized"
	headDenied  = "unexpected status from HEAD request to https://r.io/v2/shop/blobs/" + digest + ": 403 Forbidden"
	tokenFailed = "failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://auth.r.io/token?scope=repository%3Ashop%3Apush: 401 Unauthorized"
	scope       = "failed to push r.io/shop:v1: server message: insufficient_scope: authorization failed"
	hubDenied   = "push access denied, repository does not exist or may require authorization: denied: requested access to the resource is denied"
	regCode     = "failed commit on ref \"manifest-" + digest + "\": unauthorized: authentication required"
	invalid     = "failed commit on ref \"layer-" + digest + "\": unexpected status: 400 Bad Request: manifest invalid"
)

func TestIsAuthError(t *testing.T) {
	for msg, want := range map[string]bool{
		putDenied: true, headDenied: true, tokenFailed: true, scope: true, hubDenied: true, regCode: true,
		"401 unauthorized": true, "unexpected status code 403": true,
		connRefused: false, unavailable: false, noReason: false, invalid: false,
		"blob size 401 does not match": false, "layer " + digest + " not found": false,
	} {
		if got := isAuthError(strings.ToLower(msg)); got != want {
			t.Errorf("isAuthError(%q) = %v, want %v", msg, got, want)
		}
	}
}

func TestIsTransient(t *testing.T) {
	for msg, want := range map[string]bool{
		connRefused: true, unavailable: true, noReason: true,
		"read tcp 10.0.0.1:4242->10.0.0.2:443: read: connection reset by peer":          true,
		"net/http: tls handshake timeout":                                               true,
		"unexpected status from GET request to https://r.io/v2/: 429 Too Many Requests": true,
		"toomanyrequests: you have reached your pull rate limit":                        true,
		"dial tcp: lookup r.io on 10.0.0.1:53: temporary failure in name resolution":    true,
		"put https://r.io/v2/x/blobs/uploads/: unexpected eof":                          true,
		invalid: false, putDenied: false, "layer " + digest + " not found": false,
		"manifest " + digest + " has 503 layers": false,
	} {
		if got := isTransient(strings.ToLower(msg)); got != want {
			t.Errorf("isTransient(%q) = %v, want %v", msg, got, want)
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
		{"transient with status digits in a digest is retried", []error{errors.New(connRefused), nil}, 2, false},
		{"503 with a digest is retried", []error{errors.New(noReason), errors.New(unavailable), nil}, 3, false},
		{"auth is final", []error{errors.New("401 Unauthorized")}, 1, true},
		{"auth with a digest is final", []error{errors.New(headDenied)}, 1, true},
		{"insufficient scope is final", []error{errors.New(scope)}, 1, true},
		{"unknown is final", []error{errors.New("manifest invalid")}, 1, true},
		{"unknown with a digest is final", []error{errors.New(invalid)}, 1, true},
		{"transient exhausts", []error{errors.New(unavailable), errors.New(unavailable), errors.New(unavailable)}, 3, true},
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
	for _, msg := range []string{"failed to push: 401 Unauthorized", putDenied, scope, hubDenied} {
		if auth := publishError("r.io/a:v1", errors.New(msg)); !errors.Is(auth, ErrRegistryAuth) {
			t.Errorf("auth error not classified: %v", auth)
		}
	}
	down := publishError("127.0.0.1:5999/a:v1", errors.New("dial tcp 127.0.0.1:5999: connection refused"))
	if !strings.Contains(down.Error(), "registry 127.0.0.1:5999 unreachable") {
		t.Errorf("unreachable error = %v", down)
	}
	refused := publishError("127.0.0.1:5000/shop:v1", errors.New(connRefused))
	if errors.Is(refused, ErrRegistryAuth) || !strings.Contains(refused.Error(), "registry 127.0.0.1:5000 unreachable") {
		t.Errorf("a refused connection whose digest holds 401 and 403 = %v, want unreachable", refused)
	}
	other := publishError("r.io/a:v1", errors.New(invalid))
	if errors.Is(other, ErrRegistryAuth) || strings.Contains(other.Error(), "unreachable") {
		t.Errorf("manifest invalid = %v, want neither auth nor unreachable", other)
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
