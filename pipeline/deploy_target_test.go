package pipeline

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
)

func flaskFiles(t *testing.T) (dir string) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "examples", "flask")
}

func TestTargetRendersTheFlaskExample(t *testing.T) {
	files := os.DirFS(flaskFiles(t))
	cfg, err := ConfigFrom(files, "unused")
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"SECRET_KEY": "k", "POSTGRES_PASSWORD": "p"}
	tg, plan, err := NewTarget(TargetInput{Config: cfg, Env: "dev", Files: files, Image: "onepipe.local/flask:aaaa", Version: "aaaa", Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	if tg.Values.App != "flask" || tg.Values.Namespace != "flask-dev" || tg.Values.Host != "conduit.dev.example.com" {
		t.Errorf("values = %+v", tg.Values)
	}
	job := func(lines []string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, "wait for migration job/") {
				return l
			}
		}
		return ""
	}
	first := job(plan.Lines())
	if first == "" {
		t.Fatalf("no migration wait in %v", plan.Lines())
	}
	// a new image is a new migration Job: each release migrates once
	tg.Values.Image = "registry.example.com/flask:v2@sha256:0123"
	again, err := tg.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if second := job(again.Lines()); second == first || second == "" {
		t.Errorf("migration job %q did not change with the image (%q)", second, first)
	}
}

func TestTargetBadInput(t *testing.T) {
	files := os.DirFS(flaskFiles(t))
	cfg, err := ConfigFrom(files, "unused")
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]string{"SECRET_KEY": "k", "POSTGRES_PASSWORD": "p"}
	broken := fstest.MapFS{"deploy/k8s/app.yaml": {Data: []byte("apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Nope }}\n")}}
	tests := []struct {
		name    string
		env     string
		files   fstest.MapFS
		secrets map[string]string
		want    string
	}{
		{"unknown environment", "staging", nil, all, `unknown environment "staging"`},
		{"secret without a value", "dev", nil, map[string]string{"SECRET_KEY": "k"}, "environments.dev.secrets.POSTGRES_PASSWORD: no value given"},
		{"no manifests", "dev", fstest.MapFS{}, all, "deploy manifests deploy/k8s: not found"},
		{"template error names file and line", "dev", broken, all, "deploy/k8s/app.yaml: line 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := TargetInput{Config: cfg, Env: tt.env, Files: files, Image: "x:1", Version: "1", Secrets: tt.secrets}
			if tt.files != nil {
				in.Files = tt.files
			}
			_, _, err := NewTarget(in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestConfigFrom(t *testing.T) {
	cfg, err := ConfigFrom(fstest.MapFS{}, "shop")
	if err != nil || cfg.App != "shop" || cfg.Environments["dev"].Namespace != "shop-dev" {
		t.Errorf("defaults: %+v, %v", cfg.App, err)
	}
	_, err = ConfigFrom(fstest.MapFS{"onepipe.yaml": {Data: []byte("lint: {tool: pylint}\n")}}, "shop")
	if err == nil || !strings.Contains(err.Error(), `onepipe.yaml: lint.tool "pylint"`) {
		t.Errorf("bad config: %v", err)
	}
}

func TestParseDotenv(t *testing.T) {
	got, err := ParseDotenv("# dev secrets\nSECRET_KEY=abc=def\n\nexport DB_PASSWORD='p w'\nQUOTED=\"x\"\n")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"SECRET_KEY": "abc=def", "DB_PASSWORD": "p w", "QUOTED": "x"}
	if len(got) != len(want) {
		t.Errorf("got %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for _, bad := range []string{"NOVALUE", "1BAD=x", "bad-name=x"} {
		_, err := ParseDotenv("OK=1\n" + bad + "-secret-value")
		if err == nil || !strings.Contains(err.Error(), "secrets line 2") || strings.Contains(err.Error(), "secret-value") {
			t.Errorf("ParseDotenv(%q) error = %v", bad, err)
		}
	}
}
