package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/shim"
	"github.com/onepipe/onepipe/pipeline"
)

// folder is an app folder named name in a temp dir holding the given files
// (empty content).
func folder(t *testing.T, name string, files ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// appFolder is a Python app with a Dockerfile, named name, in a temp dir:
// what every shim can work with.
func appFolder(t *testing.T, name string) string {
	t.Helper()
	return folder(t, name, "requirements.txt", "Dockerfile")
}

// names lists the entries of dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestInitWritesEachShim(t *testing.T) {
	for _, kind := range shim.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			dir := appFolder(t, "shop")
			r := run(t, nil, "init", string(kind), "--source", dir, "--publish", "acme.azurecr.io/shop")
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.err)
			}
			path := filepath.Join(dir, filepath.FromSlash(shim.FileName(kind)))
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("init %s wrote no %s: %v", kind, shim.FileName(kind), err)
			}
			want, err := shim.Render(kind, shim.Data{App: "shop", Repository: "acme.azurecr.io/shop"})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("init %s wrote:\n%s\nwant the template's output:\n%s", kind, got, want)
			}
			if !strings.Contains(r.out, "wrote "+path) || !strings.Contains(r.out, shim.PasswordVar) {
				t.Errorf("output should name the file and the secret to define:\n%s", r.out)
			}
		})
	}
}

func TestInitRefusesToOverwrite(t *testing.T) {
	dir := appFolder(t, "tornado")
	path := filepath.Join(dir, ".gitlab-ci.yml")
	mine := []byte("# my own pipeline\n")
	if err := os.WriteFile(path, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "init", "gitlab", "--source", dir)
	if r.code != ExitUsage {
		t.Errorf("exit %d, want %d (usage)", r.code, ExitUsage)
	}
	if !strings.Contains(r.err, path) || !strings.Contains(r.err, "--force") || strings.Count(strings.TrimSpace(r.err), "\n") != 0 {
		t.Errorf("want one line naming %s and --force, got %q", path, r.err)
	}
	if got, _ := os.ReadFile(path); string(got) != string(mine) {
		t.Fatalf("init overwrote %s without --force", path)
	}

	r = run(t, nil, "init", "gitlab", "--source", dir, "--force")
	if r.code != ExitOK {
		t.Fatalf("--force: exit %d: %s", r.code, r.err)
	}
	want, _ := shim.Render(shim.GitLab, shim.Data{App: "tornado"})
	if got, _ := os.ReadFile(path); string(got) != string(want) {
		t.Errorf("--force did not write the shim:\n%s", got)
	}
}

func TestInitBadInput(t *testing.T) {
	dir := appFolder(t, "app")
	file := filepath.Join(dir, "requirements.txt")
	before := names(t, dir)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown CI", []string{"init", "jenkins", "--source", dir}, []string{`"jenkins"`, "gitlab, azure or github"}},
		{"no CI", []string{"init", "--source", dir}, []string{"gitlab|azure|github"}},
		{"two CIs", []string{"init", "gitlab", "azure", "--source", dir}, []string{"gitlab|azure|github"}},
		{"missing folder", []string{"init", "gitlab", "--source", filepath.Join(dir, "nope")}, []string{"does not exist", "--source"}},
		{"file as folder", []string{"init", "azure", "--source", file}, []string{"is a file", "--source"}},
		{"bad repository", []string{"init", "azure", "--source", dir, "--publish", "Acme.io/Shop:v1"}, []string{"image repository", "Acme.io/Shop:v1"}},
		{"repository without registry", []string{"init", "github", "--source", dir, "--publish", "shop"}, []string{`image repository "shop" names no registry: write docker.io/library/shop for Docker Hub, or host[:port]/path`}},
		{"repository with tag", []string{"init", "azure", "--source", dir, "--publish", "acme.azurecr.io/shop:v1"}, []string{"has a tag (:v1)"}},
		{"bad branch", []string{"init", "github", "--source", dir, "--branches", "main,feat x"}, []string{"branch", "feat x"}},
		{"unknown flag", []string{"init", "gitlab", "--source", dir, "--forse"}, []string{"--forse"}},
		{"latest", []string{"init", "gitlab", "--source", dir, "--version", "latest"}, []string{`onepipe version "latest" is not a release the pipeline can pin: use one such as v1.2.3 (never latest)`}},
		{"version without v", []string{"init", "azure", "--source", dir, "--version", "1.2.3"}, []string{`onepipe version "1.2.3"`}},
		{"bad engine", []string{"init", "gitlab", "--source", dir, "--engine", "dagger:1234"}, []string{`engine "dagger:1234" is not a Dagger runner host`}},
		{"bad changes", []string{"init", "gitlab", "--source", dir, "--changes", "src/my app/**"}, []string{`changes path "src/my app/**"`}},
		{"changes on azure", []string{"init", "azure", "--source", dir, "--changes", "src/**"}, []string{"--changes is for GitLab: the azure shim has no such setting"}},
		{"manual prod on github", []string{"init", "github", "--source", dir, "--publish", "ghcr.io/acme/app", "--manual-prod"}, []string{"--manual-prod is for GitLab", "github"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, tt.args...)
			if r.code != ExitUsage {
				t.Errorf("exit %d, want %d (usage): %s", r.code, ExitUsage, r.err)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.err, w) {
					t.Errorf("error %q lacks %q", r.err, w)
				}
			}
			if n := strings.Count(strings.TrimSpace(r.err), "\n"); n != 0 {
				t.Errorf("error is %d lines, want one: %q", n+1, r.err)
			}
			if after := names(t, dir); strings.Join(after, ",") != strings.Join(before, ",") {
				t.Errorf("bad input left files behind: %v", after)
			}
		})
	}
}

