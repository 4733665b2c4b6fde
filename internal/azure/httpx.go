package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Service names used in errors.
const (
	serviceEntra  = "Microsoft Entra ID"
	serviceARM    = "Azure Resource Manager"
	serviceKudu   = "Kudu"
	serviceDevOps = "Azure DevOps"
	serviceSmoke  = "smoke test"
)

// maxBody bounds how much of a response is read.
const maxBody = 4 << 20

// APIError is an answer outside the expected statuses. Its text names the
// service, the request (without its query string) and the service's own
// message; it never holds a request header or a secret.
type APIError struct {
	Service string
	Method  string
	// URL is the request URL without its query string.
	URL    string
	Status int
	// Code is the service's error code (ARM error.code, Entra error,
	// Azure DevOps typeKey), when it sent one.
	Code    string
	Message string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s: %s %s: %d %s", e.Service, e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		s += ": " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// call is one HTTP request.
type call struct {
	service     string
	method      string
	url         string
	header      http.Header
	body        []byte
	contentType string
	// secrets are values that must never appear in an error.
	secrets []string
	// ok lists the accepted statuses; empty accepts any 2xx.
	ok []int
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// getRetries is how often a GET is tried on a transient failure (429, 5xx,
// transport error). Nothing else is retried: only GET is safe to repeat.
const getRetries = 3

// send runs c and returns the response when its status is accepted.
func send(ctx context.Context, hc *http.Client, c call) (*response, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	tries := 1
	if c.method == http.MethodGet {
		tries = getRetries
	}
	for i := 1; ; i++ {
		resp, err := sendOnce(ctx, hc, c)
		last := i >= tries || ctx.Err() != nil
		switch {
		case err != nil && last:
			return nil, err
		case err == nil && (last || !transient(resp.status)):
			return accept(c, resp)
		}
		wait := time.Duration(i) * time.Second
		if resp != nil {
			if s, perr := strconv.Atoi(resp.header.Get("Retry-After")); perr == nil && s >= 0 && s <= 30 {
				wait = time.Duration(s) * time.Second
			}
		}
		if serr := sleep(ctx, wait); serr != nil {
			if err != nil {
				return nil, err
			}
			return accept(c, resp)
		}
	}
}

func transient(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func sendOnce(ctx context.Context, hc *http.Client, c call) (*response, error) {
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %s %s: %s", c.service, c.method, cleanURL(c.url), redact(err.Error(), c.secrets...))
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("%s: %s %s: %s", c.service, c.method, cleanURL(c.url), redact(err.Error(), c.secrets...))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("%s: %s %s: read answer: %s", c.service, c.method, cleanURL(c.url), redact(err.Error(), c.secrets...))
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// accept returns resp when its status is accepted, else an *APIError.
func accept(c call, resp *response) (*response, error) {
	if len(c.ok) == 0 && resp.status >= 200 && resp.status < 300 {
		return resp, nil
	}
	for _, s := range c.ok {
		if resp.status == s {
			return resp, nil
		}
	}
	code, msg := errorText(resp)
	return nil, &APIError{
		Service: c.service, Method: c.method, URL: cleanURL(c.url), Status: resp.status,
		Code: redact(code, c.secrets...), Message: redact(msg, c.secrets...),
	}
}

// errorText reads the error shapes of the services this package calls:
// ARM {"error":{"code","message"}}, Entra {"error","error_description"},
// Azure DevOps {"message","typeKey"} (or its X-TFS-ServiceError header),
// and plain text.
func errorText(resp *response) (code, msg string) {
	var m map[string]json.RawMessage
	if json.Unmarshal(resp.body, &m) == nil {
		var arm struct{ Code, Message string }
		var s string
		switch {
		case json.Unmarshal(m["error"], &arm) == nil && (arm.Code != "" || arm.Message != ""):
			code, msg = arm.Code, arm.Message
		case json.Unmarshal(m["error"], &s) == nil:
			code = s
			_ = json.Unmarshal(m["error_description"], &msg)
		default: // Azure DevOps; App Service's own {"Code","Message"}; Kudu's {"Message"}
			if json.Unmarshal(m["typeKey"], &code) != nil || code == "" {
				_ = json.Unmarshal(m["Code"], &code)
			}
			if json.Unmarshal(m["message"], &msg) != nil || msg == "" {
				_ = json.Unmarshal(m["Message"], &msg)
			}
		}
	} else if t := strings.TrimSpace(string(resp.body)); t != "" && !strings.HasPrefix(t, "<") {
		msg = t
	}
	if msg == "" {
		if h := resp.header.Get("X-TFS-ServiceError"); h != "" {
			if u, err := url.QueryUnescape(h); err == nil {
				h = u
			}
			msg = h
		}
	}
	return code, oneLine(msg, 400)
}

// oneLine keeps the first line of s, at most n bytes.
func oneLine(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// cleanURL drops the query string and user info: a URL in an error must not
// carry a key or token.
func cleanURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			return raw[:i]
		}
		return raw
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}

// decode unmarshals a JSON answer into v.
func decode(service string, resp *response, v any) error {
	if err := json.Unmarshal(resp.body, v); err != nil {
		return fmt.Errorf("%s: unexpected answer (%d, %d bytes): %v", service, resp.status, len(resp.body), err)
	}
	return nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// bearer is an Authorization header with a bearer token.
func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}
