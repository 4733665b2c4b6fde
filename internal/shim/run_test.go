package shim

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/enginecheck"
)

// engineProblem says why no engine can be used, or "" when one answers.
func engineProblem() string {
	if err := enginecheck.Problem(os.LookupEnv); err != nil {
		return err.Error() + " (to run the GitLab job)"
	}
	return ""
}

// TestGitLabJobRunsOnEngine is the shim's end-to-end check: `onepipe init
// gitlab` in a copy of examples/tornado, then gitlab-ci-local runs the job it
// wrote with its shell executor against the engine, and the JUnit report is
// where GitLab collects it (the job's artifacts).
func TestGitLabJobRunsOnEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole pipeline on an engine: not with -short")
	}
	glci := gitlabCILocal(t)
	if _, err := exec.LookPath("rsync"); err != nil {
		t.Skip("rsync not installed (gitlab-ci-local copies the checkout with it): run .ci/install-tools.sh")
	}
	if why := engineProblem(); why != "" {
		t.Skip(why)
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()

	// The job's before_script looks for a dagger CLI on PATH before installing one.
	bin := filepath.Join(tmp, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if cli := os.Getenv("_EXPERIMENTAL_DAGGER_CLI_BIN"); cli != "" {
		if err := os.Symlink(cli, filepath.Join(bin, "dagger")); err != nil {
			t.Fatal(err)
		}
	}
	onepipe := filepath.Join(bin, "onepipe")
	build := exec.Command("go", "build", "-o", onepipe, "./cmd/onepipe")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build onepipe: %v\n%s", err, out)
	}

	app := filepath.Join(tmp, "tornado")
	if out, err := exec.Command("cp", "-r", filepath.Join(repo, "examples", "tornado"), app).CombinedOutput(); err != nil {
		t.Fatalf("copy examples/tornado: %v\n%s", err, out)
	}
	ciFile := filepath.Join(app, ".gitlab-ci.yml")
	if err := os.Remove(ciFile); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, d := range []string{".onepipe", ".venv", "__pycache__"} {
		os.RemoveAll(filepath.Join(app, d))
	}
	initCmd := exec.Command(onepipe, "init", "gitlab")
	initCmd.Dir = app
	if out, err := initCmd.CombinedOutput(); err != nil {
		t.Fatalf("onepipe init gitlab: %v\n%s", err, out)
	}
	written, err := os.ReadFile(ciFile)
	if err != nil {
		t.Fatalf("onepipe init gitlab wrote no .gitlab-ci.yml: %v", err)
	}
	if want, _ := Render(GitLab, Data{App: "tornado"}); string(written) != string(want) {
		t.Errorf("onepipe init gitlab wrote something else than the template renders:\n%s", written)
	}
	gitRepo(t, app)

	cmd := exec.Command(glci, "--home", t.TempDir(), "--no-color", "--force-shell-executor",
		"--variable", "ONEPIPE_DIND=", // the engine is this machine's, not a dind service
		"--variable", "ONEPIPE="+onepipe,
		"--variable", "ONEPIPE_PUBLISH=", // no registry to push to
		"onepipe")
	cmd.Dir = app
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("gitlab-ci-local ran the job to failure: %v\n%s", err, out.String())
	}
	report := filepath.Join(app, ".gitlab-ci-local", "artifacts", "onepipe", ".onepipe", "out", "junit.xml")
	junit, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("the job passed but left no JUnit report among its artifacts: %v\n%s", err, out.String())
	}
	if !strings.Contains(string(junit), "<testsuite") {
		t.Errorf("%s is not a JUnit report:\n%s", report, junit)
	}
	t.Logf("gitlab-ci-local:\n%s", out.String())
}
