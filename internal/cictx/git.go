package cictx

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// ErrNoGit means the revision could not be read from git.
var ErrNoGit = errors.New("not a git checkout (or git is not installed): pass --sha and --branch or --tag")

// fromGit reads the checkout at dir with the git CLI.
func fromGit(dir string) (Context, error) {
	c := Context{Provider: Local}
	sha, err := git(dir, "rev-parse", "HEAD")
	if err != nil {
		return c, fmt.Errorf("%w (%v)", ErrNoGit, err)
	}
	c.SHA, c.ShortSHA = sha, short(sha)
	if t, err := git(dir, "log", "-1", "--format=%cI", "HEAD"); err == nil {
		c.CommitTime = parseTime(t)
	}
	if tag, err := git(dir, "describe", "--tags", "--exact-match", "HEAD"); err == nil {
		c.Tag, c.Ref = tag, "refs/tags/"+tag
	} else if ref, err := git(dir, "symbolic-ref", "-q", "HEAD"); err == nil {
		c.Ref = ref
		c.Branch, _ = ParseRef(ref)
	}
	if url, err := git(dir, "config", "--get", "remote.origin.url"); err == nil {
		c.ProjectURL = webURL(url)
	}
	return c, nil
}

func git(dir string, args ...string) (string, error) {
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// webURL turns a clone URL into the project's web address, dropping any
// credentials (https://user:token@host/x.git → https://host/x).
func webURL(u string) string {
	u = strings.TrimSuffix(strings.TrimSpace(u), ".git")
	if rest, ok := strings.CutPrefix(u, "git@"); ok { // git@host:group/app
		host, path, _ := strings.Cut(rest, ":")
		return "https://" + host + "/" + path
	}
	if scheme, rest, ok := strings.Cut(u, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			rest = rest[at+1:]
		}
		if scheme == "ssh" {
			scheme = "https"
		}
		return scheme + "://" + rest
	}
	return ""
}
