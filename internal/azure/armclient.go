package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/onepipe/onepipe/internal/arm"
)

// ARM is the one Azure Resource Manager client of this package: the Function
// App calls (Microsoft.Web/sites, its methods in arm.go) and the AKS calls
// (see AKS) go through it.
type ARM struct {
	// BaseURL is the ARM endpoint (arm.Endpoint if empty).
	BaseURL string
	// Tokens gives arm.Scope tokens, typically a *Credential.
	Tokens arm.TokenSource
	// HTTP is the client requests go through (http.DefaultClient if nil).
	HTTP *http.Client
	// APIVersion overrides WebAPIVersion in the Function App calls.
	APIVersion string
}

// armCall is one request to Azure Resource Manager.
type armCall struct {
	method string
	// path is the resource's path below the endpoint, e.g. /subscriptions/….
	path string
	// apiVersion is the api-version query parameter; query holds the others.
	apiVersion string
	query      url.Values
	// body is sent as JSON (nil sends none).
	body any
	// ok lists the accepted statuses (empty: any 2xx).
	ok []int
	// tries is arm.Request.Tries: 0 tries a GET again on a transient
	// answer, 1 sends once.
	tries int
	// secrets must stay out of errors, besides the token.
	secrets []string
}

// send gets a token and sends r; see arm.Send for the answer and errors.
func (c *ARM) send(ctx context.Context, r armCall) (*arm.Response, error) {
	if c.Tokens == nil {
		return nil, fmt.Errorf("%s: no credentials: set azure.clientId and azure.clientSecret or azure.federatedToken", arm.Service)
	}
	token, err := c.Tokens.Token(ctx, arm.Scope)
	if err != nil {
		return nil, fmt.Errorf("%s token: %w", arm.Service, err)
	}
	var data []byte
	ct := ""
	if r.body != nil {
		if data, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("encode %s %s: %w", r.method, r.path, err)
		}
		ct = "application/json"
	}
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = arm.Endpoint
	}
	q := url.Values{}
	for k, vs := range r.query {
		q[k] = vs
	}
	q.Set("api-version", r.apiVersion)
	return arm.Send(ctx, c.HTTP, arm.Request{
		Service: arm.Service, Method: r.method, URL: base + r.path + "?" + q.Encode(), Header: arm.Bearer(token),
		Body: data, ContentType: ct, Secrets: append(slices.Clip(r.secrets), token), OK: r.ok, Tries: r.tries,
	})
}

// call is send with the JSON answer, when there is one, decoded into out
// (nil ignores it).
func (c *ARM) call(ctx context.Context, r armCall, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	if out != nil && len(bytes.TrimSpace(resp.Body)) > 0 {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return fmt.Errorf("%s: %s %s: answer is not the expected JSON: %v", arm.Service, r.method, r.path, err)
		}
	}
	return nil
}
