package shim

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The tests in this file validate the shims with the CI systems' own tools,
// installed by .ci/install-tools.sh into $ONEPIPE_TOOLS (default .tools/ at
// the repository root): gitlab-ci-local and Microsoft's Azure Pipelines
// validator from npm, actionlint (GitHub Actions) from the Go module proxy.
// They skip, saying so, when a tool is missing.

func toolsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ONEPIPE_TOOLS")
	if dir == "" {
		dir = filepath.Join("..", "..", ".tools")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// tool returns the path of a file under the tools folder, skipping the test when it is missing.
func tool(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(toolsDir(t), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not installed: run .ci/install-tools.sh", rel)
	}
	return p
}

func gitlabCILocal(t *testing.T) string {
	t.Helper()
	return tool(t, "node_modules/.bin/gitlab-ci-local")
}

// gitRepo makes dir a git repository on branch main with everything committed,
// as a GitLab checkout would be.
func gitRepo(t *testing.T, dir string) {
	t.Helper()
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=onepipe", "-c", "user.email=onepipe@example.com", "commit", "-q", "--no-gpg-sign", "-m", "app"},
	} {
		git(t, dir, args...)
	}
	// the remote a checkout has, which gitlab-ci-local diffs against for rules:changes
	origin := filepath.Join(t.TempDir(), "origin.git")
	git(t, dir, "clone", "-q", "--bare", dir, origin)
	git(t, dir, "remote", "add", "origin", origin)
	git(t, dir, "fetch", "-q", "origin")
	git(t, dir, "remote", "set-head", "origin", "main")
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// runGitLabCILocal runs gitlab-ci-local in dir and returns its stdout, stderr and error.
func runGitLabCILocal(t *testing.T, dir string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(gitlabCILocal(t), append([]string{"--home", t.TempDir(), "--no-color"}, args...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// gitlabProject is a temporary git repository holding only the given .gitlab-ci.yml.
func gitlabProject(t *testing.T, ci []byte) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".gitlab-ci.yml"), ci, 0o644); err != nil {
		t.Fatal(err)
	}
	gitRepo(t, dir)
	return dir
}

// listedJob is a job as gitlab-ci-local --list-json shows it.
type listedJob struct{ Name, Stage, When string }

// gitlabJobs lists the jobs gitlab-ci-local would run in dir with vars, by
// name with their when (never when the rules leave a job out).
func gitlabJobs(t *testing.T, dir string, vars ...string) map[string]string {
	t.Helper()
	args := []string{"--list-json", "--ignore-predefined-vars", "CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_COMMIT_REF_SLUG,CI_COMMIT_TAG,CI_DEFAULT_BRANCH"}
	for _, v := range vars {
		args = append(args, "--variable", v)
	}
	out, stderr, err := runGitLabCILocal(t, dir, args...)
	if err != nil {
		t.Fatalf("gitlab-ci-local --list-json %v rejected the shim: %v\n%s%s", vars, err, out, stderr)
	}
	var listed []listedJob
	if err := json.Unmarshal([]byte(out), &listed); err != nil {
		t.Fatalf("gitlab-ci-local --list-json printed no job list: %v\n%s", err, out)
	}
	jobs := map[string]string{}
	for _, j := range listed {
		jobs[j.Name] = j.When
	}
	return jobs
}

// running lists the jobs that would run (when is not never), sorted.
func running(jobs map[string]string) []string {
	var out []string
	for name, when := range jobs {
		if when != "never" {
			out = append(out, name+":"+when)
		}
	}
	slices.Sort(out)
	return out
}

func TestGitLabCILocalAcceptsShims(t *testing.T) {
	gitlabCILocal(t)
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			ci, err := Render(GitLab, d)
			if err != nil {
				t.Fatal(err)
			}
			dir := gitlabProject(t, ci)
			want := []string{"publish:on_success", "test:on_success"}
			if d.Command == "" {
				want = append([]string{"onepipe:build:on_success"}, want...)
			}
			if Deploys(GitLab, d) {
				want = append([]string{"deploy:dev:on_success"}, want...)
			}
			slices.Sort(want)
			if got := running(gitlabJobs(t, dir)); !slices.Equal(got, want) {
				t.Errorf("a push to main runs %v, want %v", got, want)
			}

			out, stderr, err := runGitLabCILocal(t, dir, "--preview")
			if err != nil {
				t.Fatalf("gitlab-ci-local --preview: %v\n%s", err, stderr)
			}
			if want := "$ONEPIPE run --source " + d.withDefaults().Source; !strings.Contains(out, want) {
				t.Errorf("gitlab-ci-local --preview lost the onepipe line %q:\n%s", want, out)
			}
		})
	}
}

