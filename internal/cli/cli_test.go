package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"dagger.io/dagger"
	"github.com/spf13/cobra"
)

const testSecret = "hunter2-very-secret"

// exampleDir is examples/<name> in this repository.
func exampleDir(t *testing.T, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "examples", name)
}

type result struct {
	code     int
	out, err string
}

// run executes onepipe with a fake environment; no engine is ever reached:
// Connect fails the test if a command tries to connect.
func run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{
		Out: &out, Err: &errb,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		ReadFile:  os.ReadFile,
		Connect: func(context.Context, *Env, io.Writer, bool) (*dagger.Client, error) {
			t.Errorf("onepipe %v tried to connect to an engine", args)
			return nil, ErrNoEngine
		},
	}
	code := Main(context.Background(), e, args)
	return result{code, out.String(), errb.String()}
}

const sha = "0123456789abcdef0123456789abcdef01234567"

var gitlabTag = map[string]string{"GITLAB_CI": "true", "CI_COMMIT_SHA": sha, "CI_COMMIT_TAG": "v1.2.3", "CI_PIPELINE_ID": "77",
	"CI_REGISTRY": "registry.gitlab.com", "CI_REGISTRY_IMAGE": "registry.gitlab.com/acme/tornado", "CI_REGISTRY_USER": "gitlab-ci-token",
	"CI_REGISTRY_PASSWORD": testSecret}

var azureBranch = map[string]string{"TF_BUILD": "True", "BUILD_SOURCEVERSION": sha, "BUILD_SOURCEBRANCH": "refs/heads/main", "BUILD_BUILDID": "12",
	"REGISTRY_PASSWORD": testSecret}

