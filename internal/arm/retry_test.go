package arm

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

var retryNow = map[string]string{"Retry-After": "0"}

func TestSendRetriesTransientGET(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			s := newServer(t,
				answer{status: status, header: retryNow, body: `{"error":{"code":"Busy","message":"try later"}}`},
				answer{status: status, header: retryNow},
				answer{status: http.StatusOK, body: `{"ok":true}`},
			)
			resp, err := Send(context.Background(), s.Client(), Request{Service: Service, Method: http.MethodGet, URL: s.URL + "/x"})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != http.StatusOK || string(resp.Body) != `{"ok":true}` {
				t.Errorf("answer %d %s", resp.Status, resp.Body)
			}
			if s.requests() != 3 {
				t.Errorf("%d requests, want 3", s.requests())
			}
		})
	}
}

func TestSendGivesUpAfterTries(t *testing.T) {
	s := newServer(t, answer{status: http.StatusBadGateway, header: retryNow, body: "upstream down"})
	_, err := Send(context.Background(), s.Client(), Request{Service: "svc", Method: http.MethodGet, URL: s.URL + "/x"})
	if StatusOf(err) != http.StatusBadGateway || s.requests() != GetTries {
		t.Errorf("err %v after %d requests, want a 502 *APIError after %d", err, s.requests(), GetTries)
	}
	if want := "svc: GET " + s.URL + "/x: 502 Bad Gateway: upstream down"; err.Error() != want {
		t.Errorf("error\n got %s\nwant %s", err, want)
	}
}

func TestSendDoesNotRetry(t *testing.T) {
	type call struct {
		method        string
		tries, status int
	}
	for name, c := range map[string]call{
		"400 GET":              {http.MethodGet, 0, http.StatusBadRequest},
		"404 GET":              {http.MethodGet, 0, http.StatusNotFound},
		"503 PUT":              {http.MethodPut, 0, http.StatusServiceUnavailable},
		"429 POST":             {http.MethodPost, 0, http.StatusTooManyRequests},
		"503 GET with Tries 1": {http.MethodGet, 1, http.StatusServiceUnavailable},
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, answer{status: c.status, header: retryNow}, answer{status: http.StatusOK})
			_, err := Send(context.Background(), s.Client(), Request{Service: "svc", Method: c.method, URL: s.URL, Tries: c.tries})
			if StatusOf(err) != c.status {
				t.Errorf("err %v, want an *APIError with status %d", err, c.status)
			}
			if s.requests() != 1 {
				t.Errorf("%d requests, want 1", s.requests())
			}
		})
	}
}

func TestSendTriesOtherMethodsWhenAsked(t *testing.T) {
	s := newServer(t, answer{status: http.StatusServiceUnavailable, header: retryNow}, answer{status: http.StatusCreated})
	resp, err := Send(context.Background(), s.Client(), Request{Service: "svc", Method: http.MethodPut, URL: s.URL, Tries: 2, OK: []int{http.StatusCreated}})
	if err != nil || resp.Status != http.StatusCreated || s.requests() != 2 {
		t.Errorf("answer %v, err %v, %d requests; want 201 after 2", resp, err, s.requests())
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	// The server asks for a 30s pause; cancelling must end it at once with
	// the last answer.
	s := newServer(t, answer{status: http.StatusServiceUnavailable, header: map[string]string{"Retry-After": "30"}, body: `{"error":{"code":"ServerBusy"}}`})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := Send(ctx, s.Client(), Request{Service: "svc", Method: http.MethodGet, URL: s.URL})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %s after the cancel", d)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || ae.Code != "ServerBusy" {
		t.Errorf("err %v, want the 503 *APIError", err)
	}
	if s.requests() != 1 {
		t.Errorf("%d requests, want 1", s.requests())
	}
}

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("Sleep on a cancelled context: %v after %s", err, time.Since(start))
	}
	if err := Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(0) on a cancelled context: %v", err)
	}
}

