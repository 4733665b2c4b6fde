package helm

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"sigs.k8s.io/yaml"
)

var flask = Release{Name: "flask", Namespace: "flask-dev", Timeout: 5 * time.Minute}

func TestArgs(t *testing.T) {
	tests := []struct {
		name string
		got  []string
		want string
	}{
		{"upgrade a chart folder", flask.UpgradeArgs(Source{Dir: "/onepipe/chart"}, []string{"/v/0.yaml", "/v/1.yaml"}),
			"helm upgrade flask /onepipe/chart --install --namespace=flask-dev --create-namespace --atomic --wait --wait-for-jobs --timeout=5m0s --history-max=10 --values=/v/0.yaml --values=/v/1.yaml"},
		{"upgrade an OCI chart", flask.UpgradeArgs(Source{Ref: "oci://r.example.com/charts/web", Version: "1.4.2"}, nil),
			"helm upgrade flask oci://r.example.com/charts/web --version=1.4.2 --install --namespace=flask-dev --create-namespace --atomic --wait --wait-for-jobs --timeout=5m0s --history-max=10"},
		{"upgrade a repository's chart", flask.UpgradeArgs(Source{Ref: "web", Repo: "https://charts.example.com", Version: "1.4.2"}, nil),
			"helm upgrade flask web --version=1.4.2 --repo=https://charts.example.com --install --namespace=flask-dev --create-namespace --atomic --wait --wait-for-jobs --timeout=5m0s --history-max=10"},
		{"history", flask.HistoryArgs(), "helm history flask --namespace=flask-dev --output=json"},
		{"rollback", flask.RollbackArgs(3), "helm rollback flask 3 --namespace=flask-dev --wait --wait-for-jobs --timeout=5m0s --history-max=10"},
		{"uninstall", flask.UninstallArgs(), "helm uninstall flask --namespace=flask-dev --wait --timeout=5m0s"},
		{"objects", flask.ObjectsArgs(), "kubectl get deployments,services,ingresses --namespace=flask-dev -o=json"},
		{"pods", flask.PodsArgs(), "kubectl get pods --namespace=flask-dev --selector=app.kubernetes.io/instance=flask -o=wide"},
	}
	for _, tt := range tests {
		if got := strings.Join(tt.got, " "); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// history is what helm history --output json printed after a first
// release, a bad one and helm rollback to the first.
const history = `[{"revision":1,"updated":"2026-01-02T10:00:00Z","status":"superseded","chart":"flask-0.1.0","app_version":"1.0.0","description":"Install complete"},
{"revision":2,"updated":"2026-01-02T10:05:00Z","status":"superseded","chart":"flask-0.1.0","app_version":"1.0.0","description":"Upgrade complete"},
{"revision":3,"updated":"2026-01-02T10:06:00Z","status":"deployed","chart":"flask-0.1.0","app_version":"1.0.0","description":"Rollback to 1"}]`

func TestParseHistory(t *testing.T) {
	h, err := ParseHistory(history)
	if err != nil {
		t.Fatal(err)
	}
	if latest, ok := h.Latest(); !ok || latest.Number != 3 || latest.Description != "Rollback to 1" {
		t.Errorf("Latest = %+v", latest)
	}
	if dep, ok := h.Deployed(); !ok || dep.String() != "revision 3 (flask-0.1.0, deployed)" {
		t.Errorf("Deployed = %v", dep)
	}
	if _, busy := h.Busy(); busy {
		t.Error("a deployed release is busy")
	}
	pending := append(h, Revision{Number: 4, Status: "pending-upgrade"})
	if r, busy := pending.Busy(); !busy || r.Number != 4 {
		t.Errorf("Busy = %v, %v", r, busy)
	}
	failed := History{{Number: 1, Status: "failed"}}
	if _, ok := failed.Deployed(); ok {
		t.Error("a failed release has a deployed revision")
	}
	if _, ok := (History{}).Latest(); ok {
		t.Error("an empty history has a revision")
	}
	if _, err := ParseHistory("Error: oops"); err == nil || !strings.HasPrefix(err.Error(), "read helm history: ") {
		t.Errorf("ParseHistory(garbage) = %v", err)
	}
	if !NotFound("Error: release: not found\n") || NotFound("Error: Kubernetes cluster unreachable") {
		t.Error("NotFound")
	}
}

func TestUpgradedRevision(t *testing.T) {
	out := "Release \"flask\" has been upgraded. Happy Helming!\nNAME: flask\nLAST DEPLOYED: Fri Jan  2 10:05:00 2026\nNAMESPACE: flask-dev\nSTATUS: deployed\nREVISION: 2\nTEST SUITE: None\n"
	if n, ok := UpgradedRevision(out); !ok || n != 2 {
		t.Errorf("UpgradedRevision = %d, %v", n, ok)
	}
	if _, ok := UpgradedRevision("nothing"); ok {
		t.Error("a revision in output without one")
	}
}

func TestSplitImage(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	for _, tt := range []struct{ ref, repo, tag string }{
		{"onepipe.local/flask:aaaaaaaa", "onepipe.local/flask", "aaaaaaaa"},
		{"registry.example.com:5000/acme/flask:v1.2.3@" + digest, "registry.example.com:5000/acme/flask", "v1.2.3@" + digest},
		{"registry.example.com:5000/acme/flask", "registry.example.com:5000/acme/flask", ""},
		{"flask", "flask", ""},
	} {
		if repo, tag := SplitImage(tt.ref); repo != tt.repo || tag != tt.tag {
			t.Errorf("SplitImage(%q) = %q, %q; want %q, %q", tt.ref, repo, tag, tt.repo, tt.tag)
		}
	}
}

func TestValuesFiles(t *testing.T) {
	v := Values{App: "flask", Environment: "dev", Namespace: "flask-dev", Version: "aaaaaaaa", Image: "onepipe.local/flask:aaaaaaaa",
		Host: "conduit.dev.example.com", Replicas: 2, Port: 8000, Vars: map[string]string{"TOKEN_TTL_SECONDS": "3600"},
		SecretNames: []string{"SECRET_KEY"}, Migration: []string{"flask", "db", "upgrade"}}
	own, err := ValuesFile(v)
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Onepipe Values }
	if err := yaml.UnmarshalStrict(own, &got); err != nil {
		t.Fatal(err)
	}
	if got.Onepipe.Host != v.Host || got.Onepipe.Replicas != 2 || got.Onepipe.Vars["TOKEN_TTL_SECONDS"] != "3600" || strings.Join(got.Onepipe.Migration, " ") != "flask db upgrade" {
		t.Errorf("values file round trip: %+v\n%s", got.Onepipe, own)
	}
	// a value that looks like a number stays text: charts quote it into env
	if !strings.Contains(string(own), `TOKEN_TTL_SECONDS: "3600"`) {
		t.Errorf("vars not kept as text:\n%s", own)
	}
	// empty lists and maps are written, so templates can range over them
	empty, _ := ValuesFile(Values{App: "a"})
	for _, want := range []string{"vars: {}", "migration: []", "secretNames: []"} {
		if !strings.Contains(string(empty), want) {
			t.Errorf("empty values lack %q:\n%s", want, empty)
		}
	}
	sec, _ := SecretValuesFile(map[string]string{"SECRET_KEY": "s3cret: with \"quotes\"\nand a line"})
	var s struct {
		Onepipe struct{ Secrets map[string]string }
	}
	if err := yaml.UnmarshalStrict(sec, &s); err != nil || s.Onepipe.Secrets["SECRET_KEY"] != "s3cret: with \"quotes\"\nand a line" {
		t.Errorf("secrets round trip: %+v %v", s, err)
	}
	img, _ := ImageValuesFile("r.example.com/flask:v1@sha256:00")
	if string(img) != "image:\n  repository: r.example.com/flask\n  tag: v1@sha256:00\n" {
		t.Errorf("image values:\n%s", img)
	}
	if d := v.Describe(); d != "onepipe.app, .environment, .namespace, .version, .image, .host, .replicas, .port, .vars (TOKEN_TTL_SECONDS), .migration, .secrets (SECRET_KEY)" {
		t.Errorf("Describe = %q", d)
	}
}

func TestReadChart(t *testing.T) {
	fsys := fstest.MapFS{
		"deploy/chart/Chart.yaml":         {Data: []byte("apiVersion: v2\nname: flask\nversion: 0.1.0\nappVersion: \"1.0.0\"\n")},
		"old/Chart.yaml":                  {Data: []byte("apiVersion: v3\nname: flask\nversion: 0.1.0\n")},
		"unnamed/Chart.yaml":              {Data: []byte("apiVersion: v2\nversion: 0.1.0\n")},
		"deps/Chart.yaml":                 {Data: []byte("apiVersion: v2\nname: web\nversion: 1.0.0\ndependencies: [{name: redis}]\n")},
		"deps/charts/redis-1.0.0.tgz":     {Data: []byte("tgz")},
		"deploy/chart/values-dev.yaml":    {Data: []byte("replicas: 1\n")},
		"deploy/chart/values-broken.yaml": {Data: []byte("a: [\n")},
	}
	c, err := ReadChart(fsys, "deploy/chart", "deploy.chart.path")
	if err != nil || c.Name != "flask" || c.Version != "0.1.0" || c.AppVersion != "1.0.0" {
		t.Errorf("ReadChart = %+v, %v", c, err)
	}
	if _, err := ReadChart(fsys, "deps", "deploy.chart.path"); err != nil {
		t.Errorf("a chart with its dependencies built: %v", err)
	}
	for dir, want := range map[string]string{
		"old":     `old/Chart.yaml: apiVersion "v3": use v2 (Helm 3 charts)`,
		"unnamed": "unnamed/Chart.yaml: no name: give the chart a name",
	} {
		if _, err := ReadChart(fsys, dir, "deploy.chart.path"); err == nil || err.Error() != want {
			t.Errorf("ReadChart(%s) = %v, want %s", dir, err, want)
		}
	}
	if err := CheckValuesFile(fsys, "deploy/chart/values-dev.yaml", "deploy.chart.values.dev[0]"); err != nil {
		t.Error(err)
	}
	if err := CheckValuesFile(fsys, "deploy/chart/values-broken.yaml", "deploy.chart.values.dev[0]"); err == nil || !strings.HasPrefix(err.Error(), "deploy/chart/values-broken.yaml: ") {
		t.Errorf("broken values file: %v", err)
	}
}

// objectsList is what kubectl get deployments,services,ingresses -o json
// printed for a namespace holding release flask and an object of another
// release.
const objectsList = `{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "flask", "labels": {"app.kubernetes.io/component": "app"}, "annotations": {"meta.helm.sh/release-name": "flask"}}, "spec": {"type": "ClusterIP"}},
 {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "flask-postgres", "labels": {"app.kubernetes.io/component": "database"}, "annotations": {"meta.helm.sh/release-name": "flask"}}},
 {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "flask-public", "annotations": {"meta.helm.sh/release-name": "flask"}}, "spec": {"type": "LoadBalancer"}},
 {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "other", "annotations": {"meta.helm.sh/release-name": "other"}}},
 {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "by-hand"}},
 {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "flask", "annotations": {"meta.helm.sh/release-name": "flask"}}},
 {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "flask", "annotations": {"meta.helm.sh/release-name": "flask"}},
  "spec": {"rules": [{"host": "conduit.dev.example.com"}, {"host": "conduit.dev.example.com"}, {"http": {}}, {"host": "www.conduit.dev.example.com"}]}}
]}`

func TestParseObjectsAndInspect(t *testing.T) {
	objs, err := ParseObjects(objectsList, "flask")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 5 {
		t.Errorf("ParseObjects kept %d objects, want the release's 5", len(objs))
	}
	o := Inspect(objs)
	if len(o.Apps) != 1 || o.Apps[0].String() != "deployment/flask" {
		t.Errorf("Apps = %v (the database, other releases and objects made by hand are no app of the release)", o.Apps)
	}
	if strings.Join(o.Hosts, ",") != "conduit.dev.example.com,www.conduit.dev.example.com" {
		t.Errorf("Hosts = %v", o.Hosts)
	}
	if len(o.Addressed) != 2 || o.Addressed[0].String() != "service/flask-public" || o.Addressed[1].String() != "ingress/flask" {
		t.Errorf("Addressed = %v", o.Addressed)
	}
	for _, bad := range []string{"Error from server", `{"items": [{"kind": "Service"}]}`} {
		if _, err := ParseObjects(bad, "flask"); err == nil || !strings.HasPrefix(err.Error(), "read the release's objects: ") {
			t.Errorf("ParseObjects(%q) = %v", bad, err)
		}
	}
}
