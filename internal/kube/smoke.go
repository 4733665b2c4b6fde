package kube

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/onepipe/onepipe/internal/config"
)

// Smoke defaults.
const (
	DefaultSmokeTimeout = 2 * time.Minute
	DefaultRetryEvery   = time.Second
	maxAttemptTime      = 30 * time.Second
	maxSmokeBody        = 1 << 20
)

// SmokeResult is the outcome of one check.
type SmokeResult struct {
	Name     string
	Method   string
	Path     string // after {{.x}} expansion
	Status   int    // 0 when no answer came
	Attempts int
	Duration time.Duration
	Err      error // nil when the check passed
}

// String is one line for the log: "ok register: POST /api/users → 201 (12ms)".
func (r SmokeResult) String() string {
	state := "ok"
	if r.Err != nil {
		state = "FAIL"
	}
	s := fmt.Sprintf("%s %s: %s %s", state, r.Name, r.Method, r.Path)
	if r.Status != 0 {
		s += fmt.Sprintf(" → %d", r.Status)
	}
	return s + fmt.Sprintf(" (%s)", r.Duration.Round(time.Millisecond))
}

// Smoker runs smoke checks.
type Smoker struct {
	// Client makes the requests (default http.DefaultClient).
	Client *http.Client
	// Timeout bounds all the checks together (default 2m, or the context's
	// deadline when sooner).
	Timeout time.Duration
	// RetryEvery paces retries while the app is not reachable yet (default 1s).
	RetryEvery time.Duration
	// Vars are values checks can use before any capture; run defaults to
	// 8 random hex characters.
	Vars map[string]string
	// Host, when set, is sent as the Host header: the ingress host name
	// when the base URL is the load balancer's IP address.
	Host string
}

// RunSmoke runs checks in order against baseURL (e.g. http://10.0.0.5 or
// https://shop.example.com) with the defaults of Smoker. It stops at the first
// failing check: later checks may need what it would have captured.
func RunSmoke(ctx context.Context, baseURL string, checks []config.SmokeCheck, client *http.Client) ([]SmokeResult, error) {
	return (&Smoker{Client: client}).Run(ctx, baseURL, checks)
}

// Run runs checks in order against baseURL; see RunSmoke.
func (s *Smoker) Run(ctx context.Context, baseURL string, checks []config.SmokeCheck) ([]SmokeResult, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultSmokeTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	vars := map[string]string{}
	for k, v := range s.Vars {
		vars[k] = v
	}
	if vars["run"] == "" {
		vars["run"] = randomRun()
	}
	var secrets []string // captured values, hidden in messages
	var results []SmokeResult
	for i, c := range checks {
		res, captured, err := s.check(ctx, strings.TrimRight(baseURL, "/"), c, vars, secrets)
		res.Name = checkName(i, c)
		if err != nil {
			res.Err = fmt.Errorf("smoke check %s: %w", res.Name, err)
			results = append(results, res)
			return results, res.Err
		}
		for k, v := range captured {
			vars[k] = v
			if len(v) >= 4 {
				secrets = append(secrets, v)
			}
		}
		results = append(results, res)
	}
	return results, nil
}

func checkName(i int, c config.SmokeCheck) string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("#%d", i+1)
}

// check makes one check's request (retrying while the app is unreachable)
// and returns what it captured.
func (s *Smoker) check(ctx context.Context, base string, c config.SmokeCheck, vars map[string]string, secrets []string) (SmokeResult, map[string]string, error) {
	start := time.Now()
	res := SmokeResult{Method: strings.ToUpper(c.Method)}
	if res.Method == "" {
		res.Method = http.MethodGet
		if c.Body != "" {
			res.Method = http.MethodPost
		}
	}
	var err error
	if res.Path, err = Expand("path", c.Path, vars); err != nil {
		return res, nil, err
	}
	body, err := Expand("body", c.Body, vars)
	if err != nil {
		return res, nil, err
	}
	header := http.Header{}
	keys := make([]string, 0, len(c.Headers))
	for k := range c.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := Expand("headers."+k, c.Headers[k], vars)
		if err != nil {
			return res, nil, err
		}
		header.Set(k, v)
	}
	if body != "" && header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	header.Set("Accept", "application/json, */*")

	status, got, err := s.do(ctx, res.Method, base+res.Path, header, body, &res.Attempts)
	res.Status, res.Duration = status, time.Since(start)
	if err != nil {
		return res, nil, fmt.Errorf("%s %s: %w", res.Method, res.Path, err)
	}
	want := c.Status
	if want == 0 {
		want = http.StatusOK
	}
	if status != want {
		return res, nil, fmt.Errorf("%s %s: got status %d, want %d: %s", res.Method, res.Path, status, want, excerpt(got, secrets))
	}
	if c.Contains != "" {
		sub, err := Expand("contains", c.Contains, vars)
		if err != nil {
			return res, nil, err
		}
		if !bytes.Contains(got, []byte(sub)) {
			return res, nil, fmt.Errorf("%s %s: the response does not contain %q: %s", res.Method, res.Path, sub, excerpt(got, secrets))
		}
	}
	if len(c.Capture) == 0 {
		return res, nil, nil
	}
	captured, err := Capture(got, c.Capture)
	if err != nil {
		return res, nil, fmt.Errorf("%s %s: %w", res.Method, res.Path, err)
	}
	return res, captured, nil
}

// do sends the request, again every RetryEvery while the app cannot be
// reached (connection refused, or 502/503/504 for GET, HEAD and OPTIONS).
func (s *Smoker) do(ctx context.Context, method, target string, header http.Header, body string, attempts *int) (int, []byte, error) {
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	every := s.RetryEvery
	if every <= 0 {
		every = DefaultRetryEvery
	}
	idempotent := method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
	var unreached error // the last "not listening yet" error
	for {
		*attempts++
		status, got, err := s.once(ctx, client, method, target, header, body)
		if err != nil && ctx.Err() != nil && unreached != nil {
			return 0, nil, fmt.Errorf("app not reachable after %d attempts: %w", *attempts, unreached)
		}
		retry := false
		switch {
		case err != nil:
			retry = unreachable(err) || (idempotent && errors.Is(err, io.ErrUnexpectedEOF))
		case idempotent && (status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout):
			retry = true
		}
		if !retry {
			return status, got, err
		}
		if err != nil {
			unreached = err
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return 0, nil, fmt.Errorf("app not reachable after %d attempts: %w", *attempts, err)
			}
			return status, got, nil
		case <-time.After(every):
		}
	}
}

func (s *Smoker) once(ctx context.Context, client *http.Client, method, target string, header http.Header, body string) (int, []byte, error) {
	actx, cancel := context.WithTimeout(ctx, maxAttemptTime)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, target, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("bad request: %v", err)
	}
	req.Header = header.Clone()
	if s.Host != "" {
		req.Host = s.Host
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the prefix repeating method and URL
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("the smoke checks' time ran out: %w", err)
		}
		return 0, nil, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(io.LimitReader(resp.Body, maxSmokeBody))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("read response: %w", err)
	}
	return resp.StatusCode, got, nil
}

// unreachable reports errors that mean the app is not listening yet.
func unreachable(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func randomRun() string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return strconv.FormatInt(time.Now().UnixNano()%1e8, 16)
	}
	return hex.EncodeToString(b)
}
