package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onepipe/onepipe/internal/helm"
	"github.com/onepipe/onepipe/internal/manifest"
	"github.com/onepipe/onepipe/internal/versions"
)

// TestHelmChartE2E builds helm on a real engine (minutes when cold), checks
// its version, then lints and renders the Flask example's chart with the
// values files the Helm target hands it: the image injected last wins over
// the chart's values, onepipe's values reach the objects, and the secrets
// file fills the Secret.
func TestHelmChartE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the helm build takes minutes")
	}
	dag := connectE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	tg := flaskHelmTarget(t, map[string][]string{"dev": {"deploy/chart/values-dev.yaml"}})
	own, err := helm.ValuesFile(tg.values)
	if err != nil {
		t.Fatal(err)
	}
	secrets, _ := helm.SecretValuesFile(tg.secrets)
	image, _ := helm.ImageValuesFile("registry.example.com/flask:v1.2.3@sha256:" + strings.Repeat("ab", 32))
	chart := dag.Host().Directory(filepath.Join(flaskFiles(t), "deploy", "chart"))
	ctr := dag.Container().From(versions.DebianImage).
		WithFile("/usr/local/bin/helm", HelmBinary(dag)).
		WithDirectory(helmChartDir, chart).
		WithNewFile("/v/0.yaml", string(own)).
		WithMountedSecret("/v/1.yaml", dag.SetSecret("helm-e2e-secrets", string(secrets))).
		WithFile("/v/2.yaml", chart.File("values-dev.yaml")).
		WithNewFile("/v/3.yaml", string(image))
	values := []string{"--values=/v/0.yaml", "--values=/v/1.yaml", "--values=/v/2.yaml", "--values=/v/3.yaml"}

	out, err := ctr.WithExec([]string{"helm", "version", "--short"}).Stdout(ctx)
	if err != nil {
		t.Fatalf("helm version: %v", Explain(err))
	}
	if !strings.HasPrefix(strings.TrimSpace(out), versions.Helm) {
		t.Errorf("helm version = %q, want %s", out, versions.Helm)
	}
	if _, err := ctr.WithExec(append([]string{"helm", "lint", "--strict", helmChartDir}, values...)).Stdout(ctx); err != nil {
		t.Errorf("helm lint: %v", Explain(err))
	}
	out, err = ctr.WithExec(append([]string{"helm", "template", "flask", helmChartDir, "--namespace=flask-dev"}, values...)).Stdout(ctx)
	if err != nil {
		t.Fatalf("helm template: %v", Explain(err))
	}
	objs, err := manifest.Parse("helm template", []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]manifest.Object{}
	for _, o := range objs {
		byName[o.String()] = o
	}
	for _, want := range []string{"Deployment/flask", "Service/flask", "Ingress/flask", "Secret/flask-secrets", "StatefulSet/flask-postgres", "Service/flask-postgres", "Job/flask-migrate"} {
		if _, ok := byName[want]; !ok {
			t.Errorf("the chart renders no %s", want)
		}
	}
	if !strings.Contains(out, `image: "registry.example.com/flask:v1.2.3@sha256:abab`) {
		t.Errorf("the injected image is not the app's:\n%s", out)
	}
	for _, want := range []string{`host: "conduit.dev.example.com"`, `value: "3600"`, `SECRET_KEY: "s3cret-key"`, `helm.sh/hook: post-install,pre-upgrade`, "- flask\n            - db\n            - upgrade"} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered chart lacks %q", want)
		}
	}
	objects := helm.Inspect(objs)
	if len(objects.Apps) != 1 || objects.Apps[0].String() != "deployment/flask" || strings.Join(objects.Hosts, ",") != "conduit.dev.example.com" {
		t.Errorf("Inspect = %+v", objects)
	}
	if t.Failed() {
		t.Logf("helm template:\n%s", out)
	}
}

// TestHelmBinaryRegistryCacheE2E: helm goes through the registry cache like
// the cluster's binaries, for fresh CI engines: the first deploy pushes it,
// the next pulls it, and the helm pulled runs.
func TestHelmBinaryRegistryCacheE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the helm build takes minutes")
	}
	dag := connectE2E(t)
	const registry = "127.0.0.1:5000"
	resp, err := http.Get("http://" + registry + "/v2/")
	if err != nil {
		t.Skipf("no registry at %s: %v", registry, err)
	}
	resp.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	var log bytes.Buffer
	cache := &RegistryCache{Repository: fmt.Sprintf("%s/e2e-helm-cache-%d/flask", registry, time.Now().UnixNano()), App: "flask", Log: &log}
	for _, want := range []string{"cache: helm pushed to " + cache.Repository, "cache: helm from " + cache.Repository} {
		log.Reset()
		bin, err := cachedHelm(ctx, dag, cache)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(log.String(), want) {
			t.Errorf("cache log %q lacks %q", log.String(), want)
		}
		out, err := dag.Container().From(versions.DebianImage).WithFile("/usr/local/bin/helm", bin).
			WithExec([]string{"helm", "version", "--short"}).Stdout(ctx)
		if err != nil || !strings.HasPrefix(out, versions.Helm) {
			t.Errorf("helm version = %q, %v", out, err)
		}
	}
}
