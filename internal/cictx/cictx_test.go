package cictx

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

const sha = "0123456789abcdef0123456789abcdef01234567"

func TestDetectProviders(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Context
	}{
		{"gitlab tag", map[string]string{"GITLAB_CI": "true", "CI_COMMIT_SHA": sha, "CI_COMMIT_SHORT_SHA": "01234567", "CI_COMMIT_TAG": "v1.2.3",
			"CI_COMMIT_REF_NAME": "v1.2.3", "CI_PIPELINE_ID": "42", "CI_PROJECT_URL": "https://gitlab.com/acme/shop", "CI_COMMIT_TIMESTAMP": "2026-11-20T10:00:00+01:00",
			"CI_REGISTRY": "registry.gitlab.com", "CI_REGISTRY_IMAGE": "registry.gitlab.com/acme/shop", "CI_REGISTRY_USER": "gitlab-ci-token"},
			Context{Provider: GitLab, Ref: "refs/tags/v1.2.3", Tag: "v1.2.3", SHA: sha, ShortSHA: "01234567", PipelineID: "42", ProjectURL: "https://gitlab.com/acme/shop",
				CommitTime: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), Registry: "registry.gitlab.com", RegistryImage: "registry.gitlab.com/acme/shop",
				RegistryUser: "gitlab-ci-token", RegistryPasswordEnv: "CI_REGISTRY_PASSWORD"}},
		{"gitlab branch", map[string]string{"GITLAB_CI": "true", "CI_COMMIT_SHA": sha, "CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main"},
			Context{Provider: GitLab, Ref: "refs/heads/main", Branch: "main", SHA: sha, ShortSHA: "01234567"}},
		{"gitlab merge request", map[string]string{"GITLAB_CI": "true", "CI_COMMIT_SHA": sha, "CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature", "CI_COMMIT_REF_NAME": "feature"},
			Context{Provider: GitLab, Ref: "refs/merge-requests/7/head", Branch: "feature", SHA: sha, ShortSHA: "01234567"}},
		{"gitlab missing vars", map[string]string{"GITLAB_CI": "true"}, Context{Provider: GitLab}},
		{"azure tag", map[string]string{"TF_BUILD": "True", "BUILD_SOURCEVERSION": sha, "BUILD_SOURCEBRANCH": "refs/tags/v2.0.0", "BUILD_BUILDID": "99",
			"BUILD_REPOSITORY_URI": "https://dev.azure.com/acme/shop/_git/shop"},
			Context{Provider: Azure, Ref: "refs/tags/v2.0.0", Tag: "v2.0.0", SHA: sha, ShortSHA: "01234567", PipelineID: "99", ProjectURL: "https://dev.azure.com/acme/shop/_git/shop"}},
		{"azure branch", map[string]string{"TF_BUILD": "True", "BUILD_SOURCEVERSION": sha, "BUILD_SOURCEBRANCH": "refs/heads/feature/x",
			"SYSTEM_COLLECTIONURI": "https://dev.azure.com/acme/", "SYSTEM_TEAMPROJECT": "shop"},
			Context{Provider: Azure, Ref: "refs/heads/feature/x", Branch: "feature/x", SHA: sha, ShortSHA: "01234567", ProjectURL: "https://dev.azure.com/acme/shop"}},
		{"azure pull request", map[string]string{"TF_BUILD": "True", "BUILD_SOURCEVERSION": sha, "BUILD_SOURCEBRANCH": "refs/pull/5/merge", "SYSTEM_PULLREQUEST_SOURCEBRANCH": "refs/heads/fix"},
			Context{Provider: Azure, Ref: "refs/pull/5/merge", Branch: "fix", SHA: sha, ShortSHA: "01234567"}},
		{"github tag", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_SHA": sha, "GITHUB_REF": "refs/tags/v1.0.0", "GITHUB_RUN_ID": "3",
			"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/shop"},
			Context{Provider: GitHub, Ref: "refs/tags/v1.0.0", Tag: "v1.0.0", SHA: sha, ShortSHA: "01234567", PipelineID: "3", ProjectURL: "https://github.com/acme/shop"}},
		{"github pull request", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_SHA": sha, "GITHUB_REF": "refs/pull/9/merge", "GITHUB_HEAD_REF": "topic"},
			Context{Provider: GitHub, Ref: "refs/pull/9/merge", Branch: "topic", SHA: sha, ShortSHA: "01234567"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Detect(envOf(tt.env), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Detect =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

func TestWith(t *testing.T) {
	base := Context{Provider: Local, Branch: "main", Ref: "refs/heads/main", SHA: sha, ShortSHA: "01234567"}
	got, err := base.With(Overrides{Tag: "v1.0.0", SHA: "ABCDEF1234567"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Tag != "v1.0.0" || got.Branch != "" || got.Ref != "refs/tags/v1.0.0" || got.SHA != "abcdef1234567" || got.ShortSHA != "abcdef12" {
		t.Errorf("With = %+v", got)
	}
	got, _ = base.With(Overrides{Ref: "refs/tags/v3.0.0"})
	if got.Tag != "v3.0.0" || got.Branch != "" {
		t.Errorf("With(ref) = %+v", got)
	}
	for _, o := range []Overrides{{SHA: "xyz"}, {SHA: "123"}, {Ref: "main"}} {
		if _, err := base.With(o); err == nil {
			t.Errorf("With(%+v) accepted bad input", o)
		}
	}
}

// TestBadSHAFromCI: a SHA from a CI variable follows the --sha rule and the
// error names the variable, from Detect and again from With unless --sha
// replaces it.
func TestBadSHAFromCI(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"gitlab", map[string]string{"GITLAB_CI": "true", "CI_COMMIT_SHA": "abc", "CI_COMMIT_BRANCH": "main"},
			`CI_COMMIT_SHA "abc" is not a commit SHA (7 to 40 hex characters): set it to the commit being built, or pass --sha`},
		{"gitlab without GITLAB_CI", map[string]string{"CI_COMMIT_SHA": "HEAD"},
			`CI_COMMIT_SHA "HEAD" is not a commit SHA (7 to 40 hex characters): set it to the commit being built, or pass --sha`},
		{"azure", map[string]string{"TF_BUILD": "True", "BUILD_SOURCEVERSION": "$(Build.SourceVersion)", "BUILD_SOURCEBRANCH": "refs/heads/main"},
			`BUILD_SOURCEVERSION "$(Build.SourceVersion)" is not a commit SHA (7 to 40 hex characters): set it to the commit being built, or pass --sha`},
		{"github", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_SHA": sha + "0", "GITHUB_REF": "refs/heads/main"},
			`GITHUB_SHA "` + sha + `0" is not a commit SHA (7 to 40 hex characters): set it to the commit being built, or pass --sha`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Detect(envOf(tt.env), t.TempDir())
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Detect error\n got: %v\nwant: %s", err, tt.want)
			}
			if _, err := c.With(Overrides{}); err == nil || err.Error() != tt.want {
				t.Errorf("With without --sha\n got: %v\nwant: %s", err, tt.want)
			}
			got, err := c.With(Overrides{SHA: sha})
			if err != nil || got.SHA != sha || got.ShortSHA != "01234567" {
				t.Errorf("With(--sha) = %+v, %v; want the flag's SHA", got, err)
			}
		})
	}
}

func TestCheckSHA(t *testing.T) {
	long := strings.Repeat("ab", 32)
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"abcdef1", "abcdef1", true},
		{"ABCDEF1234", "abcdef1234", true},
		{sha, sha, true},
		{long, long, true},
		{"abcdef", "", false},
		{sha + "a", "", false},
		{long[:63], "", false},
		{"abcdefg", "", false},
		{" abcdef1", "", false},
	}
	for _, tt := range tests {
		got, err := checkSHA("--sha", tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("checkSHA(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !strings.HasPrefix(err.Error(), fmt.Sprintf("--sha %q is not a commit SHA (7 to 40 hex characters): ", tt.in)) {
			t.Errorf("checkSHA(%q) error = %v", tt.in, err)
		}
	}
}

