package azure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/config"
)

func TestPlanLines(t *testing.T) {
	cfg := config.Azure{
		TenantID: "tenant-1", ClientID: "client-1", ClientSecret: "env:AZURE_CLIENT_SECRET",
		SubscriptionID: "sub-1", ResourceGroup: "rg-shop",
		FunctionContainer: config.AzureFunctionContainer{
			App:      "shop-func",
			Registry: config.AzureRegistry{Server: "acme.azurecr.io", Username: "acme-pull", Password: "env:ACR_PASSWORD"},
			Restart:  true,
			Smoke:    config.AzureSmoke{Path: "/api/health", Key: "env:FUNC_KEY"},
		},
		FunctionZip: config.AzureFunctionZip{App: "shop-zip", PythonVersion: "3.12", Wheelhouse: "wheels", Timeout: "15m"},
		DevOps: config.AzureDevOps{
			Organization: "acme", Project: "shop", Pipeline: `\infra\deploy`, Branch: "main",
			Parameters: map[string]string{"region": "westeurope", "env": "prod"}, PAT: "env:AZDO_PAT", Wait: true,
		},
	}
	want := []string{
		"azure auth: service principal client-1 in tenant tenant-1 (client secret from env:AZURE_CLIENT_SECRET)",
		"azure function shop-func (resource group rg-shop, subscription sub-1): set linuxFxVersion DOCKER|<the image this run publishes> (ARM PATCH config/web, api-version " + WebAPIVersion + ")",
		"azure function shop-func: app settings DOCKER_REGISTRY_SERVER_URL=https://acme.azurecr.io, DOCKER_REGISTRY_SERVER_USERNAME=acme-pull, DOCKER_REGISTRY_SERVER_PASSWORD from env:ACR_PASSWORD",
		"azure function shop-func: restart",
		"azure function shop-func: smoke test GET https://<default host>/api/health until 2xx, up to 5m0s (x-functions-key from env:FUNC_KEY)",
		"azure function shop-zip (resource group rg-shop, subscription sub-1): build the zip package for linux/amd64 in python:3.12-slim: pip install --target=.python_packages/lib/site-packages -r requirements.txt --no-index --find-links wheels",
		"azure function shop-zip: read its hosting plan (set azure.functionZip.hostingPlan to name it), then: " +
			"Flex Consumption: POST /api/publish?RemoteBuild=false (one deploy); " +
			"Linux Consumption: upload to the AzureWebJobsStorage account (container function-releases), set WEBSITE_RUN_FROM_PACKAGE to its read URL, sync the triggers; " +
			"other plans: SCM_DO_BUILD_DURING_DEPLOYMENT=false on Linux, then POST /api/zipdeploy?isAsync=true; wait up to 15m0s",
		`azure devops: run pipeline "\infra\deploy" in https://dev.azure.com/acme/shop on main with env=prod, region=westeurope (PAT from env:AZDO_PAT)`,
		"azure devops: wait up to 1h0m0s for the run and take its result",
	}
	got := PlanLines(cfg)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("PlanLines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if PlanLines(config.Azure{TenantID: "t"}) != nil {
		t.Error("no target configured: want no lines")
	}
}

func TestPlanLinesOfExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "azure-function", config.FileName))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Azure.Validate(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(PlanLines(cfg.Azure), "\n")
	for _, want := range []string{
		"federated token from env:AZURE_FEDERATED_TOKEN",
		"azure function onepipe-example-func (resource group rg-onepipe-example, subscription 00000000-0000-0000-0000-000000000002): build the zip package for linux/amd64 in python:3.11-slim: pip install --target=.python_packages/lib/site-packages -r requirements.txt",
		"smoke test GET https://<default host>/api/health until 2xx, up to 5m0s",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("plan of the example lacks %q:\n%s", want, got)
		}
	}
}

// TestPlanLinesNameTheUpload: with azure.functionZip.hostingPlan set, plan
// says which upload the deploy makes, as az picks it per plan (azure-cli
// appservice/custom.py, enable_zip_deploy_functionapp).
func TestPlanLinesNameTheUpload(t *testing.T) {
	for plan, want := range map[string]string{
		config.HostingFlexConsumption: "hosting plan flexConsumption (checked against the app): POST /api/publish?RemoteBuild=false (one deploy); wait up to 10m0s",
		config.HostingConsumption:     "hosting plan consumption (checked against the app): upload to the AzureWebJobsStorage account (container function-releases), set WEBSITE_RUN_FROM_PACKAGE to its read URL, sync the triggers; wait up to 10m0s",
		config.HostingPremium:         "hosting plan premium (checked against the app): SCM_DO_BUILD_DURING_DEPLOYMENT=false on Linux, then POST /api/zipdeploy?isAsync=true; wait up to 10m0s",
		config.HostingDedicated:       "hosting plan dedicated (checked against the app): SCM_DO_BUILD_DURING_DEPLOYMENT=false on Linux, then POST /api/zipdeploy?isAsync=true; wait up to 10m0s",
	} {
		cfg := config.Azure{FunctionZip: config.AzureFunctionZip{App: "shop-zip", HostingPlan: plan}}
		got := FunctionZipPlan(cfg)
		if len(got) != 2 || got[1] != "azure function shop-zip: "+want {
			t.Errorf("%s: %q", plan, got)
		}
	}
}

func TestPlanLinesOfDevOpsVariables(t *testing.T) {
	cfg := config.Azure{DevOps: config.AzureDevOps{Organization: "acme", Project: "shop", Pipeline: "deploy", Branch: "main", Token: "env:SYSTEM_ACCESSTOKEN",
		Parameters: map[string]string{"env": "prod"}, Variables: map[string]string{"imageTag": "1a2b3c4d", "region": "westeurope"}}}
	want := `azure devops: run pipeline "deploy" in https://dev.azure.com/acme/shop on main with env=prod, variables imageTag=1a2b3c4d, region=westeurope (OAuth token from env:SYSTEM_ACCESSTOKEN)`
	if got := PlanLines(cfg); len(got) != 1 || got[0] != want {
		t.Errorf("PlanLines = %q\nwant %q", got, want)
	}
}
