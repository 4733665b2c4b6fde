package cli

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// troubleRow is one bad input: what the user has and types, and the exit
// code and the one line onepipe answers with. The rows are the table in the
// README's Troubleshooting section.
type troubleRow struct {
	// what says in a few words what is wrong, for the README.
	what string
	// app makes the app folder; APP in args, env values and the line stands
	// for it. nil is a Python app with a Dockerfile (tinyApp).
	app func(t *testing.T) string
	// env is set on top of a CI branch build (ciBranch), shown before the
	// command.
	env map[string]string
	// args follow onepipe.
	args []string
	code int
	// line is stderr's one line after "onepipe: ", APP for the app folder.
	line string
}

// ciBranch is the environment every row runs in: an Azure DevOps branch
// build with the Flask example's secrets set, and no engine variables.
func ciBranch() map[string]string { return flaskEnv(nil) }

// tinyApp is a Python app folder with a Dockerfile, tests run by pytest,
// and files (name → content) added or, with content "", removed.
func tinyApp(files map[string]string) func(t *testing.T) string {
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
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
}

// withDir is setup followed by making the folder rel inside the app.
func withDir(setup func(t *testing.T) string, rel string) func(t *testing.T) string {
	return func(t *testing.T) string {
		t.Helper()
		dir := setup(t)
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.RemoveAll(p)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
}

// withEmptyFile is setup followed by truncating the file rel to nothing.
func withEmptyFile(setup func(t *testing.T) string, rel string) func(t *testing.T) string {
	return func(t *testing.T) string {
		t.Helper()
		dir := setup(t)
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
}

// flask is a copy of the Flask example (deploy manifests, environments).
func flask(edit map[string]string) func(t *testing.T) string {
	return func(t *testing.T) string { t.Helper(); return flaskCopy(t, edit) }
}

const kubeconfig = "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443'}}]\n" +
	"users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n"

var troubleRows = []troubleRow{
	// trigger
	{what: "Azure DevOps over plain http", args: []string{"trigger", "azure-devops", "--source", "APP", "--url", "http://ado.example.com/tfs", "--organization", "acme", "--project", "shop", "--pipeline", "deploy", "--pat", "env:ADO_PAT"},
		code: ExitUsage},
	{what: "azure.devops.url over plain http", app: tinyApp(map[string]string{"onepipe.yaml": "azure:\n  devops:\n    url: http://ado.example.com/tfs\n"}),
		args: []string{"trigger", "azure-devops", "--source", "APP", "--organization", "acme", "--project", "shop", "--pipeline", "deploy", "--pat", "env:ADO_PAT"},
		code: ExitUsage},
	// commands
	{what: "unknown deploy target", args: []string{"deploy", "heroku"}, code: ExitUsage},
	{what: "unknown trigger system", args: []string{"trigger", "jenkins"}, code: ExitUsage},
	{what: "deploy without a target", args: []string{"deploy"}, code: ExitUsage},
	// image names
	{what: "repository without a registry host", args: []string{"plan", "--source", "APP", "--publish", "shop"}, code: ExitUsage},
	{what: "repository in upper case", args: []string{"plan", "--source", "APP", "--publish", "r.example.com/Shop/App"}, code: ExitUsage},
	{what: "repository name too long", args: []string{"plan", "--source", "APP", "--publish", "r.example.com/" + strings.Repeat("a", 256)}, code: ExitUsage},
	{what: "repository with a tag", args: []string{"plan", "--source", "APP", "--publish", "r.example.com/shop:v1"}, code: ExitUsage},
	// onepipe.yaml
	{what: "a number that is a word", app: tinyApp(map[string]string{"onepipe.yaml": "app: shop\nenvironments:\n  dev:\n    replicas: two\n"}),
		args: []string{"plan", "--source", "APP"}, code: ExitUsage},
	{what: "a list instead of settings", app: tinyApp(map[string]string{"onepipe.yaml": "- app: shop\n"}),
		args: []string{"plan", "--source", "APP"}, code: ExitUsage},
	{what: "a key given twice", app: tinyApp(map[string]string{"onepipe.yaml": "app: shop\napp: store\n"}),
		args: []string{"plan", "--source", "APP"}, code: ExitUsage},
	{what: "an unknown field", app: tinyApp(map[string]string{"onepipe.yaml": "app: shop\nreplica: 2\n"}),
		args: []string{"plan", "--source", "APP"}, code: ExitUsage},
	{what: "onepipe.yaml is a named pipe", app: withFIFO(tinyApp(nil), "onepipe.yaml"),
		args: []string{"plan", "--source", "APP"}, code: ExitUsage},
	// run flags
	{what: "zero timeout", args: []string{"run", "--source", "APP", "--timeout", "0"}, code: ExitUsage},
	{what: "negative timeout", args: []string{"run", "--source", "APP", "--timeout", "-5m"}, code: ExitUsage},
	{what: "unknown platform", args: []string{"plan", "--source", "APP", "--platform", "foo/bar"}, code: ExitUsage},
	{what: "--out is a file", args: []string{"run", "--source", "APP", "--out", "APP/Dockerfile"}, code: ExitUsage},
	{what: "--out cannot be created", args: []string{"run", "--source", "APP", "--out", "APP/Dockerfile/out"}, code: ExitUsage},
	{what: "unknown progress mode", args: []string{"run", "--source", "APP", "--progress", "fancy"}, code: ExitUsage},
	{what: "unknown summary format", args: []string{"run", "--source", "APP", "--output", "yaml"}, code: ExitUsage},
	{what: "unknown --only stage", args: []string{"run", "--source", "APP", "--only", "test,deploy"}, code: ExitUsage},
	// refs
	{what: "a CI SHA that is no SHA", env: map[string]string{"CI_COMMIT_SHA": "abc"}, args: []string{"plan", "--source", "APP"}, code: ExitUsage},
	{what: "a tag and a branch ref", args: []string{"plan", "--source", "APP", "--tag", "v1.2.3", "--ref", "refs/heads/main"}, code: ExitUsage},
	{what: "a tag and a branch", args: []string{"plan", "--source", "APP", "--tag", "v1.2.3", "--branch", "main"}, code: ExitUsage},
	{what: "unknown environment", args: []string{"plan", "--source", "APP", "--env", "staging"}, code: ExitUsage},
	{what: "prod from a branch", app: flask(nil), args: []string{"plan", "--source", "APP", "--env", "prod"}, code: ExitUsage},
	// publish
	{what: "--publish and --push", args: []string{"plan", "--source", "APP", "--publish", "r.example.com/shop", "--push"}, code: ExitUsage},
	{what: "a secret set but empty", env: map[string]string{"EMPTY": ""},
		args: []string{"plan", "--source", "APP", "--publish", "r.example.com/shop", "--registry-username", "ci", "--registry-password", "env:EMPTY"}, code: ExitUsage},
	// app folder
	{what: "Dockerfile is a folder", app: withDir(tinyApp(nil), "Dockerfile"), args: []string{"plan", "--source", "APP"}, code: ExitUsage},
	{what: "tests need pytest, which is not installed", app: tinyApp(map[string]string{"requirements.txt": "flask\n"}), args: []string{"plan", "--source", "APP"}, code: ExitUsage},
	{what: "init without a Dockerfile", app: tinyApp(map[string]string{"Dockerfile": ""}), args: []string{"init", "gitlab", "--source", "APP"}, code: ExitUsage},
	{what: "init outside a Python project", app: tinyApp(map[string]string{"requirements.txt": ""}), args: []string{"init", "gitlab", "--source", "APP"}, code: ExitUsage},
	// deploy
	{what: "unknown cluster kind", app: flask(nil), args: []string{"plan", "--source", "APP", "--cluster", "minikube"}, code: ExitUsage},
	{what: "a kubeconfig that is not one", app: flask(nil), env: map[string]string{"KC": "not a kubeconfig"},
		args: []string{"plan", "--source", "APP", "--kubeconfig", "env:KC", "--publish", "r.example.com/flask"}, code: ExitUsage},
	{what: "local cluster with a kubeconfig", app: flask(nil), env: map[string]string{"KC": kubeconfig},
		args: []string{"plan", "--source", "APP", "--cluster", "local", "--kubeconfig", "env:KC"}, code: ExitUsage},
	{what: "empty manifest folder", app: withDir(flask(nil), "deploy/k8s"), args: []string{"plan", "--source", "APP", "--deploy"}, code: ExitUsage},
	{what: "empty manifest file", app: withEmptyFile(flask(nil), "deploy/k8s/service.yaml"), args: []string{"plan", "--source", "APP", "--deploy"}, code: ExitUsage},
	{what: "--zip-only with --image", app: tinyApp(nil), args: []string{"deploy", "azure-function", "--source", "APP", "--zip-only", "--image", "acme.azurecr.io/shop:v1"}, code: ExitUsage},
	{what: "--zip-only with --out below a file", args: []string{"deploy", "azure-function", "--source", "APP", "--zip-only", "--out", "APP/Dockerfile/out"}, code: ExitUsage},
}

// placeApp writes the app folder dir where s says APP.
func placeApp(s, dir string) string {
	if s == "APP" || strings.HasPrefix(s, "APP/") {
		return dir + filepath.FromSlash(s[3:])
	}
	if ref, path, ok := strings.Cut(s, ":APP"); ok && (path == "" || path[0] == '/') {
		return ref + ":" + dir + filepath.FromSlash(path)
	}
	return s
}

func TestTroubleshootingTable(t *testing.T) {
	for _, tt := range troubleRows {
		t.Run(tt.what, func(t *testing.T) {
			setup := tt.app
			if setup == nil {
				setup = tinyApp(nil)
			}
			dir := setup(t)
			env := ciBranch()
			for k, v := range tt.env {
				env[k] = placeApp(v, dir)
			}
			var args []string
			for _, a := range tt.args {
				args = append(args, placeApp(a, dir))
			}
			r := run(t, env, args...)
			got := strings.ReplaceAll(r.err, dir, "APP")
			fmt.Printf("%d\t%s\n", r.code, got)
			_ = slices.Contains[[]string]
		})
	}
}
