// Package arm is the HTTP plumbing onepipe's Azure clients share: bearer
// tokens, one request with retries on transient answers, the error an
// unexpected answer becomes, and keeping secrets out of that error. It
// serves internal/azure's Azure Resource Manager client (Function Apps and
// AKS clusters) and the other Azure services internal/azure calls
// (Microsoft Entra ID, Kudu, Azure DevOps), whose error bodies it reads too.
//
// It uses net/http alone. An error it returns never holds a request header,
// a query string or a value passed in Request.Secrets.
package arm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Azure Resource Manager in the public cloud.
const (
	// Endpoint is the Azure Resource Manager endpoint.
	Endpoint = "https://management.azure.com"
	// Scope is the token scope of Azure Resource Manager (Kudu, an app's
	// scm site, accepts its tokens too).
	Scope = "https://management.azure.com/.default"
	// Service is how errors name Azure Resource Manager.
	Service = "Azure Resource Manager"
)

// GetTries is how often a GET is tried in all when its answer is transient
// (see Transient) or it fails in transport, unless Request.Tries says
// otherwise. Other methods are tried once: only GET is safe to repeat.
const GetTries = 3

// maxBody bounds how much of an answer is read.
const maxBody = 4 << 20

// maxMessage bounds the service message an *APIError carries, in bytes.
const maxMessage = 400

// TokenSource hands out bearer tokens for a scope (an OAuth 2.0 client of
// Microsoft Entra ID, for instance).
type TokenSource interface {
	Token(ctx context.Context, scope string) (string, error)
}

// APIError is an answer outside the expected statuses. Its text names the
// service, the request (without its query string) and the service's own
// code and message; it never holds a request header or a secret.
type APIError struct {
	// Service names the service, e.g. Service.
	Service string
	// Method is the request's HTTP method.
	Method string
	// URL is the request URL without its query string or user info.
	URL string
	// Status is the answer's HTTP status.
	Status int
	// Code is the service's error code (ARM error.code, Entra error,
	// Azure DevOps typeKey), when it sent one.
	Code string
	// Message is the service's error message on one line.
	Message string
}

// Error is one line: service, request, status, code and message.
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

// StatusOf returns the HTTP status of an *APIError in err's chain, or 0.
func StatusOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// Request is one HTTP request for Send.
type Request struct {
	// Service names the service in errors.
	Service string
	// Method is the HTTP method.
	Method string
	// URL is the full request URL, query string included.
	URL string
	// Header holds request headers (Accept defaults to application/json).
	Header http.Header
	// Body is the request body (nil for none).
	Body []byte
	// ContentType is the body's Content-Type ("" sets none).
	ContentType string
	// Secrets are values that must never appear in an error (the token,
	// a password in the body); values shorter than four bytes are ignored.
	Secrets []string
	// OK lists the accepted statuses; empty accepts any 2xx.
	OK []int
	// Tries is how often the request is tried in all on a transient answer
	// or a transport error; 0 means GetTries for a GET and 1 otherwise.
	Tries int
	// RetryOn lists the statuses tried again (empty: the Transient ones).
	// Writes use 429 and 503, the answers that say the request was not
	// carried out.
	RetryOn []int
}

// Response is an answer Send accepted.
type Response struct {
	// Status is the HTTP status.
	Status int
	// Header holds the answer's headers.
	Header http.Header
	// Body is the answer's body, at most 4 MiB of it.
	Body []byte
}

// SendOnce runs r once, whatever the answer's status; only a transport
// failure is an error.
func SendOnce(ctx context.Context, hc *http.Client, r Request) (*Response, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, failure(r, "", err)
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if r.ContentType != "" {
		req.Header.Set("Content-Type", r.ContentType)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		var uerr *url.Error // its text repeats the URL, query string included
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, failure(r, "", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, failure(r, "read answer: ", err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// failure is a transport error of r. It wraps err (so errors.Is finds
// context.DeadlineExceeded, say) unless err's text holds a secret.
func failure(r Request, what string, err error) error {
	prefix := fmt.Sprintf("%s: %s %s: %s", r.Service, r.Method, CleanURL(r.URL), what)
	if msg := Redact(err.Error(), r.Secrets...); msg != err.Error() {
		return errors.New(prefix + msg)
	}
	return fmt.Errorf("%s%w", prefix, err)
}

// accept returns resp when its status is accepted, else an *APIError.
func accept(r Request, resp *Response) (*Response, error) {
	if len(r.OK) == 0 && resp.Status >= 200 && resp.Status < 300 {
		return resp, nil
	}
	for _, s := range r.OK {
		if resp.Status == s {
			return resp, nil
		}
	}
	code, msg := ErrorText(resp, r.Secrets...)
	return nil, &APIError{Service: r.Service, Method: r.Method, URL: CleanURL(r.URL), Status: resp.Status, Code: code, Message: msg}
}

// ErrorText reads the service's error code and message from an answer, with
// every secret replaced by ***. It knows the error shapes of the Azure
// services onepipe calls: ARM {"error":{"code","message"}}, Entra
// {"error","error_description"}, Azure DevOps {"typeKey","message"} or its
// X-TFS-ServiceError header, App Service's and Kudu's {"Code","Message"},
// and plain text (not HTML). An ARM message is folded onto one line (ARM
// wraps long sentences); of the others only the first line is kept (Entra
// puts trace IDs on the next ones). The message is at most 400 bytes long.
func ErrorText(resp *Response, secrets ...string) (code, msg string) {
	var m map[string]json.RawMessage
	if json.Unmarshal(resp.Body, &m) == nil {
		var arm struct{ Code, Message string }
		var s string
		switch {
		case json.Unmarshal(m["error"], &arm) == nil && (arm.Code != "" || arm.Message != ""):
			code, msg = arm.Code, arm.Message
		case json.Unmarshal(m["error"], &s) == nil:
			code = s
			_ = json.Unmarshal(m["error_description"], &msg)
			msg = firstLine(msg)
		default: // Azure DevOps; App Service's own {"Code","Message"}; Kudu's {"Message"}
			if json.Unmarshal(m["typeKey"], &code) != nil || code == "" {
				_ = json.Unmarshal(m["Code"], &code)
			}
			if json.Unmarshal(m["message"], &msg) != nil || msg == "" {
				_ = json.Unmarshal(m["Message"], &msg)
			}
			msg = firstLine(msg)
		}
	} else if t := strings.TrimSpace(string(resp.Body)); t != "" && !strings.HasPrefix(t, "<") {
		msg = firstLine(t)
	}
	if msg == "" {
		if h := resp.Header.Get("X-TFS-ServiceError"); h != "" {
			if u, err := url.QueryUnescape(h); err == nil {
				h = u
			}
			msg = firstLine(h)
		}
	}
	return Redact(code, secrets...), OneLine(Redact(msg, secrets...), maxMessage)
}

// firstLine keeps what comes before the first line break of s.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// OneLine folds every run of white space in s, line breaks included, into
// one space and keeps at most n bytes of the result (whole UTF-8 characters),
// marking a cut with "…".
func OneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}

// CleanURL drops the query string, the fragment and the user info of raw: a
// URL in an error must not carry a key or token.
func CleanURL(raw string) string {
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

// Redact replaces every secret in s with ***. Secrets shorter than four
// bytes are left alone: replacing them would garble the text.
func Redact(s string, secrets ...string) string {
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "***")
		}
	}
	return s
}

// Bearer is an Authorization header with a bearer token.
func Bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}
