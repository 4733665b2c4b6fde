package azure

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onepipe/onepipe/internal/arm"
)

// ScopeDevOps is the token scope of the Azure DevOps REST API (for a service
// principal added to the organization). Azure Resource Manager and Kudu take
// arm.Scope tokens.
const ScopeDevOps = "499b84ac-1321-427f-aa17-267ca6975798/.default"

// DefaultLoginURL is the Microsoft Entra ID authority of the public cloud.
const DefaultLoginURL = "https://login.microsoftonline.com"

// Credential is a service principal that gets tokens with the OAuth 2.0
// client credentials grant of the Microsoft identity platform: with a client
// secret, or with a federated token issued by the CI (client assertion).
// Tokens are cached per scope until five minutes before they expire.
type Credential struct {
	// LoginURL is the authority host (DefaultLoginURL if empty).
	LoginURL string
	// TenantID is the directory (tenant) ID or domain.
	TenantID string
	// ClientID is the application (client) ID.
	ClientID string
	// ClientSecret is the client secret; FederatedToken is used when it is nil.
	ClientSecret Secret
	// FederatedToken is the CI's OIDC token; it is read again for every
	// token request, since CIs rotate it.
	FederatedToken Secret
	// HTTP is the client requests go through (http.DefaultClient if nil).
	HTTP *http.Client
	// Now is the clock (time.Now if nil).
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]cachedToken
}

type cachedToken struct {
	token   string
	expires time.Time
}

// Client assertion type of a federated (JWT) credential.
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

var tenantPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,254}$`)

// Token returns a bearer token for scope, from the cache when still valid.
func (c *Credential) Token(ctx context.Context, scope string) (string, error) {
	now := c.now()
	c.mu.Lock()
	if t, ok := c.cache[scope]; ok && now.Before(t.expires) {
		c.mu.Unlock()
		return t.token, nil
	}
	c.mu.Unlock()
	tok, life, err := c.request(ctx, scope)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cache == nil {
		c.cache = map[string]cachedToken{}
	}
	c.cache[scope] = cachedToken{token: tok, expires: now.Add(life - 5*time.Minute)}
	return tok, nil
}

func (c *Credential) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// request runs one client credentials token request.
func (c *Credential) request(ctx context.Context, scope string) (string, time.Duration, error) {
	if !tenantPattern.MatchString(c.TenantID) {
		return "", 0, fmt.Errorf("azure tenant %q: use the directory (tenant) ID, a GUID", c.TenantID)
	}
	if c.ClientID == "" {
		return "", 0, fmt.Errorf("azure client ID is empty: set azure.clientId to the application (client) ID")
	}
	form := url.Values{
		"client_id":  {c.ClientID},
		"scope":      {scope},
		"grant_type": {"client_credentials"},
	}
	var secret string
	var err error
	switch {
	case c.ClientSecret != nil:
		secret, err = reveal(ctx, "azure client secret", c.ClientSecret)
		form.Set("client_secret", secret)
	case c.FederatedToken != nil:
		secret, err = reveal(ctx, "azure federated token", c.FederatedToken)
		form.Set("client_assertion_type", jwtBearer)
		form.Set("client_assertion", secret)
	default:
		err = fmt.Errorf("azure service principal %s: give a client secret or a federated token", c.ClientID)
	}
	if err != nil {
		return "", 0, err
	}
	login := strings.TrimSuffix(c.LoginURL, "/")
	if login == "" {
		login = DefaultLoginURL
	}
	resp, err := arm.Send(ctx, c.HTTP, arm.Request{
		Service:     serviceEntra,
		Method:      http.MethodPost,
		URL:         login + "/" + url.PathEscape(c.TenantID) + "/oauth2/v2.0/token",
		Body:        []byte(form.Encode()),
		ContentType: "application/x-www-form-urlencoded",
		Secrets:     []string{secret, url.QueryEscape(secret)},
		OK:          []int{http.StatusOK},
	})
	if err != nil {
		return "", 0, err
	}
	var out struct {
		TokenType   string `json:"token_type"`
		AccessToken string `json:"access_token"`
		ExpiresIn   any    `json:"expires_in"`
	}
	if err := decode(serviceEntra, resp, &out); err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" || !strings.EqualFold(out.TokenType, "Bearer") {
		return "", 0, fmt.Errorf("%s: token answer has no bearer access_token", serviceEntra)
	}
	return out.AccessToken, expiresIn(out.ExpiresIn), nil
}

// expiresIn reads expires_in, a number of seconds (a string in older
// answers); an unreadable value counts as ten minutes.
func expiresIn(v any) time.Duration {
	var secs float64
	switch x := v.(type) {
	case float64:
		secs = x
	case string:
		secs, _ = strconv.ParseFloat(x, 64)
	}
	if secs <= 0 {
		secs = 600
	}
	return time.Duration(secs) * time.Second
}

// StaticToken is an arm.TokenSource that always returns the same secret, e.g. an
// OAuth token the CI hands out.
type StaticToken struct{ Secret Secret }

// Token reveals the secret.
func (s StaticToken) Token(ctx context.Context, _ string) (string, error) {
	return reveal(ctx, "azure token", s.Secret)
}
