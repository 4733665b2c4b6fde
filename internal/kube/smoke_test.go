package kube

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/onepipe/onepipe/internal/config"
)

// conduit is a fake of the Flask example's API: register, current user,
// articles, health.
type conduit struct {
	mu       sync.Mutex
	users    map[string]string // token → username
	articles []map[string]any
	requests []string
}

func newConduit() *conduit { return &conduit{users: map[string]string{}} }

func (c *conduit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests = append(c.requests, r.Method+" "+r.URL.Path)
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	user := c.users[strings.TrimPrefix(r.Header.Get("Authorization"), "Token ")]
	switch r.Method + " " + r.URL.Path {
	case "GET /api/health":
		reply(200, map[string]string{"status": "ok"})
	case "POST /api/users":
		var in struct {
			User struct{ Username, Email, Password string }
		}
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&in) != nil || in.User.Username == "" {
			reply(422, map[string]any{"errors": map[string]any{"body": []string{"invalid"}}})
			return
		}
		token := "jwt." + in.User.Username + ".sig"
		c.users[token] = in.User.Username
		reply(201, map[string]any{"user": map[string]any{"username": in.User.Username, "email": in.User.Email, "token": token}})
	case "GET /api/user":
		if user == "" {
			reply(401, map[string]any{"errors": map[string]any{"token": []string{"missing"}}})
			return
		}
		reply(200, map[string]any{"user": map[string]any{"username": user}})
	case "POST /api/articles":
		if user == "" {
			reply(401, map[string]any{})
			return
		}
		var in struct{ Article map[string]any }
		json.NewDecoder(r.Body).Decode(&in)
		a := in.Article
		a["slug"] = strings.ToLower(strings.ReplaceAll(a["title"].(string), " ", "-"))
		a["author"] = map[string]any{"username": user}
		c.articles = append([]map[string]any{a}, c.articles...)
		reply(201, map[string]any{"article": a})
	case "GET /api/articles":
		reply(200, map[string]any{"articles": c.articles, "articlesCount": len(c.articles)})
	default:
		reply(404, map[string]any{})
	}
}

// exampleChecks are the smoke checks of examples/flask/onepipe.yaml.
func exampleChecks(t *testing.T) []config.SmokeCheck {
	t.Helper()
	cfg, err := config.Load("../../examples/flask")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Deploy.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Deploy.Smoke) < 4 {
		t.Fatalf("examples/flask/onepipe.yaml has %d smoke checks", len(cfg.Deploy.Smoke))
	}
	return cfg.Deploy.Smoke
}

