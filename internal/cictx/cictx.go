// Package cictx finds out where a run happens (GitLab CI, Azure DevOps, GitHub
// Actions, or a developer's checkout) and what it builds: ref, commit, tag,
// branch, pipeline id and project URL.
//
// CI variables win over the checkout: CI jobs often run on a detached HEAD
// where git alone cannot tell the branch. Outside a CI the local checkout is
// read with the git CLI (os/exec): no extra dependency, and the same answer
// the user's own git gives (worktrees, packed refs and all).
package cictx

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Provider names where the run happens.
type Provider string

// The providers onepipe knows.
const (
	GitLab Provider = "gitlab"
	Azure  Provider = "azure"
	GitHub Provider = "github"
	Local  Provider = "local"
)

// Context is what the run builds and where.
type Context struct {
	Provider Provider
	// Ref is the full ref: refs/heads/main, refs/tags/v1.2.3, refs/pull/7/merge.
	Ref        string
	Branch     string
	Tag        string
	SHA        string
	ShortSHA   string
	PipelineID string
	// ProjectURL is the project's web address in the CI (the OCI source label).
	ProjectURL string
	// CommitTime is zero when unknown.
	CommitTime time.Time
	// Registry, RegistryImage and RegistryUser are the CI's own registry
	// (GitLab's CI_REGISTRY*); RegistryPasswordEnv names the variable that
	// holds its password, never the password.
	Registry, RegistryImage, RegistryUser string
	RegistryPasswordEnv                   string
}

// Overrides come from command-line flags and beat everything detected.
type Overrides struct{ Ref, SHA, Branch, Tag string }

// ShortLen is the length of the short SHA used as the image tag on branches.
const ShortLen = 8

// Detect reads the CI's variables through getenv, or the git checkout at dir
// when no CI is detected (GitLab is also recognised by its CI_COMMIT_SHA or
// CI_COMMIT_TAG alone; what the CI leaves out is read from the checkout).
// Outside a CI, a failure to read git is returned with a Context that is
// still usable (Provider local, no SHA). A CI variable that holds no commit
// SHA is an error naming the variable; the Context keeps the value as found
// (With refuses it too, unless --sha replaces it), and nothing is read from
// the checkout in its place.
func Detect(getenv func(string) string, dir string) (Context, error) {
	var c Context
	switch {
	case getenv("GITLAB_CI") == "true" || getenv(shaVars[GitLab]) != "" || getenv("CI_COMMIT_TAG") != "":
		c = fromGitLab(getenv)
	case strings.EqualFold(getenv("TF_BUILD"), "true"):
		c = fromAzure(getenv)
	case getenv("GITHUB_ACTIONS") == "true":
		c = fromGitHub(getenv)
	default:
		return fromGit(dir)
	}
	if c.SHA != "" {
		sha, err := checkSHA(shaVars[c.Provider], c.SHA)
		if err != nil {
			return c, err
		}
		c.SHA, c.ShortSHA = sha, short(sha)
	}
	if c.SHA == "" || c.CommitTime.IsZero() {
		// a partial CI environment (e.g. only CI_COMMIT_TAG set by hand):
		// take what is missing from the checkout, if there is one
		if local, err := fromGit(dir); err == nil {
			if c.SHA == "" {
				c.SHA, c.ShortSHA = local.SHA, local.ShortSHA
			}
			if c.CommitTime.IsZero() && c.SHA == local.SHA {
				c.CommitTime = local.CommitTime
			}
		}
	}
	return c, nil
}

// shaVars names the variable each CI gives the commit in.
var shaVars = map[Provider]string{GitLab: "CI_COMMIT_SHA", Azure: "BUILD_SOURCEVERSION", GitHub: "GITHUB_SHA"}

// hexSHA is a full or abbreviated SHA-1 commit hash, or a full SHA-256 one.
var hexSHA = regexp.MustCompile(`^(?:[0-9a-f]{7,40}|[0-9a-f]{64})$`)

// checkSHA is the one rule for a commit SHA, whether from --sha or a CI
// variable (from names which): 7 to 40 hex characters (64 in a SHA-256
// repository), any case. It returns the SHA in lower case.
func checkSHA(from, sha string) (string, error) {
	lower := strings.ToLower(sha)
	if hexSHA.MatchString(lower) {
		return lower, nil
	}
	fix := "set it to the commit being built, or pass --sha"
	if strings.HasPrefix(from, "--") {
		fix = "give the commit's hash, e.g. the output of git rev-parse HEAD"
	}
	return "", fmt.Errorf("%s %q is not a commit SHA (7 to 40 hex characters): %s", from, sha, fix)
}

// With applies flag overrides and validates them. Without --sha, a SHA
// that came from a CI variable is checked again, so a bad one stops here
// even when Detect's error was set aside.
func (c Context) With(o Overrides) (Context, error) {
	if o.SHA != "" {
		sha, err := checkSHA("--sha", o.SHA)
		if err != nil {
			return c, err
		}
		c.SHA = sha
	} else if from, ok := shaVars[c.Provider]; ok && c.SHA != "" {
		sha, err := checkSHA(from, c.SHA)
		if err != nil {
			return c, err
		}
		c.SHA = sha
	}
	if o.Ref != "" {
		if !strings.HasPrefix(o.Ref, "refs/") {
			return c, fmt.Errorf("--ref %q is not a full ref: use refs/heads/BRANCH or refs/tags/TAG", o.Ref)
		}
		c.Ref = o.Ref
		c.Branch, c.Tag = ParseRef(o.Ref)
	}
	if o.Branch != "" {
		c.Branch, c.Tag, c.Ref = o.Branch, "", "refs/heads/"+o.Branch
	}
	if o.Tag != "" {
		c.Tag, c.Branch, c.Ref = o.Tag, "", "refs/tags/"+o.Tag
	}
	c.ShortSHA = short(c.SHA)
	return c, nil
}

// ParseRef splits a full ref into a branch or a tag name (refs/heads/x →
// branch x; refs/tags/v1 → tag v1; anything else → neither).
func ParseRef(ref string) (branch, tag string) {
	switch {
	case strings.HasPrefix(ref, "refs/heads/"):
		return strings.TrimPrefix(ref, "refs/heads/"), ""
	case strings.HasPrefix(ref, "refs/tags/"):
		return "", strings.TrimPrefix(ref, "refs/tags/")
	}
	return "", ""
}

// Describe is one line for people, e.g. "gitlab pipeline 123 on tag v1.2.3 (abcdef12)".
func (c Context) Describe() string {
	var b strings.Builder
	b.WriteString(string(c.Provider))
	if c.PipelineID != "" {
		b.WriteString(" pipeline " + c.PipelineID)
	}
	switch {
	case c.Tag != "":
		b.WriteString(" on tag " + c.Tag)
	case c.Branch != "":
		b.WriteString(" on branch " + c.Branch)
	case c.Ref != "":
		b.WriteString(" on " + c.Ref)
	}
	if c.ShortSHA != "" {
		b.WriteString(" (" + c.ShortSHA + ")")
	} else {
		b.WriteString(" (revision unknown)")
	}
	return b.String()
}

func short(sha string) string {
	if len(sha) > ShortLen {
		return sha[:ShortLen]
	}
	return sha
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
