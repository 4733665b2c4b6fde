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

// TestAzureFunctionEnvironments: a Function App lists the environments
// `onepipe run --deploy` deploys it in; names are checked, an environment
// deploys one Function App, and a name onepipe.yaml does not know fails at
// once instead of never deploying.
func TestAzureFunctionEnvironments(t *testing.T) {
	sp := Azure{TenantID: "t", ClientID: "c", ClientSecret: "env:AZ_SECRET", SubscriptionID: "s", ResourceGroup: "rg"}
	with := func(f func(*Azure)) Azure { a := sp; f(&a); return a }
	for _, tt := range []struct {
		name string
		a    Azure
		err  string
	}{
		{"zip", with(func(a *Azure) { a.FunctionZip = AzureFunctionZip{App: "z1", Environments: []string{"dev", "prod"}} }), ""},
		{"no app", with(func(a *Azure) { a.FunctionZip.Environments = []string{"dev"} }),
			"azure.functionZip.environments: set azure.functionZip.app, the Function App those environments deploy to"},
		{"bad name", with(func(a *Azure) {
			a.FunctionContainer = AzureFunctionContainer{App: "f1", Environments: []string{"Prod"}}
		}),
			`azure.functionContainer.environments: "Prod": name an environment (lowercase letters, digits and dashes), e.g. prod`},
		{"in both", with(func(a *Azure) {
			a.FunctionZip = AzureFunctionZip{App: "z1", Environments: []string{"dev"}}
			a.FunctionContainer = AzureFunctionContainer{App: "f1", Environments: []string{"dev"}}
		}), "azure: environment dev is in both functionZip.environments and functionContainer.environments: keep it in one"},
		{"hosting plan", with(func(a *Azure) { a.FunctionZip = AzureFunctionZip{App: "z1", HostingPlan: "flexConsumption"} }), ""},
		{"bad hosting plan", with(func(a *Azure) { a.FunctionZip = AzureFunctionZip{App: "z1", HostingPlan: "Y1"} }),
			`azure.functionZip.hostingPlan "Y1": use flexConsumption, consumption, premium, dedicated`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.Validate()
			if (tt.err == "") != (err == nil) || (err != nil && err.Error() != tt.err) {
				t.Errorf("Validate() = %v, want %q", err, tt.err)
			}
		})
	}
	a := with(func(a *Azure) {
		a.FunctionZip = AzureFunctionZip{App: "z1", Environments: []string{"dev"}}
		a.FunctionContainer = AzureFunctionContainer{App: "f1", Environments: []string{"prod"}}
	})
	for env, want := range map[string]string{"dev": FunctionZip, "prod": FunctionContainer, "staging": ""} {
		if got := a.FunctionFor(env); got != want {
			t.Errorf("FunctionFor(%s) = %q, want %q", env, got, want)
		}
	}
	if err := a.CheckEnvironments([]string{"dev", "prod", "dev"}); err != nil {
		t.Error(err)
	}
	a.FunctionZip.Environments = []string{"stage"}
	if err := a.CheckEnvironments([]string{"prod", "dev", "dev"}); err == nil ||
		err.Error() != "azure.functionZip.environments: stage is not an environment: use one of dev, prod (or add it under environments:)" {
		t.Errorf("CheckEnvironments: %v", err)
	}
}

func TestParseChecksTheFunctionEnvironments(t *testing.T) {
	_, err := Parse([]byte("azure:\n  tenantId: t\n  clientId: c\n  clientSecret: env:S\n  subscriptionId: s\n  resourceGroup: g\n  functionZip:\n    app: z1\n    environments: [stagging]\nenvironments:\n  staging: {}\n"))
	if err == nil || !strings.Contains(err.Error(), "azure.functionZip.environments: stagging is not an environment: use one of dev, prod, staging") {
		t.Errorf("Parse: %v", err)
	}
}

// TestAzureDevOpsVariables: queue-time variables are plain values with
// names Azure Pipelines allows (learn.microsoft.com/azure/devops/pipelines/process/variables,
// "Variable naming restrictions": letters, numbers, . and _; not starting
// with endpoint, input, secret, path or securefile).
func TestAzureDevOpsVariables(t *testing.T) {
	d := AzureDevOps{Organization: "o", Project: "p", Pipeline: "deploy", PAT: "env:PAT"}
	for vars, want := range map[string]string{
		"imageTag":      "",
		"build.tag_2":   "",
		"image-tag":     `azure.devops.variables: "image-tag": use letters, digits, . and _, not starting with endpoint, input, secret, path or securefile`,
		"secretToken":   `azure.devops.variables: "secretToken": use letters, digits, . and _, not starting with endpoint, input, secret, path or securefile`,
		"Endpoint.Url":  `azure.devops.variables: "Endpoint.Url": use letters, digits, . and _, not starting with endpoint, input, secret, path or securefile`,
		"token=env:ADO": "azure.devops.variables.token: variables are sent as plain text: keep secrets in the pipeline's variable groups, not in onepipe.yaml",
	} {
		name, value, _ := strings.Cut(vars, "=")
		if value == "" {
			value = "v1"
		}
		d.Variables = map[string]string{name: value}
		err := Azure{DevOps: d}.Validate()
		if (want == "") != (err == nil) || (err != nil && err.Error() != want) {
			t.Errorf("variable %s=%s: %v, want %q", name, value, err, want)
		}
	}
}