// TestSmokeFlaskExample runs the example's checks against the fake:
// register → token → create → list.
func TestSmokeFlaskExample(t *testing.T) {
	fake := newConduit()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	s := &Smoker{Client: srv.Client(), Vars: map[string]string{"run": "r42"}}
	results, err := s.Run(context.Background(), srv.URL+"/", exampleChecks(t))
	if err != nil {
		t.Fatalf("%v\n%v", err, results)
	}
	var got []string
	for _, r := range results {
		got = append(got, r.Name+" "+r.Method+" "+r.Path+" "+http.StatusText(r.Status))
	}
	want := "health GET /api/health OK|register POST /api/users Created|current user GET /api/user OK|create article POST /api/articles Created|list articles GET /api/articles OK"
	if strings.Join(got, "|") != want {
		t.Errorf("results:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
	if len(fake.articles) != 1 || fake.articles[0]["title"] != "Smoke test r42" || fake.users["jwt.smoke-r42.sig"] != "smoke-r42" {
		t.Errorf("fake state: users %v articles %v", fake.users, fake.articles)
	}
	if !strings.HasPrefix(results[1].String(), "ok register: POST /api/users → 201 (") {
		t.Errorf("String() = %q", results[1].String())
	}
}

func TestSmokeRunIsUnique(t *testing.T) {
	srv := httptest.NewServer(newConduit())
	defer srv.Close()
	checks := exampleChecks(t)[:2]
	// Two runs register two users: without a unique run the second would collide.
	a, err := RunSmoke(context.Background(), srv.URL, checks, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	b, err := RunSmoke(context.Background(), srv.URL, checks, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if a[1].Path != "/api/users" || b[1].Path != "/api/users" {
		t.Fatalf("paths %q %q", a[1].Path, b[1].Path)
	}
}

func TestSmokeFailures(t *testing.T) {
	srv := httptest.NewServer(newConduit())
	defer srv.Close()
	register := config.SmokeCheck{Name: "register", Method: "POST", Path: "/api/users", Status: 201,
		Body: `{"user":{"username":"u{{.run}}","email":"e","password":"p"}}`, Capture: map[string]string{"token": "user.token"}}
	tests := []struct {
		name   string
		checks []config.SmokeCheck
		want   string
		ran    int
	}{
		{"status", []config.SmokeCheck{{Path: "/nope"}},
			`smoke check #1: GET /nope: got status 404, want 200: {}`, 1},
		{"contains", []config.SmokeCheck{{Name: "health", Path: "/api/health", Contains: "healthy"}},
			`smoke check health: GET /api/health: the response does not contain "healthy": {"status":"ok"}`, 1},
		{"captured values are hidden", []config.SmokeCheck{register, {Name: "me", Path: "/api/user", Headers: map[string]string{"Authorization": "Token {{.token}}"}, Contains: "nobody"}},
			`smoke check me: GET /api/user: the response does not contain "nobody": {"user":{"username":"u7"}}`, 2},
		{"captured values are hidden in bodies", []config.SmokeCheck{register, {Name: "again", Method: "POST", Path: "/api/users", Body: `{"user":{"username":"{{.token}}"}}`, Status: 422}},
			`smoke check again: POST /api/users: got status 201, want 422: {"user":{"email":"","token":"jwt.[captured].sig","username":"[captured]"}}`, 2},
		{"missing value", []config.SmokeCheck{{Name: "me", Path: "/api/user", Headers: map[string]string{"Authorization": "Token {{.token}}"}}},
			`smoke check me: headers.Authorization: {{.token}} has no value (known values: run; capture others in an earlier check)`, 1},
		{"capture missing field", []config.SmokeCheck{{Name: "h", Path: "/api/health", Capture: map[string]string{"t": "user.token"}}},
			`smoke check h: GET /api/health: capture t (user.token): the response has no user`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Smoker{Client: srv.Client(), Vars: map[string]string{"run": "7"}}
			results, err := s.Run(context.Background(), srv.URL, tt.checks)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n got %v\nwant %s", err, tt.want)
			}
			if len(results) != tt.ran || !errors.Is(results[len(results)-1].Err, err) {
				t.Errorf("results: %v", results)
			}
		})
	}
}

// refusing fails the first n dials like a pod that is not listening yet.
type refusing struct {
	mu sync.Mutex
	n  int
	rt http.RoundTripper
}

func (r *refusing) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n > 0 {
		r.n--
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "x"}}
	}
	return r.rt.RoundTrip(req)
}

func TestSmokeRetriesUntilReachable(t *testing.T) {
	fake := newConduit()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	rt := &refusing{n: 3, rt: srv.Client().Transport}
	s := &Smoker{Client: &http.Client{Transport: rt}, RetryEvery: time.Millisecond}
	results, err := s.Run(context.Background(), srv.URL, []config.SmokeCheck{{Method: "POST", Path: "/api/users", Body: `{"user":{"username":"a"}}`, Status: 201}})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Attempts != 4 || len(fake.requests) != 1 {
		t.Errorf("attempts %d, requests %v", results[0].Attempts, fake.requests)
	}
}

func TestSmokeGivesUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	s := &Smoker{Timeout: 50 * time.Millisecond, RetryEvery: 5 * time.Millisecond}
	results, err := s.Run(context.Background(), "http://"+addr, []config.SmokeCheck{{Name: "health", Path: "/api/health"}})
	if err == nil || !strings.HasPrefix(err.Error(), "smoke check health: GET /api/health: app not reachable after ") {
		t.Fatalf("error: %v", err)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) || results[0].Attempts < 2 {
		t.Errorf("error %v after %d attempts", err, results[0].Attempts)
	}
}

func TestSmoke503RetriedForGetOnly(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls[r.Method]++
		if calls[r.Method] < 3 {
			w.WriteHeader(503)
			return
		}
		w.Write([]byte("ready"))
	}))
	defer srv.Close()
	s := &Smoker{Client: srv.Client(), RetryEvery: time.Millisecond}
	if _, err := s.Run(context.Background(), srv.URL, []config.SmokeCheck{{Path: "/", Contains: "ready"}}); err != nil {
		t.Errorf("GET: %v", err)
	}
	_, err := s.Run(context.Background(), srv.URL, []config.SmokeCheck{{Path: "/", Body: "{}"}})
	if err == nil || err.Error() != "smoke check #1: POST /: got status 503, want 200: (empty body)" {
		t.Errorf("POST: %v", err)
	}
	if calls["GET"] != 3 || calls["POST"] != 1 {
		t.Errorf("calls: %v", calls)
	}
}

func TestCapture(t *testing.T) {
	body := []byte(`{"user":{"token":"t1","id":12345678901234567890,"admin":false,"bio":null},"articles":[{"slug":"a"},{"slug":"b","tags":["x"]}]}`)
	tests := []struct {
		path, want, err string
	}{
		{"user.token", "t1", ""},
		{"user.id", "12345678901234567890", ""},
		{"user.admin", "false", ""},
		{"articles.1.slug", "b", ""},
		{"articles.1", `{"slug":"b","tags":["x"]}`, ""},
		{"articles.1.tags", `["x"]`, ""},
		{"user.bio", "", "capture v (user.bio): the response's user.bio is null"},
		{"user.name", "", "capture v (user.name): the response has no user.name"},
		{"articles.2.slug", "", "capture v (articles.2.slug): articles.2: the array has 2 items; index it with 0..1"},
		{"articles.x", "", "capture v (articles.x): articles.x: the array has 2 items; index it with 0..1"},
		{"user.token.x", "", "capture v (user.token.x): the response has no user.token.x: user.token is not an object or array"},
		{"user..token", "", `capture v: path "user..token" has an empty segment: write fields as a.b.c`},
	}
	for _, tt := range tests {
		got, err := Capture(body, map[string]string{"v": tt.path})
		if errString(err) != tt.err || got["v"] != tt.want {
			t.Errorf("Capture(%q) = %q, %v; want %q, %q", tt.path, got["v"], err, tt.want, tt.err)
		}
	}
	if _, err := Capture([]byte("<html>"), map[string]string{"v": "a"}); err == nil || !strings.HasPrefix(err.Error(), "capture: the response is not JSON") {
		t.Errorf("not JSON: %v", err)
	}
}

// TestSmokeSendsIngressHost: against a load balancer's IP the checks carry
// the ingress host name, which is what routes them to the app.
func TestSmokeSendsIngressHost(t *testing.T) {
	var hosts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hosts = append(hosts, r.Host)
		if r.Host != "shop.example.com" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"status": "ok"}`))
	}))
	defer srv.Close()
	checks := []config.SmokeCheck{{Name: "health", Path: "/api/health", Contains: "ok"}}
	if _, err := (&Smoker{Host: "shop.example.com"}).Run(context.Background(), srv.URL, checks); err != nil {
		t.Fatalf("with Host: %v", err)
	}
	if _, err := (&Smoker{}).Run(context.Background(), srv.URL, checks); err == nil || !strings.Contains(err.Error(), "got status 404") {
		t.Fatalf("without Host: %v, want a 404 failure", err)
	}
	if hosts[0] != "shop.example.com" {
		t.Errorf("Host header = %q", hosts[0])
	}
}
