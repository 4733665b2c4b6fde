// Package release is the tag policy: which refs are releases, which image tags
// a run pushes, and which environment it targets.
//
// A git tag matching the release pattern (vX.Y.Z, optional pre-release) is a
// release: the image is tagged with the git tag and the environment is prod.
// Any other ref is tagged with the 8-character commit SHA and goes to dev.
package release

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/onepipe/onepipe/internal/cictx"
	"github.com/onepipe/onepipe/internal/config"
)

// DefaultTagPattern is semver with a "v" and an optional pre-release. Build
// metadata ("+build") is not allowed: "+" is not valid in an OCI image tag.
const DefaultTagPattern = `^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`

// dockerTag is the OCI distribution spec's tag grammar.
var dockerTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// Policy decides versions and environments.
type Policy struct {
	pattern    *regexp.Regexp
	movingTags []string
}

// Decision is what the policy says about one ref.
type Decision struct {
	// Release is true when the ref is a release tag.
	Release bool
	// Version is the image tag: the git tag on releases, the short SHA otherwise.
	Version string
	// Tags are every tag to push: Version, then moving tags on releases.
	Tags []string
	// Environment is prod for releases and dev otherwise, before --env.
	Environment string
	// Reason is one line for `onepipe plan`.
	Reason string
}

// NewPolicy compiles the release settings of onepipe.yaml.
func NewPolicy(cfg config.Release) (Policy, error) {
	pat := cfg.TagPattern
	if pat == "" {
		pat = DefaultTagPattern
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return Policy{}, fmt.Errorf("release.tagPattern: %v", err)
	}
	for _, t := range cfg.MovingTags {
		if !dockerTag.MatchString(t) {
			return Policy{}, fmt.Errorf("moving tag %q is not a valid image tag: use letters, digits, '_', '.' and '-' (at most 128)", t)
		}
	}
	return Policy{pattern: re, movingTags: cfg.MovingTags}, nil
}

// IsRelease reports whether a git tag is a release version.
func (p Policy) IsRelease(tag string) bool {
	return tag != "" && p.pattern.MatchString(tag) && dockerTag.MatchString(tag)
}

// CheckTag validates a tag given explicitly (--tag): it must be a release version.
func (p Policy) CheckTag(tag string) error {
	if p.IsRelease(tag) {
		return nil
	}
	if p.pattern.String() == DefaultTagPattern {
		return fmt.Errorf("tag %q is not a release version: use vMAJOR.MINOR.PATCH such as v1.2.3 (or v1.2.3-rc.1)", tag)
	}
	return fmt.Errorf("tag %q does not match the release pattern %s from release.tagPattern", tag, p.pattern)
}

// ErrNoRevision means neither a tag nor a commit SHA is known.
var ErrNoRevision = errors.New("no commit SHA or tag to version the image with: run inside a git checkout or a CI job, or pass --sha")

// Decide applies the policy to what the CI (or git) says is being built.
func (p Policy) Decide(c cictx.Context) (Decision, error) {
	if p.IsRelease(c.Tag) {
		d := Decision{Release: true, Version: c.Tag, Environment: "prod",
			Reason: fmt.Sprintf("tag %s matches the release pattern", c.Tag)}
		d.Tags = append([]string{c.Tag}, p.movingTags...)
		d.Tags = slices.Compact(d.Tags)
		return d, nil
	}
	short := c.ShortSHA
	if short == "" && len(c.SHA) >= cictx.ShortLen {
		short = c.SHA[:cictx.ShortLen]
	}
	if short == "" {
		return Decision{}, ErrNoRevision
	}
	why := "commit " + short
	switch {
	case c.Tag != "":
		why = fmt.Sprintf("tag %s is not a release version, so commit %s", c.Tag, short)
	case c.Branch != "":
		why = fmt.Sprintf("branch %s, commit %s", c.Branch, short)
	}
	return Decision{Version: short, Tags: []string{short}, Environment: "dev", Reason: why + " (not a release: dev)"}, nil
}

// ChooseEnvironment picks the environment: --env if given, else the
// decision's. A protected environment (prod by default) is refused unless the
// ref is a release or allowProtected is set: the protected-ref rule.
func ChooseEnvironment(d Decision, override string, cfg config.Config, allowProtected bool) (string, config.Environment, error) {
	name := override
	if name == "" {
		name = d.Environment
	}
	if name == "" {
		name = "dev"
	}
	env, err := cfg.Environment(name)
	if err != nil {
		return "", config.Environment{}, err
	}
	if env.Protected && !d.Release && !allowProtected {
		return "", config.Environment{}, fmt.Errorf("environment %q is protected: deploy it from a release tag (vX.Y.Z) or pass --allow-protected", name)
	}
	return name, env, nil
}
