package azure

import (
	"context"
	"errors"
	"testing"

	"github.com/onepipe/onepipe/internal/arm"
)

const (
	sitePath    = "/subscriptions/sub-1/resourceGroups/rg-shop/providers/Microsoft.Web/sites/shop-func"
	armToken    = "arm-token-value"
	armAuth     = "Bearer " + armToken
	regPassword = "registry-pa55word"
)

var testApp = FunctionApp{Subscription: "sub-1", ResourceGroup: "rg-shop", Name: "shop-func"}

func apiVersion() map[string][]string { return q("api-version", WebAPIVersion) }

func newARM(f *fake) (*ARM, *tokens) {
	tk := &tokens{token: armToken}
	return &ARM{BaseURL: f.URL(), Tokens: tk}, tk
}

func TestSetContainerImageWithRegistryCredentials(t *testing.T) {
	f := newFake(t,
		step{method: "POST", path: sitePath + "/config/appsettings/list", query: apiVersion(), auth: armAuth, body: armAppSettings},
		step{method: "PUT", path: sitePath + "/config/appsettings", query: apiVersion(), auth: armAuth,
			json: `{"properties":{"FUNCTIONS_EXTENSION_VERSION":"~4",
				"AzureWebJobsStorage":"DefaultEndpointsProtocol=https;AccountName=shopstore;AccountKey=c3RvcmFnZS1rZXktdmFsdWU=;EndpointSuffix=core.windows.net",
				"DOCKER_REGISTRY_SERVER_URL":"https://acme.azurecr.io","DOCKER_REGISTRY_SERVER_USERNAME":"acme-pull",
				"DOCKER_REGISTRY_SERVER_PASSWORD":"` + regPassword + `"}}`,
			body: armAppSettings},
		step{method: "PATCH", path: sitePath + "/config/web", query: apiVersion(), auth: armAuth,
			json: `{"properties":{"linuxFxVersion":"DOCKER|acme.azurecr.io/shop:1a2b3c4d"}}`, body: armConfigWeb},
	)
	c, tk := newARM(f)
	reg := &RegistryCreds{Server: "acme.azurecr.io", Username: "acme-pull", Password: PlainSecret(regPassword)}
	if err := c.SetContainerImage(context.Background(), testApp, "acme.azurecr.io/shop:1a2b3c4d", reg); err != nil {
		t.Fatal(err)
	}
	for _, s := range tk.scopes {
		if s != arm.Scope {
			t.Errorf("token scope %q, want %q", s, arm.Scope)
		}
	}
}

func TestSetContainerImageWithManagedIdentity(t *testing.T) {
	f := newFake(t, step{method: "PATCH", path: sitePath + "/config/web", query: apiVersion(), auth: armAuth,
		json: `{"properties":{"linuxFxVersion":"DOCKER|acme.azurecr.io/shop:v1.2.3","acrUseManagedIdentityCreds":true,"acrUserManagedIdentityID":"5e6f"}}`,
		body: armConfigWeb})
	c, _ := newARM(f)
	reg := &RegistryCreds{ManagedIdentity: true, IdentityClientID: "5e6f"}
	if err := c.SetContainerImage(context.Background(), testApp, "acme.azurecr.io/shop:v1.2.3", reg); err != nil {
		t.Fatal(err)
	}
}

func TestSetContainerImagePublicImage(t *testing.T) {
	f := newFake(t, step{method: "PATCH", path: sitePath + "/config/web", query: apiVersion(), auth: armAuth,
		json: `{"properties":{"linuxFxVersion":"DOCKER|ghcr.io/acme/shop@sha256:0123abcd"}}`, body: armConfigWeb})
	c, _ := newARM(f)
	if err := c.SetContainerImage(context.Background(), testApp, "ghcr.io/acme/shop@sha256:0123abcd", nil); err != nil {
		t.Fatal(err)
	}
}

func TestSetContainerImageBadInput(t *testing.T) {
	c := &ARM{BaseURL: "http://127.0.0.1:9", Tokens: &tokens{token: "x"}}
	for _, image := range []string{"", "DOCKER|acme.azurecr.io/shop:1", "acme shop"} {
		mustContain(t, c.SetContainerImage(context.Background(), testApp, image, nil), "image", "use a reference")
	}
	mustContain(t, c.SetContainerImage(context.Background(), FunctionApp{Name: "x", ResourceGroup: "rg"}, "a/b:c", nil), "subscription")
	reg := &RegistryCreds{Server: "acme.azurecr.io", Username: "u"}
	mustContain(t, c.SetContainerImage(context.Background(), testApp, "a/b:c", reg), "registry password", "no secret")
}

func TestARMErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   []string
	}{
		{"404", 404, armNotFound, []string{"set image of rg-shop/shop-func", "Azure Resource Manager", "PATCH", sitePath + "/config/web", "404", "ResourceNotFound", "was not found"}},
		{"401", 401, armExpiredToken, []string{"401", "ExpiredAuthenticationToken"}},
		{"409", 409, webConflict, []string{"409", "Conflict", "another operation is in progress"}},
		{"500 not retried", 500, "", []string{"500 Internal Server Error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, step{method: "PATCH", path: sitePath + "/config/web", query: apiVersion(), auth: armAuth,
				json: `{"properties":{"linuxFxVersion":"DOCKER|acme.azurecr.io/shop:1"}}`, status: tt.status, body: tt.body})
			c, _ := newARM(f)
			err := c.SetContainerImage(context.Background(), testApp, "acme.azurecr.io/shop:1", nil)
			mustContain(t, err, tt.want...)
			mustNotLeak(t, err, armToken, "api-version")
			var apiErr *arm.APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tt.status {
				t.Errorf("error %v: want an *APIError with status %d", err, tt.status)
			}
		})
	}
}

func TestAppSettingsConflictKeepsSecretsOut(t *testing.T) {
	// The answer echoes the new password and an existing setting's value.
	echo := `{"Code":"Conflict","Message":"Cannot modify this site: ` + regPassword + ` AccountKey=c3RvcmFnZS1rZXktdmFsdWU= ` + armToken + `"}`
	f := newFake(t,
		step{method: "POST", path: sitePath + "/config/appsettings/list", query: apiVersion(), auth: armAuth, body: armAppSettings},
		step{method: "PUT", path: sitePath + "/config/appsettings", query: apiVersion(), auth: armAuth,
			json: `{"properties":{"FUNCTIONS_EXTENSION_VERSION":"~4",
				"AzureWebJobsStorage":"DefaultEndpointsProtocol=https;AccountName=shopstore;AccountKey=c3RvcmFnZS1rZXktdmFsdWU=;EndpointSuffix=core.windows.net",
				"DOCKER_REGISTRY_SERVER_URL":"https://acme.azurecr.io","DOCKER_REGISTRY_SERVER_USERNAME":"acme-pull",
				"DOCKER_REGISTRY_SERVER_PASSWORD":"` + regPassword + `"}}`,
			status: 409, body: echo},
	)
	c, _ := newARM(f)
	reg := &RegistryCreds{Server: "https://acme.azurecr.io", Username: "acme-pull", Password: PlainSecret(regPassword)}
	err := c.SetContainerImage(context.Background(), testApp, "acme.azurecr.io/shop:1", reg)
	mustContain(t, err, "update app settings DOCKER_REGISTRY_SERVER_PASSWORD, DOCKER_REGISTRY_SERVER_URL, DOCKER_REGISTRY_SERVER_USERNAME", "409", "Conflict")
	mustNotLeak(t, err, regPassword, armToken)
}

func TestRestart(t *testing.T) {
	f := newFake(t, step{method: "POST", path: sitePath + "/restart", query: q("api-version", WebAPIVersion, "synchronous", "true"), auth: armAuth})
	c, _ := newARM(f)
	if err := c.Restart(context.Background(), testApp); err != nil {
		t.Fatal(err)
	}
}

func TestRestartConflict(t *testing.T) {
	f := newFake(t, step{method: "POST", path: sitePath + "/restart", query: q("api-version", WebAPIVersion, "synchronous", "true"), auth: armAuth, status: 409, body: webConflict})
	c, _ := newARM(f)
	mustContain(t, c.Restart(context.Background(), testApp), "restart rg-shop/shop-func", "409", "another operation")
}

func TestSiteRetriesTransientGET(t *testing.T) {
	f := newFake(t,
		step{method: "GET", path: sitePath, query: apiVersion(), auth: armAuth, status: 503, headers: map[string]string{"Retry-After": "0"}},
		step{method: "GET", path: sitePath, query: apiVersion(), auth: armAuth, body: armSite},
	)
	c, _ := newARM(f)
	s, err := c.Site(context.Background(), testApp)
	if err != nil {
		t.Fatal(err)
	}
	want := Site{Kind: "functionapp,linux,container", State: "Running",
		DefaultHostName: "shop-func-b7a2c9d0e1f2a3b4.westeurope-01.azurewebsites.net",
		SCMHostName:     "shop-func-b7a2c9d0e1f2a3b4.scm.westeurope-01.azurewebsites.net", Linux: true}
	if s != want {
		t.Errorf("site %+v, want %+v", s, want)
	}
}

func TestPythonVersion(t *testing.T) {
	f := newFake(t,
		step{method: "GET", path: sitePath + "/config/web", query: apiVersion(), auth: armAuth, body: armConfigWebPython},
		step{method: "GET", path: sitePath + "/config/web", query: apiVersion(), auth: armAuth, body: armConfigWeb},
	)
	c, _ := newARM(f)
	for _, want := range []string{"3.11", ""} {
		v, err := c.PythonVersion(context.Background(), testApp)
		if err != nil || v != want {
			t.Errorf("PythonVersion = %q, %v; want %q", v, err, want)
		}
	}
}
