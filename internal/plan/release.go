package plan

import (
	"fmt"
	"strings"

	"github.com/onepipe/onepipe/internal/cictx"
	"github.com/onepipe/onepipe/internal/release"
)

// resolveRelease reads the CI (or git), applies the flags and picks the
// version and environment.
func (p *Plan) resolveRelease(env Environment, in Inputs) error {
	r := in.Ref
	if err := checkRefFlags(r); err != nil {
		return err
	}
	rel := p.App.Config.Release
	if in.Publish != nil && len(in.Publish.MovingTags) > 0 {
		rel.MovingTags = in.Publish.MovingTags // --also-tag replaces release.movingTags
	}
	policy, err := release.NewPolicy(rel)
	if err != nil {
		return err
	}
	if r.Tag != "" {
		if err := policy.CheckTag(r.Tag); err != nil {
			return err
		}
	}
	getenv := env.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	ci, detectErr := cictx.Detect(getenv, p.App.Source.Dir)
	if ci, err = ci.With(cictx.Overrides{Ref: r.Ref, SHA: r.SHA, Branch: r.Branch, Tag: r.Tag}); err != nil {
		return err
	}
	p.CI = ci
	dec, err := policy.Decide(ci)
	if err != nil {
		switch {
		case !in.publishing() && !in.Deploy.wanted() && r.Env == "":
			// nothing needs a version: test, lint and pack still run
			dec = release.Decision{Environment: "dev", Reason: "revision unknown"}
		case detectErr != nil:
			return detectErr
		default:
			return err
		}
	}
	p.Release = dec
	p.EnvName, p.Env, err = release.ChooseEnvironment(dec, r.Env, p.App.Config, r.AllowProtected)
	return err
}

// checkRefFlags refuses overrides that contradict each other.
func checkRefFlags(r Ref) error {
	var set []string
	for _, f := range []struct{ name, v string }{{"--tag", r.Tag}, {"--branch", r.Branch}, {"--ref", r.Ref}} {
		if f.v != "" {
			set = append(set, f.name)
		}
	}
	if len(set) > 1 {
		return fmt.Errorf("%s cannot be used together: give the ref being built once", strings.Join(set, " and "))
	}
	return nil
}
