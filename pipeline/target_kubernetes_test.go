package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/onepipe/onepipe/internal/config"
)

func flaskFiles(t *testing.T) (dir string) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "examples", "flask")
}

func flaskConfig(t *testing.T) config.Config {
	t.Helper()
	c, err := config.Load(flaskFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// secretsFrom resolves env:NAME references from values, as a test's
// environment.
func secretsFrom(values map[string]string) func(field, ref string) (string, error) {
	return func(field, ref string) (string, error) {
		name := strings.TrimPrefix(ref, "env:")
		v, ok := values[name]
		if !ok {
			return "", fmt.Errorf("secret %s is not set", ref)
		}
		return v, nil
	}
}

func TestKubernetesTargetRendersTheFlaskExample(t *testing.T) {
	cfg := flaskConfig(t)
	refs := cfg.Environments["dev"].Secrets
	values := map[string]string{}
	for _, ref := range refs {
		values[strings.TrimPrefix(ref, "env:")] = "v"
	}
	tg, err := NewTarget(TargetInput{Config: cfg, Env: "dev", Files: os.DirFS(flaskFiles(t)), Image: "onepipe.local/flask:aaaa", Version: "aaaa", Secret: secretsFrom(values)})
	if err != nil {
		t.Fatal(err)
	}
	k := tg.(*kubernetesTarget)
	if k.values.App != "flask" || k.values.Namespace != "flask-dev" || k.values.Host != "conduit.dev.example.com" {
		t.Errorf("values = %+v", k.values)
	}
	if lines := tg.Plan(); !strings.HasPrefix(lines[0], "deploy: onepipe.local/flask:aaaa to namespace flask-dev") {
		t.Errorf("plan starts %q", lines[0])
	}
	job := func(lines []string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, "wait for migration job/") {
				return l
			}
		}
		return ""
	}
	first := job(k.plan.Lines())
	if first == "" {
		t.Fatalf("no migration wait in %v", k.plan.Lines())
	}
	// a new image is a new migration Job: each release migrates once
	k.values.Image = "registry.example.com/flask:v2@sha256:0123"
	again, err := k.render()
	if err != nil {
		t.Fatal(err)
	}
	if second := job(again.Lines()); second == first || second == "" {
		t.Errorf("migration job %q did not change with the image (%q)", second, first)
	}
}

func TestKubernetesTargetBadInput(t *testing.T) {
	cfg := flaskConfig(t)
	all := map[string]string{}
	for _, ref := range cfg.Environments["dev"].Secrets {
		all[strings.TrimPrefix(ref, "env:")] = "v"
	}
	some := map[string]string{}
	for name, ref := range cfg.Environments["dev"].Secrets {
		if name == "SECRET_KEY" {
			some[strings.TrimPrefix(ref, "env:")] = "v"
		}
	}
	broken := fstest.MapFS{"deploy/k8s/app.yaml": {Data: []byte("apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Nope }}\n")}}
	tests := []struct {
		name    string
		env     string
		files   fstest.MapFS
		secrets map[string]string
		want    string
	}{
		{"unknown environment", "staging", nil, all, `unknown environment "staging"`},
		{"secret without a value", "dev", nil, some, "is not set"},
		{"no manifests", "dev", fstest.MapFS{}, all, "deploy manifests deploy/k8s: not found"},
		{"template error names file and line", "dev", broken, all, "deploy/k8s/app.yaml: line 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := TargetInput{Config: cfg, Env: tt.env, Files: os.DirFS(flaskFiles(t)), Image: "x:1", Version: "1", Secret: secretsFrom(tt.secrets)}
			if tt.files != nil {
				in.Files = tt.files
			}
			_, err := NewTarget(in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
