// Package azurefake is a fake Azure for tests of a Function App deploy:
// Microsoft Entra ID's token endpoint, Azure Resource Manager (one Function
// App, its App Service plan, its settings and configuration), the app's scm
// site (Kudu's /api/publish and /api/zipdeploy), a storage account's blob
// service, and the app's host, which answers the function's health route
// from the package the app runs. Entra ID and ARM speak plain http on
// loopback (azure.loginUrl and azure.armUrl allow that); the scm site, the
// blob service and the host speak https with httptest's certificate
// (CertPEM), as the real ones do.
//
// It answers the way the services do in the shapes onepipe reads; it is no
// emulator: it checks the bearer token and records every request and upload
// for the test to assert.
package azurefake

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Token is the access token the fake Entra ID hands out and the other
// services require.
const Token = "azurefake-access-token"

// Names of the fake world.
const (
	Tenant        = "00000000-0000-0000-0000-0000000000aa"
	Subscription  = "00000000-0000-0000-0000-0000000000bb"
	ResourceGroup = "rg-fake"
)

// Upload is one package the scm site or the blob service received.
type Upload struct {
	// Path and Query are the request's ("/api/publish", "RemoteBuild=false&...").
	Path, Query string
	// ContentType is the request's Content-Type.
	ContentType string
	Body        []byte
}

// World is one Function App and the services around it.
type World struct {
	// Entra, ARM, SCM, Blob and Host are the services.
	Entra, ARM, SCM, Blob, Host *httptest.Server
	// App is the Function App's name.
	App string
	// Tier is the App Service plan's SKU tier (FlexConsumption, Dynamic,
	// PremiumV3 ...); the site reports it as its sku unless PlanOnly.
	Tier     string
	PlanOnly bool
	// Requires lists packages the app's code imports: the host answers its
	// health route 500 (ModuleNotFoundError) when the package it runs lacks
	// one under .python_packages/lib/site-packages.
	Requires []string

	mu       sync.Mutex
	settings map[string]string
	fx       string
	blobs    map[string][]byte
	current  []byte
	uploads  []Upload
	requests []string
}

// New starts the services of a Function App named app on a plan of tier.
func New(app, tier string) *World {
	w := &World{App: app, Tier: tier, blobs: map[string][]byte{}, fx: "Python|3.11"}
	w.Entra = httptest.NewServer(http.HandlerFunc(w.entra))
	w.ARM = httptest.NewServer(http.HandlerFunc(w.arm))
	w.SCM = httptest.NewTLSServer(http.HandlerFunc(w.scm))
	w.Blob = httptest.NewTLSServer(http.HandlerFunc(w.blob))
	w.Host = httptest.NewTLSServer(http.HandlerFunc(w.host))
	w.settings = map[string]string{
		"FUNCTIONS_EXTENSION_VERSION": "~4",
		"FUNCTIONS_WORKER_RUNTIME":    "python",
		"AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=fakestore;AccountKey=ZmFrZS1hY2NvdW50LWtleQ==;BlobEndpoint=" +
			w.Blob.URL,
	}
	return w
}

// Close stops the services.
func (w *World) Close() {
	for _, s := range []*httptest.Server{w.Entra, w.ARM, w.SCM, w.Blob, w.Host} {
		s.Close()
	}
}

// CertPEM is the certificate the https services present (httptest's), for
// a client to trust: SSL_CERT_FILE of a process, or Client in this one.
func (w *World) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.SCM.Certificate().Raw})
}

// Client trusts the https services (httptest gives them one certificate).
func (w *World) Client() *http.Client { return w.SCM.Client() }

// Settings returns a copy of the app settings.
func (w *World) Settings() map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.settings)
}

// Uploads returns the packages received so far.
func (w *World) Uploads() []Upload {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Upload(nil), w.uploads...)
}

// Requests lists the requests so far as "SERVICE METHOD PATH".
func (w *World) Requests() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.requests...)
}

// Seed makes pkg the package the app runs: on Linux Consumption a blob its
// WEBSITE_RUN_FROM_PACKAGE points at, elsewhere what the scm site last got.
func (w *World) Seed(pkg []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if strings.EqualFold(w.Tier, "Dynamic") {
		w.blobs["/function-releases/seed.zip"] = pkg
		w.settings["WEBSITE_RUN_FROM_PACKAGE"] = w.Blob.URL + "/function-releases/seed.zip?sv=2019-12-12&sr=b&sp=r&sig=c2VlZA%3D%3D"
		return
	}
	w.current = pkg
}

// Running is the package the app runs now (nil: none).
func (w *World) Running() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.running()
}

func (w *World) running() []byte {
	if strings.EqualFold(w.Tier, "Dynamic") {
		u, err := url.Parse(w.settings["WEBSITE_RUN_FROM_PACKAGE"])
		if err != nil {
			return nil
		}
		return w.blobs[u.Path]
	}
	return w.current
}

