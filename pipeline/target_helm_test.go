package pipeline

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/versions"
)

// flaskHelm is the Flask example's config deploying its chart.
func flaskHelm(t *testing.T, values map[string][]string) config.Config {
	t.Helper()
	cfg := flaskConfig(t)
	cfg.Deploy.Manifests = ""
	cfg.Deploy.Chart = &config.Chart{Path: "deploy/chart", Values: values}
	return cfg
}

var flaskSecrets = secretsFrom(map[string]string{"CONDUIT_SECRET_KEY": "s3cret-key", "CONDUIT_DB_PASSWORD": "db-pw"})

// flaskHelmTarget is the Flask example's chart target for dev.
func flaskHelmTarget(t *testing.T, values map[string][]string) *helmTarget {
	t.Helper()
	tg, err := NewTarget(TargetInput{Config: flaskHelm(t, values), Env: "dev", Files: os.DirFS(flaskFiles(t)),
		Image: "onepipe.local/flask:aaaaaaaa", Version: "aaaaaaaa", Secret: flaskSecrets})
	if err != nil {
		t.Fatal(err)
	}
	h, ok := tg.(*helmTarget)
	if !ok {
		t.Fatalf("target = %T, want the Helm chart target", tg)
	}
	return h
}

func TestHelmTargetIsChosenByDeployChart(t *testing.T) {
	cfg := flaskConfig(t)
	if got := TargetName(cfg, "dev"); got != "kubernetes" {
		t.Errorf("without deploy.chart: target %q", got)
	}
	cfg = flaskHelm(t, nil)
	if got := TargetName(cfg, "dev"); got != "helm" {
		t.Errorf("with deploy.chart: target %q, want helm", got)
	}
	if !TargetUsesCluster(cfg, "dev") {
		t.Error("the Helm chart target has no cluster stage")
	}
	// an environment that runs on a Docker host keeps it: the chart is for
	// the environments on a cluster
	prod := cfg.Environments["prod"]
	prod.Docker = &config.Docker{Host: "ssh://deploy@box.example.com"}
	cfg.Environments = map[string]config.Environment{"dev": cfg.Environments["dev"], "prod": prod}
	if got := TargetName(cfg, "prod"); got != "docker" {
		t.Errorf("a Docker host environment with deploy.chart: target %q, want docker", got)
	}
	if got := TargetName(cfg, "dev"); got != "helm" {
		t.Errorf("dev beside a Docker host environment: target %q, want helm", got)
	}
}