func TestPlanUnderCI(t *testing.T) {
	src := exampleDir(t, "tornado")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"gitlab release tag pushes to the CI registry", gitlabTag, []string{"plan", "--source", src, "--push"}, []string{
			"ci:", "gitlab pipeline 77 on tag v1.2.3 (01234567)",
			"version:", "v1.2.3 — tag v1.2.3 matches the release pattern",
			"environment:", "prod (namespace tornado-prod)",
			"images:", "registry.gitlab.com/acme/tornado:v1.2.3",
			"registry:", "registry.gitlab.com (user gitlab-ci-token, password from env:CI_REGISTRY_PASSWORD)",
			"stages:", "test, lint, pack linux/amd64, publish"}},
		{"azure branch goes to dev with the short sha", azureBranch, []string{"plan", "--source", src,
			"--publish", "acme.azurecr.io/tornado", "--registry-username", "acme", "--registry-password", "env:REGISTRY_PASSWORD"}, []string{
			"azure pipeline 12 on branch main (01234567)",
			"01234567 — branch main, commit 01234567 (not a release: dev)",
			"dev (namespace tornado-dev)",
			"acme.azurecr.io/tornado:01234567",
			"acme.azurecr.io (user acme, password from env:REGISTRY_PASSWORD)"}},
		{"moving tags only on release", gitlabTag, []string{"plan", "--source", src, "--push", "--also-tag", "latest"}, []string{
			"registry.gitlab.com/acme/tornado:v1.2.3, registry.gitlab.com/acme/tornado:latest"}},
		{"run --dry-run is plan", azureBranch, []string{"run", "--dry-run", "--source", src, "--platform", "linux/amd64,linux/arm64", "--allow-lint-failure"}, []string{
			"lint (allowed to fail)", "pack linux/amd64+linux/arm64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.env, tt.args...)
			if r.code != 0 {
				t.Fatalf("exit %d, stderr: %s", r.code, r.err)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.out, w) {
					t.Errorf("plan lacks %q:\n%s", w, r.out)
				}
			}
			if strings.Contains(r.out+r.err, testSecret) {
				t.Errorf("secret value printed:\n%s%s", r.out, r.err)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	src := exampleDir(t, "tornado")
	noDockerfile := t.TempDir()
	os.WriteFile(filepath.Join(noDockerfile, "requirements.txt"), []byte("tornado\n"), 0o644)
	badConfig := t.TempDir()
	os.WriteFile(filepath.Join(badConfig, "requirements.txt"), []byte("tornado\n"), 0o644)
	os.WriteFile(filepath.Join(badConfig, "onepipe.yaml"), []byte("app: ok\nlint:\n  tool: pylint\n"), 0o644)

	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"source missing", azureBranch, []string{"plan", "--source", "/does/not/exist"}, ExitUsage, "source folder /does/not/exist does not exist"},
		{"not a python project", azureBranch, []string{"plan", "--source", t.TempDir()}, ExitUsage, "is not a Python project"},
		{"missing Dockerfile", azureBranch, []string{"plan", "--source", noDockerfile}, ExitUsage, "Dockerfile not found"},
		{"bad config", azureBranch, []string{"plan", "--source", badConfig}, ExitUsage, `lint.tool "pylint": use flake8 or ruff`},
		{"malformed tag", azureBranch, []string{"plan", "--source", src, "--tag", "v1.2"}, ExitUsage, `tag "v1.2" is not a release version`},
		{"unknown environment", azureBranch, []string{"plan", "--source", src, "--env", "staging"}, ExitUsage, `unknown environment "staging"`},
		{"protected environment", azureBranch, []string{"plan", "--source", src, "--env", "prod"}, ExitUsage, `environment "prod" is protected`},
		{"secret unset", azureBranch, []string{"plan", "--source", src, "--publish", "r.io/a", "--registry-username", "u", "--registry-password", "env:NOPE"}, ExitUsage, "secret env:NOPE is not set"},
		{"secret given as value", azureBranch, []string{"plan", "--source", src, "--publish", "r.io/a", "--registry-username", "u", "--registry-password", testSecret}, ExitUsage, "registry password must be a secret reference"},
		{"malformed repository", azureBranch, []string{"plan", "--source", src, "--publish", "R.io/App:v1"}, ExitUsage, "is malformed"},
		{"unknown stage", azureBranch, []string{"run", "--source", src, "--only", "test,deploy"}, ExitUsage, `unknown stage "deploy" in --only`},
		{"conflicting flags", azureBranch, []string{"plan", "--source", src, "--tag", "v1.0.0", "--branch", "main"}, ExitUsage, "--tag and --branch cannot be used together"},
		{"conflicting publish flags", azureBranch, []string{"plan", "--source", src, "--publish", "r.io/a", "--push"}, ExitUsage, "--publish and --push cannot be used together"},
		{"conflicting trigger auth", azureBranch, []string{"trigger", "azure-devops", "--pat", "env:A", "--token", "env:B"}, ExitUsage, "--pat and --token cannot be used together"},
		{"typo'd command", azureBranch, []string{"depoly"}, ExitUsage, `unknown command "depoly" for "onepipe"; did you mean deploy?`},
		{"extra argument", azureBranch, []string{"run", "extra"}, ExitUsage, `unknown command "extra" for "onepipe run"`},
		{"unknown flag", azureBranch, []string{"run", "--nope"}, ExitUsage, "unknown flag: --nope"},
		{"bad platform", azureBranch, []string{"plan", "--source", src, "--platform", "amd64"}, ExitUsage, `platform "amd64": use os/arch`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.env, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, tt.code, r.err)
			}
			if !strings.Contains(r.err, tt.want) {
				t.Errorf("stderr %q lacks %q", r.err, tt.want)
			}
			lines := strings.Split(strings.TrimSpace(r.err), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "onepipe: ") {
				t.Errorf("want one 'onepipe: ' line, got %q", r.err)
			}
			if strings.Contains(r.err, testSecret) || strings.Contains(r.err, "panic") || strings.Contains(r.err, "goroutine") {
				t.Errorf("stderr leaks a secret or a stack: %q", r.err)
			}
		})
	}
}

func TestNoEngine(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no dagger CLI
	var errb bytes.Buffer
	env := &Env{Out: io.Discard, Err: &errb, LookupEnv: func(string) (string, bool) { return "", false }, ReadFile: os.ReadFile, Connect: connectEngine}
	code := Main(context.Background(), env, []string{"test", "--source", exampleDir(t, "tornado")})
	if code != ExitNoEngine {
		t.Fatalf("exit %d, want %d: %s", code, ExitNoEngine, errb.String())
	}
	if !strings.Contains(errb.String(), "no Dagger engine reachable") || !strings.Contains(errb.String(), "_EXPERIMENTAL_DAGGER_RUNNER_HOST") {
		t.Errorf("message = %q", errb.String())
	}
}

