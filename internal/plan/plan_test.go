package plan

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/onepipe/onepipe/internal/versions"
)

func example(t *testing.T, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "examples", name)
}

// mapFS copies an example folder into memory: the way the Dagger module
// sees an app (no host path, no git).
func mapFS(t *testing.T, dir string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		m[filepath.ToSlash(rel)] = &fstest.MapFile{Data: data, Mode: 0o644}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// testKubeconfig is a kubeconfig kubectl could use.
const testKubeconfig = "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443'}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n"

func env(vars map[string]string) Environment {
	return Environment{Getenv: func(k string) string { return vars[k] }, Secrets: ValueSecrets(vars)}
}

// TestTheModuleAndTheCLISeeTheSamePlan: an app read from the host and the
// same app read as files (the module's view) resolve to the same plan.
func TestTheModuleAndTheCLISeeTheSamePlan(t *testing.T) {
	vars := map[string]string{"CONDUIT_SECRET_KEY": "k", "CONDUIT_DB_PASSWORD": "p"}
	in := Inputs{Ref: Ref{SHA: strings.Repeat("a", 40)}, Publish: &Publish{}, Deploy: &Deploy{Cluster: "local"}}
	dir := example(t, "flask")
	host, err := Load(Source{Dir: dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	files, err := Load(Source{FS: mapFS(t, dir), Name: "flask"}, "")
	if err != nil {
		t.Fatal(err)
	}
	var printed [2]string
	for i, app := range []*App{host, files} {
		p, err := Resolve(app, in, env(vars))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		p.Print(&b)
		_, rest, _ := strings.Cut(b.String(), "\n") // the app line names where it came from
		printed[i] = rest
	}
	if printed[0] != printed[1] {
		t.Errorf("plans differ:\nhost:\n%s\nfiles:\n%s", printed[0], printed[1])
	}
	for _, w := range []string{"stages:      test, lint, pack linux/amd64, cluster (beside the checks), deploy", "cluster: local cluster", "deploy: onepipe.local/flask:aaaaaaaa to namespace flask-dev"} {
		if !strings.Contains(printed[0], w) {
			t.Errorf("plan lacks %q:\n%s", w, printed[0])
		}
	}
}

func TestResolveBadInput(t *testing.T) {
	app, err := Load(Source{Dir: example(t, "tornado")}, "")
	if err != nil {
		t.Fatal(err)
	}
	sha := strings.Repeat("a", 40)
	tests := []struct {
		name string
		in   Inputs
		want string
	}{
		{"unknown stage", Inputs{Only: []string{"tset"}}, `unknown stage "tset" in --only: use test, lint or pack`},
		{"platform os", Inputs{Platforms: []string{"foo/bar"}}, `--platform "foo/bar": unknown operating system "foo"`},
		{"platform arch", Inputs{Platforms: []string{"linux/amd46"}}, `--platform "linux/amd46": unknown architecture "amd46"`},
		{"platform variant", Inputs{Platforms: []string{"linux/arm/v9"}}, `unknown variant "v9" of arm: use v5, v6, v7`},
		{"platform shape", Inputs{Platforms: []string{"linux"}}, "use os/arch such as linux/amd64"},
		{"tag and ref", Inputs{Ref: Ref{Tag: "v1.2.3", Ref: "refs/heads/main"}}, "--tag and --ref cannot be used together"},
		{"tag and branch", Inputs{Ref: Ref{Tag: "v1.2.3", Branch: "main"}}, "--tag and --branch cannot be used together"},
		{"unknown cluster", Inputs{Ref: Ref{SHA: sha}, Deploy: &Deploy{Cluster: "minikube"}}, `--cluster "minikube": use aks, existing, kops or local`},
		{"local with a kubeconfig", Inputs{Ref: Ref{SHA: sha}, Deploy: &Deploy{Cluster: "local", Kubeconfig: "env:KC"}}, "it cannot be used with --cluster local"},
		{"existing without a pushed image", Inputs{Ref: Ref{SHA: sha}, Deploy: &Deploy{Kubeconfig: "env:KC"}}, "deploy to the existing cluster needs a pushed image"},
		{"export without pack", Inputs{Only: []string{"test"}, ExportImage: true}, "--export-image needs the pack stage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(app, tt.in, env(map[string]string{"KC": testKubeconfig}))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPlatforms(t *testing.T) {
	got, err := parsePlatforms([]string{"linux/amd64", " linux/arm64/v8", "linux/amd64"}, nil)
	if err != nil || len(got) != 2 || got[1] != "linux/arm64/v8" {
		t.Errorf("parsePlatforms = %v, %v", got, err)
	}
	if got, _ := parsePlatforms(nil, nil); len(got) != 1 || got[0] != versions.DefaultPlatform {
		t.Errorf("default = %v", got)
	}
	if _, err := parsePlatforms(nil, []string{"linux/x86"}); err == nil || !strings.HasPrefix(err.Error(), `platforms "linux/x86"`) {
		t.Errorf("onepipe.yaml platforms error = %v", err)
	}
}

func TestLoadFromFiles(t *testing.T) {
	app, err := Load(Source{FS: fstest.MapFS{"requirements.txt": {Data: []byte("flask\n")}}, Name: "shop"}, "")
	if err != nil || app.Config.App != "shop" || app.Config.Environments["dev"].Namespace != "shop-dev" {
		t.Errorf("defaults: %+v, %v", app, err)
	}
	_, err = Load(Source{FS: fstest.MapFS{"requirements.txt": {Data: []byte("flask\n")},
		"onepipe.yaml": {Data: []byte("lint: {tool: pylint}\n")}}, Name: "shop"}, "")
	if err == nil || !strings.Contains(err.Error(), `onepipe.yaml`) || !strings.Contains(err.Error(), `pylint`) {
		t.Errorf("bad config: %v", err)
	}
	_, err = Load(Source{FS: fstest.MapFS{"requirements.txt": {Data: []byte("flask\n")},
		"onepipe.yaml": {Data: []byte("environments:\n  dev:\n    cluster: {provider: minikube}\n")}}, Name: "shop"}, "")
	if err == nil || !strings.Contains(err.Error(), `environments.dev.cluster.provider "minikube"`) {
		t.Errorf("unknown provider in onepipe.yaml: %v", err)
	}
}

func TestValueSecrets(t *testing.T) {
	s := ValueSecrets{"DEV_KEY": "v"}
	if v, err := s.Lookup("k", "env:DEV_KEY"); err != nil || v != "v" {
		t.Errorf("Lookup = %q, %v", v, err)
	}
	if _, err := s.Lookup("k", "env:NOPE"); err == nil || !strings.Contains(err.Error(), "env:NOPE") {
		t.Errorf("missing: %v", err)
	}
	if _, err := s.Lookup("kubeconfig", "file:/etc/kubeconfig"); err == nil || !strings.Contains(err.Error(), "--secrets as NAME=value") {
		t.Errorf("file reference: %v", err)
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

func TestHostSecretsNeverEcho(t *testing.T) {
	h := HostSecrets{LookupEnv: func(string) (string, bool) { return "", false }, ReadFile: func(string) ([]byte, error) { return nil, errors.New("nope") }}
	if _, err := h.Lookup("registry password", "s3cr3t-literal"); err == nil || strings.Contains(err.Error(), "s3cr3t-literal") {
		t.Errorf("a literal secret: %v", err)
	}
}
