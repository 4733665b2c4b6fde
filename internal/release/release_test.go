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
			Decision{Release: true, Version: "v1.2.3-rc.1", Tags: []string{"v1.2.3-rc.1", "latest", "stable"}, Environment: "prod", Reason: "tag v1.2.3-rc.1 matches the release pattern"}, nil},
		{"branch", cictx.Context{Branch: "main", SHA: sha, ShortSHA: "01234567"},
			Decision{Version: "01234567", Tags: []string{"01234567"}, Environment: "dev", Reason: "branch main, commit 01234567 (not a release: dev)"}, nil},
		{"non-release tag", cictx.Context{Tag: "nightly", SHA: sha},
			Decision{Version: "01234567", Tags: []string{"01234567"}, Environment: "dev", Reason: "tag nightly is not a release version, so commit 01234567 (not a release: dev)"}, nil},
		{"nothing known", cictx.Context{}, Decision{}, ErrNoRevision},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Decide(tt.ctx)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decide =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
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
}

func TestChooseEnvironment(t *testing.T) {
	cfg := config.Config{}.WithDefaults("shop")
	rel := Decision{Release: true, Environment: "prod"}
	dev := Decision{Environment: "dev"}
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
