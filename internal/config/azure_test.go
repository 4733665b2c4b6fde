package config

import (
	"strings"
	"testing"
	"time"
)

func TestAzureValidate(t *testing.T) {
	sp := Azure{TenantID: "t", ClientID: "c", ClientSecret: "env:AZ_SECRET", SubscriptionID: "s", ResourceGroup: "rg"}
	with := func(f func(*Azure)) Azure { a := sp; f(&a); return a }
	tests := []struct {
		name string
		a    Azure
		err  string
	}{
		{"empty", Azure{}, ""},
		{"container app", with(func(a *Azure) {
			a.FunctionContainer = AzureFunctionContainer{App: "shop-func", Registry: AzureRegistry{Server: "acme.azurecr.io", Username: "u", Password: "file:/run/secrets/acr"}, Smoke: AzureSmoke{Path: "/api/health", Timeout: "2m"}}
		}), ""},
		{"secret value instead of reference", with(func(a *Azure) { a.ClientSecret = "hunter2-value" }), "azure.clientSecret: use a secret reference"},
		{"sovereign cloud", with(func(a *Azure) {
			a.LoginURL = "https://login.chinacloudapi.cn"
			a.ARMURL = "https://management.chinacloudapi.cn/"
		}), ""},
		{"local test server", with(func(a *Azure) { a.ARMURL = "http://127.0.0.1:8080" }), ""},
		{"plain http endpoint", with(func(a *Azure) { a.ARMURL = "http://management.example.com" }), `azure.armUrl "http://management.example.com": use an https URL`},
		{"endpoint with a path", with(func(a *Azure) { a.LoginURL = "https://login.example.com/tenant" }), `azure.loginUrl`},
		{"endpoint with credentials", with(func(a *Azure) { a.ARMURL = "https://u:p@management.example.com" }), `azure.armUrl: remove the user and password`},
		{"both secrets", with(func(a *Azure) { a.FederatedToken = "env:T" }), "clientSecret or federatedToken, not both"},
		{"no subscription", with(func(a *Azure) { a.SubscriptionID = ""; a.FunctionZip.App = "shop-zip" }), "azure.subscriptionId: set it to deploy azure.functionZip.app"},
		{"no secret", with(func(a *Azure) { a.ClientSecret = ""; a.FunctionZip.App = "shop-zip" }), "set clientSecret or federatedToken"},
		{"bad app name", with(func(a *Azure) { a.FunctionZip.App = "shop_zip" }), `azure.functionZip.app "shop_zip"`},
		{"bad python", with(func(a *Azure) { a.FunctionZip.App = "z1"; a.FunctionZip.PythonVersion = "python3.11" }), "pythonVersion"},
		{"bad timeout", with(func(a *Azure) { a.FunctionZip.App = "z1"; a.FunctionZip.Timeout = "ten minutes" }), "azure.functionZip.timeout"},
		{"smoke path", with(func(a *Azure) { a.FunctionZip.App = "z1"; a.FunctionZip.Smoke.Path = "api/health" }), "start it with /"},
		{"registry both", with(func(a *Azure) {
			a.FunctionContainer = AzureFunctionContainer{App: "f1", Registry: AzureRegistry{ManagedIdentity: true, Username: "u", Password: "env:P"}}
		}), "managedIdentity or username/password"},
		{"registry no password", with(func(a *Azure) {
			a.FunctionContainer = AzureFunctionContainer{App: "f1", Registry: AzureRegistry{Username: "u"}}
		}), "registry.password"},
		{"devops ok", Azure{DevOps: AzureDevOps{Organization: "o", Project: "p", Pipeline: "deploy", PAT: "env:PAT", PATExpires: "2025-12-31", Timeout: "30m"}}, ""},
		{"devops no project", Azure{DevOps: AzureDevOps{Organization: "o", Pipeline: "deploy", PAT: "env:PAT"}}, "set organization and project"},
		{"devops no auth", Azure{DevOps: AzureDevOps{Organization: "o", Project: "p", Pipeline: "deploy"}}, "set pat or token"},
		{"devops PAT value", Azure{DevOps: AzureDevOps{Organization: "o", Project: "p", Pipeline: "deploy", PAT: "abcdef"}}, "azure.devops.pat: use a secret reference"},
		{"devops on a server", Azure{DevOps: AzureDevOps{URL: "https://tfs.acme.example/tfs/", Organization: "o", Project: "p", Pipeline: "d", PAT: "env:PAT"}}, ""},
		{"devops over plain http", Azure{DevOps: AzureDevOps{URL: "http://tfs.acme.example/tfs", Organization: "o", Project: "p", Pipeline: "d", PAT: "env:PAT"}},
			`azure.devops.url "http://tfs.acme.example/tfs": use an https URL, e.g. https://dev.azure.com: plain http would carry the credentials unencrypted`},
		{"devops url alone over plain http", Azure{DevOps: AzureDevOps{URL: "http://10.0.0.5:8080"}}, `azure.devops.url "http://10.0.0.5:8080": use an https URL`},
		{"devops with credentials", Azure{DevOps: AzureDevOps{URL: "https://me:hunter2-pat@dev.azure.com", Organization: "o", Project: "p", Pipeline: "d", PAT: "env:PAT"}},
			"azure.devops.url: remove the user and password from the URL"},
		{"devops with a bad password", Azure{DevOps: AzureDevOps{URL: "https://me:hunter2 pat@dev.azure.com"}}, "azure.devops.url: remove the user and password from the URL"},
		{"devops not a URL", Azure{DevOps: AzureDevOps{URL: "dev.azure.com"}}, `azure.devops.url "dev.azure.com": use an https URL, e.g. https://dev.azure.com`},
		{"devops on a local test server", Azure{DevOps: AzureDevOps{URL: "http://127.0.0.1:8080"}}, ""},
		{"devops on localhost", Azure{DevOps: AzureDevOps{URL: "http://localhost:8080/tfs"}}, ""},
		{"devops on ::1", Azure{DevOps: AzureDevOps{URL: "http://[::1]:8080"}}, ""},
		{"devops on 127.0.0.0/8", Azure{DevOps: AzureDevOps{URL: "http://127.3.2.1:8080"}}, ""},
		{"devops on a look-alike of localhost", Azure{DevOps: AzureDevOps{URL: "http://localhost.acme.example"}}, "use an https URL"},
		{"devops on a look-alike of 127.0.0.1", Azure{DevOps: AzureDevOps{URL: "http://127.0.0.1.acme.example"}}, "use an https URL"},
		{"endpoint on ::1", with(func(a *Azure) { a.LoginURL = "http://[::1]:8080" }), ""},
		{"devops bad date", Azure{DevOps: AzureDevOps{Organization: "o", Project: "p", Pipeline: "d", Token: "env:T", PATExpires: "31/12/2025"}}, "patExpires"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.Validate()
			if tt.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error %v, want one containing %q", err, tt.err)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "abcdef") {
				t.Errorf("error repeats the secret: %v", err)
			}
		})
	}
}

