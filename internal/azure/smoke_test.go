package azure

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestSmokeWaitsForSuccess(t *testing.T) {
	const key = "function-key-value"
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/api/health" || r.Header.Get("x-functions-key") != key {
			t.Errorf("request %s %s key %q", r.Method, r.URL.Path, r.Header.Get("x-functions-key"))
		}
		if n.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	s := &Smoke{Interval: time.Millisecond, Key: PlainSecret(key)}
	status, err := s.Wait(context.Background(), srv.URL+"/api/health", time.Minute)
	if err != nil || status != http.StatusOK || n.Load() != 3 {
		t.Fatalf("status %d, err %v after %d tries", status, err, n.Load())
	}
}

func TestSmokeTimesOutWithLastAnswer(t *testing.T) {
	const key = "function-key-value"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("Function host is not running. key=" + r.Header.Get("x-functions-key")))
	}))
	defer srv.Close()
	s := &Smoke{Interval: time.Millisecond, Key: PlainSecret(key)}
	_, err := s.Wait(context.Background(), srv.URL+"/api/health?code="+key, 50*time.Millisecond)
	mustContain(t, err, "smoke test", "/api/health", "no 2xx answer in 50ms", "500 Internal Server Error", "Function host is not running")
	mustNotLeak(t, err, key)
}

func TestPollUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	err := Poll(context.Background(), url+"/api/health", 20*time.Millisecond)
	mustContain(t, err, "no 2xx answer in 20ms")
}
