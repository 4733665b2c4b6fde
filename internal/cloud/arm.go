// Package cloud makes sure the Kubernetes cluster of an environment exists:
// an AKS cluster through the Azure Resource Manager REST API, or a kops
// cluster on GCE through the kops CLI (as argv slices the cluster stage runs
// in a container). Both can describe what they would do, for onepipe plan.
package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// TokenSource hands out bearer tokens for a scope (an OAuth 2.0 client of
// Microsoft Entra ID, for instance).
type TokenSource interface {
	Token(ctx context.Context, scope string) (string, error)
}

// Azure Resource Manager endpoint, token scope and API versions.
const (
	ARMEndpoint = "https://management.azure.com"
	ARMScope    = "https://management.azure.com/.default"
	// AKSAPIVersion is the Microsoft.ContainerService API version (stable).
	AKSAPIVersion = "2025-10-01"
	// ResourceGroupAPIVersion is the Microsoft.Resources API version.
	ResourceGroupAPIVersion = "2021-04-01"
)

// maxARMBody bounds how much of a response is read.
const maxARMBody = 4 << 20

// APIError is an Azure Resource Manager answer with an unexpected status. It
// holds the request without its query string and ARM's error code and
// message, never a header or a response body.
type APIError struct {
	Method, URL string
	Status      int
	Code        string
	Message     string
}

// Error is one line: service, request, status, ARM code and message.
func (e *APIError) Error() string {
	s := fmt.Sprintf("Azure Resource Manager: %s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
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

// arm is a minimal ARM client.
type arm struct {
	endpoint string
	tokens   TokenSource
	hc       *http.Client
}

// call sends one request with a JSON body (nil for none) and decodes the
// JSON answer into out (nil to ignore it). Statuses outside ok are an
// *APIError.
func (c arm) call(ctx context.Context, method, path, apiVersion string, body, out any, ok ...int) (int, error) {
	token, err := c.tokens.Token(ctx, ARMScope)
	if err != nil {
		return 0, fmt.Errorf("Azure Resource Manager token: %w", err)
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	u := strings.TrimRight(c.endpoint, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u+"?api-version="+apiVersion, rd)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, u, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.hc
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("Azure Resource Manager: %s %s: %w", method, u, unwrapURL(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxARMBody))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("Azure Resource Manager: %s %s: read answer: %w", method, u, err)
	}
	for _, s := range ok {
		if resp.StatusCode == s {
			if out != nil && len(bytes.TrimSpace(data)) > 0 {
				if err := json.Unmarshal(data, out); err != nil {
					return resp.StatusCode, fmt.Errorf("Azure Resource Manager: %s %s: answer is not the expected JSON: %v", method, u, err)
				}
			}
			return resp.StatusCode, nil
		}
	}
	ae := &APIError{Method: method, URL: u, Status: resp.StatusCode}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if json.Unmarshal(data, &e) == nil {
		ae.Code, ae.Message = e.Error.Code, oneLine(e.Error.Message, 300)
	}
	return resp.StatusCode, ae
}

func unwrapURL(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		return ue.Unwrap()
	}
	return err
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "..."
	}
	return s
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
