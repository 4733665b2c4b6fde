package release

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/cictx"
	"github.com/onepipe/onepipe/internal/config"
)

func TestDecide(t *testing.T) {
	p, err := NewPolicy(config.Release{MovingTags: []string{"latest", "stable"}})
	if err != nil {
		t.Fatal(err)
	}
	const sha = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name    string
		ctx     cictx.Context
		want    Decision
		wantErr error
	}{
		{"release tag", cictx.Context{Tag: "v1.2.3", SHA: sha, ShortSHA: "01234567"},
			Decision{Release: true, Version: "v1.2.3", Tags: []string{"v1.2.3", "latest", "stable"}, Environment: "prod", Reason: "tag v1.2.3 matches the release pattern"}, nil},
		{"pre-release tag", cictx.Context{Tag: "v1.2.3-rc.1", SHA: sha},
			Decision{Release: true, PreRelease: true, Version: "v1.2.3-rc.1", Tags: []string{"v1.2.3-rc.1"}, Environment: "dev", Reason: "tag v1.2.3-rc.1 is a pre-release (its own tag only, no moving tags: dev)"}, nil},
		{"pre-release without a dot", cictx.Context{Tag: "v1.2.3-beta", Branch: "main", SHA: sha},
			Decision{Release: true, PreRelease: true, Version: "v1.2.3-beta", Tags: []string{"v1.2.3-beta"}, Environment: "dev", Reason: "tag v1.2.3-beta is a pre-release (its own tag only, no moving tags: dev)"}, nil},
		{"pre-release with dashes", cictx.Context{Tag: "v1.0.0-rc-2", SHA: sha},
			Decision{Release: true, PreRelease: true, Version: "v1.0.0-rc-2", Tags: []string{"v1.0.0-rc-2"}, Environment: "dev", Reason: "tag v1.0.0-rc-2 is a pre-release (its own tag only, no moving tags: dev)"}, nil},
		{"build metadata", cictx.Context{Tag: "v1.2.3+build", SHA: sha}, Decision{}, errBuildMetadata},
		{"pre-release with build metadata", cictx.Context{Tag: "v1.2.3-rc.1+exp.sha.5114f85", SHA: sha}, Decision{}, errBuildMetadata},
		{"branch", cictx.Context{Branch: "main", SHA: sha, ShortSHA: "01234567"},
			Decision{Version: "01234567", Tags: []string{"01234567"}, Environment: "dev", Reason: "branch main, commit 01234567 (not a release: dev)"}, nil},
		{"non-release tag", cictx.Context{Tag: "nightly", SHA: sha},
			Decision{Version: "01234567", Tags: []string{"01234567"}, Environment: "dev", Reason: "tag nightly is not a release version, so commit 01234567 (not a release: dev)"}, nil},
		{"nothing known", cictx.Context{}, Decision{}, ErrNoRevision},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Decide(tt.ctx)
			if tt.wantErr == errBuildMetadata {
				if err == nil || !strings.Contains(err.Error(), "has build metadata") || !strings.Contains(err.Error(), tt.ctx.Tag) {
					t.Fatalf("err = %v, want one naming %s and its build metadata", err, tt.ctx.Tag)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decide =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

// errBuildMetadata marks the cases whose error is about build metadata.
var errBuildMetadata = errors.New("build metadata")

func TestDecidePreReleaseEnvironment(t *testing.T) {
	p, err := NewPolicy(config.Release{MovingTags: []string{"latest"}, PreReleaseEnvironment: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tag, env string
		tags     []string
		pre      bool
	}{
		{"v1.2.3-rc.1", "staging", []string{"v1.2.3-rc.1"}, true},
		{"v2.0.0-alpha", "staging", []string{"v2.0.0-alpha"}, true},
		{"v1.2.3", "prod", []string{"v1.2.3", "latest"}, false},
	}
	for _, tt := range tests {
		d, err := p.Decide(cictx.Context{Tag: tt.tag, SHA: "0123456789abcdef"})
		if err != nil || d.Environment != tt.env || d.PreRelease != tt.pre || !d.Release || !reflect.DeepEqual(d.Tags, tt.tags) {
			t.Errorf("Decide(%s) = %+v, %v; want environment %s, tags %v, pre-release %v", tt.tag, d, err, tt.env, tt.tags, tt.pre)
		}
		if tt.pre && !strings.Contains(d.Reason, "pre-release") {
			t.Errorf("Decide(%s).Reason = %q, want it to say pre-release", tt.tag, d.Reason)
		}
	}
}

// A custom pattern's tags are pre-releases when they end in X.Y.Z-something.
func TestDecidePreReleaseCustomPattern(t *testing.T) {
	p, err := NewPolicy(config.Release{TagPattern: `^release-`, MovingTags: []string{"latest"}})
	if err != nil {
		t.Fatal(err)
	}
	for tag, pre := range map[string]bool{
		"release-2.0.0-beta.1": true,
		"release-2.0.0":        false,
		"release-12":           false,
		"release-2024-01-02":   false,
	} {
		d, err := p.Decide(cictx.Context{Tag: tag, SHA: "0123456789abcdef"})
		if err != nil || !d.Release || d.PreRelease != pre || (len(d.Tags) == 1) != pre {
			t.Errorf("Decide(%s) = %+v, %v; want pre-release %v", tag, d, err, pre)
		}
	}
}

func TestIsPreRelease(t *testing.T) {
	for tag, want := range map[string]bool{
		"v1.2.3-rc.1": true, "v1.2.3-beta": true, "v10.20.30-alpha.1": true, "v1.0.0-0.3.7": true, "v1.0.0-x.7.z.92": true,
		"v1.2.3": false, "v1.2.3+build": false, "v1.2": false, "nightly": false, "v1.2.3-": false,
	} {
		if got := IsPreRelease(tag); got != want {
			t.Errorf("IsPreRelease(%q) = %v, want %v", tag, got, want)
		}
	}
}

func TestCheckTag(t *testing.T) {
	p, _ := NewPolicy(config.Release{})
	for _, good := range []string{"v1.2.3", "v0.0.1", "v10.20.30-alpha.1", "v1.0.0-rc-2"} {
		if err := p.CheckTag(good); err != nil {
			t.Errorf("CheckTag(%q) = %v", good, err)
		}
	}
	for _, bad := range []string{"v1.2", "1.2.3", "v01.2.3", "v1.2.3+build", "v1.2.3-", "latest", ""} {
		err := p.CheckTag(bad)
		if err == nil || !strings.Contains(err.Error(), "vMAJOR.MINOR.PATCH") {
			t.Errorf("CheckTag(%q) = %v", bad, err)
		}
	}
	err := p.CheckTag("v1.2.3+build.5")
	if err == nil || !strings.Contains(err.Error(), `tag "v1.2.3+build.5" has build metadata (+build.5)`) || !strings.Contains(err.Error(), "tag the release as v1.2.3 ") {
		t.Errorf("CheckTag(v1.2.3+build.5) = %v, want one saying to tag v1.2.3", err)
	}
	custom, err := NewPolicy(config.Release{TagPattern: `^release-\d+$`})
	if err != nil {
		t.Fatal(err)
	}
	if custom.CheckTag("release-12") != nil || custom.CheckTag("v1.2.3") == nil {
		t.Error("custom pattern not applied")
	}
}

func TestNewPolicyErrors(t *testing.T) {
	if _, err := NewPolicy(config.Release{TagPattern: "("}); err == nil {
		t.Error("bad pattern accepted")
	}
	if _, err := NewPolicy(config.Release{MovingTags: []string{"bad tag"}}); err == nil {
		t.Error("bad moving tag accepted")
	}
	if _, err := NewPolicy(config.Release{PreReleaseEnvironment: "Staging"}); err == nil || !strings.Contains(err.Error(), `release.preReleaseEnvironment "Staging"`) {
		t.Errorf("bad pre-release environment: %v", err)
	}
}

func TestChooseEnvironment(t *testing.T) {
	cfg := config.Config{}.WithDefaults("shop")
	rel := Decision{Release: true, Environment: "prod"}
	dev := Decision{Environment: "dev"}
	pre := Decision{Release: true, PreRelease: true, Version: "v1.2.3-rc.1", Environment: "dev"}
	tests := []struct {
		name           string
		d              Decision
		override       string
		allowProtected bool
		want, wantErr  string
	}{
		{"release goes to prod", rel, "", false, "prod", ""},
		{"branch goes to dev", dev, "", false, "dev", ""},
		{"override to dev on release", rel, "dev", false, "dev", ""},
		{"prod from branch refused", dev, "prod", false, "", `environment "prod" is protected`},
		{"prod from branch with opt-in", dev, "prod", true, "prod", ""},
		{"unknown environment", dev, "staging", false, "", `unknown environment "staging": use one of dev, prod`},
		{"pre-release goes to dev", pre, "", false, "dev", ""},
		{"prod from pre-release refused", pre, "prod", false, "", `environment "prod" is protected and v1.2.3-rc.1 is a pre-release: deploy it from a final release tag (vX.Y.Z) or pass --allow-protected`},
		{"prod from pre-release with opt-in", pre, "prod", true, "prod", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, env, err := ChooseEnvironment(tt.d, tt.override, cfg, tt.allowProtected)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || name != tt.want || env.Namespace != "shop-"+tt.want {
				t.Errorf("got %q %+v %v", name, env, err)
			}
		})
	}
}

func TestChooseEnvironmentPreReleaseEnvironment(t *testing.T) {
	cfg := config.Config{
		Release: config.Release{PreReleaseEnvironment: "staging"},
		Environments: map[string]config.Environment{
			"staging": {Namespace: "shop-staging"},
			"uat":     {Namespace: "shop-uat", Protected: true},
		},
	}.WithDefaults("shop")
	p, err := NewPolicy(cfg.Release)
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.Decide(cictx.Context{Tag: "v1.2.3-rc.1", SHA: "0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	name, env, err := ChooseEnvironment(d, "", cfg, false)
	if err != nil || name != "staging" || env.Namespace != "shop-staging" {
		t.Errorf("pre-release: got %q %+v %v, want staging", name, env, err)
	}

	// A protected pre-release environment gates pre-releases like prod.
	cfg.Release.PreReleaseEnvironment = "uat"
	p, _ = NewPolicy(cfg.Release)
	d, _ = p.Decide(cictx.Context{Tag: "v1.2.3-rc.1", SHA: "0123456789abcdef"})
	if _, _, err := ChooseEnvironment(d, "", cfg, false); err == nil || !strings.Contains(err.Error(), `environment "uat" is protected`) {
		t.Errorf("protected pre-release environment: err = %v", err)
	}
	if name, _, err := ChooseEnvironment(d, "", cfg, true); err != nil || name != "uat" {
		t.Errorf("protected pre-release environment with --allow-protected: %q %v", name, err)
	}

	// An environment onepipe.yaml does not define fails every run, in one line.
	cfg.Release.PreReleaseEnvironment = "qa"
	_, _, err = ChooseEnvironment(Decision{Environment: "dev"}, "", cfg, false)
	if err == nil || err.Error() != `release.preReleaseEnvironment "qa" is not an environment: use one of dev, prod, staging, uat (or add it under environments: in onepipe.yaml)` {
		t.Errorf("unknown pre-release environment: err = %v", err)
	}
}

func FuzzCheckTag(f *testing.F) {
	p, _ := NewPolicy(config.Release{})
	for _, s := range []string{"v1.2.3", "v1.2.3-rc.1", "x", "v1.2.3+b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		if p.CheckTag(tag) == nil && !dockerTag.MatchString(tag) {
			t.Errorf("accepted %q, which is not a valid image tag", tag)
		}
	})
}
