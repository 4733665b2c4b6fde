package kube

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onepipe/onepipe/internal/manifest"
)

// flaskObjects renders the Flask example's manifests for dev.
func flaskObjects(t *testing.T) []Object {
	t.Helper()
	v := manifest.Values{
		App: "flask", Environment: "dev", Namespace: "flask-dev",
		Image: "registry.example.com/acme/flask:1a2b3c4d", Version: "1a2b3c4d", Replicas: 1, Port: 8000,
		Host: "conduit.dev.example.com", SecretNames: []string{"POSTGRES_PASSWORD", "SECRET_KEY"},
		Migration: []string{"flask", "db", "upgrade"}, Labels: manifest.StandardLabels("flask", "dev", "1a2b3c4d"),
	}
	objs, err := manifest.Render(os.DirFS(filepath.Join("..", "..", "examples", "flask")), "deploy/k8s", v)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func flaskPlan(t *testing.T) Plan {
	t.Helper()
	p, err := NewPlan(Input{Namespace: "flask-dev", Objects: flaskObjects(t), SecretName: "flask-secrets", Smoke: true, Timeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func argv(s Step) string {
	if s.Kind == Smoke {
		return "(smoke checks)"
	}
	return strings.Join(s.Args, " ")
}

// TestPlanFlask pins the exact commands of a deploy of the Flask example.
func TestPlanFlask(t *testing.T) {
	p := flaskPlan(t)
	const apply = "kubectl apply --server-side --field-manager=onepipe --force-conflicts --namespace=flask-dev -f "
	want := []string{
		`kubectl get deployment/flask --namespace=flask-dev --ignore-not-found -o=jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision}`,
		apply + "/onepipe/manifests/00-namespace.yaml",
		"kubectl apply --dry-run=server --server-side --field-manager=onepipe --force-conflicts --namespace=flask-dev -f /run/secrets/onepipe/app-secret.yaml -f /onepipe/manifests/05-database.yaml -f /onepipe/manifests/06-migration.yaml -f /onepipe/manifests/07-app.yaml -f /onepipe/manifests/08-service.yaml -f /onepipe/manifests/09-ingress.yaml",
		apply + "/run/secrets/onepipe/app-secret.yaml",
		apply + "/onepipe/manifests/05-database.yaml",
		"kubectl rollout status statefulset/flask-postgres --namespace=flask-dev --timeout=5m0s",
		apply + "/onepipe/manifests/06-migration.yaml",
		`kubectl get job/flask-migrate-513ea507 --namespace=flask-dev -o=jsonpath={.status.conditions[?(@.status=="True")].type}`,
		apply + "/onepipe/manifests/07-app.yaml",
		"kubectl rollout status deployment/flask --namespace=flask-dev --timeout=5m0s",
		apply + "/onepipe/manifests/08-service.yaml",
		apply + "/onepipe/manifests/09-ingress.yaml",
		"kubectl get ingress/flask --namespace=flask-dev -o=jsonpath={.status.loadBalancer.ingress[*].ip} {.status.loadBalancer.ingress[*].hostname}",
		"(smoke checks)",
	}
	var got []string
	for _, s := range append(append([]Step(nil), p.Record...), p.Steps...) {
		got = append(got, argv(s))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var files []string
	for _, f := range p.Files {
		files = append(files, f.Path)
	}
	if strings.Join(files, " ") != "/onepipe/manifests/00-namespace.yaml /onepipe/manifests/05-database.yaml /onepipe/manifests/06-migration.yaml /onepipe/manifests/07-app.yaml /onepipe/manifests/08-service.yaml /onepipe/manifests/09-ingress.yaml" {
		t.Errorf("files: %v", files)
	}
	if db := string(p.Files[1].Data); !strings.Contains(db, "kind: StatefulSet") || !strings.Contains(db, "kind: Service") || strings.Contains(db, "kind: Deployment") {
		t.Errorf("database file:\n%s", db)
	}
	if len(p.Apps) != 1 || p.Apps[0].String() != "deployment/flask" || Selector(p.Apps[0].Selector) != "app.kubernetes.io/component=app,app.kubernetes.io/name=flask" {
		t.Errorf("apps: %+v", p.Apps)
	}

	job := p.Steps[6]
	if job.Kind != Poll || job.Stage != StageMigrate || job.Timeout != 5*time.Minute || job.Interval != PollInterval || job.Check == nil {
		t.Errorf("migration step: %+v", job)
	}
	stages := map[string]Stage{}
	for _, s := range p.Steps {
		stages[argv(s)] = s.Stage
	}
	if stages[apply+"/onepipe/manifests/07-app.yaml"] != StageApp || stages[apply+"/onepipe/manifests/09-ingress.yaml"] != StageExpose || stages["(smoke checks)"] != StageSmoke {
		t.Errorf("stages: %v", stages)
	}
	if lines := p.Lines(); len(lines) != len(want) || lines[0] != "record the current revision of deployment/flask" || lines[7] != "wait for migration job/flask-migrate-513ea507 to complete" {
		t.Errorf("Lines: %q", lines)
	}
}

// TestPlanMakesNamespace: manifests without a Namespace get one from onepipe,
// with no secret and no smoke step.
func TestPlanMakesNamespace(t *testing.T) {
	dep := obj("Deployment", "web")
	dep.Raw["spec"] = map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}}}
	lb := obj("Service", "web")
	lb.Raw["spec"] = map[string]any{"type": "LoadBalancer"}
	p, err := NewPlan(Input{Namespace: "web-prod", Objects: []Object{lb, dep, obj("CustomResourceDefinition", "widgets.example.com"), obj("DaemonSet", "agent")}, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(p.Files[0].Data), "kind: Namespace\nmetadata:\n  name: web-prod\n") || !strings.Contains(string(p.Files[0].Data), "widgets.example.com") {
		t.Errorf("namespace file:\n%s", p.Files[0].Data)
	}
	var got []string
	for _, s := range p.Steps {
		got = append(got, s.Desc)
	}
	want := "apply namespace web-prod|check every manifest with a server-side dry run|apply the app|wait for the rollout of deployment/web|wait for the rollout of daemonset/agent|apply Services|read the address of service/web"
	if strings.Join(got, "|") != want {
		t.Errorf("steps:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
	if len(p.Others) != 1 || p.Others[0].String() != "daemonset/agent" {
		t.Errorf("others: %v", p.Others)
	}
	for _, s := range p.Steps {
		if s.Address != (s.Target == "service/web" && s.Optional) {
			t.Errorf("step %q: Address = %v; only the load balancer's address step reads an address", s.Desc, s.Address)
		}
	}
	if _, err := NewPlan(Input{Namespace: "x"}); err == nil {
		t.Error("NewPlan without a timeout succeeded")
	}
}

func TestPlanListsImages(t *testing.T) {
	parse := func(doc string) Object {
		objs, err := manifest.Parse("test.yaml", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		return objs[0]
	}
	objs := []Object{
		parse("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      initContainers: [{name: init, image: busybox:1}]\n      containers: [{name: web, image: shop:v2}, {name: side, image: envoy:1}]\n"),
		parse("apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  template:\n    spec:\n      containers: [{name: m, image: shop:v2}]\n"),
		parse("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: n, image: tools:3}]\n"),
		parse("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n"),
	}
	got := strings.Join(Images(objs), " ")
	if got != "busybox:1 envoy:1 shop:v2 tools:3" {
		t.Errorf("Images = %q", got)
	}
}