// A shim whose job cannot work is refused, in one line naming the folder or
// file and what to add, and nothing is written.
func TestInitRefusesAppThatCannotWork(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		args  []string
		want  []string
	}{
		{"gitlab pushes without a Dockerfile", []string{"requirements.txt"}, []string{"gitlab"},
			[]string{"Dockerfile not found: the gitlab job pushes the app's image, built from a Dockerfile: add one to"}},
		{"gitlab with --publish without a Dockerfile", []string{"pyproject.toml"}, []string{"gitlab", "--publish", "acme.azurecr.io/shop"},
			[]string{"Dockerfile not found: the gitlab job pushes"}},
		{"azure --publish without a Dockerfile", []string{"requirements.txt"}, []string{"azure", "--publish", "acme.azurecr.io/shop"},
			[]string{"Dockerfile not found: the azure job pushes"}},
		{"github --publish without a Dockerfile", []string{"requirements.txt"}, []string{"github", "--publish", "acme.azurecr.io/shop"},
			[]string{"Dockerfile not found: the github job pushes"}},
		{"azure builds an image without a Dockerfile", []string{"requirements.txt"}, []string{"azure"},
			[]string{"Dockerfile not found: the azure job builds the app's image", "azure.functionZip"}},
		{"not a Python project on gitlab", []string{"Dockerfile"}, []string{"gitlab"},
			[]string{"is not a Python project: add requirements.txt (or pyproject.toml)"}},
		{"not a Python project on github", []string{"Dockerfile", "package.json"}, []string{"github", "--publish", "acme.azurecr.io/shop"},
			[]string{"is not a Python project: add requirements.txt (or pyproject.toml)"}},
		{"empty folder", nil, []string{"azure"}, []string{"is not a Python project"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := folder(t, "shop", tt.files...)
			before := names(t, dir)
			r := run(t, nil, append(append([]string{"init"}, tt.args...), "--source", dir)...)
			if r.code != ExitUsage {
				t.Errorf("exit %d, want %d (usage): %s", r.code, ExitUsage, r.err)
			}
			for _, w := range append(tt.want, dir) {
				if !strings.Contains(r.err, w) {
					t.Errorf("error %q lacks %q", r.err, w)
				}
			}
			if n := strings.Count(strings.TrimSpace(r.err), "\n"); n != 0 {
				t.Errorf("error is %d lines, want one: %q", n+1, r.err)
			}
			if after := names(t, dir); strings.Join(after, ",") != strings.Join(before, ",") {
				t.Errorf("init wrote %v, want nothing", after)
			}
		})
	}
}