// GitLab runs the jobs each kind of ref asks for, as gitlab-ci-local
// evaluates the jobs' rules: a release tag deploys prod (by hand with
// ManualProd), a pre-release tag its environment, a merge request its review
// environment with a stop job to start by hand. (gitlab-ci-local does not
// skip a pipeline on workflow:rules: TestGitLabWorkflow reads those.)
func TestGitLabCILocalPipelines(t *testing.T) {
	gitlabCILocal(t)
	ci, err := Render(GitLab, Data{App: "tornado", Version: "v1.2.3", ManualProd: true, PreReleaseEnv: "staging", Branches: []string{"production"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := gitlabProject(t, ci)
	tag := func(tag string) []string { return []string{"CI_COMMIT_TAG=" + tag, "CI_COMMIT_BRANCH="} }
	tests := []struct {
		name string
		vars []string
		want []string
	}{
		{"release tag", tag("v1.2.3"), []string{"deploy:prod:manual", "onepipe:build:on_success", "publish:on_success", "test:on_success"}},
		{"pre-release tag", tag("v1.2.3-rc.1"), []string{"deploy:pre-release:on_success", "onepipe:build:on_success", "publish:on_success", "test:on_success"}},
		{"beta tag", tag("v1.2.3-beta"), []string{"deploy:pre-release:on_success", "onepipe:build:on_success", "publish:on_success", "test:on_success"}},
		{"tag that is no release", tag("v2"), []string{"onepipe:build:on_success", "publish:on_success", "test:on_success"}},
		{"merge request", []string{"CI_PIPELINE_SOURCE=merge_request_event", "CI_COMMIT_BRANCH=", "CI_COMMIT_REF_SLUG=feature-x"},
			[]string{"onepipe:build:on_success", "review:on_success", "stop_review:manual", "test:on_success"}},
		{"default branch", []string{"CI_COMMIT_BRANCH=production", "CI_DEFAULT_BRANCH=production"}, []string{"deploy:dev:on_success", "onepipe:build:on_success", "publish:on_success", "test:on_success"}},
		{"your own onepipe", append(tag("v1.2.3"), "ONEPIPE=/usr/local/bin/onepipe"), []string{"deploy:prod:manual", "publish:on_success", "test:on_success"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := running(gitlabJobs(t, dir, tt.vars...)); !slices.Equal(got, tt.want) {
				t.Errorf("%v runs %v, want %v", tt.vars, got, tt.want)
			}
		})
	}
}

// The validation can fail: gitlab-ci-local refuses shims broken in the ways
// a hand edit breaks them.
func TestGitLabCILocalRejectsBrokenShims(t *testing.T) {
	gitlabCILocal(t)
	good, err := Render(GitLab, Data{App: "tornado"})
	if err != nil {
		t.Fatal(err)
	}
	breakages := map[string]func(string) string{
		"yaml syntax": func(s string) string { return s + "  script: [\n" },
		"no script": func(s string) string {
			return strings.Replace(s, "\n  script:\n    - $ONEPIPE run", "\n  scripts:\n    - $ONEPIPE run", 1)
		},
		"bad artifacts": func(s string) string { return strings.Replace(s, "when: always", "when: sometimes", 1) },
		"script not list": func(s string) string {
			return strings.Replace(s, "  script:\n    - $ONEPIPE", "  script: {run: $ONEPIPE", 1)
		},
		"unknown stage": func(s string) string { return strings.Replace(s, "  stage: publish\n", "  stage: publsh\n", 1) },
		"bad environment": func(s string) string {
			return strings.Replace(s, "    action: stop\n", "    action: halt\n", 1)
		},
	}
	for name, breakIt := range breakages {
		t.Run(name, func(t *testing.T) {
			broken := breakIt(string(good))
			if broken == string(good) {
				t.Fatal("the breakage changed nothing: update it to the template")
			}
			dir := gitlabProject(t, []byte(broken))
			if out, stderr, err := runGitLabCILocal(t, dir, "--list"); err == nil {
				t.Errorf("gitlab-ci-local --list accepted a broken .gitlab-ci.yml:\n%s%s", out, stderr)
			}
		})
	}
}

// actionlint checks GitHub Actions workflows: syntax, job references,
// expressions and contexts. It returns what it printed and whether it found
// nothing.
func actionlint(t *testing.T, files ...string) (string, bool) {
	t.Helper()
	bin := tool(t, "bin/actionlint")
	cmd := exec.Command(bin, append([]string{"-no-color", "-shellcheck=", "-pyflakes="}, files...)...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		return string(out), false
	}
	if err != nil {
		t.Fatalf("actionlint could not run: %v\n%s", err, out)
	}
	return string(out), true
}

func TestActionlintAcceptsShims(t *testing.T) {
	var files []string
	for name, d := range cases {
		b, err := Render(GitHub, d)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(t.TempDir(), name+".yml")
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if problems, ok := actionlint(t, files...); !ok || problems != "" {
		t.Errorf("actionlint rejects the rendered workflows:\n%s", problems)
	}
}

// The validation can fail: broken workflows are reported, each with the line.
func TestActionlintRejectsBrokenWorkflows(t *testing.T) {
	good, err := Render(GitHub, Data{App: "tornado", Repository: "acme.azurecr.io/tornado", Version: "v1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	breakages := map[string]struct {
		edit func(string) string
		want string
	}{
		"unknown job": {func(s string) string { return strings.Replace(s, "needs: publish", "needs: publsh", 1) }, `"publsh"`},
		"unknown context": {func(s string) string {
			return strings.Replace(s, "secrets.REGISTRY_PASSWORD", "secret.REGISTRY_PASSWORD", 1)
		}, "secret"},
		"bad if": {func(s string) string {
			return strings.Replace(s, "github.event.repository.default_branch", "github.event.repository.default_branch(", 1)
		}, "while parsing arguments"},
		"yaml syntax": {func(s string) string { return s + "  steps: [\n" }, "onepipe.yml"},
		"unknown key": {func(s string) string {
			return strings.Replace(s, "    runs-on: ubuntu-latest\n", "    runs_on: ubuntu-latest\n", 1)
		}, "runs_on"},
	}
	for name, b := range breakages {
		t.Run(name, func(t *testing.T) {
			broken := b.edit(string(good))
			if broken == string(good) {
				t.Fatal("the breakage changed nothing: update it to the template")
			}
			f := filepath.Join(t.TempDir(), "onepipe.yml")
			if err := os.WriteFile(f, []byte(broken), 0o644); err != nil {
				t.Fatal(err)
			}
			problems, ok := actionlint(t, f)
			if ok {
				t.Fatalf("actionlint accepted a broken workflow:\n%s", broken)
			}
			if !strings.Contains(problems, b.want) || !strings.Contains(problems, "onepipe.yml:") {
				t.Errorf("problems do not point at the breakage (want %q):\n%s", b.want, problems)
			}
		})
	}
}

// validateAzure runs Microsoft's Azure Pipelines validator on files; it
// returns the problems it printed and whether it found none.
func validateAzure(t *testing.T, files ...string) (string, bool) {
	t.Helper()
	tool(t, "node_modules/azure-pipelines-language-service/package.json")
	schema := tool(t, "azure-pipelines/service-schema.json")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found: install Node.js and run .ci/install-tools.sh")
	}
	cmd := exec.Command(node, append([]string{filepath.Join("testdata", "validate-azure.cjs"), toolsDir(t), schema}, files...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		return stdout.String(), false
	}
	if err != nil {
		t.Fatalf("validate-azure.cjs could not run: %v\n%s", err, stderr.String())
	}
	return stdout.String(), true
}

func TestAzureSchemaAcceptsShims(t *testing.T) {
	var files []string
	for name, d := range cases {
		b, err := Render(Azure, d)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(t.TempDir(), name+"-azure-pipelines.yml")
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if problems, ok := validateAzure(t, files...); !ok || problems != "" {
		t.Errorf("the Azure Pipelines schema rejects the rendered shims:\n%s", problems)
	}
}

// The validation can fail: invalid pipelines are reported, each with the line.
func TestAzureSchemaRejectsBrokenPipelines(t *testing.T) {
	good, err := Render(Azure, Data{App: "tornado", Repository: "acme.azurecr.io/tornado"})
	if err != nil {
		t.Fatal(err)
	}
	breakages := map[string]struct {
		edit func(string) string
		want string
	}{
		"unknown step key": {func(s string) string {
			return strings.Replace(s, "          - script: $ONEPIPE", "          - scirpt: $ONEPIPE", 1)
		}, "scirpt"},
		"bad task input": {func(s string) string {
			return strings.Replace(s, "testResultsFormat: JUnit", "testResultsFormat: JUnitXML", 1)
		}, "JUnit"},
		"yaml syntax": {func(s string) string { return s + "  - script: [\n" }, "flow collection"},
		"bad pool":    {func(s string) string { return strings.Replace(s, "  vmImage: ubuntu-latest", "  vmImage: [ubuntu]", 1) }, ""},
		"bad deployment strategy": {func(s string) string {
			return strings.Replace(s, "          runOnce:\n", "          runTwice:\n", 1)
		}, "runTwice"},
	}
	for name, b := range breakages {
		t.Run(name, func(t *testing.T) {
			broken := b.edit(string(good))
			if broken == string(good) {
				t.Fatal("the breakage changed nothing: update it to the template")
			}
			f := filepath.Join(t.TempDir(), "azure-pipelines.yml")
			if err := os.WriteFile(f, []byte(broken), 0o644); err != nil {
				t.Fatal(err)
			}
			problems, ok := validateAzure(t, f)
			if ok {
				t.Fatalf("the Azure Pipelines schema accepted a broken pipeline:\n%s", broken)
			}
			if !strings.Contains(problems, b.want) || !strings.Contains(problems, "azure-pipelines.yml:") {
				t.Errorf("problems do not point at the breakage (want %q):\n%s", b.want, problems)
			}
		})
	}
}
