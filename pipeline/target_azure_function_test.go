package pipeline

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/onepipe/onepipe/internal/azure/azurefake"
	"github.com/onepipe/onepipe/internal/config"
)

// funcConfig is onepipe.yaml of a Function App in world w whose zip
// package dev deploys.
func funcConfig(t *testing.T, w *azurefake.World, extra string) config.Config {
	t.Helper()
	yaml := w.OnePipeYAML("FAKE_SECRET", "    environments: [dev]\n    smoke: {path: /api/health, timeout: 2s}\n") + extra
	c, err := config.Parse([]byte("app: shop\n" + yaml))
	if err != nil {
		t.Fatal(err)
	}
	return c.WithDefaults("shop")
}

func secrets(field, ref string) (string, error) { return "fake-client-secret", nil }

// pkgZip is a zip package; with greetkit installed when healthy.
func pkgZip(t *testing.T, healthy bool) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	files := []string{"host.json", "function_app.py"}
	if healthy {
		files = append(files, ".python_packages/lib/site-packages/greetkit/__init__.py")
	}
	for _, f := range files {
		w, _ := z.Create(f)
		w.Write([]byte("# " + f))
	}
	z.Close()
	return b.Bytes()
}

func TestAzureFunctionTargetIsChosenPerEnvironment(t *testing.T) {
	w := azurefake.New("shop-func", "FlexConsumption")
	defer w.Close()
	cfg := funcConfig(t, w, "")
	if !TargetPacks(cfg, "dev") || TargetUsesCluster(cfg, "dev") || TargetName(cfg, "dev") != "azure-function" {
		t.Errorf("dev: packs %v, cluster %v, name %s", TargetPacks(cfg, "dev"), TargetUsesCluster(cfg, "dev"), TargetName(cfg, "dev"))
	}
	if TargetPacks(cfg, "prod") || TargetName(cfg, "prod") == "azure-function" {
		t.Errorf("prod deploys to %s", TargetName(cfg, "prod"))
	}
	tg, err := NewTarget(TargetInput{Config: cfg, Env: "dev", Files: fstest.MapFS{"requirements.txt": {Data: []byte("./packages/greetkit\nrequests==2.32.3\n")}},
		Image: LocalImageRef("shop", "1a2b3c4d"), Version: "1a2b3c4d", Secret: secrets})
	if err != nil {
		t.Fatal(err)
	}
	pk, ok := tg.(Packager)
	if !ok {
		t.Fatalf("the zip target %T is no Packager", tg)
	}
	if got := pk.PackPlan(); got != "function.zip for linux/amd64 (python:3.11-slim)" {
		t.Errorf("PackPlan %q", got)
	}
	if got := tg.(azureFunctionZip).wantPkgs; strings.Join(got, ",") != "requests" {
		t.Errorf("packages the zip must hold: %q", got)
	}
	want := []string{
		"deploy: the zip package of the pack stage to Function App rg-fake/shop-func (no cluster)",
		"  1. azure auth: service principal 00000000-0000-0000-0000-0000000000cc in tenant 00000000-0000-0000-0000-0000000000aa (client secret from env:FAKE_SECRET)",
		"  2. azure function shop-func: read its hosting plan (set azure.functionZip.hostingPlan to name it), then: Flex Consumption: POST /api/publish?RemoteBuild=false (one deploy); " +
			"Linux Consumption: upload to the AzureWebJobsStorage account (container function-releases), set WEBSITE_RUN_FROM_PACKAGE to its read URL, sync the triggers; " +
			"other plans: SCM_DO_BUILD_DURING_DEPLOYMENT=false on Linux, then POST /api/zipdeploy?isAsync=true; wait up to 10m0s",
		"  3. wait for GET https://<default host>/api/health to answer 2xx, up to 2s",
		"  on failure: on Linux Consumption set WEBSITE_RUN_FROM_PACKAGE back to the previous package; the other plans keep no previous package onepipe can return to",
	}
	if got := tg.Plan(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAzureFunctionContainerNeedsAPushedImage(t *testing.T) {
	w := azurefake.New("shop-func", "ElasticPremium")
	defer w.Close()
	cfg := funcConfig(t, w, "")
	cfg.Azure.FunctionZip.Environments = nil
	cfg.Azure.FunctionContainer = config.AzureFunctionContainer{App: "shop-func", Environments: []string{"dev"}}
	_, err := NewTarget(TargetInput{Config: cfg, Env: "dev", Image: LocalImageRef("shop", "1a2b3c4d"), Version: "1a2b3c4d", Secret: secrets})
	want := "the Function App shop-func pulls its image from a registry: add --publish REPOSITORY or --push (or set azure.functionContainer.image)"
	if err == nil || err.Error() != want {
		t.Errorf("error %v", err)
	}
	tg, err := NewTarget(TargetInput{Config: cfg, Env: "dev", Image: "acme.azurecr.io/shop:1a2b3c4d", Version: "1a2b3c4d", Secret: secrets})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tg.(Packager); ok {
		t.Error("a container Function App ships the image, not a package of its own")
	}
}

func newFuncTarget(t *testing.T, w *azurefake.World, cfg config.Config, kind string) *AzureFunction {
	t.Helper()
	tg, err := NewAzureFunction(AzureFunctionInput{Config: cfg, Kind: kind, Image: "acme.azurecr.io/shop:v2", Secret: secrets, HTTP: w.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// TestAzureFunctionDeploysAndChecks: the package goes to /api/publish on
// Flex Consumption, then the smoke path and deploy.smoke answer.
func TestAzureFunctionDeploysAndChecks(t *testing.T) {
	w := azurefake.New("shop-func", "FlexConsumption")
	defer w.Close()
	w.Requires = []string{"greetkit"}
	cfg := funcConfig(t, w, "deploy:\n  smoke:\n    - {name: health, path: /api/health, contains: ok}\n")
	tg := newFuncTarget(t, w, cfg, config.FunctionZip)
	tg.pkg = pkgZip(t, true)
	var log bytes.Buffer
	d, err := tg.Deploy(context.Background(), Destination{Engine: Engine{Log: &log}})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if d.Address != w.Host.URL || tg.Address() != w.Host.URL || len(d.Smoke) != 1 ||
		d.Summary != "function.zip (1 KiB) to Function App shop-func on Flex Consumption, 1 smoke checks passed" {
		t.Errorf("deployed %+v", d)
	}
	up := w.Uploads()
	if len(up) != 1 || up[0].Path != "/api/publish" || up[0].Query != "Deployer=onepipe&RemoteBuild=false" || !bytes.Equal(up[0].Body, tg.pkg) {
		t.Errorf("uploads %+v", up)
	}
	for _, l := range []string{"deploy: azure function shop-func: hosting plan Flex Consumption: POST /api/publish?RemoteBuild=false (one deploy)",
		"deploy: wait for GET " + w.Host.URL + "/api/health to answer 2xx", "deploy:   ok health: GET /api/health → 200"} {
		if !strings.Contains(log.String(), l) {
			t.Errorf("log lacks %q:\n%s", l, log.String())
		}
	}
}

// TestAzureFunctionRollsBackALinuxConsumptionApp: a release whose smoke
// path fails is replaced by the package the app ran before.
func TestAzureFunctionRollsBackALinuxConsumptionApp(t *testing.T) {
	w := azurefake.New("shop-func", "Dynamic")
	defer w.Close()
	w.Requires = []string{"greetkit"}
	good := pkgZip(t, true)
	w.Seed(good)
	before := w.Settings()["WEBSITE_RUN_FROM_PACKAGE"]
	tg := newFuncTarget(t, w, funcConfig(t, w, ""), config.FunctionZip)
	tg.pkg = pkgZip(t, false)
	_, err := tg.Deploy(context.Background(), Destination{})
	if err == nil || !strings.Contains(err.Error(), "500 Internal Server Error: ModuleNotFoundError: No module named 'greetkit'") {
		t.Fatalf("Deploy: %v", err)
	}
	if w.Settings()["WEBSITE_RUN_FROM_PACKAGE"] == before {
		t.Fatal("the broken package never went live")
	}
	err = tg.Rollback(context.Background(), err)
	var de *DeployError
	if !errors.As(err, &de) || de.Message != "the release to Function App shop-func failed and was rolled back: WEBSITE_RUN_FROM_PACKAGE points at the previous package again" {
		t.Errorf("Rollback: %v", err)
	}
	if w.Settings()["WEBSITE_RUN_FROM_PACKAGE"] != before || !bytes.Equal(w.Running(), good) {
		t.Error("the app does not run the previous package again")
	}
	if strings.Contains(err.Error(), "sig=") || strings.Contains(err.Error(), "AccountKey") {
		t.Errorf("the error leaks a secret: %v", err)
	}
}

func TestAzureFunctionOnFlexCannotRollBack(t *testing.T) {
	w := azurefake.New("shop-func", "FlexConsumption")
	defer w.Close()
	w.Requires = []string{"greetkit"}
	tg := newFuncTarget(t, w, funcConfig(t, w, ""), config.FunctionZip)
	tg.pkg = pkgZip(t, false)
	_, err := tg.Deploy(context.Background(), Destination{})
	err = tg.Rollback(context.Background(), err)
	want := "the release to Function App shop-func failed and the app runs it: Flex Consumption keeps no previous package onepipe can return to: deploy the previous release again"
	var de *DeployError
	if !errors.As(err, &de) || de.Message != want {
		t.Errorf("Rollback: %v", err)
	}
}

func TestAzureFunctionContainerRollsBack(t *testing.T) {
	w := azurefake.New("shop-func", "ElasticPremium")
	defer w.Close()
	w.Seed(pkgZip(t, false)) // the new image "fails" its health route
	cfg := funcConfig(t, w, "")
	cfg.Azure.FunctionContainer = config.AzureFunctionContainer{App: "shop-func", Smoke: config.AzureSmoke{Path: "/api/health", Timeout: "1s"}}
	// the app ran an image before
	tg := newFuncTarget(t, w, cfg, config.FunctionContainer)
	pre := newFuncTarget(t, w, cfg, config.FunctionContainer)
	pre.pkg = nil
	w.Requires = []string{"greetkit"}
	if _, err := pre.Deploy(context.Background(), Destination{Image: "acme.azurecr.io/shop:v1@sha256:01"}); err == nil {
		t.Fatal("the fake app should fail its health route")
	}
	_, err := tg.Deploy(context.Background(), Destination{Image: "acme.azurecr.io/shop:v2@sha256:02"})
	err = tg.Rollback(context.Background(), err)
	var de *DeployError
	if !errors.As(err, &de) || de.Message != "the release to Function App shop-func failed and was rolled back: the app runs acme.azurecr.io/shop:v1@sha256:01 again" {
		t.Errorf("Rollback: %v", err)
	}
}
