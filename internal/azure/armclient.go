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
	// answer and a write (PUT, PATCH, POST) on 429 or 503 (see
	// WriteTries), 1 sends once.
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
	tries, retryOn := r.tries, []int(nil)
	if tries == 0 && r.method != http.MethodGet {
		tries, retryOn = WriteTries, writeRetryOn
	}
	return arm.Send(ctx, c.HTTP, arm.Request{
		Service: arm.Service, Method: r.method, URL: base + r.path + "?" + q.Encode(), Header: arm.Bearer(token),
		Body: data, ContentType: ct, Secrets: append(slices.Clip(r.secrets), token), OK: r.ok, Tries: tries, RetryOn: retryOn,
	})
}

// WriteTries is how often a write to Azure Resource Manager is tried in
// all while ARM answers 429 (throttled) or 503 (unavailable), each time
// after the Retry-After the answer gives. Those answers mean the request
// was not carried out, and every write onepipe sends is safe to repeat: a
// PUT or PATCH of a whole document (app settings, site config, resource
// group, managed cluster: idempotent by the ARM RPC, Azure/azure-resource-manager-rpc
// v1.0/resource-api-reference.md), or a POST that lists (appsettings/list,
// listClusterUserCredential), restarts or syncs triggers.
const WriteTries = 4

var writeRetryOn = []int{http.StatusTooManyRequests, http.StatusServiceUnavailable}

// getURL GETs an absolute URL ARM handed out (an Azure-AsyncOperation or
// Location header) with the token, once, and decodes the JSON answer into
// out. The URL must be on the Resource Manager host.
func (c *ARM) getURL(ctx context.Context, raw string, out any) (*arm.Response, error) {
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = arm.Endpoint
	}
	b, err1 := url.Parse(base)
	u, err2 := url.Parse(raw)
	if err1 != nil || err2 != nil || !strings.EqualFold(u.Host, b.Host) || u.Scheme != b.Scheme {
		return nil, fmt.Errorf("%s: the operation URL %s is not on %s: not sending the token there", arm.Service, arm.CleanURL(raw), b.Host)
	}
	if c.Tokens == nil {
		return nil, fmt.Errorf("%s: no credentials: set azure.clientId and azure.clientSecret or azure.federatedToken", arm.Service)
	}
	token, err := c.Tokens.Token(ctx, arm.Scope)
	if err != nil {
		return nil, fmt.Errorf("%s token: %w", arm.Service, err)
	}
	resp, err := arm.Send(ctx, c.HTTP, arm.Request{Service: arm.Service, Method: http.MethodGet, URL: raw, Header: arm.Bearer(token),
		Secrets: []string{token}, OK: []int{http.StatusOK, http.StatusAccepted}, Tries: 1})
	if err != nil {
		return nil, err
	}
	if out != nil && len(bytes.TrimSpace(resp.Body)) > 0 {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return resp, fmt.Errorf("%s: GET %s: answer is not the expected JSON: %v", arm.Service, arm.CleanURL(raw), err)
		}
	}
	return resp, nil
}

// call is send with the JSON answer, when there is one, decoded into out
// (nil ignores it).
func (c *ARM) call(ctx context.Context, r armCall, out any) error {
	_, err := c.callResp(ctx, r, out)
	return err
}

// callResp is call that also returns the answer, for its headers.
func (c *ARM) callResp(ctx context.Context, r armCall, out any) (*arm.Response, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	if out != nil && len(bytes.TrimSpace(resp.Body)) > 0 {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return resp, fmt.Errorf("%s: %s %s: answer is not the expected JSON: %v", arm.Service, r.method, r.path, err)
		}
	}
	return resp, nil
}
