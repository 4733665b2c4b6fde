package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const e2eSHA = "0123456789abcdef0123456789abcdef01234567"

func TestPublishReleaseAndBranch(t *testing.T) {
	needEngine(t)
	needRegistry(t, mirror)
	repo := fmt.Sprintf("onepipe-e2e/tornado-%d", time.Now().UnixNano())

	release := onepipe(t, []string{"GITLAB_CI=true", "CI_COMMIT_SHA=" + e2eSHA, "CI_COMMIT_TAG=v1.2.3"},
		"run", "--source", "examples/tornado", "--publish", mirror+"/"+repo, "--out", t.TempDir())
	if release.code != 0 {
		t.Fatalf("release run: exit %d\n%s\n%s", release.code, release.stdout, lastLine(release.stderr))
	}
	if !strings.Contains(release.stdout, "environment prod") || !strings.Contains(release.stdout, "pushed "+mirror+"/"+repo+":v1.2.3@sha256:") {
		t.Errorf("release summary:\n%s", release.stdout)
	}

	branch := onepipe(t, []string{"GITLAB_CI=true", "CI_COMMIT_SHA=" + e2eSHA, "CI_COMMIT_BRANCH=feature"},
		"run", "--source", "examples/tornado", "--publish", mirror+"/"+repo, "--out", t.TempDir())
	if branch.code != 0 {
		t.Fatalf("branch run: exit %d\n%s", branch.code, lastLine(branch.stderr))
	}
	if !strings.Contains(branch.stdout, "environment dev") || !strings.Contains(branch.stdout, ":01234567@sha256:") {
		t.Errorf("branch summary:\n%s", branch.stdout)
	}

	got := tags(t, mirror, repo)
	slices.Sort(got)
	if !slices.Equal(got, []string{"01234567", "v1.2.3"}) {
		t.Errorf("tags = %v, want [01234567 v1.2.3]", got)
	}
	img := inspect(t, mirror, repo, "v1.2.3", "", "")
	if img.OS != "linux" || img.Architecture != "amd64" {
		t.Errorf("platform = %s/%s, want linux/amd64", img.OS, img.Architecture)
	}
	if !strings.Contains(img.Config, `"org.opencontainers.image.revision":"`+e2eSHA+`"`) {
		t.Errorf("revision label missing from config: %s", img.Config)
	}
}

func TestPublishAuth(t *testing.T) {
	needEngine(t)
	const user, password = "ci", "e2e-Secret-Value-42"
	addr := authRegistry(t, user, password)
	repo := addr + "/acme/tornado"
	out := t.TempDir()
	args := []string{"run", "--source", "examples/tornado", "--publish", repo, "--registry-username", user,
		"--registry-password", "env:E2E_REGISTRY_PASSWORD", "--out", out, "--debug"}

	refused := onepipe(t, []string{"E2E_REGISTRY_PASSWORD=wrong-" + password, "CI_COMMIT_SHA=" + e2eSHA, "GITLAB_CI=true"}, args...)
	if refused.code != 1 || !strings.HasPrefix(lastLine(refused.stderr), "onepipe: publish "+repo) ||
		!strings.Contains(lastLine(refused.stderr), "registry refused the credentials") {
		t.Errorf("wrong password: exit %d, last line %q", refused.code, lastLine(refused.stderr))
	}

	ok := onepipe(t, []string{"E2E_REGISTRY_PASSWORD=" + password, "CI_COMMIT_SHA=" + e2eSHA, "GITLAB_CI=true"}, args...)
	if ok.code != 0 {
		t.Fatalf("right password: exit %d, %s", ok.code, lastLine(ok.stderr))
	}
	// the password appears nowhere: output, reports, image config and history
	for name, text := range map[string]string{"stdout": ok.stdout + refused.stdout, "stderr": ok.stderr + refused.stderr} {
		if strings.Contains(text, password) {
			t.Errorf("password leaked in %s", name)
		}
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.Contains(mustRead(t, filepath.Join(out, e.Name())), password) {
			t.Errorf("password leaked in report %s", e.Name())
		}
	}
	if img := inspect(t, addr, "acme/tornado", "01234567", user, password); strings.Contains(img.Config, password) {
		t.Error("password leaked in the image config/history")
	}
}

func TestPublishUnreachable(t *testing.T) {
	needEngine(t)
	r := onepipe(t, []string{"CI_COMMIT_SHA=" + e2eSHA, "GITLAB_CI=true"},
		"pack", "--source", "examples/tornado", "--publish", "127.0.0.1:9/nowhere/tornado")
	last := lastLine(r.stderr)
	if r.code != 1 || !strings.Contains(last, "registry 127.0.0.1:9 unreachable") {
		t.Errorf("exit %d, last line %q", r.code, last)
	}
}
