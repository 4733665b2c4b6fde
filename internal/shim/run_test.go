package shim

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onepipe/onepipe/internal/enginecheck"
)

// engineProblem says why no engine can be used, or "" when one answers.
func engineProblem() string {
	if err := enginecheck.Problem(os.LookupEnv); err != nil {
		return err.Error() + " (to run the GitLab pipeline)"
	}
	return ""
}

// registry is the offline image registry of ../shared/world/up.sh, which
// takes pushes without credentials.
const registry = "127.0.0.1:5000"

// TestGitLabPipelineRunsOnEngine is the shim's end-to-end check: `onepipe
// init gitlab` in a copy of examples/tornado (its dev environment on a kwok
// local cluster of its own), then gitlab-ci-local runs the pipeline it wrote
// with its shell executor against the engine, the jobs running this
// checkout's onepipe (ONEPIPE, which also skips onepipe:build):
//
//   - a push to main: test (the JUnit report where GitLab collects it),
//     publish (the image in the local registry), deploy:dev (namespace
//     tornado-dev on the local cluster);
//   - a merge request: review deploys namespace tornado-dev-mr-7, and the
//     stop job, started by hand, removes it with onepipe down.
func TestGitLabPipelineRunsOnEngine(t *testing.T) {
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
	if resp, err := http.Get("http://" + registry + "/v2/"); err != nil {
		t.Skipf("no registry at %s (run ../shared/world/up.sh): %v", registry, err)
	} else {
		resp.Body.Close()
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	stamp := time.Now().UnixNano()

	// The jobs' before_script looks for a dagger CLI on PATH before copying one.
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
	for _, d := range []string{".gitlab-ci.yml", ".onepipe", ".venv", "__pycache__"} {
		os.RemoveAll(filepath.Join(app, d))
	}
	config := filepath.Join(app, "onepipe.yaml")
	yml, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	cluster := fmt.Sprintf("e2e-shim-%d", stamp)
	kwok := strings.Replace(string(yml), "      localNode: real\n", "      name: "+cluster+"\n", 1)
	if kwok == string(yml) {
		t.Fatal("examples/tornado/onepipe.yaml no longer has dev's localNode: real: update this test")
	}
	if err := os.WriteFile(config, []byte(kwok), 0o644); err != nil {
		t.Fatal(err)
	}

	initCmd := exec.Command(onepipe, "init", "gitlab")
	initCmd.Dir = app
	if out, err := initCmd.CombinedOutput(); err != nil {
		t.Fatalf("onepipe init gitlab: %v\n%s", err, out)
	}
	written, err := os.ReadFile(filepath.Join(app, ".gitlab-ci.yml"))
	if err != nil {
		t.Fatalf("onepipe init gitlab wrote no .gitlab-ci.yml: %v", err)
	}
	if want, _ := Render(GitLab, Data{App: "tornado"}); string(written) != string(want) {
		t.Errorf("onepipe init gitlab wrote something else than the template renders:\n%s", written)
	}
	gitRepo(t, app)

	image := fmt.Sprintf("%s/onepipe-e2e/shim-tornado-%d", registry, stamp)
	pipeline := func(vars []string, jobs ...string) string {
		t.Helper()
		args := []string{"--home", t.TempDir(), "--no-color", "--force-shell-executor",
			"--ignore-predefined-vars", "CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_COMMIT_REF_SLUG",
			"--variable", "ONEPIPE=" + onepipe, // this checkout's onepipe: onepipe:build does not run
			"--variable", "ONEPIPE_DIND=", // the engine is this machine's, not a dind service
			"--variable", "_EXPERIMENTAL_DAGGER_RUNNER_HOST=" + os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST"),
			"--variable", "ONEPIPE_PUBLISH=--publish " + image,
			"--variable", "ONEPIPE_CLUSTER=--cluster local",
		}
		for _, v := range vars {
			args = append(args, "--variable", v)
		}
		cmd := exec.Command(glci, append(args, jobs...)...)
		cmd.Dir = app
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("gitlab-ci-local %v ran to failure: %v\n%s", jobs, err, out.String())
		}
		t.Logf("gitlab-ci-local %v:\n%s", jobs, out.String())
		return out.String()
	}
	kubectl := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(onepipe, append([]string{"kubectl", "--source", app, "--"}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("onepipe kubectl %v: %v", args, err)
		}
		return string(out)
	}

	// 1. a push to main: the whole pipeline (workflow:rules let it run)
	out := pipeline(nil)
	for _, job := range []string{"test", "publish", "deploy:dev"} {
		if !strings.Contains(out, job+" finished") && !strings.Contains(out, "PASS  "+job) {
			t.Errorf("gitlab-ci-local did not run %s", job)
		}
	}
	for _, job := range []string{"deploy:prod", "review", "stop_review", "onepipe:build"} {
		if strings.Contains(out, job+" starting") {
			t.Errorf("a push to main ran %s", job)
		}
	}
	junit, err := os.ReadFile(filepath.Join(app, ".gitlab-ci-local", "artifacts", "test", ".onepipe", "out", "junit.xml"))
	if err != nil || !strings.Contains(string(junit), "<testsuite") {
		t.Errorf("the test job left no JUnit report among its artifacts: %v", err)
	}
	sha := strings.TrimSpace(gitOutput(t, app, "rev-parse", "--short=8", "HEAD"))
	if resp, err := http.Get("http://" + registry + "/v2/" + strings.TrimPrefix(image, registry+"/") + "/tags/list"); err != nil {
		t.Errorf("registry: %v", err)
	} else {
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if !strings.Contains(body.String(), `"`+sha+`"`) {
			t.Errorf("publish pushed no tag %s to %s: %s", sha, image, body.String())
		}
	}
	if got := kubectl("get", "deployment/tornado", "-n", "tornado-dev", "-o", "jsonpath={.spec.template.spec.containers[0].image}"); !strings.HasPrefix(got, image+":"+sha) && !strings.HasPrefix(got, image+"@") {
		t.Errorf("deploy:dev runs %q in tornado-dev, want the published %s:%s", got, image, sha)
	}

	// 2. a merge request: its review environment, then the stop job
	mr := []string{"CI_PIPELINE_SOURCE=merge_request_event", "CI_COMMIT_BRANCH=", "CI_COMMIT_REF_SLUG=mr-7"}
	pipeline(mr, "review")
	if got := kubectl("get", "namespaces", "-o", "name"); !strings.Contains(got, "namespace/tornado-dev-mr-7\n") {
		t.Fatalf("review deployed no namespace tornado-dev-mr-7: %s", got)
	}
	if got := kubectl("get", "deployments", "-n", "tornado-dev-mr-7", "-o", "name"); !strings.Contains(got, "deployment.apps/tornado") {
		t.Errorf("the review namespace holds %q, want the app", got)
	}
	out = pipeline(mr, "stop_review")
	if !strings.Contains(out, "deleted namespace tornado-dev-mr-7 (review environment mr-7 of dev)") {
		t.Errorf("stop_review did not say it deleted the namespace")
	}
	got := kubectl("get", "namespaces", "-o", "name")
	if strings.Contains(got, "namespace/tornado-dev-mr-7\n") {
		t.Errorf("after stop_review the namespace is still there: %s", got)
	}
	if !strings.Contains(got, "namespace/tornado-dev\n") {
		t.Errorf("stop_review removed more than its review environment: %s", got)
	}
}

func gitOutput(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}
