// Package cloud makes sure the Kubernetes cluster of an environment exists:
// an AKS cluster through the Azure Resource Manager REST API, or a kops
// cluster on GCE through the kops CLI (as argv slices the cluster stage runs
// in a container). Both can describe what they would do, for onepipe plan.
package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/onepipe/onepipe/internal/arm"
)

// TokenSource hands out bearer tokens for a scope (an OAuth 2.0 client of
// Microsoft Entra ID, for instance).
type TokenSource = arm.TokenSource

// Azure Resource Manager endpoint, token scope and API versions.
const (
	ARMEndpoint = arm.Endpoint
	ARMScope    = arm.Scope
	// AKSAPIVersion is the Microsoft.ContainerService API version (stable).
	AKSAPIVersion = "2025-10-01"
	// ResourceGroupAPIVersion is the Microsoft.Resources API version.
	ResourceGroupAPIVersion = "2021-04-01"
)

// APIError is an Azure Resource Manager answer with an unexpected status. It
// holds the request without its query string and ARM's error code and
// message, never a header or a secret.
type APIError = arm.APIError

// StatusOf returns the HTTP status of an *APIError in err's chain, or 0.
func StatusOf(err error) int { return arm.StatusOf(err) }

// armClient is a minimal ARM client.
type armClient struct {
	endpoint string
	tokens   TokenSource
	hc       *http.Client
}

// call sends one request with a JSON body (nil for none) and decodes the
// JSON answer into out (nil to ignore it). Statuses outside ok are an
// *APIError. Nothing is retried here: wait polls again on a transient
// answer.
func (c armClient) call(ctx context.Context, method, path, apiVersion string, body, out any, ok ...int) error {
	token, err := c.tokens.Token(ctx, ARMScope)
	if err != nil {
		return fmt.Errorf("Azure Resource Manager token: %w", err)
	}
	var data []byte
	ct := ""
	if body != nil {
		if data, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		ct = "application/json"
	}
	u := strings.TrimRight(c.endpoint, "/") + path
	resp, err := arm.Send(ctx, c.hc, arm.Request{
		Service: arm.Service, Method: method, URL: u + "?api-version=" + apiVersion,
		Header: arm.Bearer(token), Body: data, ContentType: ct, Secrets: []string{token}, OK: ok, Tries: 1,
	})
	if err != nil {
		return err
	}
	if out != nil && len(bytes.TrimSpace(resp.Body)) > 0 {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return fmt.Errorf("Azure Resource Manager: %s %s: answer is not the expected JSON: %v", method, u, err)
		}
	}
	return nil
}
