package cli

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// troubleRow is one bad input: what the user has and types, and the exit
// code and the one line onepipe answers with. The rows are the table "Bad
// input: what you type, what you get" in the README's Troubleshooting.
type troubleRow struct {
	// what says what is wrong, in Markdown, for the README.
	what string
	// app makes the app folder, which APP stands for in args, env values
	// and line; nil is tinyApp(nil).
	app func(t *testing.T) string
	// env is set on top of ciBranch and shown before the command.
	env map[string]string
	// args follow onepipe.
	args []string
	code int
	// line is what stderr holds after "onepipe: ", with the app folder
	// written APP and long runs of one character shortened (see shown).
	line string
}

// ciBranch is the environment of every row: an Azure DevOps branch build
// with the Flask example's secrets set, and no engine variables.
func ciBranch() map[string]string { return flaskEnv(nil) }

// appSetup makes an app folder for a row.
type appSetup = func(t *testing.T) string

// tinyApp is a Python app folder with a Dockerfile and pytest in its
// requirements, with files (name → content) added or, with content "",
// removed.
func tinyApp(files map[string]string) appSetup {
	return func(t *testing.T) string {
		t.Helper()
		dir := t.TempDir()
		all := map[string]string{"requirements.txt": "flask\npytest\n", "Dockerfile": "FROM python:3.12-slim\n"}
		maps.Copy(all, files)
		for name, content := range all {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if content == "" {
				os.Remove(p)
				continue
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
}

// flask is a copy of the Flask example: environments, deploy manifests.
func flask(t *testing.T) string { t.Helper(); return flaskCopy(t, nil) }

// then is app followed by edit on the folder it made.
func then(app appSetup, edit func(t *testing.T, dir string) error) appSetup {
	return func(t *testing.T) string {
		t.Helper()
		dir := app(t)
		if err := edit(t, dir); err != nil {
			t.Fatal(err)
		}
		return dir
	}
}

// folderAt replaces rel in the app with an empty folder.
func folderAt(rel string) func(*testing.T, string) error {
	return func(_ *testing.T, dir string) error {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.RemoveAll(p); err != nil {
			return err
		}
		return os.MkdirAll(p, 0o755)
	}
}

// emptyManifests empties every file of deploy/k8s.
func emptyManifests(_ *testing.T, dir string) error {
	k8s := filepath.Join(dir, "deploy", "k8s")
	entries, err := os.ReadDir(k8s)
	for _, e := range entries {
		if err == nil {
			err = os.WriteFile(filepath.Join(k8s, e.Name()), nil, 0o644)
		}
	}
	return err
}

// configEdit replaces old with new in the app's onepipe.yaml.
func configEdit(old, new string) func(*testing.T, string) error {
	return func(_ *testing.T, dir string) error {
		p := filepath.Join(dir, "onepipe.yaml")
		data, err := os.ReadFile(p)
		if err == nil && !strings.Contains(string(data), old) {
			err = fmt.Errorf("%s has no %q", p, old)
		}
		if err != nil {
			return err
		}
		return os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644)
	}
}

// functionApp is an onepipe.yaml that deploys a zip to a Function App.
const functionApp = "azure:\n  tenantId: t-1\n  clientId: c-1\n  clientSecret: env:AZURE_SECRET\n" +
	"  subscriptionId: sub-1\n  resourceGroup: rg-1\n  functionZip: {app: func-1}\n"

// withConfig is tinyApp with content as its onepipe.yaml.
func withConfig(content string) appSetup { return tinyApp(map[string]string{"onepipe.yaml": content}) }

var troubleRows = []troubleRow{
	// commands
	{what: "an unknown deploy target", args: []string{"deploy", "heroku"},
		code: ExitUsage, line: `unknown deploy target "heroku": use azure-function`},
	{what: "an unknown trigger system", args: []string{"trigger", "jenkins"},
		code: ExitUsage, line: `unknown trigger system "jenkins": use azure-devops`},
	{what: "deploy without a target", args: []string{"deploy"},
		code: ExitUsage, line: `deploy needs a target: use azure-function`},
	{what: "two flags that exclude each other", args: []string{"plan", "--source", "APP", "--publish", "r.example.com/shop", "--push"},
		code: ExitUsage, line: `--publish and --push cannot be used together`},

	// onepipe.yaml
	{what: "`replicas: two` in onepipe.yaml", app: withConfig("app: shop\nenvironments:\n  dev:\n    replicas: two\n"), args: []string{"plan", "--source", "APP"},
		code: ExitUsage, line: `APP/onepipe.yaml: line 4: environments.dev.replicas: "two" is not a whole number`},
	{what: "onepipe.yaml is a list", app: withConfig("- app: shop\n"), args: []string{"plan", "--source", "APP"},
		code: ExitUsage, line: `APP/onepipe.yaml: line 1: the file must be a mapping of settings (app:, environments:, ...), not a list`},
	{what: "a key twice in onepipe.yaml", app: withConfig("app: shop\napp: store\n"), args: []string{"plan", "--source", "APP"},
		code: ExitUsage, line: `APP/onepipe.yaml: line 2: app is set twice (lines 1 and 2): keep one`},
	{what: "an unknown field in onepipe.yaml", app: withConfig("app: shop\nreplica: 2\n"), args: []string{"plan", "--source", "APP"},
		code: ExitUsage, line: `APP/onepipe.yaml: line 2: unknown field "replica": use app, runtime, image, platforms, test, lint, release, registry, environments, deploy, azure, cache or scan`},
	{what: "onepipe.yaml is a named pipe (FIFO)", app: then(tinyApp(nil), fifoAt("onepipe.yaml")), args: []string{"plan", "--source", "APP"},
		code: ExitUsage, line: `APP/onepipe.yaml: not a regular file (a named pipe): replace it with a YAML file, or remove it to use the defaults`},

	// the app folder
	{what: "a folder named Dockerfile", app: then(tinyApp(nil), folderAt("Dockerfile")), args: []string{"plan", "--source", "APP"},
		code: ExitUsage, line: `cannot read Dockerfile: it is a folder, not a file: pass --dockerfile with the Dockerfile's path`},
	{what: "tests without pytest in the requirements", app: tinyApp(map[string]string{"requirements.txt": "flask\n"}), args: []string{"plan", "--source", "APP"},
		code: ExitUsage, line: `test: pytest is not installed: add pytest to requirements-dev.txt (the tests' requirements; requirements.txt is what the app needs to run)`},
	{what: "init for an app without a Dockerfile", app: tinyApp(map[string]string{"Dockerfile": ""}), args: []string{"init", "gitlab", "--source", "APP"},
		code: ExitUsage, line: `APP/Dockerfile not found: the gitlab job pushes the app's image, built from a Dockerfile: add one to APP`},
	{what: "init for a folder that is not a Python project", app: tinyApp(map[string]string{"requirements.txt": ""}), args: []string{"init", "gitlab", "--source", "APP"},
		code: ExitUsage, line: `source APP is not a Python project: add requirements.txt (or pyproject.toml) listing the app's dependencies`},

	// run flags
	{what: "a zero timeout", args: []string{"run", "--source", "APP", "--timeout", "0"},
		code: ExitUsage, line: `--timeout 0s: give a positive duration such as 30m or 1h`},
	{what: "a negative timeout", args: []string{"run", "--source", "APP", "--timeout", "-5m"},
		code: ExitUsage, line: `--timeout -5m0s: give a positive duration such as 30m or 1h`},
	{what: "an unknown platform", args: []string{"plan", "--source", "APP", "--platform", "foo/bar"},
		code: ExitUsage, line: `--platform "foo/bar": unknown operating system "foo": use one of linux, windows, darwin, freebsd (e.g. linux/amd64)`},
	{what: "`--out` is a file", args: []string{"run", "--source", "APP", "--out", "APP/Dockerfile"},
		code: ExitUsage, line: `--out APP/Dockerfile is a file: give a folder for the reports`},
	{what: "`--out` cannot be created", args: []string{"run", "--source", "APP", "--out", "APP/Dockerfile/out"},
		code: ExitUsage, line: `--out APP/Dockerfile/out: cannot create the folder: not a directory`},
	{what: "an unknown progress mode", args: []string{"run", "--source", "APP", "--progress", "fancy"},
		code: ExitUsage, line: `--progress "fancy": use auto, stages, tty or plain`},
	{what: "an unknown summary format", args: []string{"run", "--source", "APP", "--output", "yaml"},
		code: ExitUsage, line: `--output "yaml": use text or json`},
	{what: "an unknown stage", args: []string{"run", "--source", "APP", "--only", "test,deploy"},
		code: ExitUsage, line: `unknown stage "deploy" in --only: use test, lint or pack`},

	// what is built, and where to
	{what: "a CI commit that is no SHA", env: map[string]string{"CI_COMMIT_SHA": "abc"}, args: []string{"plan", "--source", "APP"},
		code: ExitUsage, line: `CI_COMMIT_SHA "abc" is not a commit SHA (7 to 40 hex characters): set it to the commit being built, or pass --sha`},
	{what: "a tag and a branch ref", args: []string{"plan", "--source", "APP", "--tag", "v1.2.3", "--ref", "refs/heads/main"},
		code: ExitUsage, line: `--tag and --ref cannot be used together: give the ref being built once`},
	{what: "a tag and a branch", args: []string{"plan", "--source", "APP", "--tag", "v1.2.3", "--branch", "main"},
		code: ExitUsage, line: `--tag and --branch cannot be used together: give the ref being built once`},
	{what: "an unknown environment", args: []string{"plan", "--source", "APP", "--env", "staging"},
		code: ExitUsage, line: `unknown environment "staging": use one of dev, prod (or add it under environments: in onepipe.yaml)`},
	{what: "prod from a branch", app: flask, args: []string{"plan", "--source", "APP", "--env", "prod"},
		code: ExitUsage, line: `environment "prod" is protected: deploy it from a release tag (vX.Y.Z) or pass --allow-protected`},

	// publish
	{what: "a repository without a registry host", args: []string{"plan", "--source", "APP", "--publish", "shop"},
		code: ExitUsage, line: `image repository "shop" names no registry: write docker.io/library/shop for Docker Hub, or host[:port]/path`},
	{what: "a repository in upper case", args: []string{"plan", "--source", "APP", "--publish", "Shop/App"},
		code: ExitUsage, line: `image repository "Shop/App" is malformed: it has uppercase letters, and repository paths are lowercase, e.g. docker.io/shop/app`},
	{what: "a repository of 256 characters", args: []string{"plan", "--source", "APP", "--publish", "r.example.com/" + strings.Repeat("a", 242)},
		code: ExitUsage, line: `image repository "r.example.com/a×242" is 256 characters long: registries accept at most 255 for host[:port]/path, so shorten it`},
	{what: "a repository with a tag", args: []string{"plan", "--source", "APP", "--publish", "r.example.com/shop:v1"},
		code: ExitUsage, line: `image repository "r.example.com/shop:v1" has a tag (:v1): give the repository alone, e.g. r.example.com/shop; onepipe picks the tags`},
	{what: "a secret set but empty", env: map[string]string{"EMPTY": ""},
		args: []string{"plan", "--source", "APP", "--publish", "r.example.com/shop", "--registry-username", "ci", "--registry-password", "env:EMPTY"},
		code: ExitUsage, line: `secret env:EMPTY is set but empty: give EMPTY the secret's value (in CI: check the secret variable exists and reaches this job) or change the reference`},

	// Kubernetes
	{what: "an unknown cluster kind", app: flask, args: []string{"plan", "--source", "APP", "--cluster", "minikube"},
		code: ExitUsage, line: `--cluster "minikube": use aks, existing, kops or local`},
	{what: "a kubeconfig that is not one", app: flask, args: []string{"plan", "--source", "APP", "--kubeconfig", "file:APP/onepipe.yaml", "--publish", "r.example.com/flask"},
		code: ExitUsage, line: "kubeconfig from file:APP/onepipe.yaml: is not a kubeconfig (no kind: Config with clusters): give the cluster's kubeconfig file, e.g. the output of `kubectl config view --raw --minify`"},
	{what: "the local cluster with a kubeconfig", app: flask, args: []string{"plan", "--source", "APP", "--cluster", "local", "--kubeconfig", "env:X"},
		code: ExitUsage, line: `--kubeconfig reaches an existing cluster: it cannot be used with --cluster local (drop one of them)`},
	{what: "an empty manifests folder", app: then(flask, folderAt("deploy/k8s")), args: []string{"plan", "--source", "APP", "--deploy"},
		code: ExitUsage, line: `manifests folder deploy/k8s has no .yaml files`},
	{what: "empty manifest files", app: then(flask, emptyManifests), args: []string{"plan", "--source", "APP", "--deploy"},
		code: ExitUsage, line: `deploy manifests deploy/k8s: no Kubernetes objects (the .yaml files are empty, or render nothing for environment dev): add the app's manifests`},
	{what: "`deploy.manifests` names a file", app: then(flask, configEdit("manifests: deploy/k8s", "manifests: deploy/k8s/app.yaml")), args: []string{"plan", "--source", "APP", "--deploy"},
		code: ExitUsage, line: `deploy manifests deploy/k8s/app.yaml: is a file: set deploy.manifests in onepipe.yaml to the folder that holds the app's Kubernetes manifests`},
	{what: "a chart reference without a version", app: then(flask, configEdit("  manifests: deploy/k8s\n", "  chart:\n    ref: oci://registry.example.com/charts/conduit\n")), args: []string{"plan", "--source", "APP", "--deploy"},
		code: ExitUsage, line: `APP/onepipe.yaml: line 41: deploy.chart.ref "oci://registry.example.com/charts/conduit" has no version: pin one with deploy.chart.version, e.g. 1.4.2, so every run installs the same chart`},
	{what: "`deploy.chart.path` names no folder", app: then(flask, configEdit("  manifests: deploy/k8s\n", "  chart:\n    path: deploy/helm\n")), args: []string{"plan", "--source", "APP", "--deploy"},
		code: ExitUsage, line: `deploy.chart.path deploy/helm: not found: put the app's Helm chart there (helm create makes one) or change deploy.chart.path`},

	// Azure
	{what: "Azure DevOps over plain http", args: []string{"trigger", "azure-devops", "--url", "http://ado.example.com/tfs"},
		code: ExitUsage, line: `--url "http://ado.example.com/tfs": use an https URL, e.g. https://dev.azure.com: plain http would carry the credentials unencrypted, so it is allowed only to this machine (localhost, 127.0.0.0/8, ::1)`},
	{what: "`azure.devops.url: http://…` in onepipe.yaml", app: withConfig("azure:\n  devops:\n    url: http://ado.example.com/tfs\n"), args: []string{"trigger", "azure-devops", "--source", "APP"},
		code: ExitUsage, line: `APP/onepipe.yaml: line 3: azure.devops.url "http://ado.example.com/tfs": use an https URL, e.g. https://dev.azure.com: plain http would carry the credentials unencrypted, so it is allowed only to this machine (localhost, 127.0.0.0/8, ::1)`},
	{what: "a zip package and an image", app: withConfig(functionApp), args: []string{"deploy", "azure-function", "--source", "APP", "--zip-only", "--image", "acme.azurecr.io/shop:v1"},
		code: ExitUsage, line: `--zip-only and --image exclude each other: --zip-only builds the azure.functionZip package, --image deploys azure.functionContainer`},
	{what: "a zip package with `--out` below a file", app: withConfig(functionApp), args: []string{"deploy", "azure-function", "--source", "APP", "--zip-only", "--out", "APP/Dockerfile/out"},
		code: ExitUsage, line: `--out APP/Dockerfile/out: cannot create the folder: not a directory`},
}

// placeApp writes the app folder dir where s says APP: APP, APP/path or
// env:APP..., file:APP/path.
func placeApp(s, dir string) string {
	if s == "APP" || strings.HasPrefix(s, "APP/") {
		return dir + filepath.FromSlash(s[3:])
	}
	if ref, path, ok := strings.Cut(s, ":APP"); ok && (path == "" || path[0] == '/') {
		return ref + ":" + dir + filepath.FromSlash(path)
	}
	return s
}

// runLimit bounds one row: a bad input must never hang onepipe (a FIFO
// read blocks until someone writes).
const runLimit = time.Minute

func TestTroubleshootingTable(t *testing.T) {
	for _, tt := range troubleRows {
		t.Run(tt.what, func(t *testing.T) {
			app := tt.app
			if app == nil {
				app = tinyApp(nil)
			}
			dir := app(t)
			env := ciBranch()
			for k, v := range tt.env {
				env[k] = placeApp(v, dir)
			}
			var args []string
			for _, a := range tt.args {
				args = append(args, placeApp(a, dir))
			}
			done := make(chan result, 1)
			go func() { done <- run(t, env, args...) }()
			var r result
			select {
			case r = <-done:
			case <-time.After(runLimit):
				t.Fatalf("onepipe %s hung for %s", strings.Join(tt.args, " "), runLimit)
			}
			if r.code != tt.code {
				t.Errorf("exit %d, want %d", r.code, tt.code)
			}
			if got, want := shown(strings.ReplaceAll(r.err, dir, "APP")), "onepipe: "+tt.line+"\n"; got != want {
				t.Errorf("stderr\n got %q\nwant %q", got, want)
			}
			if r.out != "" {
				t.Errorf("stdout is not empty:\n%s", r.out)
			}
			if strings.Contains(r.err, testSecret) {
				t.Errorf("stderr holds a secret: %q", r.err)
			}
		})
	}
}

// longRun is 20 or more of one ASCII letter or digit, too long for a table.
var longRun = regexp.MustCompile(`[a-z0-9]{20,}`)

// shown shortens runs of one character to c×N ("a×242"), so long inputs
// read well in the table.
func shown(s string) string {
	return longRun.ReplaceAllStringFunc(s, func(m string) string {
		if strings.Trim(m, m[:1]) != "" {
			return m
		}
		return m[:1] + "×" + strconv.Itoa(len(m))
	})
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-×") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// command is a row's command line as typed: its variables, then onepipe.
func (r troubleRow) command() string {
	var words []string
	for _, k := range slices.Sorted(maps.Keys(r.env)) {
		words = append(words, k+"="+shellWordOrEmpty(shown(r.env[k])))
	}
	words = append(words, "onepipe")
	for _, a := range r.args {
		words = append(words, shellWord(shown(a)))
	}
	return strings.Join(words, " ")
}

// shellWordOrEmpty is shellWord, except that an empty value stays empty
// (NAME= sets NAME to "").
func shellWordOrEmpty(s string) string {
	if s == "" {
		return ""
	}
	return shellWord(s)
}

// mdCode is s as Markdown inline code inside a table cell.
func mdCode(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// troubleTable is the README's table of troubleRows.
func troubleTable() string {
	var b strings.Builder
	b.WriteString("| bad input | what you type | exit | the one line shown after `onepipe: ` |\n|---|---|---|---|\n")
	for _, r := range troubleRows {
		fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", strings.ReplaceAll(r.what, "|", `\|`), mdCode(r.command()), r.code, mdCode(r.line))
	}
	return b.String()
}

func TestTroubleshootingTableIsInTheREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if want := troubleTable(); !strings.Contains(string(readme), want) {
		t.Errorf("README.md lacks the table of TestTroubleshootingTable's rows; paste this under \"### Bad input: what you type, what you get\":\n\n%s", want)
	}
}
