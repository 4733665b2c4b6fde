package plan

import (
	"bytes"
	"strings"
	"testing"

	"github.com/onepipe/onepipe/pipeline"
)

// TestResolveAFunctionAppEnvironment: an environment in
// azure.functionZip.environments deploys the zip package to the Function
// App: the app needs no Dockerfile, the pack stage builds the package, no
// cluster stage runs, and the plan prints the target's steps.
func TestResolveAFunctionAppEnvironment(t *testing.T) {
	app, err := Load(Source{Dir: example(t, "azure-function")}, "")
	if err != nil {
		t.Fatal(err)
	}
	in := Inputs{Ref: Ref{SHA: strings.Repeat("a", 40), Env: "dev"}, Deploy: &Deploy{Deploy: true}, Publish: &Publish{}}
	p, err := Resolve(app, in, env(map[string]string{"AZURE_FEDERATED_TOKEN": "eyJfake"}))
	if err != nil {
		t.Fatal(err)
	}
	if p.Deploy == nil || p.Deploy.Cluster != nil {
		t.Fatalf("deploy %+v", p.Deploy)
	}
	if _, ok := p.Deploy.Target.(pipeline.Packager); !ok {
		t.Errorf("target %T ships no package", p.Deploy.Target)
	}
	if got := strings.Join(p.StageLines(), ", "); got != "test, lint, pack function.zip for linux/amd64 (python:3.11-slim), deploy" {
		t.Errorf("stages %q", got)
	}
	var b bytes.Buffer
	p.Print(&b)
	for _, want := range []string{
		"deploy: the zip package of the pack stage to Function App rg-onepipe-example/onepipe-example-func (no cluster)",
		"azure auth: service principal 00000000-0000-0000-0000-000000000001 in tenant 00000000-0000-0000-0000-000000000000 (federated token from env:AZURE_FEDERATED_TOKEN)",
		"wait for GET https://<default host>/api/health to answer 2xx, up to 5m0s",
		"smoke checks: greeting against https://<default host> (deploy.smoke, up to 5m0s)",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "cluster:") {
		t.Errorf("plan has a cluster:\n%s", b.String())
	}

	// The federated token is resolved before any work.
	if _, err := Resolve(app, in, env(nil)); err == nil || !strings.Contains(err.Error(), "AZURE_FEDERATED_TOKEN") {
		t.Errorf("without the token: %v", err)
	}
	// An environment the Function App does not list deploys the image to a
	// cluster: that needs a Dockerfile the example lacks.
	files := mapFS(t, example(t, "azure-function"))
	files["onepipe.yaml"].Data = bytes.Replace(files["onepipe.yaml"].Data, []byte("environments: [dev, prod]"), []byte("environments: [prod]"), 1)
	app, err = Load(Source{FS: files, Name: "azure-function"}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Resolve(app, in, env(map[string]string{"AZURE_FEDERATED_TOKEN": "eyJfake"}))
	if err == nil || !strings.Contains(err.Error(), "Dockerfile") {
		t.Errorf("dev deploys to a cluster without a Dockerfile: %v", err)
	}
}
