package azure

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/onepipe/onepipe/internal/arm"
)

const (
	testTenant   = "00000000-0000-0000-0000-0000000074e7"
	testClient   = "00000000-0000-0000-0000-00000000c11e"
	clientSecret = "s3cr3t~Value.With+Specials/="
	ciToken      = "eyJhbGciOiJSUzI1NiJ9.ci-oidc-token.sig"
)

func TestCredentialClientSecret(t *testing.T) {
	f := newFake(t, step{
		method: "POST", path: "/" + testTenant + "/oauth2/v2.0/token",
		form: url.Values{"client_id": {testClient}, "scope": {arm.Scope}, "grant_type": {"client_credentials"}, "client_secret": {clientSecret}},
		body: entraToken,
	})
	c := &Credential{LoginURL: f.URL(), TenantID: testTenant, ClientID: testClient, ClientSecret: PlainSecret(clientSecret)}
	for i := 0; i < 2; i++ { // the second call is served from the cache
		tok, err := c.Token(context.Background(), arm.Scope)
		if err != nil {
			t.Fatal(err)
		}
		if tok != "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake.sig" {
			t.Errorf("token %q", tok)
		}
	}
}

func TestCredentialFederatedToken(t *testing.T) {
	f := newFake(t, step{
		method: "POST", path: "/" + testTenant + "/oauth2/v2.0/token",
		form: url.Values{"client_id": {testClient}, "scope": {ScopeDevOps}, "grant_type": {"client_credentials"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {ciToken}},
		body: entraToken,
	})
	c := &Credential{LoginURL: f.URL(), TenantID: testTenant, ClientID: testClient, FederatedToken: PlainSecret(ciToken + "\n")}
	if _, err := c.Token(context.Background(), ScopeDevOps); err != nil {
		t.Fatal(err)
	}
}

func TestCredentialRefreshesExpiredToken(t *testing.T) {
	tok := step{method: "POST", path: "/" + testTenant + "/oauth2/v2.0/token",
		form: url.Values{"client_id": {testClient}, "scope": {arm.Scope}, "grant_type": {"client_credentials"}, "client_secret": {clientSecret}},
		body: `{"token_type":"Bearer","expires_in":"3600","access_token":"t1"}`}
	f := newFake(t, tok, tok)
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	c := &Credential{LoginURL: f.URL(), TenantID: testTenant, ClientID: testClient, ClientSecret: PlainSecret(clientSecret), Now: func() time.Time { return now }}
	if _, err := c.Token(context.Background(), arm.Scope); err != nil {
		t.Fatal(err)
	}
	now = now.Add(56 * time.Minute) // within five minutes of expiry
	if _, err := c.Token(context.Background(), arm.Scope); err != nil {
		t.Fatal(err)
	}
}

func TestCredentialErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		fed    bool
		want   []string
	}{
		{"bad secret", 401, entraBadSecret, false, []string{"Microsoft Entra ID", "401", "invalid_client", "AADSTS7000215"}},
		{"no federation", 400, entraNoFederation, true, []string{"400", "invalid_request", "AADSTS70021"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, step{method: "POST", path: "/" + testTenant + "/oauth2/v2.0/token",
				form: func() url.Values {
					v := url.Values{"client_id": {testClient}, "scope": {arm.Scope}, "grant_type": {"client_credentials"}}
					if tt.fed {
						v.Set("client_assertion_type", jwtBearer)
						v.Set("client_assertion", ciToken)
					} else {
						v.Set("client_secret", clientSecret)
					}
					return v
				}(),
				status: tt.status, body: tt.body})
			c := &Credential{LoginURL: f.URL(), TenantID: testTenant, ClientID: testClient}
			if tt.fed {
				c.FederatedToken = PlainSecret(ciToken)
			} else {
				c.ClientSecret = PlainSecret(clientSecret)
			}
			_, err := c.Token(context.Background(), arm.Scope)
			mustContain(t, err, tt.want...)
			mustNotLeak(t, err, clientSecret, ciToken)
			var apiErr *arm.APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tt.status {
				t.Errorf("error %v is not an *APIError with status %d", err, tt.status)
			}
		})
	}
}

func TestCredentialEchoedSecretIsRedacted(t *testing.T) {
	// A server that echoes the request body must not put the secret in the error.
	f := newFake(t, step{method: "POST", path: "/" + testTenant + "/oauth2/v2.0/token",
		form:   url.Values{"client_id": {testClient}, "scope": {arm.Scope}, "grant_type": {"client_credentials"}, "client_secret": {clientSecret}},
		status: 400, body: `{"error":"invalid_request","error_description":"bad body: client_secret=` + url.QueryEscape(clientSecret) + ` raw ` + clientSecret + `"}`})
	c := &Credential{LoginURL: f.URL(), TenantID: testTenant, ClientID: testClient, ClientSecret: PlainSecret(clientSecret)}
	_, err := c.Token(context.Background(), arm.Scope)
	mustContain(t, err, "invalid_request", "***")
	mustNotLeak(t, err, clientSecret, url.QueryEscape(clientSecret))
}

func TestCredentialInputErrors(t *testing.T) {
	tests := []struct {
		name string
		c    *Credential
		want string
	}{
		{"tenant path", &Credential{TenantID: "../evil", ClientID: testClient, ClientSecret: PlainSecret("x")}, "tenant"},
		{"no client", &Credential{TenantID: testTenant, ClientSecret: PlainSecret("x")}, "client ID"},
		{"no secret", &Credential{TenantID: testTenant, ClientID: testClient}, "client secret or a federated token"},
		{"empty secret", &Credential{TenantID: testTenant, ClientID: testClient, ClientSecret: PlainSecret("  ")}, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.Token(context.Background(), arm.Scope)
			mustContain(t, err, tt.want)
		})
	}
}