// What works: a pyproject.toml project with a Dockerfile, and a Function App
// deployed as a zip (no image) from a shim that pushes nothing.
func TestInitAcceptsAppsThatWork(t *testing.T) {
	pyproject := folder(t, "shop", "pyproject.toml", "Dockerfile")
	if r := run(t, nil, "init", "gitlab", "--source", pyproject); r.code != ExitOK {
		t.Errorf("pyproject.toml and Dockerfile: exit %d: %s", r.code, r.err)
	}

	zip := folder(t, "func", "requirements.txt")
	cfg, err := os.ReadFile(filepath.Join(exampleDir(t, "azure-function"), "onepipe.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(zip, "onepipe.yaml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "init", "azure", "--source", zip); r.code != ExitOK {
		t.Errorf("function zip without a Dockerfile: exit %d: %s", r.code, r.err)
	}
	r := run(t, nil, "init", "github", "--source", zip, "--publish", "acme.azurecr.io/func")
	if r.code != ExitUsage || !strings.Contains(r.err, "Dockerfile not found") {
		t.Errorf("function zip pushed by the shim: exit %d: %s, want a missing Dockerfile", r.code, r.err)
	}
}

// The committed example CI files are what `onepipe init` writes for them, so
// the refresh commands in internal/shim's examples test really refresh them.
func TestInitReproducesExamples(t *testing.T) {
	examples := []struct {
		app   string
		kind  shim.Kind
		flags []string
	}{
		{"tornado", shim.GitLab, nil},
		{"tornado", shim.Azure, []string{"--publish", "acme.azurecr.io/tornado"}},
		{"flask", shim.GitLab, nil},
		{"flask", shim.Azure, []string{"--publish", "acme.azurecr.io/flask"}},
	}
	for _, ex := range examples {
		t.Run(ex.app+"/"+string(ex.kind), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(exampleDir(t, ex.app), shim.FileName(ex.kind)))
			if err != nil {
				t.Fatal(err)
			}
			dir := appFolder(t, ex.app)
			r := run(t, nil, append([]string{"init", string(ex.kind), "--source", dir}, ex.flags...)...)
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.err)
			}
			got, _ := os.ReadFile(filepath.Join(dir, shim.FileName(ex.kind)))
			if string(got) != string(want) {
				t.Errorf("onepipe init %s for %s differs from examples/%s/%s", ex.kind, ex.app, ex.app, shim.FileName(ex.kind))
			}
		})
	}
}

func TestAppName(t *testing.T) {
	tests := map[string]string{
		"tornado":               "tornado",
		"My Shop":               "My-Shop",
		"shop.api_v2":           "shop.api_v2",
		".hidden":               "hidden",
		"ünïcode":               "n-code",
		"---":                   "app",
		"":                      "app",
		"a/b":                   "a-b",
		strings.Repeat("x", 80): strings.Repeat("x", 63),
	}
	for in, want := range tests {
		if got := appName(in); got != want {
			t.Errorf("appName(%q) = %q, want %q", in, got, want)
		}
		if _, err := shim.Render(shim.GitLab, shim.Data{App: appName(in)}); err != nil {
			t.Errorf("appName(%q) = %q is refused by the shims: %v", in, appName(in), err)
		}
	}
}