func TestHelmTargetPlan(t *testing.T) {
	tg := flaskHelmTarget(t, map[string][]string{"dev": {"deploy/chart/values-dev.yaml"}, "prod": {"deploy/chart/values-prod.yaml"}})
	lines := tg.Plan()
	want := []string{
		"deploy: helm release flask of chart flask 0.1.0 (deploy/chart) to namespace flask-dev with helm " + versions.Helm + " (timeout 5m0s per wait)",
		"  values: the chart's values.yaml, then onepipe.app, .environment, .namespace, .version, .image, .host, .replicas, .port, .vars (TOKEN_TTL_SECONDS), .migration, .secrets (POSTGRES_PASSWORD, SECRET_KEY), then deploy/chart/values-dev.yaml, then image.repository=onepipe.local/flask image.tag=aaaaaaaa",
		"  1. read the history of release flask (the revision to roll back to)",
		"  2. helm upgrade --install flask --atomic --wait --wait-for-jobs (a failed upgrade rolls back by itself; keeps 10 revisions)",
		"  3. read the release's objects and the address of its Ingresses and LoadBalancer Services",
		"  4. run the 5 smoke checks; if they fail, helm rollback to the revision read in 1 (a first release is uninstalled)",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if refs, app := ReleaseImages(tg); app != "onepipe.local/flask:aaaaaaaa" || len(refs) != 1 || refs[0] != app {
		t.Errorf("ReleaseImages = %v, %q", refs, app)
	}
	// the plan never shows a secret's value
	if s := strings.Join(lines, "\n"); strings.Contains(s, "s3cret-key") || strings.Contains(s, "db-pw") {
		t.Errorf("the plan shows a secret:\n%s", s)
	}
}

func TestHelmTargetPlanOfAChartReference(t *testing.T) {
	cfg := flaskConfig(t)
	cfg.Deploy.Manifests = ""
	cfg.Deploy.Chart = &config.Chart{Ref: "oci://registry.example.com/charts/conduit", Version: "1.4.2", Release: "conduit"}
	tg, err := NewTarget(TargetInput{Config: cfg, Env: "dev", Files: fstest.MapFS{}, Image: "registry.example.com/flask:v1", Version: "v1", Secret: flaskSecrets})
	if err != nil {
		t.Fatal(err)
	}
	if got := tg.Plan()[0]; got != "deploy: helm release conduit of chart oci://registry.example.com/charts/conduit 1.4.2 to namespace flask-dev with helm "+versions.Helm+" (timeout 5m0s per wait)" {
		t.Errorf("plan starts %q", got)
	}
	if got := tg.(*helmTarget).source(); got.Dir != "" || got.Ref != "oci://registry.example.com/charts/conduit" || got.Version != "1.4.2" {
		t.Errorf("source = %+v", got)
	}
}

// TestHelmTargetBadInput: every problem the target can see before any work
// is one line naming the setting or file and what to do.
func TestHelmTargetBadInput(t *testing.T) {
	chart := "apiVersion: v2\nname: web\nversion: 0.1.0\n"
	tests := []struct {
		name   string
		chart  config.Chart
		files  fstest.MapFS
		secret func(field, ref string) (string, error)
		want   string
	}{
		{"values of an unknown environment", config.Chart{Path: "chart", Values: map[string][]string{"stagng": {"v.yaml"}}}, fstest.MapFS{"chart/Chart.yaml": {Data: []byte(chart)}}, nil,
			"deploy.chart.values.stagng: there is no environment stagng: use one of dev, prod (the names under environments: in onepipe.yaml)"},
		{"no chart folder", config.Chart{Path: "deploy/chart"}, fstest.MapFS{}, nil,
			"deploy.chart.path deploy/chart: not found: put the app's Helm chart there (helm create makes one) or change deploy.chart.path"},
		{"a file, not a folder", config.Chart{Path: "chart"}, fstest.MapFS{"chart": {Data: []byte("x")}}, nil,
			"deploy.chart.path chart: is a file: name the chart's folder, the one holding Chart.yaml"},
		{"no Chart.yaml", config.Chart{Path: "chart"}, fstest.MapFS{"chart/values.yaml": {Data: []byte("a: 1\n")}}, nil,
			"deploy.chart.path chart: no Chart.yaml: a Helm chart folder starts with one (name, version; helm create makes one)"},
		{"no version", config.Chart{Path: "chart"}, fstest.MapFS{"chart/Chart.yaml": {Data: []byte("apiVersion: v2\nname: web\n")}}, nil,
			"chart/Chart.yaml: no version: give the chart a version, e.g. version: 0.1.0"},
		{"broken Chart.yaml", config.Chart{Path: "chart"}, fstest.MapFS{"chart/Chart.yaml": {Data: []byte("name: [web\n")}}, nil,
			"chart/Chart.yaml: invalid YAML: line 1: did not find expected ',' or ']'"},
		{"dependencies not built", config.Chart{Path: "chart"}, fstest.MapFS{"chart/Chart.yaml": {Data: []byte(chart + "dependencies:\n  - name: redis\n")}}, nil,
			"chart/Chart.yaml: depends on chart redis, but chart/charts is missing: run helm dependency build chart and keep chart/charts with the app"},
		{"missing values file", config.Chart{Path: "chart", Values: map[string][]string{"dev": {"chart/values-dev.yaml"}}}, fstest.MapFS{"chart/Chart.yaml": {Data: []byte(chart)}}, nil,
			"deploy.chart.values.dev[0] chart/values-dev.yaml: not found: add the values file, or drop it from deploy.chart.values.dev[0]"},
		{"values file not a mapping", config.Chart{Path: "chart", Values: map[string][]string{"dev": {"v.yaml"}}}, fstest.MapFS{"chart/Chart.yaml": {Data: []byte(chart)}, "v.yaml": {Data: []byte("- a\n- b\n")}}, nil,
			"v.yaml: is a list: write it as a mapping of names to values, e.g. replicas: 2"},
		{"a secret not set", config.Chart{Path: "chart"}, fstest.MapFS{"chart/Chart.yaml": {Data: []byte(chart)}}, secretsFrom(nil),
			"secret env:CONDUIT_DB_PASSWORD is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := flaskConfig(t)
			cfg.Deploy.Manifests = ""
			cfg.Deploy.Chart = &tt.chart
			secret := tt.secret
			if secret == nil {
				secret = flaskSecrets
			}
			_, err := NewTarget(TargetInput{Config: cfg, Env: "dev", Files: tt.files, Image: "onepipe.local/flask:a", Version: "a", Secret: secret})
			if err == nil || err.Error() != tt.want {
				t.Errorf("NewTarget: %v\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestReadHistoryOfAMissingRelease(t *testing.T) {
	notFound := &CommandError{Cmd: []string{"helm", "history", "flask"}, ExitCode: 1, Output: "Error: release: not found", Stderr: "Error: release: not found\n"}
	h, err := readHistory("", notFound)
	if err != nil || h == nil || len(h) != 0 {
		t.Errorf("readHistory(not found) = %v, %v; want an empty history", h, err)
	}
	other := &CommandError{Cmd: []string{"helm", "history", "flask"}, ExitCode: 1, Output: "Error: Kubernetes cluster unreachable"}
	if _, err := readHistory("", other); err != other {
		t.Errorf("readHistory(unreachable) = %v, want the command's error", err)
	}
	h, err = readHistory(`[{"revision":1,"status":"superseded","chart":"flask-0.1.0"},{"revision":2,"status":"deployed","chart":"flask-0.1.0"}]`, nil)
	if rev, ok := h.Deployed(); err != nil || !ok || rev.Number != 2 {
		t.Errorf("readHistory = %v, %v", h, err)
	}
}
