package e2e

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/azure"
	"github.com/onepipe/onepipe/internal/azure/azurefake"
)

// azureApp copies examples/azure-function and points its onepipe.yaml at
// the fake Azure of w, with dev in azure.functionZip.environments; zip
// adds lines under functionZip. It returns the app and the environment
// onepipe needs: the client secret, and SSL_CERT_FILE so the scm site and
// the app's host (https with httptest's certificate) are trusted.
func azureApp(t *testing.T, w *azurefake.World, zip, rest string) (string, []string) {
	t.Helper()
	app := copyApp(t, "azure-function")
	cfg := "app: azure-function\n" + w.OnePipeYAML("FAKE_AZURE_SECRET", zip+"    environments: [dev]\n") + rest
	if err := os.WriteFile(filepath.Join(app, "onepipe.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cert := filepath.Join(t.TempDir(), "fake-azure.pem")
	if err := os.WriteFile(cert, w.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	return app, []string{"FAKE_AZURE_SECRET=fake-client-secret", "SSL_CERT_FILE=" + cert}
}

// TestAzureFunctionRunE2E runs `onepipe run --deploy` for an environment
// whose target is a Flex Consumption Function App (a fake one on loopback):
// test, lint, the zip package in the pack stage, the upload to
// /api/publish, the smoke path and deploy.smoke, through one report; and
// `onepipe plan` lists the same steps.
func TestAzureFunctionRunE2E(t *testing.T) {
	needEngine(t)
	w := azurefake.New("onepipe-example-func", "FlexConsumption")
	defer w.Close()
	w.Requires = []string{"greetkit"}
	app, env := azureApp(t, w, "    pythonVersion: \"3.11\"\n    packages: [greetkit]\n    smoke: {path: /api/health, timeout: 1m}\n",
		"deploy:\n  smoke:\n    - {name: health, path: /api/health, contains: ok}\n")
	sha := strings.Repeat("c", 40)

	p := onepipe(t, env, "plan", "--source", app, "--deploy", "--env", "dev", "--sha", sha)
	if p.code != 0 {
		t.Fatalf("plan: exit %d\n%s%s", p.code, p.stdout, p.stderr)
	}
	for _, want := range []string{
		"stages:      test, lint, pack function.zip for linux/amd64 (python:3.11-slim), deploy",
		"deploy: the zip package of the pack stage to Function App " + azurefake.ResourceGroup + "/onepipe-example-func (no cluster)",
		"smoke checks: health against https://<default host>",
	} {
		if !strings.Contains(p.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, p.stdout)
		}
	}
	if strings.Contains(p.stdout, "cluster") && !strings.Contains(p.stdout, "(no cluster)") {
		t.Errorf("plan has a cluster:\n%s", p.stdout)
	}

	out := t.TempDir()
	r := onepipe(t, env, "run", "--source", app, "--deploy", "--env", "dev", "--sha", sha, "--out", out, "--progress", "plain")
	if r.code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("run:\n%s", r.stdout)
	ups := w.Uploads()
	if len(ups) != 1 || ups[0].Path != "/api/publish" || ups[0].ContentType != "application/zip" || ups[0].Query != "Deployer=onepipe&RemoteBuild=false" {
		t.Fatalf("uploads %+v", ups)
	}
	zr, err := zip.NewReader(bytes.NewReader(ups[0].Body), int64(len(ups[0].Body)))
	if err != nil {
		t.Fatal(err)
	}
	if err := azure.CheckFunctionPackage(zr, []string{"greetkit"}); err != nil {
		t.Error(err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	for _, want := range []string{"function_app.py", "hello.py", "host.json", ".python_packages/lib/site-packages/greetkit/__init__.py"} {
		if !names[want] {
			t.Errorf("the upload lacks %s", want)
		}
	}
	for n := range names {
		if strings.HasPrefix(n, "tests/") || n == "local.settings.json" || n == "onepipe.yaml" {
			t.Errorf("the upload holds %s", n)
		}
	}
	if got, err := os.ReadFile(filepath.Join(out, "function.zip")); err != nil || !bytes.Equal(got, ups[0].Body) {
		t.Errorf("reports: function.zip is not the package uploaded (%v)", err)
	}
	health := 0
	for _, req := range w.Requests() {
		if req == "host GET /api/health" {
			health++
		}
	}
	if health < 2 {
		t.Errorf("the smoke path and deploy.smoke asked /api/health %d times: %v", health, w.Requests())
	}
	for _, want := range []string{"function.zip for linux/amd64", "to Function App onepipe-example-func on Flex Consumption, 1 smoke checks passed", w.Host.URL} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, stage := range []string{"cluster", "publish"} {
		for _, l := range strings.Split(r.stdout, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), stage+" ") {
				t.Errorf("the run has a %s stage: %q", stage, l)
			}
		}
	}
}

// TestAzureFunctionBrokenReleaseE2E deploys a release whose package lacks
// a dependency its code imports (greetkit, left in the dev requirements
// only: the tests pass, the zip check finds nothing missing) to a Linux
// Consumption app: the smoke path answers 500, the run fails with one line,
// and WEBSITE_RUN_FROM_PACKAGE points at the package the app ran before.
func TestAzureFunctionBrokenReleaseE2E(t *testing.T) {
	needEngine(t)
	w := azurefake.New("onepipe-example-func", "Dynamic")
	defer w.Close()
	w.Requires = []string{"greetkit"}
	w.Seed(healthyPackage(t))
	before := w.Settings()[azure.SettingRunFromPackage]
	app, env := azureApp(t, w, "    smoke: {path: /api/health, timeout: 5s}\n", "")
	if err := os.WriteFile(filepath.Join(app, "requirements.txt"), []byte("# greetkit moved to requirements-dev.txt by mistake\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dev := mustRead(t, filepath.Join(app, "requirements-dev.txt")) + "./packages/greetkit\n"
	if err := os.WriteFile(filepath.Join(app, "requirements-dev.txt"), []byte(dev), 0o644); err != nil {
		t.Fatal(err)
	}

	r := onepipe(t, env, "run", "--source", app, "--deploy", "--env", "dev", "--sha", strings.Repeat("d", 40), "--out", t.TempDir())
	if r.code != 1 {
		t.Fatalf("run: exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	last := lastLine(r.stderr)
	t.Logf("run failed with: %s", last)
	for _, want := range []string{
		"the release to Function App onepipe-example-func failed and was rolled back: WEBSITE_RUN_FROM_PACKAGE points at the previous package again",
		"500 Internal Server Error", "ModuleNotFoundError: No module named 'greetkit'",
	} {
		if !strings.Contains(last, want) {
			t.Errorf("last line of stderr lacks %q: %q", want, last)
		}
	}
	if strings.Contains(last, "sig=") || strings.Contains(last, "AccountKey") || strings.Contains(r.stdout+r.stderr, azurefake.Token) {
		t.Errorf("output leaks a secret:\n%s\n%s", r.stdout, r.stderr)
	}
	ups := w.Uploads()
	if len(ups) != 1 || !strings.HasPrefix(ups[0].Path, "/function-releases/") {
		t.Fatalf("uploads %+v", ups)
	}
	if got := w.Settings()[azure.SettingRunFromPackage]; got != before {
		t.Errorf("WEBSITE_RUN_FROM_PACKAGE = %q after the rollback, want the previous %q", got, before)
	}
}

// healthyPackage is a package the fake host runs: host.json, the function
// and greetkit installed.
func healthyPackage(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, f := range []string{"host.json", "function_app.py", ".python_packages/lib/site-packages/greetkit/__init__.py"} {
		w, err := z.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("# " + f + "\n"))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
