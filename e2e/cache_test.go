package e2e

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The registry cache and build-once-promote: what survives a fresh CI
// engine is kept in the registry the CI already has. (The fresh-engine
// timings are measured by `go run ./bench -fresh`; these tests check the
// behaviour on the running engine.)

// TestCacheKeepsTheDependenciesInTheRegistry: the first run pushes the
// tests' dependency environment, the linter's and the image's (its
// Dockerfile up to the last RUN); the next run takes them from the registry
// (pip does not install); a code edit still does; a requirements edit makes
// a new dependency image, pushed once, then pulled.
func TestCacheKeepsTheDependenciesInTheRegistry(t *testing.T) {
	needEngine(t)
	needRegistry(t, mirror)
	app := copyApp(t, "tornado")
	cache := fmt.Sprintf("%s/e2e-cache-%d/tornado", mirror, time.Now().UnixNano())
	run := func() result {
		t.Helper()
		r := onepipe(t, nil, "run", "--source", app, "--cache", cache, "--out", t.TempDir())
		if r.code != 0 {
			t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, lastLines(r.stderr, 20))
		}
		return r
	}
	depsTags := func() []string {
		var out []string
		for _, tag := range tags(t, mirror, strings.TrimPrefix(cache, mirror+"/")) {
			if strings.HasPrefix(tag, "deps-") {
				out = append(out, tag)
			}
		}
		return out
	}

	first := run()
	for _, w := range []string{"dependencies pushed to the registry cache", "linter pushed to the registry cache", "its environment pushed to the registry cache"} {
		if !strings.Contains(first.stdout, w) {
			t.Errorf("first run: summary lacks %q:\n%s", w, first.stdout)
		}
	}
	if got := depsTags(); len(got) != 1 {
		t.Fatalf("after the first run the cache holds %v, want one deps image", got)
	}
	second := run()
	for _, w := range []string{"dependencies from the registry cache", "linter from the registry cache", "its environment from the registry cache"} {
		if !strings.Contains(second.stdout, w) {
			t.Errorf("second run: summary lacks %q:\n%s", w, second.stdout)
		}
	}

	// a code edit: every environment comes from the cache
	writeFile(t, filepath.Join(app, "app.py"), mustRead(t, filepath.Join(app, "app.py"))+"\n# edited by the e2e test\n")
	if edited := run(); !strings.Contains(edited.stdout, "dependencies from the registry cache") || !strings.Contains(edited.stdout, "its environment from the registry cache") {
		t.Errorf("code edit: summary:\n%s", edited.stdout)
	}

	// a requirements edit: a new key, pushed once, then pulled
	req := filepath.Join(app, "requirements.txt")
	writeFile(t, req, mustRead(t, req)+"# pinned by the e2e test\n")
	if edited := run(); !strings.Contains(edited.stdout, "dependencies pushed to the registry cache") {
		t.Errorf("requirements edit: summary:\n%s", edited.stdout)
	}
	if got := depsTags(); len(got) != 2 {
		t.Errorf("after the edit the cache holds %v, want two deps images", got)
	}
	if again := run(); !strings.Contains(again.stdout, "dependencies from the registry cache") {
		t.Errorf("after the edit, again: summary:\n%s", again.stdout)
	}
}

// TestCacheRefusedIsOneWarning: a cache registry that refuses (here: it
// wants credentials the run does not have) costs one warning line; the run
// passes.
func TestCacheRefusedIsOneWarning(t *testing.T) {
	needEngine(t)
	addr := authRegistry(t, "ci", "e2e-cache-password")
	r := onepipe(t, nil, "run", "--source", "examples/tornado", "--only", "test,lint", "--cache", addr+"/acme/cache", "--out", t.TempDir())
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, lastLines(r.stderr, 20))
	}
	warnings := regexp.MustCompile(`(?m)^onepipe: warning: .*$`).FindAllString(r.stderr, -1)
	if len(warnings) != 1 || !strings.Contains(warnings[0], addr+"/acme/cache") {
		t.Errorf("want one warning naming the cache, got %q", warnings)
	}
}

// TestReleasePromotesTheBranchImage: the branch pipeline pushes the
// commit's image; the release tag of the same commit tags that very
// manifest (same digest) and does not build.
func TestReleasePromotesTheBranchImage(t *testing.T) {
	needEngine(t)
	needRegistry(t, mirror)
	repo := fmt.Sprintf("e2e-promote-%d/tornado", time.Now().UnixNano())
	pushed := regexp.MustCompile(`pushed \S+:(\S+)@(sha256:[0-9a-f]{64})`)

	branch := onepipe(t, nil, "pack", "--source", "examples/tornado", "--publish", mirror+"/"+repo, "--sha", e2eSHA, "--branch", "main", "--out", t.TempDir())
	if branch.code != 0 {
		t.Fatalf("branch: exit %d\n%s", branch.code, lastLines(branch.stderr, 20))
	}
	b := pushed.FindStringSubmatch(branch.stdout)
	if b == nil || b[1] != e2eSHA[:8] {
		t.Fatalf("branch pushed %v:\n%s", b, branch.stdout)
	}

	release := onepipe(t, nil, "pack", "--source", "examples/tornado", "--publish", mirror+"/"+repo, "--sha", e2eSHA, "--tag", "v3.1.4", "--out", t.TempDir())
	if release.code != 0 {
		t.Fatalf("release: exit %d\n%s", release.code, lastLines(release.stderr, 20))
	}
	rel := pushed.FindStringSubmatch(release.stdout)
	if rel == nil || rel[1] != "v3.1.4" || rel[2] != b[2] {
		t.Errorf("release pushed %v, want v3.1.4 with the branch image's digest %s:\n%s", rel, b[2], release.stdout)
	}
	if !regexp.MustCompile(`(?m)^pack\s+skipped\s+-\s+built already for this commit`).MatchString(release.stdout) ||
		!strings.Contains(release.stdout, "promoted (the same digest, not rebuilt)") {
		t.Errorf("the release built again:\n%s", release.stdout)
	}

	// another source for the same commit: built, not promoted
	app := copyApp(t, "tornado")
	writeFile(t, filepath.Join(app, "CHANGED"), "x\n")
	other := onepipe(t, nil, "pack", "--source", app, "--publish", mirror+"/"+repo, "--sha", e2eSHA, "--tag", "v3.1.5", "--out", t.TempDir())
	if other.code != 0 || strings.Contains(other.stdout, "promoted") || !strings.Contains(other.stderr, "was built from other source") {
		t.Errorf("other source: exit %d\n%s\n%s", other.code, other.stdout, lastLines(other.stderr, 5))
	}
}
