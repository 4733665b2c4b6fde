// Package release is the tag policy: which refs are releases, which image tags
// a run pushes, and which environment it targets.
//
// A git tag matching the release pattern (default vX.Y.Z with an optional
// pre-release) is a release build, tagged with the git tag:
//
//   - a final release (v1.2.3) also gets the moving tags (release.movingTags,
//     e.g. latest) and targets prod;
//   - a pre-release (v1.2.3-rc.1, v1.2.3-beta: a tag ending in a SemVer
//     version with a pre-release part, whatever the pattern) gets its own tag
//     only, never the moving tags, and targets release.preReleaseEnvironment
//     (default dev). It passes a protected environment's gate only with
//     --allow-protected, like a branch build.
//
// Any other ref is tagged with the 8-character commit SHA and goes to dev.
//
// Build metadata (v1.2.3+build.5) is refused, as a tag from the CI and as
// --tag: "+" cannot appear in an image tag, and SemVer gives v1.2.3+a and
// v1.2.3+b the same precedence, so they are one version. Building it as a
// commit would quietly skip an intended release, and dropping the metadata
// would let two builds overwrite the image tag v1.2.3; the error says to tag
// the version without it.
package release

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/onepipe/onepipe/internal/cictx"
	"github.com/onepipe/onepipe/internal/config"
)

// DefaultTagPattern is semver with a "v" and an optional pre-release. Build
// metadata ("+build") is not allowed: "+" is not valid in an OCI image tag.
const DefaultTagPattern = `^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`

// DefaultPreReleaseEnvironment is where pre-releases go when
// release.preReleaseEnvironment is empty.
const DefaultPreReleaseEnvironment = "dev"

// dockerTag is the OCI distribution spec's tag grammar.
var dockerTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// preReleaseSuffix is a SemVer version with a pre-release part at the end of
// a tag: what makes a release tag a pre-release, whatever the pattern.
var preReleaseSuffix = regexp.MustCompile(`(^|[^0-9])\d+\.\d+\.\d+-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$`)

// buildMetadata is a SemVer version with build metadata at the end of a tag;
// the capture is the tag without it.
var buildMetadata = regexp.MustCompile(`^(.*\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$`)

// envName is the grammar of environment names in onepipe.yaml.
var envName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// Policy decides versions and environments.
type Policy struct {
	pattern       *regexp.Regexp
	movingTags    []string
	preReleaseEnv string
}

// Decision is what the policy says about one ref.
type Decision struct {
	// Release is true when the ref is a release tag, final or pre-release.
	Release bool
	// PreRelease is true when the release tag is a pre-release (v1.2.3-rc.1):
	// no moving tags, the pre-release environment, no pass through a
	// protected environment's gate.
	PreRelease bool
	// Version is the image tag: the git tag on releases, the short SHA otherwise.
	Version string
	// Tags are every tag to push: Version, then moving tags on final releases.
	Tags []string
	// Environment is, before --env, prod for final releases,
	// release.preReleaseEnvironment for pre-releases and dev otherwise.
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
	env := cfg.PreReleaseEnvironment
	if env == "" {
		env = DefaultPreReleaseEnvironment
	}
	if !envName.MatchString(env) {
		return Policy{}, fmt.Errorf("release.preReleaseEnvironment %q is not an environment name: use lowercase letters, digits and dashes, e.g. dev or staging", env)
	}
	return Policy{pattern: re, movingTags: cfg.MovingTags, preReleaseEnv: env}, nil
}

// IsPreRelease reports whether a release tag is a pre-release: it ends in a
// SemVer version with a pre-release part (v1.2.3-rc.1, release-2.0.0-beta).
func IsPreRelease(tag string) bool { return preReleaseSuffix.MatchString(tag) }

// checkBuildMetadata refuses a tag whose version carries build metadata.
func checkBuildMetadata(tag string) error {
	m := buildMetadata.FindStringSubmatch(tag)
	if m == nil {
		return nil
	}
	return fmt.Errorf("tag %q has build metadata (%s), which an image tag cannot hold and which names no new version: tag the release as %s (vMAJOR.MINOR.PATCH, optionally -rc.N)", tag, tag[len(m[1]):], m[1])
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
	if err := checkBuildMetadata(tag); err != nil {
		return err
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
	if p.IsRelease(c.Tag) && IsPreRelease(c.Tag) {
		return Decision{Release: true, PreRelease: true, Version: c.Tag, Tags: []string{c.Tag}, Environment: p.preReleaseEnv,
			Reason: fmt.Sprintf("tag %s is a pre-release (its own tag only, no moving tags: %s)", c.Tag, p.preReleaseEnv)}, nil
	}
	if p.IsRelease(c.Tag) {
		d := Decision{Release: true, Version: c.Tag, Environment: "prod",
			Reason: fmt.Sprintf("tag %s matches the release pattern", c.Tag)}
		d.Tags = append([]string{c.Tag}, p.movingTags...)
		d.Tags = slices.Compact(d.Tags)
		return d, nil
	}
	if err := checkBuildMetadata(c.Tag); err != nil {
		return Decision{}, err
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

// CheckPreReleaseEnvironment reports a release.preReleaseEnvironment that
// names no environment of cfg (which has its defaults applied).
func CheckPreReleaseEnvironment(cfg config.Config) error {
	name := cfg.Release.PreReleaseEnvironment
	if name == "" {
		return nil
	}
	if _, ok := cfg.Environments[name]; !ok {
		return fmt.Errorf("release.preReleaseEnvironment %q is not an environment: use one of %s (or add it under environments: in %s)",
			name, strings.Join(cfg.EnvironmentNames(), ", "), config.FileName)
	}
	return nil
}

// ChooseEnvironment picks the environment: --env if given, else the
// decision's. A protected environment (prod by default) is refused unless the
// ref is a final release or allowProtected is set: the protected-ref rule. A
// pre-release is no final release, so it reaches a protected environment
// (even when release.preReleaseEnvironment names it) only with allowProtected.
func ChooseEnvironment(d Decision, override string, cfg config.Config, allowProtected bool) (string, config.Environment, error) {
	if err := CheckPreReleaseEnvironment(cfg); err != nil {
		return "", config.Environment{}, err
	}
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
	switch {
	case !env.Protected || allowProtected || d.Release && !d.PreRelease:
	case d.PreRelease:
		return "", config.Environment{}, fmt.Errorf("environment %q is protected and %s is a pre-release: deploy it from a final release tag (vX.Y.Z) or pass --allow-protected", name, d.Version)
	default:
		return "", config.Environment{}, fmt.Errorf("environment %q is protected: deploy it from a release tag (vX.Y.Z) or pass --allow-protected", name)
	}
	return name, env, nil
}