// OnePipeYAML is the azure section of onepipe.yaml that reaches this world
// with azure.clientSecret from secretEnv; zip adds under functionZip.
func (w *World) OnePipeYAML(secretEnv, zip string) string {
	return fmt.Sprintf(`azure:
  tenantId: %s
  clientId: 00000000-0000-0000-0000-0000000000cc
  clientSecret: env:%s
  subscriptionId: %s
  resourceGroup: %s
  loginUrl: %s
  armUrl: %s
  functionZip:
    app: %s
%s`, Tenant, secretEnv, Subscription, ResourceGroup, w.Entra.URL, w.ARM.URL, w.App, zip)
}

func (w *World) record(service string, r *http.Request) {
	w.mu.Lock()
	w.requests = append(w.requests, service+" "+r.Method+" "+r.URL.Path)
	w.mu.Unlock()
}

func reply(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}

func armError(rw http.ResponseWriter, status int, code, msg string) {
	reply(rw, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func (w *World) authorized(rw http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bearer "+Token {
		armError(rw, http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
		return false
	}
	return true
}

// entra is the client credentials grant of the Microsoft identity platform.
func (w *World) entra(rw http.ResponseWriter, r *http.Request) {
	w.record("entra", r)
	if r.Method != http.MethodPost || r.URL.Path != "/"+Tenant+"/oauth2/v2.0/token" {
		reply(rw, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "AADSTS90002: Tenant not found."})
		return
	}
	_ = r.ParseForm()
	if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_secret") == "" {
		reply(rw, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
		return
	}
	reply(rw, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": Token})
}

func (w *World) sitePath() string {
	return "/subscriptions/" + Subscription + "/resourceGroups/" + ResourceGroup + "/providers/Microsoft.Web/sites/" + w.App
}

func (w *World) planPath() string {
	return "/subscriptions/" + Subscription + "/resourceGroups/" + ResourceGroup + "/providers/Microsoft.Web/serverfarms/" + w.App + "-plan"
}

func host(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "https://") }

// arm answers the Microsoft.Web requests of one site.
func (w *World) arm(rw http.ResponseWriter, r *http.Request) {
	w.record("arm", r)
	if !w.authorized(rw, r) {
		return
	}
	if r.URL.Query().Get("api-version") == "" {
		armError(rw, http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return
	}
	site := w.sitePath()
	w.mu.Lock()
	defer w.mu.Unlock()
	switch r.Method + " " + r.URL.Path {
	case "GET " + site:
		props := map[string]any{
			"state": "Running", "defaultHostName": host(w.Host), "serverFarmId": w.planPath(), "reserved": true,
			"hostNameSslStates": []map[string]string{{"name": host(w.Host), "hostType": "Standard"}, {"name": host(w.SCM), "hostType": "Repository"}},
		}
		if !w.PlanOnly {
			props["sku"] = w.Tier
		}
		if strings.EqualFold(w.Tier, "FlexConsumption") {
			props["functionAppConfig"] = map[string]any{"runtime": map[string]string{"name": "python", "version": "3.11"}}
		}
		reply(rw, http.StatusOK, map[string]any{"id": site, "name": w.App, "type": "Microsoft.Web/sites", "kind": "functionapp,linux", "properties": props})
	case "GET " + w.planPath():
		reply(rw, http.StatusOK, map[string]any{"id": w.planPath(), "kind": "functionapp", "sku": map[string]string{"tier": w.Tier}, "properties": map[string]any{"reserved": true}})
	case "POST " + site + "/config/appsettings/list":
		reply(rw, http.StatusOK, map[string]any{"name": "appsettings", "properties": w.settings})
	case "PUT " + site + "/config/appsettings":
		var body struct {
			Properties map[string]string `json:"properties"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Properties == nil {
			armError(rw, http.StatusBadRequest, "BadRequest", "The request body is not valid app settings.")
			return
		}
		w.settings = body.Properties
		reply(rw, http.StatusOK, map[string]any{"name": "appsettings", "properties": w.settings})
	case "GET " + site + "/config/web":
		reply(rw, http.StatusOK, map[string]any{"properties": map[string]string{"linuxFxVersion": w.fx}})
	case "PATCH " + site + "/config/web":
		var body struct {
			Properties map[string]any `json:"properties"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		if fx, ok := body.Properties["linuxFxVersion"].(string); ok {
			w.fx = fx
		}
		reply(rw, http.StatusOK, map[string]any{"properties": map[string]string{"linuxFxVersion": w.fx}})
	case "POST " + site + "/restart", "POST " + site + "/syncfunctiontriggers":
		rw.WriteHeader(http.StatusOK)
	default:
		armError(rw, http.StatusNotFound, "ResourceNotFound", "The Resource '"+r.URL.Path+"' was not found.")
	}
}