func TestDetectLowercasesSHA(t *testing.T) {
	c, err := Detect(envOf(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_SHA": strings.ToUpper(sha)}), t.TempDir())
	if err != nil || c.SHA != sha || c.ShortSHA != "01234567" {
		t.Errorf("Detect = %+v, %v", c, err)
	}
}

func TestDescribe(t *testing.T) {
	c := Context{Provider: GitLab, PipelineID: "123", Tag: "v1.2.3", ShortSHA: "abcdef12"}
	if got := c.Describe(); got != "gitlab pipeline 123 on tag v1.2.3 (abcdef12)" {
		t.Errorf("Describe = %q", got)
	}
	if got := (Context{Provider: Local}).Describe(); got != "local (revision unknown)" {
		t.Errorf("Describe = %q", got)
	}
}

func TestWebURL(t *testing.T) {
	for in, want := range map[string]string{
		"git@gitlab.com:acme/shop.git":                  "https://gitlab.com/acme/shop",
		"https://oauth2:TOKEN@gitlab.com/acme/shop.git": "https://gitlab.com/acme/shop",
		"ssh://git@host/x":                              "https://host/x",
		"/local/path":                                   "",
	} {
		if got := webURL(in); got != want {
			t.Errorf("webURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLocalGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2026-01-02T03:04:05Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q", "-b", "trunk")
	run("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "--allow-empty", "-m", "x")
	run("remote", "add", "origin", "https://user:pw@example.com/acme/shop.git")
	c, err := Detect(envOf(nil), dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Provider != Local || c.Branch != "trunk" || len(c.SHA) != 40 || len(c.ShortSHA) != 8 || c.ProjectURL != "https://example.com/acme/shop" ||
		!c.CommitTime.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("local = %+v", c)
	}
	run("tag", "v0.1.0")
	c, _ = Detect(envOf(nil), dir)
	if c.Tag != "v0.1.0" || c.Ref != "refs/tags/v0.1.0" {
		t.Errorf("tagged = %+v", c)
	}
	partial, _ := Detect(envOf(map[string]string{"CI_COMMIT_TAG": "v1.2.3"}), dir)
	if partial.Provider != GitLab || partial.Tag != "v1.2.3" || partial.SHA != c.SHA || partial.CommitTime.IsZero() {
		t.Errorf("partial GitLab env not completed from git: %+v", partial)
	}
	bad, err := Detect(envOf(map[string]string{"CI_COMMIT_TAG": "v1.2.3", "CI_COMMIT_SHA": "abc"}), dir)
	if err == nil || bad.SHA == c.SHA {
		t.Errorf("a bad CI_COMMIT_SHA was replaced by the checkout's: %+v, %v", bad, err)
	}
	if _, err := Detect(envOf(nil), filepath.Join(dir, "missing")); err == nil {
		t.Error("Detect outside a checkout returned no error")
	}
}

func FuzzParseRef(f *testing.F) {
	f.Add("refs/heads/main")
	f.Add("refs/tags/v1")
	f.Fuzz(func(t *testing.T, ref string) {
		b, tag := ParseRef(ref)
		if b != "" && tag != "" {
			t.Errorf("ParseRef(%q) = both %q and %q", ref, b, tag)
		}
	})
}