func TestShimVersion(t *testing.T) {
	tests := map[string]string{
		"v1.2.3":                             "v1.2.3",
		"v1.2.3-rc.1":                        "v1.2.3-rc.1",
		"v0.0.0-20260101000000-abcdef123456": "v0.0.0-20260101000000-abcdef123456", // go install of a commit: pinned too
		"dev":                                shim.UnsetVersion,
		"(devel)":                            shim.UnsetVersion,
		"v1.2.3+dirty":                       shim.UnsetVersion,
		"latest":                             shim.UnsetVersion,
		"":                                   shim.UnsetVersion,
	}
	for in, want := range tests {
		if got := shimVersion(in); got != want {
			t.Errorf("shimVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// The shim pins the onepipe that wrote it; this test binary is a
// development build, so without --version the file says UNSET and the
// output says to set it.
func TestInitPinsTheVersion(t *testing.T) {
	dir := appFolder(t, "shop")
	r := run(t, nil, "init", "gitlab", "--source", dir)
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, ".gitlab-ci.yml"))
	if !strings.Contains(string(got), `ONEPIPE_VERSION: "`+shim.UnsetVersion+`"`) || !strings.Contains(r.out, "set ONEPIPE_VERSION") {
		t.Errorf("a development build must write %s and say so:\n%s", shim.UnsetVersion, r.out)
	}
	for _, kind := range shim.Kinds() {
		r = run(t, nil, "init", string(kind), "--source", dir, "--version", "v1.4.0", "--publish", "acme.azurecr.io/shop", "--force")
		if r.code != ExitOK {
			t.Fatalf("%s: exit %d: %s", kind, r.code, r.err)
		}
		got, _ = os.ReadFile(filepath.Join(dir, filepath.FromSlash(shim.FileName(kind))))
		want, _ := shim.Render(kind, shim.Data{App: "shop", Version: "v1.4.0", Repository: "acme.azurecr.io/shop"})
		if string(got) != string(want) || strings.Contains(r.out, "ONEPIPE_VERSION") {
			t.Errorf("%s --version v1.4.0 wrote:\n%s\nsaid: %s", kind, got, r.out)
		}
	}
}

// The GitLab options reach the file: path filters, a manual prod deploy, no
// review environments, a long-lived engine.
func TestInitGitLabOptions(t *testing.T) {
	dir := appFolder(t, "shop")
	engine := "kube-pod://dagger-engine-0?namespace=dagger&container=dagger-engine"
	r := run(t, nil, "init", "gitlab", "--source", dir, "--version", "v1.4.0", "--changes", "src/**,requirements*.txt", "--manual-prod", "--no-review", "--engine", engine)
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, ".gitlab-ci.yml"))
	want, _ := shim.Render(shim.GitLab, shim.Data{App: "shop", Version: "v1.4.0", Changes: []string{"src/**", "requirements*.txt"}, ManualProd: true, NoReview: true, Engine: engine})
	if string(got) != string(want) {
		t.Errorf("wrote:\n%s\nwant:\n%s", got, want)
	}
	r = run(t, nil, "init", "gitlab", "--source", dir, "--no-deploy", "--force")
	got, _ = os.ReadFile(filepath.Join(dir, ".gitlab-ci.yml"))
	if r.code != ExitOK || strings.Contains(string(got), "--deploy") || strings.Contains(r.out, shim.KubeconfigVar) {
		t.Errorf("--no-deploy: exit %d, said %q, wrote deploy jobs: %v", r.code, r.out, strings.Contains(string(got), "--deploy"))
	}
}

// What onepipe.yaml says about the deploys reaches the file: the
// pre-release environment, and no cluster flags for an environment that
// deploys to no cluster.
func TestInitReadsOnepipeYAML(t *testing.T) {
	dir := appFolder(t, "shop")
	yaml := "app: shop\nrelease:\n  preReleaseEnvironment: staging\nenvironments:\n  staging: {}\n"
	if err := os.WriteFile(filepath.Join(dir, "onepipe.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "init", "gitlab", "--source", dir); r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, ".gitlab-ci.yml"))
	if !strings.Contains(string(got), "--deploy --env staging $ONEPIPE_PUBLISH $ONEPIPE_CLUSTER") {
		t.Errorf("pre-releases do not deploy to staging:\n%s", got)
	}

	yaml = "app: shop\nrelease:\n  preReleaseEnvironment: nope\n"
	if err := os.WriteFile(filepath.Join(dir, "onepipe.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "init", "gitlab", "--source", dir, "--force")
	if r.code != ExitUsage || !strings.Contains(r.err, `release.preReleaseEnvironment "nope" is not an environment`) {
		t.Errorf("an unknown pre-release environment: exit %d: %s", r.code, r.err)
	}

	// an example environment that deploys without a cluster, if any target does
	cfg, err := config.Load(exampleDir(t, "tornado"))
	if err != nil {
		t.Fatal(err)
	}
	var clusterless string
	for _, env := range cfg.EnvironmentNames() {
		if !pipeline.TargetUsesCluster(cfg, env) {
			clusterless = env
		}
	}
	if clusterless == "" {
		t.Skip("no example environment deploys without a cluster")
	}
	yaml = strings.Replace(string(mustReadFile(t, filepath.Join(exampleDir(t, "tornado"), "onepipe.yaml"))), "\nenvironments:\n", "\nrelease:\n  preReleaseEnvironment: "+clusterless+"\nenvironments:\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "onepipe.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "init", "gitlab", "--source", dir, "--force"); r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	got, _ = os.ReadFile(filepath.Join(dir, ".gitlab-ci.yml"))
	if !strings.Contains(string(got), "--deploy --env "+clusterless+" $ONEPIPE_PUBLISH\n") || !strings.Contains(string(got), "--deploy --env dev $ONEPIPE_PUBLISH $ONEPIPE_CLUSTER\n") {
		t.Errorf("environment %s deploys to no cluster, dev to one:\n%s", clusterless, got)
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