func TestAzureDefaults(t *testing.T) {
	var z AzureFunctionZip
	if z.PythonImage() != "python:3.11-slim" || z.RequirementsFile() != "requirements.txt" || z.DeployTimeout() != 10*time.Minute {
		t.Errorf("zip defaults: %s %s %s", z.PythonImage(), z.RequirementsFile(), z.DeployTimeout())
	}
	z = AzureFunctionZip{PythonVersion: "3.12", Requirements: "req/prod.txt", Timeout: "90s"}
	if z.PythonImage() != "python:3.12-slim" || z.RequirementsFile() != "req/prod.txt" || z.DeployTimeout() != 90*time.Second {
		t.Errorf("zip settings: %s %s %s", z.PythonImage(), z.RequirementsFile(), z.DeployTimeout())
	}
	if (AzureSmoke{}).WaitTimeout() != 5*time.Minute || (AzureDevOps{}).RunTimeout() != time.Hour {
		t.Error("wait defaults")
	}
	if (AzureDevOps{}).BaseURL() != "https://dev.azure.com" || (AzureDevOps{URL: "https://tfs.acme.local/tfs/"}).BaseURL() != "https://tfs.acme.local/tfs" {
		t.Error("devops base URL")
	}
	if !(Azure{DevOps: AzureDevOps{Pipeline: "p"}}).Enabled() || (Azure{TenantID: "t"}).Enabled() {
		t.Error("Enabled")
	}
}

func TestAzureParse(t *testing.T) {
	c, err := Parse([]byte("azure:\n  tenantId: t\n  clientId: c\n  clientSecret: env:AZ_SECRET\n  subscriptionId: s\n  resourceGroup: rg\n  functionZip:\n    app: shop-zip\n    packages: [greetkit]\n  devops:\n    parameters: {env: prod}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Azure.FunctionZip.App != "shop-zip" || c.Azure.FunctionZip.Packages[0] != "greetkit" || c.Azure.DevOps.Parameters["env"] != "prod" {
		t.Errorf("parsed %+v", c.Azure)
	}
	if _, err := Parse([]byte("azure:\n  functionZip:\n    ap: x\n")); err == nil || !strings.Contains(err.Error(), "ap") {
		t.Errorf("unknown field: %v", err)
	}
}