func TestTransient(t *testing.T) {
	for status, want := range map[int]bool{429: true, 500: true, 502: true, 503: true, 504: true, 200: false, 400: false, 401: false, 404: false, 409: false, 501: false} {
		if Transient(status) != want {
			t.Errorf("Transient(%d) = %v", status, !want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, time.October, 21, 7, 27, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		wait   time.Duration
		ok     bool
	}{
		{"none", nil, 0, false},
		{"seconds", map[string]string{"Retry-After": "5"}, 5 * time.Second, true},
		{"zero", map[string]string{"Retry-After": "0"}, 0, true},
		{"long", map[string]string{"Retry-After": "3600"}, time.Hour, true},
		{"HTTP date", map[string]string{"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, time.Minute, true},
		{"RFC 850 date", map[string]string{"Retry-After": "Wednesday, 21-Oct-26 07:27:30 GMT"}, 30 * time.Second, true},
		{"date passed", map[string]string{"Retry-After": "Wed, 21 Oct 2026 07:00:00 GMT"}, 0, true},
		{"Retry-After-Ms", map[string]string{"Retry-After-Ms": "1500"}, 1500 * time.Millisecond, true},
		{"x-ms-retry-after-ms", map[string]string{"x-ms-retry-after-ms": "250"}, 250 * time.Millisecond, true},
		{"milliseconds win", map[string]string{"x-ms-retry-after-ms": "250", "Retry-After": "1"}, 250 * time.Millisecond, true},
		{"bad milliseconds, seconds", map[string]string{"Retry-After-Ms": "soon", "Retry-After": "2"}, 2 * time.Second, true},
		{"negative", map[string]string{"Retry-After": "-1"}, 0, false},
		{"garbage", map[string]string{"Retry-After": "tomorrow"}, 0, false},
		{"huge", map[string]string{"Retry-After": "99999999999999999"}, math.MaxInt64, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			wait, ok := RetryAfter(h, now)
			if wait != tt.wait || ok != tt.ok {
				t.Errorf("RetryAfter(%v) = %s, %v; want %s, %v", tt.header, wait, ok, tt.wait, tt.ok)
			}
		})
	}
}

func TestSendWaitsAsAsked(t *testing.T) {
	date := time.Date(2026, time.October, 21, 7, 28, 0, 0, time.UTC)
	defer func(old func() time.Time) { now = old }(now)
	now = func() time.Time { return date.Add(-150 * time.Millisecond) } // a fake clock for the date form
	for name, header := range map[string]map[string]string{
		"Retry-After-Ms":      {"Retry-After-Ms": "150"},
		"x-ms-retry-after-ms": {"x-ms-retry-after-ms": "150", "Retry-After": "1"},
		"HTTP date":           {"Retry-After": date.Format(http.TimeFormat)},
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, answer{status: http.StatusTooManyRequests, header: header}, answer{status: http.StatusOK})
			start := time.Now()
			_, err := Send(context.Background(), s.Client(), Request{Service: "svc", Method: http.MethodGet, URL: s.URL})
			took := time.Since(start)
			if err != nil || s.requests() != 2 {
				t.Fatalf("err %v after %d requests, want success after 2", err, s.requests())
			}
			if took < 150*time.Millisecond || took > 900*time.Millisecond {
				t.Errorf("Send took %s, want the 150ms asked for", took)
			}
		})
	}
}

func TestSendStopsWhenTheWaitPassesTheDeadline(t *testing.T) {
	for name, header := range map[string]map[string]string{
		"seconds":             {"Retry-After": "3600"},
		"HTTP date":           {"Retry-After": time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat)},
		"x-ms-retry-after-ms": {"x-ms-retry-after-ms": "60000"},
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, answer{status: http.StatusTooManyRequests, header: header, body: `{"error":{"code":"TooManyRequests","message":"slow down"}}`})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			_, err := Send(ctx, s.Client(), Request{Service: "svc", Method: http.MethodGet, URL: s.URL + "/x"})
			if took := time.Since(start); took > time.Second {
				t.Errorf("Send took %s: it slept towards the deadline", took)
			}
			if StatusOf(err) != http.StatusTooManyRequests || s.requests() != 1 {
				t.Fatalf("err %v after %d requests, want the 429 *APIError after 1", err, s.requests())
			}
			want := "svc: GET " + s.URL + "/x: 429 Too Many Requests: TooManyRequests: slow down: the service asks to be tried again in "
			if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "s are left before the deadline: try again later or allow more time") {
				t.Errorf("error\n got %s\nwant %s…", err, want)
			}
		})
	}
}

func TestSendDefaultBackoffPastTheDeadline(t *testing.T) {
	s := newServer(t, answer{status: http.StatusServiceUnavailable})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Send(ctx, s.Client(), Request{Service: "svc", Method: http.MethodGet, URL: s.URL})
	if took := time.Since(start); took > 250*time.Millisecond {
		t.Errorf("Send took %s", took)
	}
	if StatusOf(err) != http.StatusServiceUnavailable || strings.Contains(err.Error(), "deadline") {
		t.Errorf("err %v, want the plain 503 *APIError", err)
	}
}
