package shim

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests in this file validate the shims with the CI systems' own tools
// from npm, installed by .ci/install-tools.sh into $ONEPIPE_TOOLS (default
// .tools/ at the repository root). They skip, saying so, when a tool is missing.

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
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
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

func TestGitLabCILocalAcceptsShims(t *testing.T) {
	gitlabCILocal(t)
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			ci, err := Render(GitLab, d)
			if err != nil {
				t.Fatal(err)
			}
			dir := gitlabProject(t, ci)

			out, stderr, err := runGitLabCILocal(t, dir, "--list-json")
			if err != nil {
				t.Fatalf("gitlab-ci-local --list-json rejected the shim: %v\n%s%s", err, out, stderr)
			}
			var jobs []struct{ Name, Stage, When string }
			if err := json.Unmarshal([]byte(out), &jobs); err != nil {
				t.Fatalf("gitlab-ci-local --list-json printed no job list: %v\n%s", err, out)
			}
			if len(jobs) != 1 || jobs[0].Name != "onepipe" || jobs[0].When != "on_success" {
				t.Errorf("gitlab-ci-local lists %+v, want the one job onepipe, run on_success on branch main", jobs)
			}

			out, stderr, err = runGitLabCILocal(t, dir, "--list")
			if err != nil || !strings.Contains(out, "onepipe") {
				t.Errorf("gitlab-ci-local --list: %v, does not list onepipe:\n%s%s", err, out, stderr)
			}

			out, stderr, err = runGitLabCILocal(t, dir, "--preview")
			if err != nil {
				t.Fatalf("gitlab-ci-local --preview: %v\n%s", err, stderr)
			}
			if want := "$ONEPIPE run --source " + d.withDefaults().Source; !strings.Contains(out, want) {
				t.Errorf("gitlab-ci-local --preview lost the onepipe line %q:\n%s", want, out)
			}
		})
	}
}

// GitLab runs the job on a final release tag and on a pre-release tag alike,
// as gitlab-ci-local evaluates the rules; the checkout's branch (main) is not
// one the shim runs on, so only the tag rule can start the job.
func TestGitLabCILocalRunsOnTags(t *testing.T) {
	gitlabCILocal(t)
	ci, err := Render(GitLab, Data{App: "tornado", Branches: []string{"production"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := gitlabProject(t, ci)
	for tag, want := range map[string]string{
		"v1.2.3":      "on_success",
		"v1.2.3-rc.1": "on_success",
		"v1.2.3-beta": "on_success",
		"nightly":     "never",
		"":            "never",
	} {
		args := []string{"--list-json"}
		if tag != "" {
			args = append(args, "--variable", "CI_COMMIT_TAG="+tag)
		}
		out, stderr, err := runGitLabCILocal(t, dir, args...)
		if err != nil {
			t.Fatalf("gitlab-ci-local --list-json: %v\n%s%s", err, out, stderr)
		}
		var jobs []struct{ Name, When string }
		if err := json.Unmarshal([]byte(out), &jobs); err != nil || len(jobs) != 1 {
			t.Fatalf("gitlab-ci-local --list-json printed no one-job list: %v\n%s", err, out)
		}
		if jobs[0].When != want {
			t.Errorf("tag %q: the job runs %s, want %s", tag, jobs[0].When, want)
		}
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
		"yaml syntax":   func(s string) string { return s + "  script: [\n" },
		"no script":     func(s string) string { return strings.Replace(s, "\n  script:\n", "\n  scripts:\n", 1) },
		"bad artifacts": func(s string) string { return strings.Replace(s, "when: always", "when: sometimes", 1) },
		"script not list": func(s string) string {
			return strings.Replace(s, "  script:\n    - $ONEPIPE", "  script: {run: $ONEPIPE", 1)
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
		"unknown step key": {func(s string) string { return strings.Replace(s, "  - script: $ONEPIPE", "  - scirpt: $ONEPIPE", 1) }, "scirpt"},
		"bad task input": {func(s string) string {
			return strings.Replace(s, "testResultsFormat: JUnit", "testResultsFormat: JUnitXML", 1)
		}, "JUnit"},
		"yaml syntax": {func(s string) string { return s + "  - script: [\n" }, "flow collection"},
		"bad pool":    {func(s string) string { return strings.Replace(s, "  vmImage: ubuntu-latest", "  vmImage: [ubuntu]", 1) }, ""},
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
