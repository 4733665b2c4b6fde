package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// step is one request a fake server expects, in order, and its answer.
type step struct {
	method string
	path   string
	// query must equal the request's query exactly (nil: no query).
	query url.Values
	// auth must equal the Authorization header exactly ("" checks nothing).
	auth string
	// header lists other request headers that must be present with these values.
	header map[string]string
	// form must equal the urlencoded body; json must equal the JSON body
	// (compared as values); raw must equal the body bytes.
	form url.Values
	json string
	raw  []byte
	// answer
	status  int
	headers map[string]string
	body    string
}

// fake is a test server that checks each request against the next step.
type fake struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	steps []step
	n     int
}

func newFake(t *testing.T, steps ...step) *fake {
	t.Helper()
	f := &fake{t: t, steps: steps}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.srv.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.n != len(f.steps) {
			t.Errorf("server got %d requests, want %d", f.n, len(f.steps))
		}
	})
	return f
}

// newFakeTLS is newFake over https (a scm site: NewKudu speaks https).
func newFakeTLS(t *testing.T, steps ...step) *fake {
	t.Helper()
	f := &fake{t: t, steps: steps}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.srv.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.n != len(f.steps) {
			t.Errorf("server got %d requests, want %d", f.n, len(f.steps))
		}
	})
	return f
}

// Host is the server's host:port.
func (f *fake) Host() string {
	return strings.TrimPrefix(strings.TrimPrefix(f.srv.URL, "https://"), "http://")
}

func (f *fake) URL() string { return f.srv.URL }

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.t
	if f.n >= len(f.steps) {
		t.Errorf("unexpected request %d: %s %s", f.n+1, r.Method, r.URL)
		w.WriteHeader(599)
		return
	}
	s := f.steps[f.n]
	f.n++
	body, _ := io.ReadAll(r.Body)
	where := r.Method + " " + r.URL.Path
	if r.Method != s.method || r.URL.Path != s.path {
		t.Errorf("request %d: got %s, want %s %s", f.n, where, s.method, s.path)
	}
	q := r.URL.Query()
	if len(q) == 0 {
		q = nil
	}
	if !reflect.DeepEqual(q, s.query) {
		t.Errorf("%s: query %v, want %v", where, q, s.query)
	}
	if s.auth != "" && r.Header.Get("Authorization") != s.auth {
		t.Errorf("%s: Authorization %q, want %q", where, r.Header.Get("Authorization"), s.auth)
	}
	for k, v := range s.header {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s: header %s = %q, want %q", where, k, got, v)
		}
	}
	switch {
	case s.form != nil:
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("%s: Content-Type %q, want a form", where, ct)
		}
		got, err := url.ParseQuery(string(body))
		if err != nil || !reflect.DeepEqual(got, s.form) {
			t.Errorf("%s: form %v, want %v", where, got, s.form)
		}
	case s.json != "":
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q, want application/json", where, ct)
		}
		var got, want any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("%s: body is not JSON: %v: %s", where, err, body)
		}
		if err := json.Unmarshal([]byte(s.json), &want); err != nil {
			t.Fatalf("bad test JSON: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: body\n %s\nwant\n %s", where, body, s.json)
		}
	case s.raw != nil:
		if string(body) != string(s.raw) {
			t.Errorf("%s: body of %d bytes, want the %d bytes sent", where, len(body), len(s.raw))
		}
	default:
		if len(body) != 0 {
			t.Errorf("%s: unexpected body %q", where, body)
		}
	}
	for k, v := range s.headers {
		w.Header().Set(k, strings.ReplaceAll(v, "{server}", f.srv.URL))
	}
	status := s.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, strings.ReplaceAll(s.body, "{server}", f.srv.URL))
}

// tokens is a TokenSource that hands out a fixed token and records scopes.
type tokens struct {
	token  string
	scopes []string
}

func (k *tokens) Token(_ context.Context, scope string) (string, error) {
	k.scopes = append(k.scopes, scope)
	return k.token, nil
}

func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// mustContain fails unless err's text holds every part.
func mustContain(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

// mustNotLeak fails when err's text holds any secret.
func mustNotLeak(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if err != nil && strings.Contains(err.Error(), s) {
			t.Errorf("error leaks a secret %q: %v", s, err)
		}
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