func TestDeadRunnerHost(t *testing.T) {
	env := map[string]string{"_EXPERIMENTAL_DAGGER_RUNNER_HOST": "unix://" + filepath.Join(t.TempDir(), "none.sock")}
	err := preflight(&Env{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Errorf("preflight = %v", err)
	}
}

func TestHelpMentionsEveryFlag(t *testing.T) {
	r := run(t, nil, "run", "--help")
	for _, f := range []string{"--source", "--out", "--publish", "--push", "--registry-password", "--only", "--allow-lint-failure", "--platform", "--dry-run", "--env", "--tag", "--deploy", "--cluster", "--kubeconfig"} {
		if !strings.Contains(r.out, f) {
			t.Errorf("run --help lacks %s", f)
		}
	}
}

// TestPlanOfTheAzureFunctionExampleIsWhatRunDoes: run on a zip Function App
// tests and lints (there is no image to pack) and deploys nothing, so its
// plan lists exactly that; the Function App's own steps are planned by the
// command that performs them, deploy azure-function --dry-run.
func TestPlanOfTheAzureFunctionExampleIsWhatRunDoes(t *testing.T) {
	r := run(t, azureBranch, "plan", "--source", exampleDir(t, "azure-function"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if !strings.Contains(r.out, "stages:      test, lint\n") {
		t.Errorf("plan stages are not test, lint:\n%s", r.out)
	}
	for _, w := range []string{"onepipe-example-func", "zipdeploy", "targets:"} {
		if strings.Contains(r.out, w) {
			t.Errorf("plan lists %q, which run does not do:\n%s", w, r.out)
		}
	}
}

func TestGroupingCommandsRejectUnknownSubcommands(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"deploy", "heroku"}, `onepipe: unknown deploy target "heroku": use azure-function`},
		{[]string{"trigger", "jenkins"}, `onepipe: unknown trigger system "jenkins": use azure-devops`},
		{[]string{"deploy"}, `onepipe: deploy needs a target: use azure-function`},
		{[]string{"trigger"}, `onepipe: trigger needs a system: use azure-devops`},
		{[]string{"deploy", "heroku", "--source", "examples/flask"}, `onepipe: unknown deploy target "heroku": use azure-function`},
		{[]string{"deploy", "azure-functon"}, `onepipe: unknown deploy target "azure-functon": use azure-function; did you mean azure-function?`},
		{[]string{"completion", "fsh"}, `onepipe: unknown completion subcommand "fsh": use bash, fish, powershell or zsh; did you mean bash, fish or zsh?`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := run(t, nil, tt.args...)
			if r.code != ExitUsage {
				t.Errorf("exit %d, want %d; stdout %q", r.code, ExitUsage, r.out)
			}
			if got := strings.TrimSuffix(r.err, "\n"); got != tt.want {
				t.Errorf("stderr\n got %q\nwant %q", r.err, tt.want)
			}
			if r.out != "" {
				t.Errorf("printed help instead of an error:\n%s", r.out)
			}
		})
	}
}

// TestEveryGroupingCommandRejects walks the whole tree, so a grouping command
// added later is covered without a new test.
func TestEveryGroupingCommandRejects(t *testing.T) {
	root := NewRootCommand(&Env{Out: io.Discard, Err: io.Discard, LookupEnv: func(string) (string, bool) { return "", false }})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c == root || !c.HasSubCommands() {
			return
		}
		path := strings.Fields(c.CommandPath())[1:]
		r := run(t, nil, append(path, "no-such-thing")...)
		if r.code != ExitUsage || !strings.Contains(r.err, `"no-such-thing": use `) {
			t.Errorf("onepipe %s no-such-thing: exit %d, stderr %q", strings.Join(path, " "), r.code, r.err)
		}
	}
	walk(root)
}

func TestEveryCommandIsRegistered(t *testing.T) {
	root := NewRootCommand(&Env{Out: io.Discard, Err: io.Discard, LookupEnv: func(string) (string, bool) { return "", false }})
	var got []string
	for _, c := range root.Commands() {
		got = append(got, c.Name())
	}
	for _, want := range []string{"run", "test", "lint", "pack", "plan", "deploy", "kubectl", "trigger", "init", "version"} {
		if !slices.Contains(got, want) {
			t.Errorf("onepipe has no %s command (has %v)", want, got)
		}
	}
}

func TestVersionFlagMatchesVersionCommand(t *testing.T) {
	want := run(t, nil, "version")
	if want.code != 0 || !strings.HasPrefix(want.out, "onepipe ") || !strings.Contains(want.out, "dagger SDK v") {
		t.Fatalf("onepipe version: exit %d, %q", want.code, want.out)
	}
	for _, flag := range []string{"--version", "-v"} {
		r := run(t, nil, flag)
		if r.code != 0 || r.out != want.out {
			t.Errorf("onepipe %s: exit %d, %q; want %q as onepipe version prints", flag, r.code, r.out, want.out)
		}
	}
}
